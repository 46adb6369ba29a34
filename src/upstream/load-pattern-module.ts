/**
 * Finds and imports an embedded pattern module. `./x` and `../x` resolve against the config
 * file's folder; any other name is a folder of this package (e.g. `patterns/<name>`), taken from
 * the sources when the gateway itself runs from sources (tsx) and from dist/ when compiled.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PatternModule } from './pattern-module.js';

const here = fileURLToPath(import.meta.url);
const runningFromSources = here.endsWith('.ts');

function packageRoot(): string {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root');
    dir = up;
  }
  // Compiled code lives in <root>/dist/src/upstream; the package.json found first is <root>'s.
  return dir;
}

/** @throws Error naming the module spec and the paths tried. */
export async function loadPatternModule(spec: string, configDir: string): Promise<PatternModule> {
  const candidates: string[] = [];
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const base = resolve(configDir, spec);
    candidates.push(base, `${base}.js`, `${base}.ts`, join(base, 'index.js'), join(base, 'index.ts'));
  } else {
    const root = packageRoot();
    if (runningFromSources) candidates.push(join(root, spec, 'index.ts'));
    candidates.push(join(root, 'dist', spec, 'index.js'));
  }
  const found = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
  if (!found) throw new Error(`cannot find pattern module '${spec}' (tried ${candidates.join(', ')})`);
  const module = (await import(pathToFileURL(found).href)) as Partial<PatternModule>;
  if (typeof module.startPattern !== 'function') throw new Error(`pattern module '${found}' does not export startPattern()`);
  return module as PatternModule;
}
