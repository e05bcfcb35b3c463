/**
 * Subscriptions benchmark (the change path, issue #3): webhook accepted → subscriber received.
 *
 *   npm run bench:subscriptions                 # sizes 1, 1,000, 10,000 (a few minutes)
 *   npm run bench:subscriptions -- --quick      # sizes 1 and 1,000, fewer events (< 60 s)
 *
 * Flags: --quick, --orders N (demo size, 2000), --sizes 1,1000,10000, --events N per size (20;
 * quick 8), --interval-ms 250, --batch 500 (clients connected at once), --profile-events N (8;
 * quick 4; 0 = no profile), --no-filtered / --filtered (the per-order scenario; on in full runs),
 * --write-md / --no-write-md (replace `## Subscriptions` in BENCHMARKS.md; on in full runs only),
 * --spaced-events N (6; quick 0) and --spaced-interval-ms 2000 (an extra pass at the largest size
 * with changes far enough apart not to queue), --drain-timeout-ms 90000 (wait for deliveries).
 *
 * The measured process is a CHILD (`bench/subscriptionServer.ts`, forked with IPC and
 * --expose-gc): gateway + five subgraphs + in-memory bus + seeded status tracker, lifecycle
 * simulator off. Every graphql-ws client lives here, in the parent. The parent sends signed ERP
 * webhooks that move ALLOCATED demo orders to ON_HOLD (hold placed) or back (hold released),
 * alternating, one every --interval-ms; t0 = the webhook's HTTP 2xx arriving here, t1 = a
 * subscriber's message for that change arriving here (matched by orderId + status).
 */
import { fork, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { signWebhook } from '../subgraphs/common/signature.js';
import { replaceBenchmarksSection, sourcesFingerprint } from './common.js';
import { devToken } from '../gateway/auth/devCredentials.js';

/** One development token for every subscriber, minted once. */
let subscriberToken: Promise<string> | undefined;

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');

// ---- options ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
function option(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}
function intOption(name: string, fallback: number, min: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer ≥ ${min}; received ${JSON.stringify(raw)}`);
  return n;
}
function usage(problem: string): never {
  console.error(`bench:subscriptions: ${problem}\n` +
    'usage: npm run bench:subscriptions -- [--quick] [--orders N] [--sizes 1,1000,10000] [--events N] [--interval-ms MS] [--batch N] [--profile-events N] [--spaced-events N] [--spaced-interval-ms MS] [--filtered|--no-filtered] [--write-md|--no-write-md] [--drain-timeout-ms MS]');
  process.exit(2);
}
const KNOWN = new Set(['quick', 'orders', 'sizes', 'events', 'interval-ms', 'batch', 'profile-events', 'spaced-events', 'spaced-interval-ms', 'filtered', 'no-filtered', 'write-md', 'no-write-md', 'drain-timeout-ms']);
for (const a of argv) {
  if (a.startsWith('--') && !KNOWN.has(a.slice(2).split('=')[0]!)) usage(`unknown flag ${a}`);
}

const quick = flag('quick');
const opts = {
  quick,
  orders: intOption('orders', 2000, 50),
  sizes: (option('sizes') ?? (quick ? '1,1000' : '1,1000,10000')).split(',').map((s) => {
    const n = Number(s.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) usage(`--sizes must list positive integers; received ${JSON.stringify(s)}`);
    return n;
  }).sort((a, b) => a - b),
  events: intOption('events', quick ? 8 : 20, 2),
  intervalMs: intOption('interval-ms', 250, 1),
  batch: intOption('batch', 500, 1),
  profileEvents: intOption('profile-events', quick ? 4 : 8, 0),
  filtered: flag('filtered') || (!quick && !flag('no-filtered')),
  writeMd: flag('write-md') || (!quick && !flag('no-write-md')),
  drainTimeoutMs: intOption('drain-timeout-ms', 90_000, 100),
  spacedEvents: intOption('spaced-events', quick ? 0 : 6, 0),
  spacedIntervalMs: intOption('spaced-interval-ms', 2000, 1),
};
if (opts.events % 2 !== 0) opts.events++; // every hold placed in a phase is matched by a release
if (opts.profileEvents % 2 !== 0) opts.profileEvents++;
if (opts.spacedEvents % 2 !== 0) opts.spacedEvents++;
const maxSize = opts.sizes.at(-1)!;
const command = process.env.npm_lifecycle_event === 'bench:subscriptions'
  ? `npm run bench:subscriptions${argv.length ? ` -- ${argv.join(' ')}` : ''}`
  : `node --import tsx bench/subscriptions.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;

// Bounded run time: a full run takes a few minutes; never hang.
const budgetMs = (quick ? 3 : 15) * 60_000;
setTimeout(() => fail(`gave up after ${budgetMs / 60_000} min (run-time bound)`), budgetMs).unref();

// ---- helpers ------------------------------------------------------------------------------------
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();
const epochOf = (t: number): number => performance.timeOrigin + t;
const log = (msg: string): void => {
  process.stderr.write(`[bench ${((now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
};
const started = now();

function percentile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}
const round = (n: number, d = 1): number => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : NaN);
const median = (xs: number[]): number => percentile(Float64Array.from(xs).sort(), 0.5);

function ulimitN(): { soft: number; hard: number } | null {
  try {
    const soft = execFileSync('sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim();
    const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return { soft: soft === 'unlimited' ? Infinity : Number(soft), hard: hard === 'unlimited' ? Infinity : Number(hard) };
  } catch {
    return null;
  }
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What code is measured: the commit, uncommitted product changes, and a hash of the product sources. */
const PRODUCT = ['canonical', 'demo', 'embedded', 'events', 'gateway', 'runtime', 'subgraphs', 'supergraph.graphql'];
const fingerprint = (): string => sourcesFingerprint(root, PRODUCT);
function git(args: string[]): string | null {
  try {
    // --no-optional-locks: read-only, never touches the index.
    return execFileSync('git', ['--no-optional-locks', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
function codeState() {
  const dirty = git(['status', '--porcelain', '--untracked-files=all', '--', ...PRODUCT]);
  return {
    commit: git(['rev-parse', 'HEAD']),
    uncommittedProductFiles: dirty === null ? null : dirty.split('\n').filter(Boolean).map((l) => l.trim()),
    sourcesSha256: fingerprint(),
  };
}

// ---- the child (the measured server) ------------------------------------------------------------
interface Ready { gatewayUrl: string; ingestUrl: string; candidates: string[]; orderIds: string[]; orders: number; pid: number }
interface Counters { executions: number; calls: Record<string, number>; callsTotal: number; published: number; framesSent: number; cpu: { user: number; system: number } }
interface Mem { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
interface TraceChange { cursor: string; orderId: string; status: string; at: number; sends: { count: number; first: number; last: number } | null }

const secret = `bench-${randomBytes(16).toString('hex')}`;
let stopping = false;
let child: ReturnType<typeof fork> | undefined;
const serverLog: string[] = [];
let serverLogLines = 0;

function fail(why: string): never {
  process.stderr.write(`\nbench:subscriptions FAILED: ${why}\n`);
  if (serverLog.length) process.stderr.write(`server log (last lines):\n${serverLog.slice(-20).join('\n')}\n`);
  stopping = true;
  if (child && child.exitCode === null && child.pid) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(1);
}

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let readyResolve!: (r: Ready) => void;
const ready = new Promise<Ready>((r) => (readyResolve = r));

function startChild(): void {
  child = fork(join(here, 'subscriptionServer.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    cwd: root,
    env: { ...process.env, BENCH_ORDERS: String(opts.orders), BENCH_SECRET: secret, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      serverLogLines++;
      serverLog.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (serverLog.length > 200) serverLog.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('message', (raw) => {
    const m = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string } & Partial<Ready>;
    if (m.type === 'ready') return readyResolve(m as unknown as Ready);
    if (m.type === 'fatal') fail(`server: ${m.error}`);
    const p = m.id !== undefined ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`server: ${m.error}`));
  });
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`the server process exited unexpectedly (code ${code}, signal ${signal})`);
  });
}

function rpc<T>(cmd: string, timeoutMs = 60_000): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`server did not answer ${cmd} within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, {
      resolve: (v) => { clearTimeout(timer); resolve(v as T); },
      reject: (e) => { clearTimeout(timer); reject(e); },
    });
    child!.send({ id, cmd });
  });
}

