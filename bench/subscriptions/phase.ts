/**
 * One measured phase: N subscribers, a sequence of changes one every `intervalMs`, and for each
 * (subscriber, change) the time from the webhook's 2xx (t0) to the subscriber's message (t1), with
 * the server's own timestamps for where the time went.
 */
import type { HoldWebhooks } from './holds.js';
import { epochOf, median, now, percentile, round, sleep } from './numbers.js';
import type { Counters, ServerProcess, TraceChange } from './server.js';
import type { Subscribers } from './subscribers.js';

export interface LatencyStats {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  min: number;
}

export interface PhaseResult {
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
  perEvent: {
    payloadExecutions: number;
    subgraphCalls: number;
    subgraphCallsBySystem: Record<string, number>;
    statusChangesPublished: number;
    /** Tracker reads deferred because the order could not be seen (e.g. the ERP's rate limit); null when not counted. */
    trackerReadsDeferred: number | null;
    serverCpuMs: number;
    clientCpuMs: number;
  };
  /** Medians over events, from timestamps taken in both processes (same machine clock). */
  breakdownMs: {
    t0ToPublished: number;
    /** The 99th percentile of webhook 2xx → change published (the rest are medians). */
    t0ToPublishedP99: number;
    publishedToFirstFrame: number;
    publishedToLastFrame: number;
    lastFrameToLastReceived: number;
    framesPerEvent: number;
  } | null;
  /** The server at the end of the phase: hub listeners, sockets, running subscriptions and distinct executions started (when the gateway counts them). */
  server: {
    hubListeners: number;
    sockets: number;
    subscriptions: number | null;
    subscriptionExecutionsStarted: number | null;
  };
  /** Per event, ms relative to its t0 (negative = before the 2xx reached the parent). */
  timeline: {
    k: number;
    orderId: string;
    status: string;
    sentAt: number;
    sourceOnBus: number | null;
    published: number | null;
    firstFrame: number | null;
    lastFrame: number | null;
    lastReceived: number | null;
    frames: number;
    received: number;
    expected: number;
  }[];
}

/** What a phase needs from the run. */
export interface PhaseContext {
  server: ServerProcess;
  subscribers: Subscribers;
  holds: HoldWebhooks;
  /** How long to wait for every delivery. */
  drainTimeoutMs: number;
}

export interface PhaseSpec {
  scenario: PhaseResult['scenario'];
  /** Subscribers connected (for the report). */
  subscribers: number;
  events: number;
  intervalMs: number;
  /** Which subscriber indexes must receive a change of `orderId`. */
  expectedFor: (orderId: string) => number[];
  profiled?: boolean;
}

/** One change in flight: who must receive it and when each did (NaN: not yet). */
interface Ev {
  k: number;
  orderId: string;
  placed: boolean;
  status: 'ON_HOLD' | 'ALLOCATED';
  sentAt: number;
  t0: number;
  recv: Float64Array;
  count: number;
  expected: number[];
}

/** What the subscribers' messages looked like during the phase. */
interface Tally {
  byKey: Map<string, Ev>;
  unexpected: number;
  duplicates: number;
  orderMismatch: number;
  errors: number;
}

function stats(xs: Float64Array): LatencyStats {
  const s = xs.slice().sort();
  let sum = 0;
  for (const x of s) sum += x;
  return {
    samples: s.length,
    min: round(s[0] ?? Number.NaN),
    p50: round(percentile(s, 0.5)),
    p90: round(percentile(s, 0.9)),
    p99: round(percentile(s, 0.99)),
    max: round(s.at(-1) ?? Number.NaN),
    mean: round(sum / s.length),
  };
}

/** The latest time any expected subscriber received `ev`, or -Infinity. */
function lastReceived(ev: Ev): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const i of ev.expected) if (!Number.isNaN(ev.recv[i]!) && ev.recv[i]! > last) last = ev.recv[i]!;
  return last;
}

