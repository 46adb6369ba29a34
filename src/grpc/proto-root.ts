/**
 * Loads .proto files with protobufjs at run time: no code generation, so a new proto file is
 * usable as soon as it is on an include path. Shared by the gateway (src/) and the patterns,
 * so it imports nothing of either.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** The project's own proto folder (`proto/` at the package root). */
export const projectProtoDir = join(findPackageRoot(), 'proto');

/** Google's published protos (`google/rpc/*.proto`, `google/api/*.proto`, well-known types). */
export const googleProtoDir = dirname(require.resolve('google-proto-files/package.json'));

function findPackageRoot(): string {
  // Works from both src/ (tsx) and dist/src/ (compiled): walk up to the folder with proto/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'proto')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the package root (the folder holding proto/ and package.json)');
}

export class ProtoLoadError extends Error {
  override readonly name = 'ProtoLoadError';
}

/**
 * Loads `files` (absolute, or relative to one of `includeDirs`) and everything they import into
 * one resolved Root. The project's `proto/` and Google's protos are always on the include path.
 * @throws ProtoLoadError naming the file that could not be found or parsed.
 */
export function loadProtoRoot(files: readonly string[], includeDirs: readonly string[] = []): protobuf.Root {
  const searchPath = [...includeDirs, projectProtoDir, googleProtoDir];
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target) && existsSync(target)) return target;
    if (origin) {
      const besideOrigin = resolve(dirname(origin), target);
      if (existsSync(besideOrigin) && !target.startsWith('google/')) return besideOrigin;
    }
    for (const dir of searchPath) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  try {
    root.loadSync([...files], { keepCase: true });
    // The rich error model is always available, whatever the service imports.
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
    root.resolveAll();
  } catch (err) {
    throw new ProtoLoadError(`cannot load protos ${files.join(', ')}: ${(err as Error).message}`);
  }
  return root;
}