// ---- clients ------------------------------------------------------------------------------------
const BROADCAST = 'subscription { orderStatusChanged { cursor orderId status order { number status } } }';
const FILTERED = 'subscription ($orderId: ID) { orderStatusChanged(orderId: $orderId) { cursor orderId status order { number status } } }';

interface Slot { client: Client; unsubscribe: (() => void) | undefined }
const slots: Slot[] = [];
const clientErrors: string[] = [];
const closeCodes = new Map<number, number>();
let closing = false;

function describe(e: unknown): string {
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.trim();
  const o = e as { code?: unknown; reason?: unknown; message?: unknown; error?: unknown } | undefined;
  if (o?.error instanceof Error) return describe(o.error);
  if (o && (o.code !== undefined || o.message !== undefined)) return `code ${String(o.code ?? '')} ${String(o.message ?? o.reason ?? '')}`.trim();
  return String(e);
}
function clientError(e: unknown): void {
  const d = describe(e);
  if (clientErrors.length < 50) clientErrors.push(d);
  if (/EMFILE|ENFILE/.test(d)) fail(`out of file descriptors while connecting (${d}); raise \`ulimit -n\` (need about ${maxSize + 1024} in each process)`);
  if (/EADDRNOTAVAIL/.test(d)) fail(`out of local ports while connecting (${d}); see /proc/sys/net/ipv4/ip_local_port_range`);
}

function newClient(url: string): Client {
  let disposed = false;
  const client = createClient({
    url,
    // Subscribers authenticate in connection_init, as the agents' console does (a salesforce token).
    connectionParams: async () => ({ authorization: `Bearer ${await (subscriberToken ??= devToken('salesforce', { ttlSeconds: 6 * 3600 }))}` }),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: (e) => {
      if (!closing) clientError(e);
    },
    on: {
      error: (e) => {
        if (!closing) clientError(e);
      },
      closed: (e) => {
        if (closing || disposed) return;
        const code = Number((e as { code?: number }).code ?? 0);
        closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
      },
    },
  });
  const dispose = client.dispose.bind(client);
  client.dispose = () => {
    disposed = true;
    return dispose();
  };
  return client;
}

// ---- the measured phases -------------------------------------------------------------------------
interface Ev {
  k: number; orderId: string; placed: boolean; status: 'ON_HOLD' | 'ALLOCATED';
  sentAt: number; t0: number; recv: Float64Array; count: number; expected: number[];
}
interface Phase { byKey: Map<string, Ev>; unexpected: number; duplicates: number; orderMismatch: number; errors: number }
let phase: Phase | undefined;
let strays = 0;

function onNext(i: number, m: { data?: unknown; errors?: unknown }): void {
  const t = now();
  const c = (m.data as { orderStatusChanged?: { orderId: string; status: string; order: { status: string } | null } } | undefined)?.orderStatusChanged;
  const p = phase;
  if (!p) {
    strays++;
    return;
  }
  if (!c) {
    p.errors++;
    return;
  }
  const ev = p.byKey.get(`${c.orderId}|${c.status}`);
  if (!ev) {
    p.unexpected++;
    return;
  }
  if (!Number.isNaN(ev.recv[i]!)) {
    p.duplicates++;
    return;
  }
  ev.recv[i] = t;
  ev.count++;
  if (c.order?.status !== c.status) p.orderMismatch++;
}

/** Orders the bench moves: `free` are ALLOCATED without a bench hold; `held` are ON_HOLD (oldest first). */
let free: string[] = [];
const held: string[] = [];
let lastPostedMs = 0;
let webhookSeq = 0;
const runTag = Date.now().toString(36);
let ingestUrl = '';

async function postWebhook(orderId: string, placed: boolean): Promise<{ sentAt: number; t0: number }> {
  lastPostedMs = Math.max(Date.now(), lastPostedMs + 1);
  const body = JSON.stringify({
    notificationId: `BENCH-${runTag}-${++webhookSeq}`,
    eventType: placed ? 'HOLD_PLACED' : 'HOLD_RELEASED',
    postedAt: new Date(lastPostedMs).toISOString(),
    salesOrder: { orderRef: orderId },
    hold: { type: 'CREDIT', reason: 'benchmark' },
  });
  const sentAt = now();
  const res = await fetch(ingestUrl, { method: 'POST', headers: signWebhook(secret, body), body });
  const t0 = now();
  const text = await res.text();
  if (!res.ok) fail(`webhook ${placed ? 'HOLD_PLACED' : 'HOLD_RELEASED'} on ${orderId} answered ${res.status}: ${text.slice(0, 300)}`);
  const status = (JSON.parse(text) as { status?: string }).status;
  if (status !== 'applied') fail(`webhook on ${orderId} answered ${status}, not applied: ${text.slice(0, 300)}`);
  return { sentAt, t0 };
}

