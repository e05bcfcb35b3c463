/**
 * `npm run soak -- --minutes N [--qps 20] [--subscribers 20] [--webhooks 2] [--orders 2000] [--cache-mb 8] [--bus-mb 2] [--new-orders 0.1]`:
 * the embedded stack (what `npm start` runs: five subgraphs, the visibility subgraph and its
 * exception engine on PGlite, the gateway with its tracker, the lifecycle simulator sending signed
 * webhooks of every system) in this process, and the clients in a child process (queries at a
 * steady rate, `orderStatusChanged` subscribers with one closed and reopened every 5 s). Every
 * 10 s this process collects its garbage (`--expose-gc`) and samples RSS, heap used, external
 * memory and its active handles. Prints a table per minute, checks the issue 16 targets (RSS at
 * the end ≤ max(1.1 × RSS at a third of the run, baseline + the cache byte budget); post-GC heap
 * growth over the last two thirds under 5 MB) and writes the samples as JSON to bench/results/.
 * The target run is `npm run soak -- --minutes 30` (RELIABILITY.md).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemo } from '../demo/index.js';
import { startLifecycle } from '../embedded/lifecycle/index.js';
import { startStack } from '../embedded/stack.js';
import { MemoryEventBus } from '../events/memory.js';
import { devToken } from '../gateway/auth/devCredentials.js';
import { DEFAULT_CACHE_CONFIG } from '../gateway/cache/config.js';
import { storeStatusStore } from '../gateway/tracker/store.js';
import { createLogger } from '../runtime/logger.js';
import { openStore } from '../store/index.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
process.env.LOG_LEVEL ??= 'silent';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('soak: run with `npm run soak -- --minutes N` (node --expose-gc)');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    qps: { type: 'string', default: '20' },
    subscribers: { type: 'string', default: '20' },
    webhooks: { type: 'string', default: '2' },
    orders: { type: 'string', default: '2000' },
    'cache-mb': { type: 'string', default: '8' },
    'bus-mb': { type: 'string', default: '2' },
    'new-orders': { type: 'string', default: '' },
  },
  strict: true,
});
const num = (name: keyof typeof values, min: number, max: number): number => {
  const v = Number(values[name]);
  if (!(v >= min && v <= max)) {
    console.error(`soak: --${name} must be a number from ${min} to ${max}; received ${values[name]}`);
    process.exit(2);
  }
  return v;
};
const minutes = num('minutes', 0.5, 24 * 60);
const qps = num('qps', 1, 1000);
const subscribers = num('subscribers', 0, 1000);
const webhooks = num('webhooks', 0.1, 1000);
const orders = num('orders', 100, 1_000_000);
// The response cache's byte budget (CACHE_MAX_BYTES). The default 256 MB would take hours to fill
// at this load, and a budgeted cache filling up is heap growth by design: a small budget fills in
// the first third of the run, so growth over the last two thirds is what is not bounded.
const cacheMB = num('cache-mb', 0, 64 * 1024); // 0: caching off
// The in-memory bus's byte budget per stream (BUS_MEMORY_MAX_BYTES, 32 MiB by default): like the
// cache's, small enough to fill in the first third, so the bus's retained events are not read as growth.
const busMB = num('bus-mb', 0.0625, 64 * 1024);
// The lifecycle's share of changes that create an order (its default when not given); 0 keeps the
// world's size fixed, so what grows is not new orders.
const newOrderShare = values['new-orders'] === '' ? undefined : num('new-orders', 0, 1);
const root = join(import.meta.dirname, '..');
const SECRET = 'soak-webhook-secret-0123456789';
const logger = createLogger('soak', 'silent');

interface Sample {
  atS: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  handles: number;
  handleKinds: Record<string, number>;
  orders: number;
  client: Record<string, number>;
}
const mb = (b: number) => Math.round((b / 1_048_576) * 10) / 10;

const demo = generateDemo({ orders });
// The store's files on disk, in a directory of the run's own, as `npm start` keeps them in
// .data/pglite: an in-memory PGlite keeps every file in this heap, so the history the store is
// meant to accumulate (a row per change) read as heap growth, about 0.15 MB a minute here.
const dataDir = mkdtempSync(join(tmpdir(), 'ovg-soak-'));
const store = await openStore({ databaseUrl: null, dataDir: join(dataDir, 'pglite'), schema: 'public' });
const bus = new MemoryEventBus({ maxBytes: Math.round(busMB * 1_048_576) });
const stack = await startStack({
  data: demo.data,
  bus,
  store,
  statusStore: storeStatusStore(store),
  seedTracker: true,
  webhookSecret: SECRET,
  logger,
  gateway: {
    cache:
      cacheMB > 0
        ? { ...DEFAULT_CACHE_CONFIG, maxBytes: cacheMB * 1_048_576 }
        : { ...DEFAULT_CACHE_CONFIG, enabled: false },
  },
});
await stack.gateway.tracker?.whenSeeded();
const lifecycle = startLifecycle({
  data: demo.data,
  secret: SECRET,
  ratePerSecond: webhooks,
  ...(newOrderShare !== undefined ? { newOrderShare } : {}),
  logger,
  ingest: Object.fromEntries(Object.entries(stack.subgraphs).map(([n, sg]) => [n, sg.ingestUrl])) as Parameters<
    typeof startLifecycle
  >[0]['ingest'],
});
const child = fork(join(import.meta.dirname, 'soak', 'load.ts'), [], {
  execArgv: ['--import', 'tsx'],
  env: {
    ...process.env,
    SOAK_GATEWAY: stack.gateway.url,
    SOAK_QPS: String(qps),
    SOAK_SUBSCRIBERS: String(subscribers),
    SOAK_AUTHORIZATION: `Bearer ${await devToken('salesforce')}`,
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let client: Record<string, number> = {};
child.on('message', (m) => {
  client = (m as { stats: Record<string, number> }).stats;
});

const started = Date.now();
const samples: Sample[] = [];
const sample = (): Sample => {
  gc();
  gc();
  const m = process.memoryUsage();
  const handleKinds: Record<string, number> = {};
  const active = process.getActiveResourcesInfo();
  for (const k of active) handleKinds[k] = (handleKinds[k] ?? 0) + 1;
  return {
    atS: Math.round((Date.now() - started) / 1000),
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
    externalMB: mb(m.external),
    arrayBuffersMB: mb(m.arrayBuffers),
    handles: active.length,
    handleKinds,
    orders: demo.data.oms.orders.length,
    client: { ...client },
  };
};
samples.push(sample());
console.log(
  `soak: ${minutes} min, ${orders} orders, ${qps} queries/s, ${subscribers} subscribers, ${webhooks} webhooks/s, cache budget ${cacheMB} MB, bus budget ${busMB} MB per stream; baseline RSS ${samples[0]!.rssMB} MB, heap ${samples[0]!.heapUsedMB} MB`,
);
const end = started + minutes * 60_000;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, Math.min(10_000, end - Date.now())));
  const s = sample();
  samples.push(s);
  if (s.atS % 60 < 10)
    console.log(
      `  ${(s.atS / 60).toFixed(1)} min: RSS ${s.rssMB} MB, heap ${s.heapUsedMB} MB, handles ${s.handles}, queries ${s.client.queries ?? 0}, events ${s.client.events ?? 0}`,
    );
}

child.send({ stop: true });
await new Promise<void>((r) => {
  child.once('exit', () => r());
  setTimeout(() => {
    child.kill('SIGKILL');
    r();
  }, 10_000);
});
const sent = lifecycle.stats();
await lifecycle.stop();
await stack.stop();
await store.close();
await bus.close();
rmSync(dataDir, { recursive: true, force: true });

// Targets (issue 16), scaled to the run: "minute 10 of 30" is a third of the run.
const baseline = samples[0]!;
const last = samples.at(-1)!;
const third = samples.reduce(
  (best, s) => (Math.abs(s.atS - last.atS / 3) < Math.abs(best.atS - last.atS / 3) ? s : best),
  baseline,
);
// The configured budgets: the cache's, and the bus's for each of its three streams (source,
// visibility, exceptions; the dead-letter and redelivery streams hold next to nothing).
const budgetMB = cacheMB + 3 * busMB;
const rssLimit = Math.max(1.1 * third.rssMB, baseline.rssMB + budgetMB);
// One sample's heap moves a few MB with what is in flight at that instant: compare the medians of
// the samples in the minute from the third and in the last minute, not two single samples.
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
const heapOver = (fromS: number, toS: number): number =>
  median(samples.filter((x) => x.atS >= fromS && x.atS <= toS).map((x) => x.heapUsedMB));
const heapGrowth = Math.round((heapOver(last.atS - 60, last.atS) - heapOver(third.atS, third.atS + 60)) * 10) / 10;
const c = last.client;
const rows = [];
for (let minute = 0; minute <= Math.floor(last.atS / 60); minute++) {
  const s = samples.reduce(
    (best, x) => (Math.abs(x.atS - minute * 60) < Math.abs(best.atS - minute * 60) ? x : best),
    baseline,
  );
  rows.push(
    `| ${minute} | ${s.rssMB} | ${s.heapUsedMB} | ${s.externalMB} | ${s.handles} | ${s.orders} | ${s.client.queries ?? 0} | ${s.client.events ?? 0} |`,
  );
}
console.log(
  [
    '',
    '| minute | RSS MB | heap used MB (post-GC) | external MB | active handles | orders | queries | events delivered |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    `| end (${(last.atS / 60).toFixed(1)}) | ${last.rssMB} | ${last.heapUsedMB} | ${last.externalMB} | ${last.handles} | ${last.orders} | ${c.queries ?? 0} | ${c.events ?? 0} |`,
    '',
    `webhooks (lifecycle simulator): ${sent.sent} acknowledged, ${sent.failed} refused or unreachable`,
    `clients: ${c.queries ?? 0} queries (5xx ${c.status5xx ?? 0}, no answer ${c.noAnswer ?? 0}, with GraphQL errors ${c.graphqlErrors ?? 0}), ${c.subscriptions ?? 0} subscriptions opened (${c.reopened ?? 0} reopened), ${c.events ?? 0} events delivered`,
    ...Object.entries(c)
      .filter(([k]) => k.startsWith('error '))
      .map(([k, v]) => `  answers with GraphQL ${k}: ${v}`),
    `RSS at the end ${last.rssMB} MB ≤ max(1.1 × ${third.rssMB} MB at ${(third.atS / 60).toFixed(1)} min, baseline ${baseline.rssMB} + budgets ${budgetMB} MB) = ${Math.round(rssLimit)} MB: ${last.rssMB <= rssLimit ? 'met' : 'MISSED'}`,
    `post-GC heap growth from ${(third.atS / 60).toFixed(1)} min to the end (medians of a minute's samples): ${heapGrowth} MB (target < 5 MB): ${heapGrowth < 5 ? 'met' : 'MISSED'}`,
    `active handles: ${baseline.handles} at the start, ${third.handles} at ${(third.atS / 60).toFixed(1)} min, ${last.handles} at the end`,
  ].join('\n'),
);
const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(
  dir,
  `soak-${new Date(started)
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')}.json`,
);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      command: `npm run soak -- --minutes ${minutes} --qps ${qps} --subscribers ${subscribers} --webhooks ${webhooks} --orders ${orders} --cache-mb ${cacheMB} --bus-mb ${busMB}${newOrderShare !== undefined ? ` --new-orders ${newOrderShare}` : ''}`,
      node: process.version,
      startedAt: new Date(started).toISOString(),
      lifecycle: sent,
      targets: {
        rssLimitMB: Math.round(rssLimit),
        rssMet: last.rssMB <= rssLimit,
        heapGrowthMB: heapGrowth,
        heapMet: heapGrowth < 5,
      },
      samples,
    },
    null,
    2,
  )}\n`,
);
console.log(`samples: ${file}`);
process.exit(0);
