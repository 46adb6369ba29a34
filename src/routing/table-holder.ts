/**
 * Holds the current route table. A swap replaces it in one assignment; a request reads the
 * holder once when it starts, so in-flight requests finish on the table they started with.
 */
import type { RouteTable } from './route-table.js';

export interface TableHolder {
  readonly current: RouteTable;
  swap(next: RouteTable): void;
}

export function createTableHolder(initial: RouteTable): TableHolder {
  let current = initial;
  return {
    get current() {
      return current;
    },
    swap(next) {
      current = next;
    },
  };
}