/** The next event of the alternating sequence: place a hold on a free order, or release the oldest held one. */
function nextChange(k: number): { orderId: string; placed: boolean } {
  const placed = k % 2 === 0;
  const orderId = placed ? free.shift() : held.shift();
  if (!orderId) fail(`ran out of ${placed ? 'ALLOCATED' : 'held'} orders; use more --orders or fewer --events`);
  (placed ? held : free).push(orderId);
  return { orderId, placed };
}

interface LatencyStats { samples: number; p50: number; p90: number; p99: number; max: number; mean: number; min: number }
function stats(xs: Float64Array): LatencyStats {
  const s = xs.slice().sort();
  let sum = 0;
  for (const x of s) sum += x;
  return { samples: s.length, min: round(s[0] ?? NaN), p50: round(percentile(s, 0.5)), p90: round(percentile(s, 0.9)), p99: round(percentile(s, 0.99)), max: round(s.at(-1) ?? NaN), mean: round(sum / s.length) };
}

interface PhaseResult {
  scenario: 'broadcast' | 'per-order';
  subscribers: number;
  events: number;
  intervalMs: number;
  profiled: boolean;
  delivered: number;
  expected: number;
  deliveredPct: number;
  unexpected: number;
  duplicates: number;
  errors: number;
  orderPayloadMismatch: number;
  latencyMs: LatencyStats;
  /** Per event: t0 → the last expected subscriber received it. */
  timeToLastSubscriberMs: { p50: number; max: number };
  webhookRoundTripMs: { p50: number; max: number };
  perEvent: { payloadExecutions: number; subgraphCalls: number; subgraphCallsBySystem: Record<string, number>; statusChangesPublished: number; serverCpuMs: number; clientCpuMs: number };
  /** Medians over events, from timestamps taken in both processes (same machine clock). */
  breakdownMs: { t0ToPublished: number; publishedToFirstFrame: number; publishedToLastFrame: number; lastFrameToLastReceived: number; framesPerEvent: number } | null;
  /** The server at the end of the phase: hub listeners, sockets, running subscriptions and distinct executions started (when the gateway counts them). */
  server: { hubListeners: number; sockets: number; subscriptions: number | null; subscriptionExecutionsStarted: number | null };
  /** Per event, ms relative to its t0 (negative = before the 2xx reached the parent). */
  timeline: { k: number; orderId: string; status: string; sentAt: number; sourceOnBus: number | null; published: number | null; firstFrame: number | null; lastFrame: number | null; lastReceived: number | null; frames: number; received: number; expected: number }[];
}

