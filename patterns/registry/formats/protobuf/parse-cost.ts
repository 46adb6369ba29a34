/**
 * What parsing a `.proto` text will cost, known before protobufjs parses it.
 *
 * protobufjs' `Type#add` clears the type's field cache and its duplicate-id check rebuilds
 * it, so a message of n fields costs n² steps inside `protobuf.parse`, which is one
 * synchronous call the work budget cannot interrupt (10,000 fields held the event loop for
 * 35 s). The cost is therefore estimated from the text first, in one linear pass, and
 * spent up front: each `{…}` block costs the square of the `=` signs directly inside it
 * (its fields, enum values and options) divided by 32, which over-estimates only by
 * options: a 2,500-field message costs about 200,000 steps (0.5 s in protobufjs).
 */

/** The estimated steps of parsing `text` (length / 64 plus Σ per block of (`=` count)² / 32). */
export function estimateProtobufParseCost(text: string): number {
  const counts: number[] = [0];
  let cost = 0;
  const close = () => {
    const n = counts.pop() ?? 0;
    cost += (n * n) / 32;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      // A string literal: skip to its unescaped end.
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\') i++;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (ch === '{') {
      counts.push(0);
    } else if (ch === '}') {
      if (counts.length > 1) close();
    } else if (ch === '=') {
      counts[counts.length - 1]!++;
    }
  }
  while (counts.length > 0) close();
  return Math.ceil(text.length / 64 + cost);
}
