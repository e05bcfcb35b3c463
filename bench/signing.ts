/**
 * `npm run bench:signing`: what issue 16's bound identity costs per subgraph fetch — the gateway
 * hashes the fetch body (SHA-256) and signs the header (HMAC-SHA-256 over a small JSON payload);
 * the subgraph hashes the body it received and verifies the header. Measured on the real functions
 * of canonical/identityHeader.ts with fetch bodies of the sizes the bench's mix sends (a small
 * `_entities` fetch, an order-detail fetch, a 100-order page's representations).
 *
 *   npm run bench:signing [-- --iterations 20000]
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { bodyDigest, signIdentity, verifyBoundIdentity } from '../canonical/identityHeader.js';
import type { Identity } from '../canonical/index.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Number(values.iterations);
if (!Number.isSafeInteger(iterations) || iterations < 100) {
  console.error(`bench:signing: --iterations must be an integer ≥ 100; received ${JSON.stringify(values.iterations)}`);
  process.exit(2);
}

const secret = randomBytes(32).toString('base64url');
const identity: Identity = {
  consumer: 'storefront',
  subject: 'cust:CUST-00001',
  customerId: 'CUST-00001',
  scopes: ['orders:read'],
};

/** A fetch body of about `bytes`: a query and `_entities` representations, as the gateway sends. */
function body(bytes: number): string {
  const reps: unknown[] = [];
  let s = '';
  for (let i = 0; s.length < bytes; i++) {
    reps.push({
      __typename: 'Order',
      id: `ORD-${String(i).padStart(6, '0')}`,
      status: 'ALLOCATED',
      asOf: '2026-12-03T10:00:00.000Z',
    });
    s = JSON.stringify({
      query:
        'query($representations:[_Any!]!){_entities(representations:$representations){...on Order{id holds{type placedAt}}}}',
      variables: { representations: reps },
    });
  }
  return s;
}

function time(fn: () => void): number {
  for (let i = 0; i < Math.min(2000, iterations / 10); i++) fn(); // warm
  const t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t) / 1000 / iterations; // µs per call
}

const rows: string[] = [];
for (const size of [512, 4096, 65536]) {
  const b = body(size);
  const now = Date.now();
  const header = signIdentity(identity, secret, now, { subgraph: 'erp', requestId: 'r-1', bodySha256: bodyDigest(b) });
  const signUs = time(() => {
    signIdentity(identity, secret, now, { subgraph: 'erp', requestId: 'r-1', bodySha256: bodyDigest(b) });
  });
  const verifyUs = time(() => {
    if (!verifyBoundIdentity(header, secret, { subgraph: 'erp', bodySha256: bodyDigest(b) }, now))
      throw new Error('did not verify');
  });
  rows.push(
    `| ${b.length.toLocaleString('en-US')} B | ${signUs.toFixed(1)} µs | ${verifyUs.toFixed(1)} µs | ${(signUs + verifyUs).toFixed(1)} µs |`,
  );
}

console.log(
  `bench:signing — ${iterations.toLocaleString('en-US')} iterations each, Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}\n`,
);
console.log('| fetch body | gateway: hash + sign | subgraph: hash + verify | per fetch, both sides |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
