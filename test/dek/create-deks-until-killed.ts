/**
 * Test helper for the durability suites: writers create DEKs through a registry process
 * until it is killed mid-load, and the creates it acknowledged are recorded, so a suite can
 * check each of them is stored afterwards.
 */
import type { DekClient } from './dek-test-client.js';

export interface CreateDeksUntilKilled {
  /** The KEK every DEK is created under (it must exist). */
  readonly kek: string;
  /** Concurrent writers; writer w creates subjects `w<w>-s0`, `w<w>-s1`, … */
  readonly writers: number;
  /** Creates each writer attempts at most. */
  readonly perWriter: number;
  /** `kill` is called (once) when this many creates are acknowledged. */
  readonly killAfter: number;
  kill(): void;
}

/**
 * Runs the writers until each finished or the kill came; resolves with the acknowledged
 * subjects and their material (the subject's name, base64). Calls that fail were in flight
 * when the process died and were not acknowledged, so they are not recorded.
 */
export async function createDeksUntilKilled(client: DekClient, load: CreateDeksUntilKilled): Promise<Map<string, string>> {
  const acked = new Map<string, string>();
  let killed = false;
  await Promise.all(
    Array.from({ length: load.writers }, async (_, w) => {
      for (let i = 0; i < load.perWriter && !killed; i++) {
        const subject = `w${w}-s${i}`;
        const material = Buffer.from(subject).toString('base64');
        try {
          await client.call('CreateDek', { kek_name: load.kek, subject, encrypted_key_material: material });
          acked.set(subject, material);
          if (acked.size === load.killAfter && !killed) {
            killed = true;
            load.kill();
          }
        } catch {
          // In flight when the process died: not acknowledged.
        }
      }
    }),
  );
  return acked;
}
