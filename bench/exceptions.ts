/**
 * `npm run bench:exceptions -- [--orders 100000] [--open 0.05] [--closed 0.2] [--rounds 30]`:
 * Query.exceptions over N orders on PostgreSQL (DATABASE_URL, default
 * postgres://127.0.0.1:5432/test) in a schema of its own, dropped afterwards. Seeds the orders and
 * their exceptions (`--open` of the orders with one open, `--closed` with one closed) in bulk, then
 * times one page (50) of each filter the graph offers at the store, and a walk of 20 pages; then
 * the same pages as a client gets them: `Query.exceptions` POSTed to a gateway (ops credential, no
 * response cache) in front of the visibility subgraph over that store, over real HTTP. Target
 * (issue 11): a page ≤ 50 ms at 100,000 orders with 5% open. Prints one JSON line per measurement.
 */
import { parseArgs } from 'node:util';
import { defaultGatewayConfig } from '../gateway/config.js';
import { devCredentialHeader } from '../gateway/auth/devCredentials.js';
import { startGateway } from '../gateway/server.js';
import { bodyDigest, IDENTITY_HEADER, signIdentity } from '../canonical/index.js';
import { DEV_IDENTITY_SECRET } from '../runtime/identitySecret.js';
import { createLogger } from '../runtime/logger.js';
import { EXCEPTION_TYPES, openStore, type ExceptionFilter, type VisibilityStore } from '../store/index.js';
import { startVisibility } from '../subgraphs/visibility/service.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    open: { type: 'string', default: '0.05' },
    closed: { type: 'string', default: '0.2' },
    rounds: { type: 'string', default: '30' },
  },
});
const orders = Number(values.orders);
const openRatio = Number(values.open);
const closedRatio = Number(values.closed);
const rounds = Number(values.rounds);
for (const [name, v, ok] of [
  ['orders', orders, orders >= 1],
  ['open', openRatio, openRatio >= 0 && openRatio <= 1],
  ['closed', closedRatio, closedRatio >= 0 && closedRatio <= 1],
  ['rounds', rounds, rounds >= 1],
] as const) {
  if (!Number.isFinite(v) || !ok)
    throw new Error(`--${name}: expected a positive number (ratios 0..1), got ${JSON.stringify(values[name])}`);
}
const url = process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';
const schema = `bench_exceptions_${Date.now().toString(36)}`;

async function seed(store: VisibilityStore): Promise<void> {
  const types = `ARRAY[${EXCEPTION_TYPES.map((t) => `'${t}'`).join(',')}]`;
  const started = performance.now();
  await store.db.query(
    `INSERT INTO orders (order_id, customer_id, channel, fulfillment_node_ids, status, status_since, version)
    SELECT 'ORD-' || lpad(i::text, 7, '0'), 'CUST-' || (i % 5000), (ARRAY['WEB','MOBILE_APP','STORE','CALL_CENTER','MARKETPLACE'])[1 + i % 5],
      ARRAY['DC-' || (i % 7)], (ARRAY['PENDING','ACCEPTED','ON_HOLD','SHIPPED','DELIVERED'])[1 + i % 5], now() - (i % 1000) * interval '1 hour', 1
    FROM generate_series(1, $1::int) AS i`,
    [orders],
  );
  // Closed history, then the open ones: one per selected order, types spread, since spread over 30 days.
  const insert = (ratio: number, open: boolean, salt: number) =>
    store.db.query(
      `INSERT INTO exceptions (type, order_id, subject_key, channel, fulfillment_node_id, since, sla_seconds, facts, actor, opened_at, closed_at, close_reason)
    SELECT (${types})[1 + (i * 7 + ${salt}) % ${EXCEPTION_TYPES.length}], 'ORD-' || lpad(i::text, 7, '0'), '',
      (ARRAY['WEB','MOBILE_APP','STORE','CALL_CENTER','MARKETPLACE'])[1 + i % 5], 'DC-' || (i % 7),
      now() - ((i * 37) % 43200) * interval '1 minute', 3600, '{"bench":true}'::jsonb, 'INTEGRATION_OPS', now(),
      ${open ? 'NULL' : 'now()'}, ${open ? 'NULL' : "'bench'"}
    FROM generate_series(1, $1::int) AS i WHERE (i * 2654435761::bigint + ${salt}) % 1000 < $2::int`,
      [orders, Math.round(ratio * 1000)],
    );
  await insert(closedRatio, false, 11);
  await insert(openRatio, true, 3);
  await store.db.query('ANALYZE');
  const [counts] = await store.db.query<{ n: number; o: number }>(
    'SELECT count(*)::int AS n, count(*) FILTER (WHERE closed_at IS NULL)::int AS o FROM exceptions',
  );
  console.log(
    JSON.stringify({
      seeded: { orders, exceptions: counts?.n, open: counts?.o },
      ms: Math.round(performance.now() - started),
    }),
  );
}

const pct = (xs: number[], p: number): number =>
  xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function time(store: VisibilityStore, name: string, filter: ExceptionFilter): Promise<void> {
  const ms: number[] = [];
  let rows = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    rows = (await store.exceptions.list(filter, 50)).nodes.length;
    ms.push(performance.now() - t);
  }
  console.log(
    JSON.stringify({
      query: name,
      rows,
      p50: +pct(ms, 0.5).toFixed(2),
      p95: +pct(ms, 0.95).toFixed(2),
      max: +Math.max(...ms).toFixed(2),
    }),
  );
}

