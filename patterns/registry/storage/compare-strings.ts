/**
 * Java `String.compareTo` order (UTF-16 code units), which Confluent uses to sort subject
 * names. JavaScript's `<` on strings compares UTF-16 code units too; `localeCompare` and
 * SQLite's BINARY collation (UTF-8 bytes) would not agree with it for every character.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
