/**
 * `npm run noisy [-- --seconds 60] [--quick]`: one client over its budgets, and what the others
 * feel. The embedded stack (what `npm start` runs: five subgraphs, the visibility subgraph and its
 * exception engine on PGlite, the gateway with its tracker, the lifecycle simulator) runs in this
 * process; the clients in two child processes of their own.
 *
 * - Warm-up, then **phase A** (`--seconds`): well-behaved clients only (scripts/noisy/polite.ts) —
 *   an open-loop mix at `--rate` (storefront shoppers' `ShopperOrderStatus` with their own tokens,
 *   the agent console's `AgentOrderDetail`, a partner's persisted `PartnerOrderFulfillment`) and
 *   `--subscribers` subscribers; latency from each request's scheduled time.
 * - **Phase B** (as long): the same, plus ONE storefront shopper (scripts/noisy/abuser.ts) trying in
 *   turn to take more than its budgets: subscriptions past the per-connection and per-caller caps,
 *   some on sockets that stop reading; `--names` distinct `orders(first: N)` queries (the largest
 *   page its cost ceiling allows) under as many operation names to fill the response cache;
 *   requests past its quota.
 * - All along, this process flips an ERP hold on the abuser's order (`--flips` per second) and on
 *   the orders the agent subscribers watch, so that subscriptions carry events in both phases.
 *
 * Prints the well-behaved p50/p99 in A and B (and B split by the abuser's part), the ratio of the
 * p99s (issue 16's target: ≤ 1.2), what the abuser got against each configured budget, the stack's
 * RSS, heap and cache bytes (`ovg_cache_memory_bytes`) at each phase's edges, and writes the raw
 * figures to bench/results/noisy-<time>.json. RELIABILITY.md ("One client over its budget").
 */
import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSchema, getOperationAST, parse } from 'graphql';
import type { DestinationStream } from 'pino';
import { generateDemo } from '../demo/index.js';
import { startLifecycle } from '../embedded/lifecycle/index.js';
import { DEMO_PARTNER_NODES, startStack } from '../embedded/stack.js';
import { MemoryEventBus } from '../events/memory.js';
import { devPartnerKey } from '../gateway/auth/consumers.js';
import { devToken } from '../gateway/auth/devCredentials.js';
import { DEFAULT_CACHE_CONFIG } from '../gateway/cache/config.js';
import { defaultGatewayConfig } from '../gateway/config.js';
import { costMeter } from '../gateway/limits/index.js';
import { storeStatusStore } from '../gateway/tracker/store.js';
import { createLogger } from '../runtime/logger.js';
import { openStore } from '../store/index.js';
import { fillQuery } from './noisy/types.js';
import { signWebhook } from '../subgraphs/common/signature.js';
import {
  type AbuseReport,
  type AbuserConfig,
  abuseParts,
  type PoliteConfig,
  type PoliteSample,
  type PoliteSubscriptions,
} from './noisy/types.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
process.env.LOG_LEVEL ??= 'silent';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('noisy: run with `npm run noisy` (node --expose-gc)');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '' },
    warmup: { type: 'string', default: '' },
    rate: { type: 'string', default: '20' },
    subscribers: { type: 'string', default: '6' },
    orders: { type: 'string', default: '2000' },
    webhooks: { type: 'string', default: '1' },
    flips: { type: 'string', default: '4' },
    names: { type: 'string', default: '' },
    connections: { type: 'string', default: '7' },
    paused: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
    'cache-mb': { type: 'string', default: '8' },
    quota: { type: 'string', default: '' },
    'unacked-kb': { type: 'string', default: '' },
    profile: { type: 'boolean', default: false },
  },
  strict: true,
});
const quick = values.quick;
const num = (name: keyof typeof values, fallback: number, min: number, max: number): number => {
  const raw = values[name];
  const v = raw === '' || raw === undefined ? fallback : Number(raw);
  if (!(v >= min && v <= max)) {
    console.error(`noisy: --${name} must be a number from ${min} to ${max}; received ${raw}`);
    process.exit(2);
  }
  return v;
};
const seconds = num('seconds', quick ? 8 : 60, 4, 3600);
const warmup = num('warmup', quick ? 3 : 15, 0, 600);
const rate = num('rate', 20, 1, 500);
const subscriberCount = num('subscribers', 6, 0, 100);
const orders = num('orders', 2000, 100, 1_000_000);
const webhooks = num('webhooks', 1, 0, 100);
const flips = num('flips', 4, 0, 50);
const names = num('names', quick ? 150 : 1500, 0, 100_000);
const connections = num('connections', 7, 1, 100);
const paused = num('paused', 3, 0, connections);
const concurrency = num('concurrency', 4, 1, 256);
const cacheMB = num('cache-mb', 8, 1, 64 * 1024);