async function runPhase(scenario: PhaseResult['scenario'], n: number, events: number, expectedFor: (orderId: string) => number[], profiled = false, intervalMs = opts.intervalMs): Promise<PhaseResult> {
  const changes = Array.from({ length: events }, (_, k) => nextChange(k));
  const p: Phase = { byKey: new Map(), unexpected: 0, duplicates: 0, orderMismatch: 0, errors: 0 };
  const evs: Ev[] = changes.map(({ orderId, placed }, k) => {
    const status = placed ? 'ON_HOLD' as const : 'ALLOCATED' as const;
    const ev: Ev = { k, orderId, placed, status, sentAt: NaN, t0: NaN, recv: new Float64Array(slots.length).fill(NaN), count: 0, expected: expectedFor(orderId) };
    p.byKey.set(`${orderId}|${status}`, ev);
    return ev;
  });
  await rpc('trace'); // forget what came before
  const before = await rpc<Counters>('counters');
  const clientCpu0 = process.cpuUsage();
  phase = p;
  const t = now();
  const posts: Promise<void>[] = [];
  for (const ev of evs) {
    const wait = t + ev.k * intervalMs - now();
    if (wait > 0) await sleep(wait);
    posts.push(postWebhook(ev.orderId, ev.placed).then((r) => {
      ev.sentAt = r.sentAt;
      ev.t0 = r.t0;
    }));
  }
  await Promise.all(posts);
  const deadline = now() + opts.drainTimeoutMs;
  const done = (): boolean => evs.every((ev) => ev.count >= ev.expected.length);
  while (!done() && now() < deadline) await sleep(20);
  await sleep(200); // late duplicates or strays would show up now
  phase = undefined;
  const clientCpu = process.cpuUsage(clientCpu0);
  const after = await rpc<Counters>('counters');
  const trace = await rpc<{ changes: TraceChange[]; sources: Record<string, number> }>('trace');
  const server = await hub();

  let expected = 0;
  let delivered = 0;
  for (const ev of evs) {
    expected += ev.expected.length;
    for (const i of ev.expected) if (!Number.isNaN(ev.recv[i]!)) delivered++;
  }
  const lat = new Float64Array(delivered);
  let j = 0;
  const lastPerEvent: number[] = [];
  for (const ev of evs) {
    let last = -Infinity;
    for (const i of ev.expected) {
      const r = ev.recv[i]!;
      if (Number.isNaN(r)) continue;
      lat[j++] = r - ev.t0;
      if (r > last) last = r;
    }
    if (ev.count >= ev.expected.length && ev.expected.length > 0) lastPerEvent.push(last - ev.t0);
  }
  const byChange = new Map(trace.changes.map((c) => [`${c.orderId}|${c.status}`, c]));
  const b = { t0ToPublished: [] as number[], publishedToFirstFrame: [] as number[], publishedToLastFrame: [] as number[], lastFrameToLastReceived: [] as number[], frames: [] as number[] };
  for (const ev of evs) {
    const c = byChange.get(`${ev.orderId}|${ev.status}`);
    if (!c) continue;
    b.t0ToPublished.push(c.at - epochOf(ev.t0));
    if (c.sends) {
      b.publishedToFirstFrame.push(c.sends.first - c.at);
      b.publishedToLastFrame.push(c.sends.last - c.at);
      b.frames.push(c.sends.count);
      let last = -Infinity;
      for (const i of ev.expected) if (!Number.isNaN(ev.recv[i]!) && ev.recv[i]! > last) last = ev.recv[i]!;
      if (Number.isFinite(last)) b.lastFrameToLastReceived.push(epochOf(last) - c.sends.last);
    }
  }
  const per = (a: number, z: number): number => round((z - a) / events, 2);
  const timeline = evs.map((ev) => {
    const c = byChange.get(`${ev.orderId}|${ev.status}`);
    const t0e = epochOf(ev.t0);
    const rel = (x: number | undefined | null): number | null => (x === undefined || x === null || !Number.isFinite(x) ? null : round(x - t0e));
    let last = -Infinity;
    for (const i of ev.expected) if (!Number.isNaN(ev.recv[i]!) && ev.recv[i]! > last) last = ev.recv[i]!;
    return {
      k: ev.k, orderId: ev.orderId, status: ev.status, sentAt: round(ev.sentAt - ev.t0),
      sourceOnBus: rel(trace.sources[`${ev.orderId}|${ev.placed ? 'order.hold_placed' : 'order.hold_released'}`]),
      published: rel(c?.at), firstFrame: rel(c?.sends?.first), lastFrame: rel(c?.sends?.last),
      lastReceived: Number.isFinite(last) ? round(last - ev.t0) : null, frames: c?.sends?.count ?? 0, received: ev.count, expected: ev.expected.length,
    };
  });
  const rtts = evs.map((ev) => ev.t0 - ev.sentAt);
  return {
    scenario, subscribers: n, events, intervalMs, profiled,
    delivered, expected, deliveredPct: round((delivered / expected) * 100, 3),
    unexpected: p.unexpected, duplicates: p.duplicates, errors: p.errors, orderPayloadMismatch: p.orderMismatch,
    latencyMs: stats(lat),
    timeToLastSubscriberMs: { p50: round(median(lastPerEvent)), max: round(Math.max(...lastPerEvent)) },
    webhookRoundTripMs: { p50: round(median(rtts)), max: round(Math.max(...rtts)) },
    perEvent: {
      payloadExecutions: per(before.executions, after.executions),
      subgraphCalls: per(before.callsTotal, after.callsTotal),
      subgraphCallsBySystem: Object.fromEntries(Object.keys(after.calls).map((s) => [s, per(before.calls[s]!, after.calls[s]!)])),
      statusChangesPublished: per(before.published, after.published),
      serverCpuMs: round((after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / events, 1),
      clientCpuMs: round((clientCpu.user + clientCpu.system) / 1000 / events, 1),
    },
    breakdownMs: b.t0ToPublished.length
      ? {
        t0ToPublished: round(median(b.t0ToPublished)),
        publishedToFirstFrame: round(median(b.publishedToFirstFrame)),
        publishedToLastFrame: round(median(b.publishedToLastFrame)),
        lastFrameToLastReceived: round(median(b.lastFrameToLastReceived)),
        framesPerEvent: round(median(b.frames), 0),
      }
      : null,
    server: { hubListeners: server.hub, sockets: server.clients, subscriptions: server.subscribers, subscriptionExecutionsStarted: server.executions },
    timeline,
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!(await check())) {
    if (now() > deadline) fail(`${what} did not happen within ${timeoutMs} ms (client errors: ${clientErrors.slice(0, 5).join('; ') || 'none'}; closes: ${JSON.stringify([...closeCodes])})`);
    await sleep(50);
  }
}
interface HubState { hub: number; clients: number; subscribers: number | null; executions: number | null }
/** Running subscriptions on the server: its own count when it has one, else the hub's listeners (one per subscription). */
const hub = async (): Promise<HubState & { active: number }> => {
  const h = await rpc<HubState>('hub');
  return { ...h, active: h.subscribers ?? h.hub };
};

/** Connects clients (in batches) until `target`, each with one subscription; waits until the hub holds them all. */
async function growTo(target: number, url: string, subscribe: (slot: Slot, i: number) => void): Promise<void> {
  const t = now();
  while (slots.length < target) {
    const from = slots.length;
    const to = Math.min(target, from + opts.batch);
    for (let i = from; i < to; i++) {
      const slot: Slot = { client: newClient(url), unsubscribe: undefined };
      slots.push(slot);
      subscribe(slot, i);
    }
    await waitFor(`${to} subscriptions`, async () => (await hub()).active >= to, 60_000);
  }
  log(`${target} subscribers connected in ${((now() - t) / 1000).toFixed(1)} s`);
}

const subscribeWith = (query: string, variables?: (i: number) => Record<string, unknown>) => (slot: Slot, i: number): void => {
  slot.unsubscribe = slot.client.subscribe({ query, variables: variables?.(i) }, {
    next: (m) => onNext(i, m as { data?: unknown }),
    error: (e) => {
      if (!closing) clientError(e);
    },
    complete: () => undefined,
  });
};

async function memory(): Promise<Mem> {
  await sleep(1000); // let connection set-up garbage and timers settle
  return rpc<Mem>('memory');
}
function perSubscriber(base: Mem, m: Mem, n: number) {
  return {
    heapBytes: Math.round((m.heapUsed - base.heapUsed) / n),
    rssBytes: Math.round((m.rss - base.rss) / n),
    externalBytes: Math.round((m.external - base.external) / n),
  };
}

// ---- output -------------------------------------------------------------------------------------
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}` : '–');

const label = (r: PhaseResult): string => `${r.scenario}${r.intervalMs !== opts.intervalMs ? `, 1 event / ${r.intervalMs / 1000} s` : ''}${r.profiled ? ' (profiled)' : ''}`;

function latencyTable(rows: PhaseResult[]): string {
  const head = '| scenario | subscribers | events | delivered / expected | p50 ms | p99 ms | max ms | last subscriber p50 / max ms | payload executions / event | subgraph calls / event | server CPU ms / event | client CPU ms / event |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${label(r)} | ${r.subscribers.toLocaleString('en-US')} | ${r.events} | ${r.delivered.toLocaleString('en-US')} / ${r.expected.toLocaleString('en-US')} (${r.deliveredPct}%) | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p99)} | ${ms(r.latencyMs.max)} | ${ms(r.timeToLastSubscriberMs.p50)} / ${ms(r.timeToLastSubscriberMs.max)} | ${r.perEvent.payloadExecutions} | ${r.perEvent.subgraphCalls} | ${r.perEvent.serverCpuMs} | ${r.perEvent.clientCpuMs} |`);
  return [head, sep, ...lines].join('\n');
}

