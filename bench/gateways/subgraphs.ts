/**
 * The subgraph side of `bench/gateways.ts`: the five subgraphs on their seeded simulators and the
 * visibility subgraph (over an in-memory PGlite store, no exception engine), in ONE child process
 * started once per run, driven over IPC by the runner. Every target gateway talks to these same six
 * servers. Not meant to be run by hand.
 *
 * Environment: BENCH_ORDERS, BENCH_SEED (demo), BENCH_SECRET (webhook secret), BENCH_REDIS_URL and
 * BENCH_BUS_PREFIX (the event bus: Redis Streams under that prefix, shared with our gateway's
 * process; without them an in-memory bus, which only this process sees); BENCH_DATABASE_URL and
 * BENCH_STORE_SCHEMA (the visibility subgraph's store on PostgreSQL; without them in-memory PGlite);
 * BENCH_PORTS (JSON: a port per subgraph, `visibility` too; any free port for those not given — the
 * quick run chooses them so that the peers can start before the subgraphs are up).
 *
 * - Trust mode: every subgraph (the visibility one too) is started with `trustUnsignedRequests:
 *   true`, so the peer gateways, which do not sign requests, are served as the widest reading
 *   identity (`ops`: every row and every field rule's scope, subgraphs/common/server.ts) — what
 *   ours may ask for on behalf of the workload's salesforce token. Our gateway signs its requests
 *   as usual and the subgraphs check them. The switch is refused under NODE_ENV=production (this
 *   process runs with NODE_ENV empty).
 * - Events: the embedded lifecycle simulator (embedded/lifecycle) posts signed webhooks to the
 *   subgraphs' `/ingest` at a rate the runner sets; they land on the bus.
 * - Counters: system calls per simulator (`sim.callCount()`, what a rate limit counts) and HTTP
 *   requests per subgraph `/graphql`.
 */
import { createOrderVersions, type OrderVersions } from '../../events/versions.js';
import { generateDemo } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { startLifecycle, type Lifecycle } from '../../embedded/lifecycle/index.js';
import type { EventBus } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { RedisEventBus } from '../../events/redis.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES, type SystemName as SubgraphName } from '../../canonical/systems.js';
import type { RunningService } from '../../runtime/http.js';
import { createLogger } from '../../runtime/logger.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../../subgraphs/carrier/server.js';
import type { FaultKnobs, SystemSimulator } from '../../subgraphs/common/simulator.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { start as startOms } from '../../subgraphs/oms/server.js';
import { MemoryReturns } from '../../subgraphs/returns/adapters/memory.js';
import { start as startReturns } from '../../subgraphs/returns/server.js';
import { MemoryWms } from '../../subgraphs/wms/adapters/memory.js';
import { start as startWms } from '../../subgraphs/wms/server.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { startVisibility } from '../../subgraphs/visibility/service.js';
import { serveIpc, type IpcRequest } from '../common.js';

const send = (msg: unknown): void => void process.send?.(msg);
if (!process.send) {
  console.error('bench/gateways/subgraphs.ts: started without IPC; run `npm run bench` instead');
  process.exit(2);
}

const orders = Number(process.env.BENCH_ORDERS ?? 100_000);
const seed = Number(process.env.BENCH_SEED ?? 1);
const secret = process.env.BENCH_SECRET ?? '';
const logger = createLogger('bench-subgraphs');

// ---- seam: trust mode ---------------------------------------------------------------------------
/**
 * SEAM (trust mode): the options that make a subgraph serve requests without the gateway's
 * identity signature (the peers send none). Never the default. Adjust here if the option changes.
 */
function trustOptions(): Record<string, unknown> {
  return { trustUnsignedRequests: true };
}

/** Rate limits off for throughput runs: every knob at its no-fault value. */
const NO_FAULTS: Partial<FaultKnobs> = { latencyMs: 0, errorRate: 0, outage: false, rateLimitPerSecond: 0 };

let bus: EventBus;
let versions: OrderVersions | undefined;
const services: Partial<Record<SubgraphName, RunningService>> = {};
let sims: Record<SubgraphName, SystemSimulator>;
const httpRequests: Record<string, number> = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, 0]));
let lifecycle: Lifecycle | undefined;
let lifecycleRate = 0;
let webhooks = { sent: 0, failed: 0 };
let data: ReturnType<typeof generateDemo>['data'];
let store: VisibilityStore;
let visibility: Awaited<ReturnType<typeof startVisibility>>;