// The budgets under test: the gateway's configuration (its defaults, or what the flags set).
const defaults = defaultGatewayConfig({}, { DEV_PARTNER_NODES: DEMO_PARTNER_NODES });
// --quick: a quota a few seconds of the quota part use up, so that the short run meets every budget.
const quota = num('quota', quick ? 600 : defaults.quotas.storefront, 1, 10_000_000);
const unackedBytes = num('unacked-kb', quick ? 256 : defaults.maxUnackedBytes / 1024, 4, 1_048_576) * 1024;
// The quota is a pace with a burst (QUOTA_BURST_SECONDS): any minute may hold the minute's quota
// plus the burst, never more.
const quotaBurst = Math.ceil((quota * defaults.quotaBurstSeconds) / 60);
// The cache part's page: the largest (up to 100 orders) a shopper may run, as an abuser would find
// by trying (LIMIT_MAX_COST_STOREFRONT; before that ceiling it was 100 orders, cost 6,201).
const costOf = costMeter(defaults.limits.cost);
const clientSchema = buildSchema(readFileSync(join(import.meta.dirname, '..', 'schema', 'released.graphql'), 'utf8'));
const fillCost = (first: number): number => {
  const document = parse(fillQuery(0, first));
  return costOf(clientSchema, document, getOperationAST(document)!);
};
const costCeiling = Math.min(defaults.limits.cost.max, defaults.maxCostByConsumer.storefront ?? Infinity);
let fillFirst = 100;
while (fillFirst > 1 && fillCost(fillFirst) > costCeiling) fillFirst--;
const budgets = {
  storefrontQuotaPerMinute: quota,
  storefrontQuotaBurst: quotaBurst,
  subscriptionsPerConnection: defaults.maxSubscriptionsPerConnection,
  subscriptionsPerCaller: defaults.maxSubscriptionsByConsumer.storefront ?? defaults.maxSubscriptionsPerCaller,
  unackedBytes,
  cacheBytes: cacheMB * 1_048_576,
};

