/**
 * The keyvalue scenario's reference arm: Redis GET straight from ioredis (the client the REDIS
 * store uses), `connections` calls kept in flight on one connection for `seconds`, as the
 * store keeps its calls on one connection. Prints one JSON line: calls per second, p50/p99 µs.
 * Usage: node direct-redis.js URL KEY CONNECTIONS SECONDS
 */
import { Redis } from 'ioredis';

const [url, key, connections, seconds] = process.argv.slice(2);
const redis = new Redis(url!, { protocol: 2 });
const latencies: number[] = [];
let errors = 0;
const end = performance.now() + Number(seconds) * 1000;
const caller = async () => {
  while (performance.now() < end) {
    const started = performance.now();
    try {
      await redis.getBuffer(key!);
      latencies.push((performance.now() - started) * 1000);
    } catch {
      errors += 1;
    }
  }
};
const began = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, caller));
const elapsed = (performance.now() - began) / 1000;
redis.disconnect();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(JSON.stringify({ calls: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) }) + '\n');
