/**
 * A temporary folder for one suite's files (configs, certificates, data), in the shape
 * `useSuite`'s `scope.own` removes when the suite ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Removes the folder and everything in it; a folder already gone is fine. */
  remove(): void;
}

/** Creates `<tmpdir>/prism-<prefix>-XXXXXX`. */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `prism-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