const root = join(import.meta.dirname, '..');
const SECRET = 'noisy-webhook-secret-0123456789';
// The gateway says when it drops a slow subscriber (warn): when, and why (`unread` bytes past
// WS_MAX_UNACKED_BYTES, `socket` bytes past WS_MAX_BUFFERED_BYTES, `queue`). Other lines are dropped.
const drops: { at: number; why: string }[] = [];
const logger = createLogger('noisy', 'warn', {
  write: (line: string) => {
    if (!line.includes('dropping a slow subscriber')) return;
    const o = JSON.parse(line) as { time: number; why: string };
    drops.push({ at: o.time, why: o.why });
  },
} as DestinationStream);
const mb = (b: number) => Math.round((b / 1_048_576) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const loadAtStart = loadavg();
const demo = generateDemo({ orders });
const store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
const bus = new MemoryEventBus({ maxBytes: 8 * 1_048_576 });
const stack = await startStack({
  data: demo.data,
  bus,
  store,
  statusStore: storeStatusStore(store),
  seedTracker: true,
  webhookSecret: SECRET,
  logger,
  gateway: {
    cache: { ...DEFAULT_CACHE_CONFIG, maxBytes: budgets.cacheBytes },
    quotas: { ...defaults.quotas, storefront: quota },
    maxUnackedBytes: unackedBytes,
  },
});
await stack.gateway.tracker?.whenSeeded();
const lifecycle =
  webhooks > 0
    ? startLifecycle({
        data: demo.data,
        secret: SECRET,
        ratePerSecond: webhooks,
        newOrderShare: 0,
        logger,
        ingest: Object.fromEntries(Object.entries(stack.subgraphs).map(([n, sg]) => [n, sg.ingestUrl])) as Parameters<
          typeof startLifecycle
        >[0]['ingest'],
      })
    : undefined;
const url = stack.gateway.url;
const agentAuthorization = `Bearer ${await devToken('salesforce')}`;

// Who is who: shoppers with orders; the abuser is the shopper with the most orders whose first
// order can be put on hold (its changes are what its subscriptions carry).
const byCustomer = new Map<string, string[]>();
for (const o of demo.data.oms.orders) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), o.id]);
const statusOf = async (orderId: string): Promise<string | undefined> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: agentAuthorization },
    body: JSON.stringify({
      query: 'query NoisyStatus($id: ID!) { order(id: $id) { status } }',
      variables: { id: orderId },
    }),
  });
  return ((await res.json()) as { data?: { order?: { status?: string } } }).data?.order?.status;
};
const HOLDABLE = new Set(['ACCEPTED', 'BACKORDERED', 'PARTIALLY_ALLOCATED', 'ALLOCATED']);
const customers = [...byCustomer.entries()].sort((a, b) => b[1].length - a[1].length);
// The abuser: the shopper with the most orders (the largest `orders(first: 100)` answers). Its
// subscriptions watch one of its orders that is not on that first page, so that the changes they
// carry do not invalidate the answers it asks for again (a cache hit is the cheap way past a quota).
const [abuserCustomer, abuserOrders] = customers[0]!;
const abuserAuthorization = `Bearer ${await devToken('storefront', { customerId: abuserCustomer })}`;
const firstPage = await (async () => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: abuserAuthorization },
    body: JSON.stringify({ query: 'query NoisyPage { orders(first: 100) { edges { node { id } } } }' }),
  });
  const body = (await res.json()) as { data?: { orders?: { edges: { node: { id: string } }[] } } };
  return new Set(body.data?.orders?.edges.map((e) => e.node.id) ?? []);
})();
let abuser: { customerId: string; orderId: string; onFirstPage: boolean } | undefined;
for (const offPage of [true, false]) {
  for (const id of abuserOrders) {
    if (firstPage.has(id) === offPage || !HOLDABLE.has((await statusOf(id)) ?? '')) continue;
    abuser = { customerId: abuserCustomer, orderId: id, onFirstPage: !offPage };
    break;
  }
  if (abuser) break;
}
if (!abuser) throw new Error(`noisy: ${abuserCustomer} has no order that can be put on hold`);
// The agents' subscribers watch an order of each of the next two shoppers that can be put on hold.
const holdable: string[] = [];
for (const [, ids] of customers.slice(1)) {
  for (const id of ids) {
    if (!HOLDABLE.has((await statusOf(id)) ?? '')) continue;
    holdable.push(id);
    break;
  }
  if (holdable.length >= 2) break;
}
const watchedOrderIds = holdable.slice(0, 2);
const shoppers = await Promise.all(
  customers
    .filter(([id]) => id !== abuser.customerId)
    .slice(0, 40)
    .map(async ([customerId, ids]) => ({
      customerId,
      orderId: ids[0]!,
      authorization: `Bearer ${await devToken('storefront', { customerId })}`,
    })),
);
const partners = demo.data.oms.fulfillmentOrders
  .filter((_, i) => i % 7 === 0)
  .slice(0, 40)
  .map((f) => ({ apiKey: devPartnerKey(f.nodeId), orderId: f.orderId }));
const manifest = JSON.parse(readFileSync(join(root, 'operations', 'manifest.json'), 'utf8')) as {
  operations: { id: string; name: string }[];
};
const partnerHash = manifest.operations.find((o) => o.name === 'PartnerOrderFulfillment')!.id;

