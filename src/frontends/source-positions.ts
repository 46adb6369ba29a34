/**
 * Where a JSON pointer lies in a YAML or JSON source: definitions, OpenAPI documents and the
 * gateway config are parsed into a `yaml` Document with a LineCounter, so every problem found
 * in the parsed value (by ajv or by a compiler) can name its line and column.
 */
import { isNode, type Document, type LineCounter } from 'yaml';

/** The keys of a JSON pointer (`/a/0/b~1c` → `a`, 0, `b/c`); digits index sequences. */
export function pointerKeys(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * 1-based line and column of the node a JSON pointer names; a pointer to something absent (a
 * missing property) is placed at its nearest ancestor that exists.
 */
export function locatePointer(document: Document, lineCounter: LineCounter, pointer: string): { line: number; column: number } | undefined {
  const keys = pointerKeys(pointer);
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? document.contents : document.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}
