/**
 * Redis for the tests: the machine's server (127.0.0.1:6379; CI starts it), shared with other
 * runs, so every test writes under a prefix of its own and deletes it afterwards.
 */
import { Redis } from 'ioredis';

export const REDIS_TEST_URL = process.env.PRISM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key starting with `prefix` (no glob characters in it, please). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_TEST_URL, { protocol: 2 });
  try {
    let cursor = '0';
    do {
      // Buffers: the stores' keys are binary, and a UTF-8 round trip would name other keys.
      const [next, keys] = await redis.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next.toString();
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