// ERP holds flipped all along: the abuser's order (its subscriptions' events) and the watched orders.
let notification = 0;
const held = new Set<string>();
const flipStats = { sent: 0, refused: 0 };
const flip = async (orderId: string): Promise<void> => {
  const placing = !held.has(orderId);
  if (placing) held.add(orderId);
  else held.delete(orderId);
  const raw = JSON.stringify({
    notificationId: `noisy-${++notification}`,
    eventType: placing ? 'HOLD_PLACED' : 'HOLD_RELEASED',
    postedAt: new Date().toISOString(),
    salesOrder: { orderRef: orderId },
    hold: { type: 'CREDIT', reason: 'noisy run' },
  });
  try {
    const res = await fetch(stack.subgraphs.erp.ingestUrl, {
      method: 'POST',
      headers: signWebhook(SECRET, raw),
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    if (res.status < 300) flipStats.sent++;
    else flipStats.refused++;
  } catch {
    flipStats.refused++;
  }
};
const flipTargets = [abuser.orderId, ...watchedOrderIds];
let flipIndex = 0;
const flipTimer =
  flips > 0
    ? setInterval(
        () => {
          // The abuser's order every other flip, the watched orders in turn between.
          const target =
            flipIndex % 2 === 0 ? abuser.orderId : flipTargets[1 + ((flipIndex >> 1) % (flipTargets.length - 1))]!;
          flipIndex++;
          void flip(target ?? abuser.orderId);
        },
        Math.round(1000 / (flips * (watchedOrderIds.length > 0 ? 2 : 1))),
      )
    : undefined;

// Memory, cache bytes and subscriptions, sampled without forcing a collection during the phases.
interface Sample {
  at: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  subscribers: number;
  sockets: number;
  cacheBytes?: number;
}
// The gauge `/metrics` serves (gateway/server.ts), read in process: no scrape's cost on the stack's HTTP.
const scrapeCacheBytes = async (): Promise<number | undefined> => {
  const m = /^ovg_cache_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(await stack.gateway.metrics.text());
  return m ? Number(m[1]) : undefined;
};
const samples: Sample[] = [];
let scrapes = 0;
const sampleNow = async (withGc: boolean): Promise<Sample> => {
  if (withGc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const s: Sample = {
    at: Date.now(),
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
    externalMB: mb(m.external),
    arrayBuffersMB: mb(m.arrayBuffers),
    subscribers: stack.gateway.subscriptions?.subscribers() ?? 0,
    sockets: stack.gateway.subscriptions?.clients() ?? 0,
  };
  if (withGc || scrapes++ % 10 === 0) {
    const bytes = await scrapeCacheBytes();
    if (bytes !== undefined) s.cacheBytes = bytes;
  }
  return s;
};
const sampler = setInterval(() => void sampleNow(false).then((s) => samples.push(s)), 500);

// The clients.
const politeConfig: PoliteConfig = {
  url,
  rate,
  shoppers,
  agent: { authorization: agentAuthorization, orderIds: demo.data.oms.orders.slice(0, 300).map((o) => o.id) },
  partners,
  partnerHash,
  watchedOrderIds: watchedOrderIds.length > 0 ? watchedOrderIds : [abuser.orderId],
  subscribers: subscriberCount,
};
const polite = fork(join(import.meta.dirname, 'noisy', 'polite.ts'), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, NOISY_POLITE: JSON.stringify(politeConfig) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const once = <T>(child: ReturnType<typeof fork>, pick: (m: Record<string, unknown>) => boolean): Promise<T> =>
  new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (!pick(m as Record<string, unknown>)) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`a client process exited (code ${code})`)));
  });
await once(polite, (m) => m.ready === true);
const runPhase = async (phase: string, startAt: number, endAt: number) => {
  const done = once<{ samples: PoliteSample[]; subs: PoliteSubscriptions }>(polite, (m) => m.phase === phase);
  polite.send({ phase, startAt, endAt });
  return done;
};

console.log(
  `noisy: ${seconds} s a phase (warm-up ${warmup} s), ${orders} orders, well-behaved ${rate} requests/s and ${subscriberCount} subscribers, ${flips} hold flips/s on the abuser's order, lifecycle ${webhooks} webhooks/s; budgets: storefront quota ${quota}/min, ${budgets.subscriptionsPerConnection} subscriptions a connection, ${budgets.subscriptionsPerCaller} a caller, ${unackedBytes / 1024} KiB unacknowledged a socket, cache ${cacheMB} MB; load average ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`,
);
if (warmup > 0) await runPhase('warm-up', Date.now() + 200, Date.now() + 200 + warmup * 1000);
await sleep(1000);
const edges: Record<string, Sample> = {};
edges.beforeA = await sampleNow(true);
const aStart = Date.now() + 500;
const a = await runPhase('A', aStart, aStart + seconds * 1000);
await sleep(1000);
edges.afterA = await sampleNow(true);

