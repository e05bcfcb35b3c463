/**
 * Target (e) of `bench/gateways.ts`, the ceiling: a bare node:http server answering each request
 * with the exact response bytes a gateway gave for the same request body earlier in the run
 * (recorded by the load generator); a body never recorded gets a recorded response of the same
 * operation. No GraphQL, no routing, no credentials. Not meant to be run by hand.
 *
 * Environment: BENCH_RECORDED (the load generator's dump), PORT, HOST.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const dump = JSON.parse(readFileSync(process.env.BENCH_RECORDED!, 'utf8')) as {
  entries: [string, string][];
  fallback: Record<string, string>;
};
const responses = new Map(dump.entries.map(([k, v]) => [k, Buffer.from(v)]));
const fallback = Object.entries(dump.fallback).map(([op, v]) => [op, Buffer.from(v)] as const);
const OPERATION = /^\{"operationName":"([^"]+)"/;
const byOperation = new Map<string, Buffer>();
for (const [op, buf] of fallback) byOperation.set(op, buf);
const names: Record<string, string> = {
  ShopperOrderStatus: 'status',
  AgentOrderDetail: 'detail',
  AgentOrderSearch: 'history',
};
const EMPTY: Buffer = Buffer.from('{"data":{"__typename":"Query"}}');
let hits = 0;
let misses = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.end(JSON.stringify({ hits, misses, entries: responses.size }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    let out: Buffer | undefined = responses.get(body);
    if (out) hits++;
    else {
      misses++;
      const name = OPERATION.exec(body)?.[1];
      out = byOperation.get(names[name ?? ''] ?? '') ?? EMPTY;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': out.length });
    res.end(out);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`bare server listening, ${responses.size} recorded responses\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