async function start(): Promise<void> {
  const t = performance.now();
  data = generateDemo({ seed, orders }).data;
  const generatedMs = performance.now() - t;
  const redisUrl = process.env.BENCH_REDIS_URL;
  bus = redisUrl
    ? new RedisEventBus({ url: redisUrl, keyPrefix: process.env.BENCH_BUS_PREFIX ?? '' })
    : new MemoryEventBus();
  const adapters = {
    erp: new MemoryErp(data.erp, NO_FAULTS),
    oms: new MemoryOms(data.oms, NO_FAULTS),
    wms: new MemoryWms(data.wms, NO_FAULTS),
    carrier: new MemoryCarrier(data.carrier, NO_FAULTS),
    returns: new MemoryReturns(data.returns, NO_FAULTS),
  };
  sims = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, adapters[n].sim])) as Record<SubgraphName, SystemSimulator>;
  // Ingest bumps the order versions our gateway's caches check, in the same Redis (as deployed).
  versions = redisUrl ? createOrderVersions({ redisUrl }) : undefined;
  const ports = JSON.parse(process.env.BENCH_PORTS || '{}') as Partial<Record<SubgraphName | 'visibility', number>>;
  const common = { host: '127.0.0.1', bus, webhookSecret: secret, logger, versions, ...trustOptions() };
  const [erp, oms, wms, carrier, returns] = await Promise.all([
    startErp({ system: adapters.erp, ...common, port: ports.erp ?? 0 } as Parameters<typeof startErp>[0]),
    startOms({ system: adapters.oms, ...common, port: ports.oms ?? 0 } as Parameters<typeof startOms>[0]),
    startWms({ system: adapters.wms, ...common, port: ports.wms ?? 0 } as Parameters<typeof startWms>[0]),
    startCarrier({ system: adapters.carrier, ...common, port: ports.carrier ?? 0 } as Parameters<
      typeof startCarrier
    >[0]),
    startReturns({ system: adapters.returns, ...common, port: ports.returns ?? 0 } as Parameters<
      typeof startReturns
    >[0]),
  ]);
  Object.assign(services, { erp, oms, wms, carrier, returns });
  // The supergraph routes Order.exceptions / timeline and the operations queries here (the
  // agent's order detail reads them), in trust mode like the five.
  // In memory (PGlite), unless the runner hands a PostgreSQL schema to share with a gateway that
  // runs as in the distributed mode (bench/workers.ts: BENCH_DATABASE_URL, BENCH_STORE_SCHEMA).
  store = await openStore({
    databaseUrl: process.env.BENCH_DATABASE_URL || null,
    dataDir: '',
    schema: process.env.BENCH_STORE_SCHEMA || 'public',
  });
  visibility = await startVisibility({
    store,
    ingestUrl: () => undefined,
    sign: () => ({}),
    port: ports.visibility ?? 0,
    host: '127.0.0.1',
    logger,
    engine: false,
    ...trustOptions(),
  });
  for (const n of SUBGRAPH_NAMES) {
    // Before Express, which rewrites req.url while routing into its mount points.
    services[n]!.httpServer.prependListener('request', (req) => {
      if (req.url?.startsWith('/graphql')) httpRequests[n]!++;
    });
  }
  send({
    type: 'ready',
    pid: process.pid,
    urls: {
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, services[n]!.url])),
      visibility: visibility.service.url,
    },
    ingest: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `${services[n]!.origin}/ingest`])),
    orders: data.oms.orders.length,
    generatedMs: Math.round(generatedMs),
    bus: redisUrl ? 'redis' : 'memory',
  });
}

function counters() {
  const s = lifecycle?.stats() ?? { sent: 0, failed: 0 };
  return {
    at: performance.timeOrigin + performance.now(),
    calls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, sims[n].callCount()])),
    http: { ...httpRequests },
    webhooks: { sent: webhooks.sent + s.sent, failed: webhooks.failed + s.failed },
    cpu: process.cpuUsage(),
    rss: process.memoryUsage.rss(),
  };
}

async function stopLifecycle(): Promise<void> {
  if (!lifecycle) return;
  const l = lifecycle;
  lifecycle = undefined;
  await l.stop();
  const s = l.stats();
  webhooks = { sent: webhooks.sent + s.sent, failed: webhooks.failed + s.failed };
}

type Request = IpcRequest;
async function handle(req: Request): Promise<unknown> {
  const a = req.args ?? {};
  switch (req.cmd) {
    case 'counters':
      return counters();
    case 'faults': {
      // { erp: { rateLimitPerSecond: 50 } }: knobs are read on every call, so this applies at once.
      for (const [name, knobs] of Object.entries(a as Record<string, Partial<FaultKnobs>>))
        Object.assign(sims[name as SubgraphName].faults, knobs);
      return Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { ...sims[n].faults }]));
    }
    case 'lifecycle': {
      // Start the webhook stream at `changesPerSecond` (each change is one to four webhooks); 0 stops it.
      // Once only: a second simulator would re-create the orders the first one created (its new-order
      // ids restart at ORD-L000001) and stumble over them.
      if (lifecycleRate > 0 && Number(a.changesPerSecond ?? 0) > 0)
        throw new Error('the lifecycle simulator runs once per process');
      await stopLifecycle();
      lifecycleRate = Number(a.changesPerSecond ?? 0);
      if (lifecycleRate > 0) {
        lifecycle = startLifecycle({
          data,
          secret,
          ratePerSecond: lifecycleRate,
          maxInFlight: 32,
          seed: Number(a.seed ?? 7),
          logger,
          ingest: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `${services[n]!.origin}/ingest`])) as Record<
            SystemName,
            string
          >,
        });
      }
      return { changesPerSecond: lifecycleRate };
    }
    case 'stop':
      await stopLifecycle();
      await Promise.allSettled([...SUBGRAPH_NAMES.map((n) => services[n]?.stop()), visibility?.stop()]);
      await store?.close();
      await bus.close();
      await versions?.close();
      setTimeout(() => process.exit(0), 20);
      return null;
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serveIpc(handle);
start().catch((err: unknown) => {
  send({ type: 'fatal', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