/** Sends the phase's changes, waits for their deliveries, and measures. */
export async function runPhase(ctx: PhaseContext, spec: PhaseSpec): Promise<PhaseResult> {
  const { server, subscribers, holds } = ctx;
  const { scenario, events, intervalMs, profiled = false } = spec;
  const changes = Array.from({ length: events }, (_, k) => holds.next(k));
  const tally: Tally = { byKey: new Map(), unexpected: 0, duplicates: 0, orderMismatch: 0, errors: 0 };
  const evs: Ev[] = changes.map(({ orderId, placed }, k) => {
    const status = placed ? ('ON_HOLD' as const) : ('ALLOCATED' as const);
    const recv = new Float64Array(subscribers.slots.length).fill(Number.NaN);
    const ev: Ev = {
      k,
      orderId,
      placed,
      status,
      sentAt: Number.NaN,
      t0: Number.NaN,
      recv,
      count: 0,
      expected: spec.expectedFor(orderId),
    };
    tally.byKey.set(`${orderId}|${status}`, ev);
    return ev;
  });
  await server.rpc('trace'); // forget what came before
  const before = await server.rpc<Counters>('counters');
  const clientCpu0 = process.cpuUsage();
  subscribers.listen((i, m) => {
    const t = now();
    const data = m.data as
      | { orderStatusChanged?: { orderId: string; status: string; order: { status: string } | null } }
      | undefined;
    const c = data?.orderStatusChanged;
    if (!c) {
      tally.errors++;
      return;
    }
    const ev = tally.byKey.get(`${c.orderId}|${c.status}`);
    if (!ev) {
      tally.unexpected++;
      return;
    }
    if (!Number.isNaN(ev.recv[i]!)) {
      tally.duplicates++;
      return;
    }
    ev.recv[i] = t;
    ev.count++;
    if (c.order?.status !== c.status) tally.orderMismatch++;
  });
  const t = now();
  const posts: Promise<void>[] = [];
  for (const ev of evs) {
    const wait = t + ev.k * intervalMs - now();
    if (wait > 0) await sleep(wait);
    posts.push(
      holds.post(ev.orderId, ev.placed).then((r) => {
        ev.sentAt = r.sentAt;
        ev.t0 = r.t0;
      }),
    );
  }
  await Promise.all(posts);
  const deadline = now() + ctx.drainTimeoutMs;
  const done = (): boolean => evs.every((ev) => ev.count >= ev.expected.length);
  while (!done() && now() < deadline) await sleep(20);
  await sleep(200); // late duplicates or strays would show up now
  subscribers.listen(undefined);
  const clientCpu = process.cpuUsage(clientCpu0);
  const after = await server.rpc<Counters>('counters');
  const trace = await server.rpc<{ changes: TraceChange[]; sources: Record<string, number> }>('trace');
  const hub = await server.hub();

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
    for (const i of ev.expected) {
      const r = ev.recv[i]!;
      if (!Number.isNaN(r)) lat[j++] = r - ev.t0;
    }
    if (ev.count >= ev.expected.length && ev.expected.length > 0) lastPerEvent.push(lastReceived(ev) - ev.t0);
  }
  const byChange = new Map(trace.changes.map((c) => [`${c.orderId}|${c.status}`, c]));
  const b = {
    t0ToPublished: [] as number[],
    publishedToFirstFrame: [] as number[],
    publishedToLastFrame: [] as number[],
    lastFrameToLastReceived: [] as number[],
    frames: [] as number[],
  };
  for (const ev of evs) {
    const c = byChange.get(`${ev.orderId}|${ev.status}`);
    if (!c) continue;
    b.t0ToPublished.push(c.at - epochOf(ev.t0));
    if (c.sends) {
      b.publishedToFirstFrame.push(c.sends.first - c.at);
      b.publishedToLastFrame.push(c.sends.last - c.at);
      b.frames.push(c.sends.count);
      const last = lastReceived(ev);
      if (Number.isFinite(last)) b.lastFrameToLastReceived.push(epochOf(last) - c.sends.last);
    }
  }
  const per = (a: number, z: number): number => round((z - a) / events, 2);
  const timeline = evs.map((ev) => {
    const c = byChange.get(`${ev.orderId}|${ev.status}`);
    const t0e = epochOf(ev.t0);
    const rel = (x: number | undefined | null): number | null =>
      x === undefined || x === null || !Number.isFinite(x) ? null : round(x - t0e);
    const last = lastReceived(ev);
    return {
      k: ev.k,
      orderId: ev.orderId,
      status: ev.status,
      sentAt: round(ev.sentAt - ev.t0),
      sourceOnBus: rel(trace.sources[`${ev.orderId}|${ev.placed ? 'order.hold_placed' : 'order.hold_released'}`]),
      published: rel(c?.at),
      firstFrame: rel(c?.sends?.first),
      lastFrame: rel(c?.sends?.last),
      lastReceived: Number.isFinite(last) ? round(last - ev.t0) : null,
      frames: c?.sends?.count ?? 0,
      received: ev.count,
      expected: ev.expected.length,
    };
  });
  const rtts = evs.map((ev) => ev.t0 - ev.sentAt);
  return {
    scenario,
    subscribers: spec.subscribers,
    events,
    intervalMs,
    profiled,
    delivered,
    expected,
    deliveredPct: round((delivered / expected) * 100, 3),
    unexpected: tally.unexpected,
    duplicates: tally.duplicates,
    errors: tally.errors,
    orderPayloadMismatch: tally.orderMismatch,
    latencyMs: stats(lat),
    timeToLastSubscriberMs: { p50: round(median(lastPerEvent)), max: round(Math.max(...lastPerEvent)) },
    webhookRoundTripMs: { p50: round(median(rtts)), max: round(Math.max(...rtts)) },
    perEvent: {
      payloadExecutions: per(before.executions, after.executions),
      subgraphCalls: per(before.callsTotal, after.callsTotal),
      subgraphCallsBySystem: Object.fromEntries(
        Object.keys(after.calls).map((s) => [s, per(before.calls[s]!, after.calls[s]!)]),
      ),
      statusChangesPublished: per(before.published, after.published),
      trackerReadsDeferred: before.unseen === null || after.unseen === null ? null : per(before.unseen, after.unseen),
      serverCpuMs: round((after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / events, 1),
      clientCpuMs: round((clientCpu.user + clientCpu.system) / 1000 / events, 1),
    },
    breakdownMs: b.t0ToPublished.length
      ? {
          t0ToPublished: round(median(b.t0ToPublished)),
          t0ToPublishedP99: round(
            percentile(
              [...b.t0ToPublished].sort((x, y) => x - y),
              0.99,
            ),
          ),
          publishedToFirstFrame: round(median(b.publishedToFirstFrame)),
          publishedToLastFrame: round(median(b.publishedToLastFrame)),
          lastFrameToLastReceived: round(median(b.lastFrameToLastReceived)),
          framesPerEvent: round(median(b.frames), 0),
        }
      : null,
    server: {
      hubListeners: hub.hub,
      sockets: hub.clients,
      subscriptions: hub.subscribers,
      subscriptionExecutionsStarted: hub.executions,
    },
    timeline,
  };
}
