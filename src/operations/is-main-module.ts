import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Whether the module at `moduleUrl` (its `import.meta.url`) is the one node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    // realpath: npm links the bin into node_modules/.bin.
    return pathToFileURL(realpathSync(invoked)).href === moduleUrl;
  } catch {
    return false;
  }
}
