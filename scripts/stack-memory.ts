/**
 * Measures what the whole embedded stack holds per order: demo world + simulator indexes +
 * servers, after garbage collection, and checks one query answers.
 *
 *   node --expose-gc --import tsx scripts/stack-memory.ts [orders]   (default 100000)
 */
import { generateDemo } from '../demo/index.js';
import { startStack } from '../embedded/stack.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('stack-memory: run with `node --expose-gc --import tsx scripts/stack-memory.ts [orders]`');
  process.exit(2);
}
const orders = Number(process.argv[2] ?? 100_000);
if (!Number.isSafeInteger(orders) || orders <= 0) {
  console.error(`stack-memory: orders must be a positive integer; received ${process.argv[2]}`);
  process.exit(2);
}
gc();
const before = process.memoryUsage().heapUsed;
const started = performance.now();
const stack = await startStack({ data: generateDemo({ orders }).data });
const readyMs = Math.round(performance.now() - started);
gc();
const after = process.memoryUsage();
const res = await fetch(stack.gateway.url, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ orders(first: 5) { totalCount edges { node { id status } } } }' }),
});
const body = (await res.json()) as { data?: { orders: { totalCount: number } } };
await stack.stop();
console.log(
  JSON.stringify({
    orders,
    readyMs,
    heapBytesPerOrder: Math.round((after.heapUsed - before) / orders),
    heapMB: Math.round(after.heapUsed / 1e6),
    rssMB: Math.round(after.rss / 1e6),
    answered: body.data?.orders.totalCount === orders,
  }),
);