/** The same pages through the graph: a gateway and the visibility subgraph on this store, over HTTP, as ops. */
async function overHttp(store: VisibilityStore): Promise<void> {
  const logger = createLogger('bench', 'warn');
  const visibility = await startVisibility({ store, ingestUrl: () => undefined, sign: () => ({}), logger });
  const gateway = await startGateway(
    defaultGatewayConfig({
      port: 0,
      subgraphUrls: { visibility: visibility.service.url },
      cache: { ...defaultGatewayConfig().cache, enabled: false },
    }),
    { logger },
  );
  try {
    const line = await devCredentialHeader('ops');
    const auth = { [line.slice(0, line.indexOf(': ')).toLowerCase()]: line.slice(line.indexOf(': ') + 2) };
    const page =
      'query Exceptions($f: ExceptionFilter, $after: String) { exceptions(filter: $f, first: 50, after: $after) { nodes { id type since slaSeconds actor open channel fulfillmentNodeId facts { name value } order { id } } pageInfo { hasNextPage endCursor } } }';
    const post = async (
      variables: Record<string, unknown>,
    ): Promise<{ nodes: unknown[]; pageInfo: { endCursor: string | null } }> => {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query: page, variables }),
      });
      const body = (await res.json()) as {
        data?: { exceptions: { nodes: unknown[]; pageInfo: { endCursor: string | null } } };
        errors?: unknown[];
      };
      if (!body.data?.exceptions || body.errors)
        throw new Error(
          `Query.exceptions answered ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`,
        );
      return body.data.exceptions;
    };
    const filters = [
      ['openOnly', { openOnly: true }],
      ['type+openOnly', { type: 'DELAYED_UPDATE', openOnly: true }],
      ['openOnly+olderThan P2D', { openOnly: true, olderThan: 'P2D' }],
      ['channel+openOnly', { channel: 'STORE', openOnly: true }],
    ] as const;
    for (let i = 0; i < 20; i++) await post({ f: filters[i % filters.length]![1] }); // warm up: JIT, query plans, keep-alive connections
    for (const [name, f] of filters) {
      const ms: number[] = [];
      let rows = 0;
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        rows = (await post({ f })).nodes.length;
        ms.push(performance.now() - t);
      }
      console.log(
        JSON.stringify({
          query: `HTTP Query.exceptions ${name}`,
          rows,
          p50: +pct(ms, 0.5).toFixed(2),
          p95: +pct(ms, 0.95).toFixed(2),
          max: +Math.max(...ms).toFixed(2),
        }),
      );
    }
    // The same first page straight to the visibility subgraph (signed as the gateway signs an ops caller): the gateway's share is the difference.
    const direct: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const body = JSON.stringify({ query: page, variables: { f: { openOnly: true } } });
      const identity = signIdentity(
        { consumer: 'ops', subject: 'bench', scopes: ['ops'] },
        DEV_IDENTITY_SECRET,
        Date.now(),
        { subgraph: 'visibility', requestId: `bench-${r}`, bodySha256: bodyDigest(body), singleUse: false },
      );
      const t = performance.now();
      const res = await fetch(visibility.service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity },
        body,
      });
      const answer = (await res.json()) as { data?: { exceptions?: unknown }; errors?: unknown[] };
      direct.push(performance.now() - t);
      if (!answer.data?.exceptions || answer.errors)
        throw new Error(`the visibility subgraph answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    }
    console.log(
      JSON.stringify({
        query: 'HTTP Query.exceptions openOnly, visibility subgraph alone',
        p50: +pct(direct, 0.5).toFixed(2),
        p95: +pct(direct, 0.95).toFixed(2),
        max: +Math.max(...direct).toFixed(2),
      }),
    );
    // The tenth page of the open ones, following each page's cursor.
    let after: string | null = null;
    const ms: number[] = [];
    for (let p = 0; p < 10; p++) {
      const t = performance.now();
      after = (await post({ f: { openOnly: true }, after })).pageInfo.endCursor;
      ms.push(performance.now() - t);
    }
    console.log(
      JSON.stringify({
        query: 'HTTP Query.exceptions openOnly, 10-page walk',
        msPerPage: +(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(2),
        max: +Math.max(...ms).toFixed(2),
      }),
    );
  } finally {
    await gateway.stop();
    await visibility.stop();
  }
}

const store = await openStore({ databaseUrl: url, dataDir: '', schema });
try {
  await seed(store);
  await time(store, 'openOnly', { openOnly: true });
  await time(store, 'type+openOnly', { type: 'DELAYED_UPDATE', openOnly: true });
  await time(store, 'openOnly+olderThan 2d', { openOnly: true, olderThanMs: 2 * 86_400_000 });
  await time(store, 'channel+openOnly', { channel: 'STORE', openOnly: true });
  await time(store, 'node+openOnly', { fulfillmentNodeId: 'DC-3', openOnly: true });
  await time(store, 'all (open and closed)', {});
  // A walk of 20 pages through the open ones (keyset cursors).
  const t = performance.now();
  let after: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof store.exceptions.list>> = await store.exceptions.list(
      { openOnly: true },
      50,
      after,
    );
    after = page.hasNextPage ? page.endCursor : null;
    pages++;
  } while (after && pages < 20);
  console.log(
    JSON.stringify({
      query: 'openOnly, 20-page walk',
      pages,
      msPerPage: +((performance.now() - t) / pages).toFixed(2),
    }),
  );
  await overHttp(store);
} finally {
  await store.db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
  await store.close();
}