function breakdownTable(rows: PhaseResult[]): string {
  const head = '| scenario | subscribers | webhook round trip (before t0) | 2xx → change published (tracker) | published → first frame | published → last frame | last frame → last received (client) | frames / event |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.filter((r) => r.breakdownMs).map((r) => {
    const b = r.breakdownMs!;
    return `| ${label(r)} | ${r.subscribers.toLocaleString('en-US')} | ${ms(r.webhookRoundTripMs.p50)} | ${ms(b.t0ToPublished)} | ${ms(b.publishedToFirstFrame)} | ${ms(b.publishedToLastFrame)} | ${ms(b.lastFrameToLastReceived)} | ${b.framesPerEvent.toLocaleString('en-US')} |`;
  });
  return [head, sep, ...lines].join('\n');
}

interface MemRow { label: string; subscribers: number; heapUsedMB: number; rssMB: number; perSubscriber: ReturnType<typeof perSubscriber> | null; marginal?: ReturnType<typeof perSubscriber> | null }
function memoryTable(rows: MemRow[]): string {
  const head = '| server state | subscribers | heapUsed | RSS | heap / subscriber | RSS / subscriber | marginal heap / RSS per subscriber (vs previous row) |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${r.label} | ${r.subscribers.toLocaleString('en-US')} | ${r.heapUsedMB.toFixed(1)} MB | ${r.rssMB.toFixed(1)} MB | ${r.perSubscriber ? kb(r.perSubscriber.heapBytes) : '–'} | ${r.perSubscriber ? kb(r.perSubscriber.rssBytes) : '–'} | ${r.marginal ? `${kb(r.marginal.heapBytes)} / ${kb(r.marginal.rssBytes)}` : '–'} |`);
  return [head, sep, ...lines].join('\n');
}

const writeBenchmarksMd = (section: string): void => replaceBenchmarksSection(root, 'Subscriptions', section);