// Phase B: the abuser starts with it.
const bStart = Date.now() + 2000;
const abuserConfig: AbuserConfig = {
  url,
  authorization: abuserAuthorization,
  orderId: abuser.orderId,
  customerId: abuser.customerId,
  quotaOrderId: [...firstPage].find((id) => id !== abuser.orderId) ?? abuser.orderId,
  startAt: bStart,
  endAt: bStart + seconds * 1000,
  names,
  fillFirst,
  connections,
  perConnectionTry: Math.ceil(budgets.subscriptionsPerConnection * 1.2),
  paused,
  concurrency,
};
const abuserChild = fork(join(import.meta.dirname, 'noisy', 'abuser.ts'), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, NOISY_ABUSER: JSON.stringify(abuserConfig) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await once(abuserChild, (m) => m.ready === true);
const abuseDone = once<{ report: AbuseReport }>(abuserChild, (m) => m.report !== undefined);
abuserChild.send({ go: true });
// --profile: a CPU profile of this process (the stack) while the abuser fills the cache — it costs
// the stack time, so the figures of a profiled run are not the measurement.
const profiled = values.profile
  ? (async () => {
      const part = abuseParts(bStart, bStart + seconds * 1000)[1]!;
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await sleep(part.startAt - Date.now());
      await session.post('Profiler.start');
      await sleep(part.endAt - Date.now());
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return summarize(profile as CpuProfile);
    })()
  : undefined;
const b = await runPhase('B', bStart, bStart + seconds * 1000);
const profile = await profiled;
const { report: abuse } = await abuseDone;
await sleep(1000);
edges.afterB = await sampleNow(true);
const loadAtEnd = loadavg();

clearInterval(sampler);
if (flipTimer) clearInterval(flipTimer);
polite.send({ stop: true });
await Promise.race([new Promise((r) => polite.once('exit', r)), sleep(5000)]);
abuserChild.kill();
await lifecycle?.stop();
await stack.stop();
await store.close();
await bus.close();

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
}
/** Self time by package (node_modules/<name>, else the project's top directory, else the runtime) and the top functions. */
function summarize(p: CpuProfile): { samples: number; byPackage: [string, number][]; top: [string, number][] } {
  const where = (url: string): string => {
    const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (dep) return dep[1]!;
    const own = url.startsWith('file://') ? url.slice(url.indexOf(root) + root.length + 1).split('/')[0] : undefined;
    return own ? `project ${own}/` : url.startsWith('node:') ? 'node' : '(runtime)';
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const pkg = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName || '(anonymous)';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${where(n.callFrame.url)}:${n.callFrame.url.split('/').at(-1)}:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  }
  const share = (m: Map<string, number>, k: number): [string, number][] =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, k)
      .map(([name, hits]) => [name, Math.round((hits / total) * 1000) / 10]);
  return { samples: total, byPackage: share(byPackage, 12), top: share(byFunction, 15) };
}

// ---- Figures.
const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const v = [...xs].sort((x, y) => x - y);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
};
interface Row {
  label: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
  s5xx: number;
  noAnswer: number;
  /** Share of the answers the response cache gave (`x-cache: hit`), %. */
  hitPct: number;
  codes: Record<string, number>;
}
const row = (label: string, xs: PoliteSample[]): Row => {
  const codes: Record<string, number> = {};
  for (const x of xs) if (x.code) codes[x.code] = (codes[x.code] ?? 0) + 1;
  const ms = xs.map((x) => x.ms);
  return {
    label,
    n: xs.length,
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    max: ms.length ? Math.max(...ms) : Number.NaN,
    s5xx: xs.filter((x) => x.status >= 500).length,
    noAnswer: xs.filter((x) => x.status === 0).length,
    hitPct: xs.length ? Math.round((xs.filter((x) => x.cache === 'hit').length / xs.length) * 100) : 0,
    codes,
  };
};
const OPS: PoliteSample['op'][] = ['storefront', 'agent', 'partner'];
const rows: Row[] = [];
for (const [name, phase] of [
  ['A', a],
  ['B', b],
] as const) {
  rows.push(row(`${name}: all`, phase.samples));
  for (const op of OPS)
    rows.push(
      row(
        `${name}: ${op}`,
        phase.samples.filter((x) => x.op === op),
      ),
    );
}
const byPart = abuse.parts.map((p) =>
  row(
    `B while ${p.name}`,
    b.samples.filter((x) => x.dueAt >= p.startAt && x.dueAt < p.endAt),
  ),
);
const allA = rows[0]!;
const allB = rows[1 + OPS.length]!;
const ratio = Math.round((allB.p99 / allA.p99) * 100) / 100;

