/**
 * The server side of `bench/subscriptions.ts`: the gateway, the five subgraphs, the in-memory bus
 * and a seeded status tracker in ONE process (the one being measured), driven over IPC by the
 * parent, which holds every client. Not meant to be run by hand:
 *
 *   node --expose-gc --import tsx bench/subscriptionServer.ts   (forked by bench/subscriptions.ts)
 *
 * Environment: BENCH_ORDERS (demo size), BENCH_SECRET (webhook secret), BENCH_STORE (where the
 * tracker's compare-and-set runs: `memory` — the store-less MemoryStatusStore of the code before
 * the visibility store; `pglite` — the embedded default, in memory; `postgres` — the server at
 * DATABASE_URL, in a schema of its own dropped at exit. @default pglite).
 *
 * Besides answering the parent's requests it instruments, without touching product code:
 * - when each source event and each status change is published (a wrapper around this process's
 *   bus instance's `publish`);
 * - when graphql-ws hands each `orderStatusChanged` frame to a socket (a wrapper around
 *   `WebSocket.prototype.send` of `ws`, keyed by the message's cursor);
 * - the CPU profile of a window chosen by the parent (node:inspector, sampling).
 */
import { createRequire } from 'node:module';
import type WebSocketType from 'ws';
import { generateDemo } from '../demo/index.js';
import { SCENARIO_STATUSES } from '../demo/scenarios.js';
import { startStack, type Stack } from '../embedded/stack.js';
import { SUBGRAPH_NAMES as GATEWAY_SUBGRAPHS, type GatewayConfig } from '../gateway/config.js';
import { shieldConfigFromEnv } from '../gateway/shield/config.js';
import { Streams } from '../events/bus.js';
import { MemoryEventBus } from '../events/memory.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../canonical/systems.js';
import { MemoryStatusStore, type StatusStore, storeStatusStore } from '../gateway/tracker/store.js';
import { loadStoreConfig, openStore, type VisibilityStore } from '../store/index.js';
import { createLogger } from '../runtime/logger.js';
import { profileStart, profileStop } from './profile.js';
import { serveIpc, type IpcRequest } from './common.js';

const send = (msg: unknown): void => {
  if (process.send) process.send(msg);
};
const gc = (globalThis as { gc?: () => void }).gc;
if (!process.send) {
  console.error('subscriptionServer: started without IPC; run `npm run bench:subscriptions` instead');
  process.exit(2);
}
if (!gc) {
  send({ type: 'fatal', error: 'subscriptionServer needs --expose-gc' });
  process.exit(2);
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
const epochNow = (): number => performance.timeOrigin + performance.now();

// ---- instrumentation: frames handed to sockets, per status-change cursor --------------------------
interface SendStat {
  count: number;
  first: number;
  last: number;
}
const sends = new Map<string, SendStat>();
let framesSent = 0;
const CURSOR = '"cursor":"';
// The gateway's copy of ws (the root's), not bench/node_modules' (the peers install another copy
// there once `cd bench && npm install` ran): patching that one would see no frame.
const WebSocket = createRequire(new URL('../gateway/server.ts', import.meta.url))('ws') as typeof WebSocketType;
type WebSocket = WebSocketType;
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function patchedSend(this: WebSocket, data: unknown, ...rest: unknown[]) {
  // Text (graphql-ws's own frames) or a buffer (the gateway's pre-serialized `next` frames).
  const frame = typeof data === 'string' || Buffer.isBuffer(data) ? data : undefined;
  if (frame?.includes('"orderStatusChanged"')) {
    framesSent++;
    const at = epochNow();
    const i = frame.indexOf(CURSOR);
    if (i >= 0) {
      const from = i + CURSOR.length;
      const to = frame.indexOf('"', from);
      const cursor = typeof frame === 'string' ? frame.slice(from, to) : frame.toString('utf8', from, to);
      const s = sends.get(cursor);
      if (s) {
        s.count++;
        s.last = at;
      } else sends.set(cursor, { count: 1, first: at, last: at });
    }
  }
  return (originalSend as (...a: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;

// ---- the stack ----------------------------------------------------------------------------------
const orders = Number(process.env.BENCH_ORDERS ?? 2000);
const secret = process.env.BENCH_SECRET ?? '';
const logger = createLogger('bench-server');

const demo = generateDemo({ orders });
// Orders the bench moves ALLOCATED → ON_HOLD → ALLOCATED: allocated ones the ERP knows, without any hold.
const erpById = new Map(demo.data.erp.orders.map((o) => [o.orderId, o]));
const candidates = demo.scenarios.allocated.filter((id) => {
  const erp = erpById.get(id);
  return erp !== undefined && erp.holds.length === 0;
});
if (!SCENARIO_STATUSES.allocated.includes('ALLOCATED'))
  throw new Error('the allocated scenario no longer yields ALLOCATED');

/** Per source event (orderId|type) and per status change (cursor): when it was published to the bus. */
const sourceSeen = new Map<string, number>();
const changes = new Map<string, { orderId: string; status: string; at: number }>();
const bus = new MemoryEventBus();
// When each event is appended to its stream, taken at the publish call itself (a bus subscriber
// would only see it after the hub's synchronous fan-out burst, which runs first).
const publish = bus.publish.bind(bus);
bus.publish = async (stream, event) => {
  const at = epochNow();
  const id = await publish(stream, event);
  if (stream === Streams.SOURCE) sourceSeen.set(`${event.subject}|${event.type}`, at);
  else if (stream === Streams.VISIBILITY) {
    const d = event.data as { orderId: string; status: string };
    changes.set(id, { orderId: d.orderId, status: d.status, at });
  }
  return id;
};
const storeKind = process.env.BENCH_STORE ?? 'pglite';
if (!['memory', 'pglite', 'postgres'].includes(storeKind)) {
  send({
    type: 'fatal',
    error: `BENCH_STORE must be memory, pglite or postgres; received ${JSON.stringify(storeKind)}`,
  });
  process.exit(2);
}
const benchSchema = `bench_${process.pid}`;
let store: VisibilityStore | undefined;
let statusStore: StatusStore = new MemoryStatusStore();
let stack: Stack;

async function start(): Promise<void> {
  if (storeKind !== 'memory') {
    const databaseUrl =
      storeKind === 'postgres' ? (process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test') : null;
    // PGLITE_THREAD=off runs PGlite on the event loop, as before issue 11's measurement moved it.
    const { pgliteThread } = loadStoreConfig({ PGLITE_THREAD: process.env.PGLITE_THREAD });
    store = await openStore({
      databaseUrl,
      dataDir: '',
      schema: storeKind === 'postgres' ? benchSchema : 'public',
      pgliteThread,
    });
    statusStore = storeStatusStore(store);
  }
  stack = await startStack({
    data: demo.data,
    bus,
    statusStore,
    seedTracker: true,
    webhookSecret: secret,
    logger,
    // Every client is an agent console with the same salesforce token (one caller): the per-caller
    // cap (WS_MAX_SUBSCRIPTIONS_PER_CALLER, 500 by default) would refuse the 501st subscriber.
    // The shield's SHIELD_* variables apply here as in `npm start` (e.g. SHIELD_ERP_RATE_PER_SECOND).
    gateway: {
      maxSubscriptionsPerCaller: 1_000_000,
      shield: shieldConfigFromEnv(process.env, GATEWAY_SUBGRAPHS) as GatewayConfig['shield'],
    },
    ...(store ? { store } : {}),
  });
  await stack.gateway.tracker!.whenSeeded();
  stack.gateway.httpServer.on('error', (err: NodeJS.ErrnoException) => {
    send({
      type: 'fatal',
      error:
        err.code === 'EMFILE'
          ? `gateway out of file descriptors (EMFILE): raise ulimit -n (${err.message})`
          : err.message,
    });
  });
  send({
    type: 'ready',
    gatewayUrl: stack.gateway.url,
    ingestUrl: stack.subgraphs.erp.ingestUrl,
    candidates,
    orderIds: demo.data.oms.orders.map((o) => o.id),
    orders: demo.data.oms.orders.length,
    pid: process.pid,
  });
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

async function memory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await settle();
  }
  await new Promise((r) => setTimeout(r, 100));
  gc!();
  return process.memoryUsage();
}

function counters() {
  const calls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].sim.callCount()]));
  return {
    executions: stack.gateway.subscriptions!.payloads.executions,
    calls,
    callsTotal: Object.values(calls).reduce((a, b) => a + b, 0),
    published: stack.gateway.tracker!.published,
    // Reads the tracker could not see (rate limited, stale, down), each deferred to its redelivery
    // stream; absent in gateways before the tracker counted them.
    unseen: (stack.gateway.tracker as { unseen?: number }).unseen ?? null,
    framesSent,
    cpu: process.cpuUsage(),
  };
}