// ---- main ---------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const limits = ulimitN();
  const needFds = maxSize + 1024;
  if (limits && limits.soft < needFds) {
    fail(`ulimit -n is ${limits.soft}: ${maxSize.toLocaleString('en-US')} subscribers need about ${needFds} open files in each process. ` +
      `Raise it (e.g. \`ulimit -n ${limits.hard < needFds ? Math.max(needFds, 32768) : Math.min(limits.hard, Math.max(needFds, 32768))}\`${limits.hard < needFds ? `, after raising the hard limit ${limits.hard} (as root, or in /etc/security/limits.conf)` : ''}) or pass smaller --sizes.`);
  }
  const code = codeState();
  log(`options ${JSON.stringify(opts)}; ulimit -n ${limits?.soft ?? '?'}; code ${code.commit?.slice(0, 7) ?? '?'}${code.uncommittedProductFiles?.length ? ` + ${code.uncommittedProductFiles.length} uncommitted product file(s)` : ''}`);
  startChild();
  const startTimer = setTimeout(() => fail('the server did not start within 120 s'), 120_000);
  const info = await ready;
  clearTimeout(startTimer);
  ingestUrl = info.ingestUrl;
  const wsUrl = info.gatewayUrl.replace(/^http/, 'ws');
  log(`server pid ${info.pid} up at ${info.gatewayUrl} with ${info.orders} orders; ${info.candidates.length} ALLOCATED orders without holds to move`);
  const perPhase = Math.max(opts.events, opts.profileEvents, opts.spacedEvents) / 2;
  const preHeld = perPhase + 2;
  if (info.candidates.length < preHeld + perPhase) fail(`only ${info.candidates.length} usable ALLOCATED orders; need ${preHeld + perPhase}: use more --orders or fewer --events`);
  free = [...info.candidates];

  // Warm-up (not measured): one subscriber; put a first set of orders on hold, so that every later
  // phase releases holds placed seconds earlier, never the one it just placed.
  {
    const c = newClient(wsUrl);
    let got = 0;
    const unsub = c.subscribe({ query: BROADCAST }, { next: () => void got++, error: (e) => clientError(e), complete: () => undefined });
    await waitFor('warm-up subscription', async () => (await hub()).active >= 1, 10_000);
    for (let k = 0; k < preHeld; k++) {
      const orderId = free.shift()!;
      held.push(orderId);
      await postWebhook(orderId, true);
      await waitFor('warm-up delivery', async () => got >= k + 1, 10_000);
    }
    unsub();
    await c.dispose();
    await waitFor('warm-up client gone', async () => { const h = await hub(); return h.active === 0 && h.clients === 0; }, 10_000);
    log(`warm-up: ${preHeld} holds placed and delivered`);
  }

  const base = await memory();
  const memRows: MemRow[] = [{ label: 'idle, no client', subscribers: 0, heapUsedMB: base.heapUsed / 2 ** 20, rssMB: base.rss / 2 ** 20, perSubscriber: null }];
  const results: PhaseResult[] = [];
  let profile: unknown = null;
  const everyone = (): number[] => Array.from({ length: slots.length }, (_, i) => i);
  const broadcast = subscribeWith(BROADCAST);

  let prev: { m: Mem; n: number } = { m: base, n: 0 };
  for (const n of opts.sizes) {
    await growTo(n, wsUrl, broadcast);
    if (n >= 100) {
      const m = await memory();
      memRows.push({
        label: 'idle, broadcast subscriptions', subscribers: n, heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20,
        perSubscriber: perSubscriber(base, m, n), marginal: prev.n > 0 ? perSubscriber(prev.m, m, n - prev.n) : null,
      });
      prev = { m, n };
    }
    log(`measuring ${n} subscribers: ${opts.events} events, one every ${opts.intervalMs} ms`);
    const r = await runPhase('broadcast', n, opts.events, everyone);
    results.push(r);
    log(`  delivered ${r.delivered}/${r.expected}; p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`);
  }

  if (opts.spacedEvents > 0) {
    log(`${maxSize} subscribers, spaced: ${opts.spacedEvents} events, one every ${opts.spacedIntervalMs} ms (no backlog between events)`);
    const r = await runPhase('broadcast', maxSize, opts.spacedEvents, everyone, false, opts.spacedIntervalMs);
    results.push(r);
    log(`  delivered ${r.delivered}/${r.expected}; p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`);
  }

  if (opts.profileEvents > 0) {
    log(`profiling the server at ${maxSize} subscribers: ${opts.profileEvents} more events (not in the latency figures above)`);
    await rpc('profile-start');
    const r = await runPhase('broadcast', maxSize, opts.profileEvents, everyone, true);
    profile = await rpc('profile-stop', 120_000);
    results.push(r);
  }

  if (opts.filtered) {
    // Same connections, each now subscribed to one order's changes (orders spread over the demo world).
    log(`per-order scenario at ${maxSize} subscribers`);
    for (const s of slots) s.unsubscribe?.();
    await waitFor('every subscription ended', async () => (await hub()).active === 0, 30_000);
    const connOnly = await memory();
    memRows.push({ label: 'idle, connections without a subscription', subscribers: maxSize, heapUsedMB: connOnly.heapUsed / 2 ** 20, rssMB: connOnly.rss / 2 ** 20, perSubscriber: perSubscriber(base, connOnly, maxSize) });
    // Every order has subscribers once there are more subscribers than orders; below that, the orders the bench moves come first.
    const moved = new Set(info.candidates);
    const spread = [...info.candidates, ...info.orderIds.filter((o) => !moved.has(o))];
    const orderOf = (i: number): string => spread[i % spread.length]!;
    const byOrder = new Map<string, number[]>();
    slots.forEach((s, i) => {
      const o = orderOf(i);
      let list = byOrder.get(o);
      if (!list) byOrder.set(o, (list = []));
      list.push(i);
      subscribeWith(FILTERED, () => ({ orderId: o }))(s, i);
    });
    await waitFor(`${maxSize} per-order subscriptions`, async () => (await hub()).active >= maxSize, 60_000);
    const m = await memory();
    memRows.push({ label: 'idle, per-order subscriptions', subscribers: maxSize, heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, perSubscriber: perSubscriber(base, m, maxSize) });
    const r = await runPhase('per-order', maxSize, opts.events, (o) => byOrder.get(o) ?? []);
    results.push(r);
    log(`  delivered ${r.delivered}/${r.expected}; p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
  }

  // Close everything: clients, then the server.
  log('closing clients');
  closing = true;
  await Promise.all(slots.map((s) => s.client.dispose()));
  await waitFor('every socket closed', async () => (await hub()).clients === 0, 30_000);
  stopping = true;
  const exited = new Promise<void>((r) => child!.once('exit', () => r()));
  await rpc('stop', 30_000).catch(() => undefined);
  await Promise.race([exited, sleep(15_000).then(() => {
    if (child?.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  })]);

  // ---- report -----------------------------------------------------------------------------------
  const changedDuringRun = fingerprint() !== code.sourcesSha256;
  if (changedDuringRun) log('WARNING: product sources changed while the benchmark ran; the server measured the version loaded at its start');
  const measured = results.filter((r) => !r.profiled && r.scenario === 'broadcast' && r.intervalMs === opts.intervalMs);
  const at = (n: number) => measured.find((r) => r.subscribers === n);
  const top = at(maxSize)!;
  const memTop = memRows.find((r) => r.subscribers === maxSize && r.label === 'idle, broadcast subscriptions');
  const targets = {
    latency: { target: 'p99 ≤ 100 ms at 10,000 subscribers', measuredAt: maxSize, p99Ms: top.latencyMs.p99, met: maxSize >= 10_000 ? top.latencyMs.p99 <= 100 : null },
    memory: { target: '≤ 30 KB per idle subscriber', measuredAt: memTop?.subscribers ?? null, rssBytes: memTop?.perSubscriber?.rssBytes ?? null, heapBytes: memTop?.perSubscriber?.heapBytes ?? null,
      met: memTop?.perSubscriber ? memTop.perSubscriber.rssBytes <= 30 * 1024 : null },
    delivery: { target: '100% delivered', met: results.every((r) => r.delivered === r.expected) },
  };
  const cpus = os.cpus();
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown', cpus: cpus.length, memoryGB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version, ulimitN: limits?.soft ?? null,
  };
  const packages = Object.fromEntries(['graphql-ws', 'ws', '@apollo/gateway', '@apollo/server', 'graphql'].map((p) => [p, pkgVersion(p)]));
  mkdirSync(resultsDir, { recursive: true });
  const base_ = `subscriptions-${stamp}${quick ? '-quick' : ''}`;
  const resultFile = join(resultsDir, `${base_}.json`);
  const profileFile = profile ? join(resultsDir, `${base_}-profile.json`) : null;
  const serverWarnings = serverLog.filter((l) => /"level":(40|50|60)/.test(l));
  const output = {
    benchmark: 'subscriptions', date: new Date().toISOString(), command, options: opts, machine, packages, code: { ...code, changedDuringRun },
    setup: {
      server: 'child process: gateway + 5 subgraphs + in-memory bus + seeded status tracker (lifecycle simulator off), node --expose-gc --import tsx bench/subscriptionServer.ts',
      clients: 'parent process: graphql-ws createClient over ws (retryAttempts 0, lazy false); client memory is NOT in the memory figures',
      orders: info.orders, query: { broadcast: BROADCAST, perOrder: FILTERED },
      webhooks: 'signed ERP HOLD_PLACED (ALLOCATED → ON_HOLD) / HOLD_RELEASED (ON_HOLD → ALLOCATED), alternating, each on a different order',
      latency: 't1 − t0 per (subscriber, event); t0 = the webhook\'s HTTP 2xx at the parent, t1 = the subscriber\'s message at the parent',
      sharedCores: 'load generator (parent) and server (child) share the machine\'s cores',
    },
    targets, latency: results, memory: memRows, profileFile: profileFile ? relative(root, profileFile) : null,
    clientErrors, unexpectedCloses: Object.fromEntries(closeCodes), strayMessages: strays, serverLogLines, serverWarnings: serverWarnings.slice(0, 20),
  };
  writeFileSync(resultFile, `${JSON.stringify(output, null, 2)}\n`);
  if (profileFile) writeFileSync(profileFile, `${JSON.stringify({ command, subscribers: maxSize, events: opts.profileEvents, note: 'sampled (500 µs) CPU profile (node:inspector) of the server process during the profiled pass; self and inclusive time per function (inclusive: outermost frame per stack, synchronous part only), self time per package. Product files run through tsx without line mapping, so they are named by function and file only.', ...(profile as object) }, null, 2)}\n`);

  const lt = latencyTable(results);
  const bt = breakdownTable(results);
  const mt = memoryTable(memRows);
  process.stdout.write(`\nSubscriptions benchmark — ${command}\n${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, Node ${machine.node}\n\n${lt}\n\nWhere the latency goes (medians over events):\n${bt}\n\nIdle memory of the server process:\n${mt}\n\n`);
  process.stdout.write(`targets: latency ${fmtMet(targets.latency.met)} (p99 ${top.latencyMs.p99} ms at ${maxSize.toLocaleString('en-US')}); memory ${fmtMet(targets.memory.met)} (${targets.memory.rssBytes !== null ? kb(targets.memory.rssBytes) : '–'} RSS, ${targets.memory.heapBytes !== null ? kb(targets.memory.heapBytes) : '–'} heap per idle subscriber); delivery ${fmtMet(targets.delivery.met)}\n`);
  if (clientErrors.length || closeCodes.size || strays) process.stdout.write(`client errors: ${clientErrors.length}, unexpected closes: ${JSON.stringify([...closeCodes])}, stray messages: ${strays}\n`);
  if (serverWarnings.length) process.stdout.write(`server warnings: ${serverWarnings.length} (first: ${serverWarnings[0]})\n`);
  process.stdout.write(`results: ${relative(root, resultFile)}${profileFile ? `, profile summary: ${relative(root, profileFile)}` : ''}\n`);
  if (opts.writeMd) {
    if (changedDuringRun) process.stdout.write('BENCHMARKS.md left alone: the product sources changed during the run\n');
    else writeBenchmarksMd(markdownSection({ command, machine, packages, code, results, memRows, targets, profile: profile as ProfileSummary | null, resultFile, profileFile, info }));
    if (!changedDuringRun) process.stdout.write('BENCHMARKS.md: ## Subscriptions replaced\n');
  }
}

const spacedOf = (results: PhaseResult[]): PhaseResult | undefined => results.find((r) => r.scenario === 'broadcast' && !r.profiled && r.intervalMs !== opts.intervalMs);
const fmtMet = (m: boolean | null): string => (m === null ? 'not measured at the target size' : m ? 'MET' : 'MISSED');

type Row = { name: string; ms: number; pctOfBusy: number };
interface ProfileSummary { wallMs: number; idleMs: number; busyMs: number; samples: number; topSelf: Row[]; byArea: Row[]; topInclusive: Row[]; named: Record<string, { ms: number; pctOfBusy: number }> }

/** The "where the time goes" paragraph, from this run's figures only. */
function whereTimeGoes(results: PhaseResult[], prof: ProfileSummary | null): string {
  const main = results.filter((r) => r.scenario === 'broadcast' && !r.profiled && r.intervalMs === opts.intervalMs).at(-1);
  if (!main) return '';
  const n = main.subscribers.toLocaleString('en-US');
  const cpu = main.perEvent.serverCpuMs;
  const one = results.find((r) => r.scenario === 'broadcast' && r.subscribers === 1)?.perEvent.serverCpuMs;
  const capacity = 1000 / cpu;
  const offered = 1000 / main.intervalMs;
  const b = main.breakdownMs;
  const spaced = results.find((r) => r.scenario === 'broadcast' && !r.profiled && r.intervalMs !== opts.intervalMs && r.subscribers === main.subscribers);
  const parts: string[] = [];
  parts.push(`At ${n} subscribers the server process spends **${cpu} ms of CPU per status change** ` +
    `(all threads, GC included; ≈ ${Math.round((cpu * 1000) / main.subscribers)} µs per subscriber${one !== undefined ? `; ${one} ms with one subscriber` : ''}). ` +
    `Ingest, tracker and fan-out share one event loop, so it sustains about ${capacity.toFixed(1)} changes/s ` +
    (capacity < offered && (b?.t0ToPublished ?? 0) > 50
      ? `— less than the ${offered} changes/s offered: changes queue behind each other's fan-out, and most of the latency above is that backlog`
      : capacity < offered * 1.5
        ? `against the ${offered} changes/s offered: close to saturation`
        : `against the ${offered} changes/s offered`) +
    (b ? ` (medians: 2xx → change published ${b.t0ToPublished} ms${b.t0ToPublished > 50 ? ', the tracker\'s re-read waiting behind earlier fan-outs' : ''}; published → last frame written ${b.publishedToLastFrame} ms).` : '.'));
  if (spaced?.breakdownMs) {
    const sb = spaced.breakdownMs;
    parts.push(`With changes ${spaced.intervalMs / 1000} s apart (no backlog) p99 is ${spaced.latencyMs.p99} ms: ` +
      `the tracker publishes the change ${sb.t0ToPublished} ms after the 2xx; ${sb.publishedToFirstFrame} ms later the first frame is written ` +
      `(the subscription event executed and its \`order\` resolved through the graph), and ${round(sb.publishedToLastFrame - sb.publishedToFirstFrame)} ms after that the last of ` +
      `${sb.framesPerEvent.toLocaleString('en-US')}.`);
  }
  if (b) {
    const clientShare = b.lastFrameToLastReceived / Math.max(1, main.latencyMs.p50);
    parts.push(`The last frame reaches the last client ${b.lastFrameToLastReceived} ms (median) after the server wrote it, with ${main.perEvent.clientCpuMs} ms of client CPU per change` +
      (clientShare < 0.1 ? ': the load generator is not what limits the latency.' : ': a noticeable part of the latency is on the client side (same machine).'));
  }
  parts.push(`The subgraph side does not grow with subscribers: ${main.perEvent.payloadExecutions} payload execution${main.perEvent.payloadExecutions === 1 ? '' : 's'} and ${main.perEvent.subgraphCalls} subgraph calls per change at ${n} subscribers (${results[0]?.perEvent.subgraphCalls} with one).`);
  if (prof) {
    const g = (k: string): number => prof.named[k]?.pctOfBusy ?? 0;
    const gcPct = prof.byArea.find((r) => r.name === '(garbage collector)')?.pctOfBusy ?? 0;
    const areas = prof.byArea.filter((r) => r.name !== '(garbage collector)').slice(0, 4).map((r) => `${r.name} ${r.pctOfBusy}%`).join(', ');
    const named: [string, string][] = [
      ['graphqlExecutePerSubscriber', 'graphql execution of subscription events (`mapSourceToResponse`)'],
      ['payloadResolve', '`OrderPayloads.resolve`'],
      ['payloadOrderQuery', '`orderQuery` (inside it)'],
      ['wsSend', 'writing frames (`ws` send → one `writev` per socket)'],
      ['graphqlWsSerialize', 'graphql-ws `stringifyMessage` (one JSON text per subscriber)'],
      ['hubDispatch', "the hub's dispatch"],
    ];
    const inclusive = named.filter(([k]) => g(k) >= 0.5).map(([k, what]) => `${what} ${g(k)}%`).join('; ');
    const bench = prof.byArea.find((r) => r.name === 'product: bench/subscriptionServer.ts')?.pctOfBusy;
    parts.push(`In the CPU profile of the profiled pass (share of the server's busy time): garbage collection ${gcPct}%; self time by package ${areas}. ` +
      `Inclusive: ${inclusive}.` +
      (bench !== undefined ? ` The benchmark's own frame-timestamping wrapper around \`ws\` send costs ${bench}% (self).` : '') +
      ` The profiler does not attribute garbage collection to callers` +
      (one !== undefined ? `; with one subscriber a whole change costs 1/${Math.round(cpu / one)} of the CPU it costs at ${n}, so nearly all of it comes with the per-subscriber work.` : '.'));
  }
  return parts.join(' ');
}