// What the abuser got against each budget.
const polites = subscriberCount;
const bSamples = samples.filter((s) => s.at >= bStart && s.at <= bStart + seconds * 1000 + 5000);
const maxHeld = Math.max(0, ...bSamples.map((s) => s.subscribers)) - polites;
const burst = abuse.connections.filter((c) => c.kind === 'burst');
const accepted = abuse.connections.reduce((n, c) => n + c.accepted, 0);
const refusedCodes: Record<string, number> = {};
for (const c of abuse.connections)
  for (const [k, v] of Object.entries(c.refused)) refusedCodes[k] = (refusedCodes[k] ?? 0) + v;
const pausedConns = abuse.connections.filter((c) => c.paused);
const bDrops = drops.filter((d) => d.at >= bStart);
const subscriptionSteps = bSamples
  .filter((x, i) => i === 0 || x.subscribers !== bSamples[i - 1]!.subscribers)
  .map((x) => `${((x.at - bStart) / 1000).toFixed(1)}: ${x.subscribers}`)
  .join(', ');
// A paused client closes nothing itself before the end (its close listener is removed then), so a
// close it read on resuming was the gateway's.
const pausedDropped = pausedConns.filter((c) => c.closeCode !== null).length;
const dropWhy: Record<string, number> = {};
for (const d of bDrops) dropWhy[d.why] = (dropWhy[d.why] ?? 0) + 1;
const maxPerConnection = Math.max(0, ...abuse.connections.map((c) => c.accepted));
const maxAdmittedPerMinute = Math.max(0, ...Object.values(abuse.admittedPerMinute));
const http429 = Object.values(abuse.http).reduce(
  (n, t) => n + Object.entries(t).reduce((m, [k, v]) => m + (k.startsWith('429') ? v : 0), 0),
  0,
);
const cacheMax = Math.max(0, ...samples.map((s) => s.cacheBytes ?? 0));
const targets = {
  p99Ratio: ratio,
  p99Met: ratio <= 1.2,
  no5xxMet: rows.every((r) => r.s5xx === 0),
  perConnectionMet: maxPerConnection <= budgets.subscriptionsPerConnection,
  perCallerMet: maxHeld <= budgets.subscriptionsPerCaller,
  quotaMet: maxAdmittedPerMinute <= quota + quotaBurst,
  cacheMet: cacheMax <= budgets.cacheBytes,
  pausedClosedByGateway: pausedDropped,
  pausedSockets: pausedConns.length,
  slowSubscriberDropsLogged: bDrops.length,
};