// ---- CPU profile: bench/profile.ts, with the functions this write-up names ---------------------
const NAMED: Record<string, string> = {
  graphqlExecutePerSubscriber: 'mapSourceToResponse graphql/execution/subscribe.js',
  payloadOrderQuery: 'orderQuery gateway/subscriptions/payloads.ts',
  payloadResolve: 'resolve gateway/subscriptions/payloads.ts',
  graphqlWsSerialize: 'stringifyMessage graphql-ws/',
  wsSend: 'send ws/lib/websocket.js',
  hubDispatch: 'dispatch gateway/subscriptions/hub.ts',
  gatewayExecuteOperation: 'executeOperation @apollo/server/',
};

// ---- IPC ----------------------------------------------------------------------------------------
type Request = IpcRequest;

async function handle(req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'hub': {
      // Newer gateways share one execution (and one hub listener) among identical subscriptions and
      // count running subscriptions themselves; older ones have one hub listener per subscription.
      const subs = stack.gateway.subscriptions! as typeof stack.gateway.subscriptions & {
        subscribers?: () => number;
        executions?: () => number;
      };
      return {
        hub: subs!.hub.size(),
        clients: subs!.clients(),
        subscribers: subs!.subscribers?.() ?? null,
        executions: subs!.executions?.() ?? null,
      };
    }
    case 'memory':
      return memory();
    case 'counters':
      return counters();
    case 'trace': {
      // Everything recorded since the last trace call, then forget it.
      const out = {
        changes: [...changes.entries()].map(([cursor, c]) => ({ cursor, ...c, sends: sends.get(cursor) ?? null })),
        sources: Object.fromEntries(sourceSeen),
      };
      changes.clear();
      sends.clear();
      sourceSeen.clear();
      return out;
    }
    case 'profile-start':
      await profileStart();
      return null;
    case 'profile-stop':
      return profileStop(NAMED);
    case 'stop':
      await stack.stop();
      await bus.close();
      await statusStore.close();
      if (store) {
        if (storeKind === 'postgres') await store.db.query(`DROP SCHEMA IF EXISTS ${benchSchema} CASCADE`);
        await store.close();
      }
      setTimeout(() => process.exit(0), 50);
      return null;
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serveIpc(handle);

start().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  send({
    type: 'fatal',
    error:
      e?.code === 'EMFILE'
        ? `out of file descriptors (EMFILE): raise ulimit -n (${e.message})`
        : (e?.stack ?? String(err)),
  });
  process.exit(1);
});
