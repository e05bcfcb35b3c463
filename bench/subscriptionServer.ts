/**
 * The server side of `bench/subscriptions.ts`: the gateway, the five subgraphs, the in-memory bus
 * and a seeded status tracker in ONE process (the one being measured), driven over IPC by the
 * parent, which holds every client. Not meant to be run by hand:
 *
 *   node --expose-gc --import tsx bench/subscriptionServer.ts   (forked by bench/subscriptions.ts)
 *
 * Environment: BENCH_ORDERS (demo size), BENCH_SECRET (webhook secret).
 *
 * Besides answering the parent's requests it instruments, without touching product code:
 * - when each source event and each status change is published (a wrapper around this process's
 *   bus instance's `publish`);
 * - when graphql-ws hands each `orderStatusChanged` frame to a socket (a wrapper around
 *   `WebSocket.prototype.send` of `ws`, keyed by the message's cursor);
 * - the CPU profile of a window chosen by the parent (node:inspector, sampling).
 */
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import WebSocket from 'ws';
import { generateDemo } from '../demo/index.js';
import { SCENARIO_STATUSES } from '../demo/scenarios.js';
import { startStack, type Stack } from '../embedded/stack.js';
import { Streams } from '../events/bus.js';
import { MemoryEventBus } from '../events/memory.js';
import { SUBGRAPH_NAMES } from '../gateway/config.js';
import { MemoryStatusStore } from '../gateway/tracker/store.js';
import { createLogger } from '../runtime/logger.js';
import { projectRoot } from '../runtime/project.js';

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
interface SendStat { count: number; first: number; last: number }
const sends = new Map<string, SendStat>();
let framesSent = 0;
const CURSOR = '"cursor":"';
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function patchedSend(this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (typeof data === 'string' && data.includes('"orderStatusChanged"')) {
    framesSent++;
    const at = epochNow();
    const i = data.indexOf(CURSOR);
    if (i >= 0) {
      const cursor = data.slice(i + CURSOR.length, data.indexOf('"', i + CURSOR.length));
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
if (!SCENARIO_STATUSES.allocated.includes('ALLOCATED')) throw new Error('the allocated scenario no longer yields ALLOCATED');

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
const statusStore = new MemoryStatusStore();
let stack: Stack;


async function start(): Promise<void> {
  stack = await startStack({ data: demo.data, bus, statusStore, seedTracker: true, webhookSecret: secret, logger });
  await stack.gateway.tracker!.whenSeeded();
  stack.gateway.httpServer.on('error', (err: NodeJS.ErrnoException) => {
    send({ type: 'fatal', error: err.code === 'EMFILE' ? `gateway out of file descriptors (EMFILE): raise ulimit -n (${err.message})` : err.message });
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
    framesSent,
    cpu: process.cpuUsage(),
  };
}

// ---- CPU profile --------------------------------------------------------------------------------
let session: Session | undefined;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

const root = projectRoot();
function where(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith('/') ? relative(root, path) : path;
}
/** Which package or part of the product a frame belongs to. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node core (' + url.replace(/^node:(internal\/)?/, '').split('/')[0] + ')';
  const p = where(url);
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return 'product: ' + p.split('/').slice(0, 2).join('/');
}

const NAMED: Record<string, string> = {
  graphqlExecutePerSubscriber: 'mapSourceToResponse graphql/execution/subscribe.js',
  payloadOrderQuery: 'orderQuery gateway/subscriptions/payloads.ts',
  payloadResolve: 'resolve gateway/subscriptions/payloads.ts',
  graphqlWsSerialize: 'stringifyMessage graphql-ws/',
  wsSend: 'send ws/lib/websocket.js',
  hubDispatch: 'dispatch gateway/subscriptions/hub.ts',
  gatewayExecuteOperation: 'executeOperation @apollo/server/',
};

function summarize(p: Profile, top = 25) {
  const totalMs = (p.endTime - p.startTime) / 1000;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the sample stream (each sample's delta is attributed to the sample before it).
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  const key = (n: ProfileNode): string => {
    const f = n.callFrame;
    // Product files are transpiled by tsx without line mapping here: name them by function and file only.
    if (!f.url) return f.functionName || '(anonymous)';
    const file = where(f.url);
    return file.includes('node_modules/') || f.url.startsWith('node:') ? `${f.functionName || '(anonymous)'} ${file.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}` : `${f.functionName || '(anonymous)'} ${file}`;
  };
  const selfByFn = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    selfByFn.set(key(n), (selfByFn.get(key(n)) ?? 0) + ms);
    const a = area(n.callFrame.url, n.callFrame.functionName);
    selfByArea.set(a, (selfByArea.get(a) ?? 0) + ms);
  }
  // Inclusive (total) time per function, counting only its outermost frame on each stack.
  const total = new Map<number, number>();
  const totalOf = (id: number): number => {
    const cached = total.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += totalOf(c);
    total.set(id, t);
    return t;
  };
  const inclusive = new Map<string, number>();
  const onPath = new Map<string, number>();
  const walk = (id: number): void => {
    const n = byId.get(id)!;
    const k = key(n);
    const depth = onPath.get(k) ?? 0;
    if (depth === 0) inclusive.set(k, (inclusive.get(k) ?? 0) + totalOf(id));
    onPath.set(k, depth + 1);
    for (const c of n.children ?? []) walk(c);
    onPath.set(k, depth);
  };
  const rootNode = p.nodes[0]!;
  for (const c of rootNode.children ?? []) walk(c);
  const idle = selfByFn.get('(idle)') ?? 0;
  const busy = totalMs - idle;
  selfByFn.delete('(idle)');
  selfByArea.delete('(idle)');
  const rows = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, pctOfBusy: Math.round((ms / busy) * 1000) / 10 }));
  return {
    wallMs: Math.round(totalMs),
    idleMs: Math.round(idle),
    busyMs: Math.round(busy),
    samples: samples.length,
    topSelf: rows(selfByFn, top),
    byArea: rows(selfByArea, 20),
    topInclusive: rows(new Map([...inclusive].filter(([k]) => !['(root)', '(program)', '(idle)', '(garbage collector)'].includes(k))), top),
    /** Inclusive time of the functions the benchmark's write-up names (outermost frame per stack). */
    named: Object.fromEntries(Object.entries(NAMED).map(([label, prefix]) => {
      let t = 0;
      for (const [k, v] of inclusive) if (k.startsWith(prefix)) t += v;
      return [label, { ms: Math.round(t * 10) / 10, pctOfBusy: Math.round((t / busy) * 1000) / 10 }];
    })),
  };
}

async function profileStart(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
}

async function profileStop() {
  if (!session) throw new Error('no profile running');
  const { profile } = await session.post('Profiler.stop');
  await session.post('Profiler.disable');
  session.disconnect();
  session = undefined;
  return summarize(profile as unknown as Profile);
}

// ---- IPC ----------------------------------------------------------------------------------------
type Request = { id: number; cmd: string; args?: Record<string, unknown> };

async function handle(req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'hub': {
      // Newer gateways share one execution (and one hub listener) among identical subscriptions and
      // count running subscriptions themselves; older ones have one hub listener per subscription.
      const subs = stack.gateway.subscriptions! as typeof stack.gateway.subscriptions & { subscribers?: () => number; executions?: () => number };
      return { hub: subs!.hub.size(), clients: subs!.clients(), subscribers: subs!.subscribers?.() ?? null, executions: subs!.executions?.() ?? null };
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
      return profileStop();
    case 'stop':
      await stack.stop();
      await bus.close();
      await statusStore.close();
      setTimeout(() => process.exit(0), 50);
      return null;
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

process.on('message', (raw) => {
  const req = raw as Request;
  handle(req).then(
    (result) => send({ id: req.id, ok: true, result }),
    (err: unknown) => send({ id: req.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));

start().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  send({ type: 'fatal', error: e?.code === 'EMFILE' ? `out of file descriptors (EMFILE): raise ulimit -n (${e.message})` : (e?.stack ?? String(err)) });
  process.exit(1);
});