function markdownSection(a: {
  command: string; machine: Record<string, unknown>; packages: Record<string, string>; code: ReturnType<typeof codeState>; results: PhaseResult[]; memRows: MemRow[];
  targets: { latency: { p99Ms: number; met: boolean | null; measuredAt: number }; memory: { rssBytes: number | null; heapBytes: number | null; met: boolean | null; measuredAt: number | null }; delivery: { met: boolean } };
  profile: ProfileSummary | null; resultFile: string; profileFile: string | null; info: Ready;
}): string {
  const m = a.machine;
  const t = a.targets;
  const prof = a.profile;
  const profRows = prof ? prof.topSelf.slice(0, 12).map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`).join('\n') : '';
  const areaRows = prof ? prof.byArea.slice(0, 10).map((r) => `| ${r.name} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`).join('\n') : '';
  const inclRows = prof ? prof.topInclusive.slice(0, 12).map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`).join('\n') : '';
  return `## Subscriptions

The change path of issue #3, measured end to end: a signed ERP webhook accepted by the ERP
subgraph's \`/ingest\` → source event on the bus → status tracker re-reads the status through the
graph → \`order.status_changed\` → gateway event hub → every \`orderStatusChanged\` subscriber over
graphql-ws. Produced by:

\`\`\`sh
${a.command}
\`\`\`

- Code: commit \`${a.code.commit?.slice(0, 12) ?? 'unknown'}\`${a.code.uncommittedProductFiles?.length ? ` **plus uncommitted changes** to ${a.code.uncommittedProductFiles.map((f) => `\`${f}\``).join(', ')}` : ', no uncommitted product changes'}.
- Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}; graphql-ws ${a.packages['graphql-ws']}, ws ${a.packages.ws}, @apollo/gateway ${a.packages['@apollo/gateway']}.
- Server (measured): a child process — gateway, five subgraphs, in-memory bus, seeded status tracker,
  lifecycle simulator off, ${a.info.orders.toLocaleString('en-US')} demo orders. Clients: the parent process (graphql-ws \`createClient\`
  over \`ws\`). **The load generator and the server share the ${m.cpus} cores**, so every client-side
  cost (receiving and parsing ${a.results.at(-1)?.subscribers.toLocaleString('en-US')} frames per event) is inside the latency.
- Every broadcast subscriber runs \`${BROADCAST}\` (no filter: every subscriber gets every change,
  the worst case). Webhooks alternate HOLD_PLACED / HOLD_RELEASED on ALLOCATED orders, one every
  ${a.results[0]?.intervalMs} ms, each on a different order. Latency = t1 − t0 per (subscriber, event): t0 = the
  webhook's HTTP 2xx at the parent, t1 = that subscriber's message at the parent. The webhook's own
  round trip (it grows under load: ingest shares the server's event loop) is before t0, shown in
  the breakdown below.
- Raw figures: \`${relative(root, a.resultFile)}\`${a.profileFile ? `; CPU profile summary: \`${relative(root, a.profileFile)}\`` : ''}.

