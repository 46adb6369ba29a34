/**
 * The MEMSTORE DEK store: maps in this process (gone when it exits, like the registry's
 * MEMSTORE). Writes run one at a time; a write's rows change only after its work succeeded.
 */
import { createSerialQueue, matchesFilter, type DekId, type DekReads, type DekStorage, type StoredDek, type StoredKek } from './dek-storage.js';

const dekKey = (id: DekId) => JSON.stringify([id.kekName, id.subject, id.algorithm, id.version]);

export function createMemoryDekStorage(): DekStorage {
  const keks = new Map<string, StoredKek>();
  const deks = new Map<string, StoredDek>();
  const serial = createSerialQueue();
  const reads: DekReads = {
    kek: async (name) => keks.get(name),
    keks: async () => [...keks.values()],
    deks: async (filter) => [...deks.values()].filter((dek) => matchesFilter(dek, filter)),
    counts: async () => ({ keks: keks.size, deks: deks.size }),
  };
  return {
    reads,
    write: (work) =>
      serial(async () => {
        const { result, writes } = await work(reads);
        for (const w of writes) {
          if (w.op === 'putKek') keks.set(w.kek.name, w.kek);
          else if (w.op === 'removeKek') keks.delete(w.name);
          else if (w.op === 'putDek') deks.set(dekKey(w.dek), w.dek);
          else deks.delete(dekKey(w.id));
        }
        return result;
      }),
    close: async () => {},
  };
}
