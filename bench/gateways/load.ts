/**
 * The load generator of `bench/gateways.ts`: a child process of its own (pinned away from the
 * target gateway), driven over IPC. It builds the workload (bench/gateways/workload.ts), mints the
 * credentials before any run, and then
 * - `run`: fixed concurrency with autocannon 9 (one request per connection at a time, bodies and
 *   credentials from the workload sequence, in order, wrapping when exhausted);
 * - `rate`: a fixed arrival rate with its own keep-alive node:http loop (latency from each request's
 *   scheduled time, so a slow server cannot hide queueing), each response classified by whether
 *   its order (or customer) was read successfully from this target before.
 * Every 200 response body is kept (first per request body, bounded) for the bare node:http ceiling.
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { OPS, Workload, type Op, type Sequence, type WorkloadOptions } from './workload.js';
import { serveIpc, type IpcRequest } from '../common.js';

const send = (msg: unknown): void => void process.send?.(msg);
if (!process.send) {
  console.error('bench/gateways/load.ts: started without IPC; run `npm run bench` instead');
  process.exit(2);
}

interface AutocannonResult {
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; p99_9: number; max: number; mean: number; min: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
type AutocannonFn = (opts: Record<string, unknown>) => Promise<AutocannonResult> & { stop?: () => void };

let w: Workload;
let autocannon: AutocannonFn | undefined;
/** autocannon, from bench/node_modules (the bench package), not the product's: loaded by the first `run`
 * only, so the fixed-rate loop (`rate`, bench/workers.ts) needs no `cd bench && npm install`. */
async function loadAutocannon(): Promise<AutocannonFn> {
  const spec = 'autocannon';
  autocannon ??= ((await import(spec)) as { default: AutocannonFn }).default;
  return autocannon;
}
/** Subjects (orders, customers) this target answered without errors; reset per target. */
let seenOk = new Set<string>();
const recorded = new Map<string, string>();
const fallback: Partial<Record<Op, string>> = {};
let maxRecorded = 100_000;

function sequenceOf(name: string): Sequence {
  if (name === 'main') return w.main;
  if (name === 'warm') return w.warm;
  if (name === 'hot') return w.hot;
  throw new Error(`unknown sequence ${name}`);
}

/** What every run counts beyond autocannon's own figures. */
function tallies() {
  return {
    ok: 0,
    graphqlErrors: 0,
    non200: 0,
    freshnessMarked: 0,
    byOp: Object.fromEntries(OPS.map((o) => [o, 0])) as Record<Op, number>,
    errorCodes: {} as Record<string, number>,
    errorSamples: [] as string[],
    /** Error bodies parsed for their codes (the first 2,000; parsing every one would load the load generator). */
    errorsParsed: 0,
  };
}
type Tallies = ReturnType<typeof tallies>;