### Latency, webhook accepted → subscriber received

${latencyTable(a.results)}

"Subgraph calls / event" is the sum of \`sim.callCount()\` over the five simulated systems: the
tracker's status read plus the payload's \`order { number status }\`. "Payload executions" counts
gateway executions of the subscribers' \`order\` selection (\`payloads.executions\`). The profiled row
ran with the sampling profiler attached and is not used for the targets.

Where the latency goes (medians over events; server timestamps from the child, same machine clock):

${breakdownTable(a.results)}

### Idle memory of the server per subscriber

After \`global.gc()\` in the server process; per subscriber = (state − idle, no client) / subscribers.
Client-side memory is excluded (the clients are in the other process).

${memoryTable(a.memRows)}

### Targets

| target | measured | met? |
|---|---|---|
| p99 ≤ 100 ms at 10,000 subscribers | p99 ${t.latency.p99Ms} ms at ${t.latency.measuredAt.toLocaleString('en-US')}, one change every ${a.results[0]?.intervalMs} ms${spacedOf(a.results) ? `; ${spacedOf(a.results)!.latencyMs.p99} ms with one change every ${spacedOf(a.results)!.intervalMs / 1000} s` : ''} | ${fmtMet(t.latency.met)} |
| ≤ 30 KB per idle subscriber | ${t.memory.rssBytes !== null ? `${kb(t.memory.rssBytes)} RSS (${kb(t.memory.heapBytes!)} heap)` : '–'} at ${t.memory.measuredAt?.toLocaleString('en-US') ?? '–'} | ${fmtMet(t.memory.met)} (judged on RSS) |
| every change delivered to every subscriber | ${a.results.map((r) => `${r.deliveredPct}%`).join(', ')} | ${fmtMet(t.delivery.met)} |

### Where the time goes

${whereTimeGoes(a.results, prof)}

${prof ? `CPU profile (sampled, node:inspector) of the server process during the profiled pass (${a.results.find((r) => r.profiled)?.events} events at ${a.results.find((r) => r.profiled)?.subscribers.toLocaleString('en-US')} subscribers;
${prof.busyMs} ms busy of ${prof.wallMs} ms wall). Self time by package:

| package / area | self ms | % of busy |
|---|---:|---:|
${areaRows}

Top functions by self time:

| function | self ms | % of busy |
|---|---:|---:|
${profRows}

Top functions by inclusive time:

| function | total ms | % of busy |
|---|---:|---:|
${inclRows}
` : 'No profile in this run.'}
`;
}

process.on('SIGINT', () => fail('interrupted'));
main().catch((err: unknown) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