const fmt = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '–');
const codes = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';
const table = (rs: Row[]) => [
  '| well-behaved | requests | p50 ms | p99 ms | max ms | cache hits | 5xx | no answer | answers with errors (code) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rs.map(
    (r) =>
      `| ${r.label} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.hitPct}% | ${r.s5xx} | ${r.noAnswer} | ${codes(r.codes)} |`,
  ),
];
const subsLine = (name: string, s: PoliteSubscriptions) =>
  `well-behaved subscribers in ${name}: ${s.events} events (delivery lag p50 ${fmt(pct(s.lagsMs, 50))} ms, p99 ${fmt(pct(s.lagsMs, 99))} ms), errors ${codes(s.errors)}, sockets closed ${s.closes}`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(
  [
    '',
    ...table([...rows, ...byPart]),
    '',
    `well-behaved p99: A ${fmt(allA.p99)} ms, B ${fmt(allB.p99)} ms, B/A ${ratio} (target ≤ 1.2): ${verdict(targets.p99Met)}; 5xx to well-behaved clients: ${rows
      .filter((r) => r.label.endsWith('all'))
      .reduce((n, r) => n + r.s5xx, 0)} (target 0): ${verdict(targets.no5xxMet)}`,
    subsLine('A', a.subs),
    subsLine('B', b.subs),
    '',
    `abuser (one storefront shopper, ${abuser.customerId} with ${abuserOrders.length} orders; ${concurrency} requests in flight; its subscriptions watch ${abuser.orderId}, ${abuser.onFirstPage ? 'ON' : 'not on'} the page it asks for):`,
    `  subscriptions: ${abuse.connections.reduce((n, c) => n + c.sent, 0)} subscribes over ${abuse.connections.length} connections (${burst.length} at once, then a new one every 5 s), ${accepted} accepted, refused ${codes(refusedCodes)}; at most ${maxPerConnection} on one connection (cap ${budgets.subscriptionsPerConnection}): ${verdict(targets.perConnectionMet)}; at most ${maxHeld} held at once (server count minus the ${polites} well-behaved; cap ${budgets.subscriptionsPerCaller}): ${verdict(targets.perCallerMet)}`,
    `  subscriptions the gateway held over B (s into B: count, the well-behaved included): ${subscriptionSteps}`,
    `  first refusals: ${[...new Set(abuse.connections.map((c) => c.firstRefusal).filter(Boolean))].map((m) => `"${m}"`).join('; ') || '–'}`,
    `  paused sockets: ${pausedConns.length} stopped reading ${((Math.min(...pausedConns.map((c) => c.pausedAt ?? c.openedAt)) - bStart) / 1000).toFixed(1)} s into B, ${pausedDropped} closed by the gateway (close codes read on resuming: ${pausedConns.map((c) => c.closeCode ?? 'open').join(', ') || '–'}); slow-subscriber drops it logged in B: ${bDrops.length} (${codes(dropWhy)}; budgets ${unackedBytes / 1024} KiB unacknowledged, ${defaults.maxBufferedBytes / 1024} KiB unsent)${bDrops.length ? ` at ${bDrops.map((d) => `${((d.at - bStart) / 1000).toFixed(1)} s`).join(', ')}` : ''}`,
    `  cache fill: ${abuse.namesSent} distinct operation names sent (orders(first: ${fillFirst}), cost ${fillCost(fillFirst)}), answers ${codes(abuse.http.cache ?? {})}`,
    `  past the quota: answers ${codes(abuse.http.quota ?? {})}; ${http429} answered 429 in all; admitted at most ${maxAdmittedPerMinute} in one minute (quota ${quota} a minute as a pace, burst ${quotaBurst}): ${verdict(targets.quotaMet)}${abuse.firstRefusal ? `; first 429: "${abuse.firstRefusal.message}", Retry-After ${abuse.firstRefusal.retryAfter}, ${JSON.stringify(abuse.firstRefusal.extensions)}` : ''}`,
    `  cache bytes (ovg_cache_memory_bytes): ${mb(edges.beforeA.cacheBytes ?? 0)} MB before A, ${mb(edges.afterA.cacheBytes ?? 0)} MB after A, ${mb(edges.afterB.cacheBytes ?? 0)} MB after B, at most ${mb(cacheMax)} MB (budget ${cacheMB} MB): ${verdict(targets.cacheMet)}`,
    `  stack memory (post-GC): RSS ${edges.beforeA.rssMB} → ${edges.afterA.rssMB} → ${edges.afterB.rssMB} MB, heap ${edges.beforeA.heapUsedMB} → ${edges.afterA.heapUsedMB} → ${edges.afterB.heapUsedMB} MB, external ${edges.beforeA.externalMB} → ${edges.afterA.externalMB} → ${edges.afterB.externalMB} MB (before A, after A, after B); RSS at most ${Math.max(...samples.map((s) => s.rssMB))} MB`,
    ...(profile
      ? [
          `CPU profile of the stack while the abuser filled the cache (${profile.samples} samples of 1 ms; share of self time):`,
          `  by package: ${profile.byPackage.map(([k, v]) => `${k} ${v}%`).join(', ')}`,
          ...profile.top.map(([k, v]) => `  ${v}% ${k}`),
        ]
      : []),
    `hold flips: ${flipStats.sent} acknowledged, ${flipStats.refused} refused; load average ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')} at the end`,
  ].join('\n'),
);

const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const startedAt = new Date(edges.beforeA.at);
const file = join(
  dir,
  `noisy-${startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')}.json`,
);
const args = process.argv.slice(2).join(' ');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      command: `npm run noisy${args ? ` -- ${args}` : ''}`,
      node: process.version,
      startedAt: startedAt.toISOString(),
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      settings: {
        seconds,
        warmup,
        rate,
        subscribers: subscriberCount,
        orders,
        webhooks,
        flips,
        names,
        connections,
        paused,
        concurrency,
      },
      budgets,
      targets,
      rows,
      byPart,
      subscriptions: { A: { ...a.subs, lagsMs: undefined }, B: { ...b.subs, lagsMs: undefined } },
      abuse,
      memory: { edges, samples },
      flips: flipStats,
      drops,
      abuser,
      profile,
      raw: { A: a.samples, B: b.samples },
    },
    null,
    1,
  )}\n`,
);
console.log(`figures: ${file}`);
process.exit(0);
