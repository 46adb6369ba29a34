/**
 * Confluent's pagination (confluent-sr-api.md §3.9): the full ordered result is computed,
 * then `offset` items are skipped (negative counts as 0) and at most `limit` kept
 * (`limit` <= 0 means no limit).
 */
export function paginate<T>(items: readonly T[], offset = 0, limit = 0): T[] {
  const start = Math.max(0, offset);
  return limit > 0 ? items.slice(start, start + limit) : items.slice(start);
}