function errorCodes(t: Tallies, status: number, body: string): void {
  let codes: string[] = [];
  try {
    const j = JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    codes = (j.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
    if (t.errorSamples.length < 5) {
      const msg = `HTTP ${status}: ${(j.errors ?? [])
        .slice(0, 2)
        .map((e) => `${e.extensions?.code ?? ''} ${e.message ?? ''}`.trim())
        .join(' | ')}`.slice(0, 300);
      if (!t.errorSamples.includes(msg)) t.errorSamples.push(msg);
    }
  } catch {
    codes = [`HTTP_${status}_NOT_JSON`];
    if (t.errorSamples.length < 5) t.errorSamples.push(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
  for (const c of new Set(codes)) t.errorCodes[c] = (t.errorCodes[c] ?? 0) + 1;
}

/** Classifies one response into `t`; true when it is a success (200, no `errors`). */
function tally(t: Tallies, op: Op, status: number, body: string, requestBody: string, record: boolean): boolean {
  t.byOp[op]++;
  const hasErrors = body.includes('"errors"');
  if (body.includes('"freshness"')) t.freshnessMarked++;
  if (status !== 200) t.non200++;
  else if (hasErrors) t.graphqlErrors++;
  if (status !== 200 || hasErrors) {
    if (t.errorsParsed++ < 2000) errorCodes(t, status, body);
    return false;
  }
  t.ok++;
  if (record) {
    fallback[op] ??= body;
    if (recorded.size < maxRecorded && !recorded.has(requestBody)) recorded.set(requestBody, body);
  }
  return true;
}

async function run(a: {
  url: string;
  sequence: string;
  connections: number;
  durationS: number;
  record?: boolean;
  startAt?: number;
}) {
  const seq = sequenceOf(a.sequence);
  const len = seq.ops.length;
  const path = new URL(a.url).pathname;
  let cursor = a.startAt ?? 0;
  const t = tallies();
  const record = a.record !== false;
  const cpu0 = process.cpuUsage();
  const result = await (await loadAutocannon())({
    url: a.url,
    connections: a.connections,
    pipelining: 1,
    duration: a.durationS,
    timeout: 10,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, ctx: Record<string, unknown>) => {
          const i = cursor++ % len;
          const body = w.body(seq, i);
          ctx.i = i;
          ctx.body = body;
          return {
            ...req,
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json', authorization: w.authorization(seq, i) },
            body,
          };
        },
        onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
          const i = ctx.i as number;
          if (tally(t, w.op(seq, i), status, body, ctx.body as string, record)) seenOk.add(w.subject(seq, i));
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    sent: cursor - (a.startAt ?? 0),
    durationS: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      p99_9: result.latency.p99_9,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
    ...t,
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
    wrapped: cursor - (a.startAt ?? 0) > len,
  };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Fixed arrival rate for `durationS`; each response classified as "read before" (its subject was
 * answered OK earlier on this target) or "new". Requests still unanswered `graceS` after the last
 * one was due are abandoned and counted as unfinished (the server could not keep up).
 */
async function rate(a: {
  url: string;
  sequence: string;
  rate: number;
  durationS: number;
  graceS?: number;
  maxSockets: number;
  startAt?: number;
}) {
  const seq = sequenceOf(a.sequence);
  const len = seq.ops.length;
  const u = new URL(a.url);
  const agent = new Agent({ keepAlive: true, maxSockets: a.maxSockets });
  const classes = { readBefore: tallies(), new: tallies() };
  const statusByClass = { readBefore: {} as Record<string, number>, new: {} as Record<string, number> };
  const unfinished = { readBefore: 0, new: 0 };
  const before = new Set(seenOk);
  const lat: number[] = [];
  const open = new Map<ReturnType<typeof request>, 'readBefore' | 'new'>();
  let sent = 0;
  let done = 0;
  let failed = 0;
  const total = Math.round(a.rate * a.durationS);
  const t0 = performance.now() + 20;
  const cpu0 = process.cpuUsage();
  let abandoning = false;
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      if (sent === total && open.size === 0) resolve();
    };
    const fire = (k: number): void => {
      const i = ((a.startAt ?? 0) + k) % len;
      const body = w.body(seq, i);
      const op = w.op(seq, i);
      const subject = w.subject(seq, i);
      const cls = before.has(subject) ? 'readBefore' : 'new';
      const scheduled = t0 + (k * 1000) / a.rate;
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            authorization: w.authorization(seq, i),
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (!open.delete(req)) return;
            lat.push(performance.now() - scheduled);
            const status = res.statusCode ?? 0;
            statusByClass[cls][status] = (statusByClass[cls][status] ?? 0) + 1;
            if (tally(classes[cls], op, status, Buffer.concat(chunks).toString('utf8'), body, false))
              seenOk.add(subject);
            done++;
            finish();
          });
          res.on('error', () => undefined);
        },
      );
      open.set(req, cls);
      req.on('error', (err) => {
        if (!open.delete(req)) return;
        if (!abandoning) {
          failed++;
          const t = classes[cls];
          if (t.errorSamples.length < 5) t.errorSamples.push(`connection: ${err.message}`);
        }
        finish();
      });
      req.end(body);
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * a.rate) / 1000) + 1);
      while (sent < due) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
      else {
        setTimeout(
          () => {
            // Abandon what is still open: counted as unfinished, per class.
            abandoning = true;
            for (const [req, cls] of [...open]) {
              unfinished[cls]++;
              open.delete(req);
              req.destroy();
            }
            resolve();
          },
          (a.graceS ?? 2) * 1000,
        ).unref();
      }
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(lat).sort();
  const wall = (performance.now() - t0) / 1000;
  return {
    offeredRps: a.rate,
    durationS: a.durationS,
    wallS: wall,
    requests: total,
    completed: done,
    connectionErrors: failed,
    unfinished,
    achievedRps: done / wall,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
    },
    classes: {
      readBefore: { ...classes.readBefore, statusCodes: statusByClass.readBefore, unfinished: unfinished.readBefore },
      new: { ...classes.new, statusCodes: statusByClass.new, unfinished: unfinished.new },
    },
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

type Request = IpcRequest;
async function handle(req: Request): Promise<unknown> {
  const a = (req.args ?? {}) as Record<string, unknown>;
  switch (req.cmd) {
    case 'prepare': {
      if (a.autocannon !== false) await loadAutocannon();
      maxRecorded = Number(a.maxRecorded ?? maxRecorded);
      const t = performance.now();
      w = new Workload(String(a.root), a.workload as WorkloadOptions);
      const builtMs = Math.round(performance.now() - t);
      await w.mintCredentials();
      return {
        builtMs,
        orders: w.orderIds.length,
        customers: w.customerIds.length,
        ...w.stats,
        lengths: { main: w.main.ops.length, warm: w.warm.ops.length, hot: w.hot.ops.length },
      };
    }
    case 'samples': {
      // The first `perOp` requests of each operation in the measured sequence (with their credentials).
      const perOp = Number(a.perOp ?? 10);
      const out: { op: Op; body: string; authorization: string }[] = [];
      const count: Record<string, number> = {};
      for (let i = 0; i < w.main.ops.length && out.length < perOp * OPS.length; i++) {
        const op = w.op(w.main, i);
        if ((count[op] ?? 0) >= perOp) continue;
        count[op] = (count[op] ?? 0) + 1;
        out.push({ op, body: w.body(w.main, i), authorization: w.authorization(w.main, i) });
      }
      return out;
    }
    case 'reset-seen':
      seenOk = new Set();
      return null;
    case 'run':
      return run(a as Parameters<typeof run>[0]);
    case 'rate':
      return rate(a as Parameters<typeof rate>[0]);
    case 'dump': {
      // For the bare node:http ceiling: every recorded response, keyed by the exact request body.
      writeFileSync(String(a.path), JSON.stringify({ entries: [...recorded], fallback }));
      return { entries: recorded.size, fallbackOps: Object.keys(fallback) };
    }
    case 'stop':
      setTimeout(() => process.exit(0), 20);
      return null;
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serveIpc(handle);
send({ type: 'ready', pid: process.pid });
