/**
 * The lifecycle simulator of the embedded mode (ARCHITECTURE.md, "Two ways to run"): moves demo
 * orders through their life by sending each system's own signed webhooks to the subgraphs'
 * `POST /ingest` over real HTTP — the same path a real system's notification takes. It reads where
 * each order stands from the shared demo records (which ingest changes in place) and sends the
 * next natural step: accept → allocate → release → pick → pack → ship → scans → delivered →
 * sometimes a return → refund; now and then a hold, a failed payment, a cancellation, a new order.
 * With `graph`, part of the returns are requested as the storefront and the agent console do —
 * the `requestReturn` mutation through the gateway — and then follow the same webhooks.
 */
import { Agent, request } from 'node:http';
import { Rng } from '../../demo/index.js';
import type { DemoData, SystemName } from '../../demo/records.js';
import type { Logger } from '../../runtime/logger.js';
import type { ExceptionSlas } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { Planner, type ReturnRequest, type Send } from './planner.js';
import { View } from './view.js';

const MINUTE = 60_000;
/** How long {@link Lifecycle.stop} lets webhooks already sent finish before aborting them. */
const STOP_GRACE_MS = 5_000;

/**
 * The exception SLAs `npm start` runs with while the simulator moves orders (each still set by its
 * `SLA_*` variable): minutes instead of hours and days, so the time-based exceptions show within a
 * demo — a return waiting in one state (STUCK_RETURN), refunds that disagree (REFUND_MISMATCH) —
 * swept every 15 s. UNCONFIRMED_SHIPMENT, DELAYED_UPDATE and DELIVERY_OVERDUE keep theirs: the
 * engine knows an order only from the events it saw, so every demo parcel seeded before the start
 * and scanned since would look unconfirmed within minutes, and the simulator leaves most orders
 * alone longer than any short silence.
 */
export const LIFECYCLE_SLAS: Readonly<Partial<ExceptionSlas>> = {
  stuckReturnMs: 15 * MINUTE,
  refundMismatchMs: 10 * MINUTE,
  sweepIntervalMs: 15_000,
};

/** Options of {@link startLifecycle}. */
export interface LifecycleOptions {
  /** The demo world the embedded simulators serve (ingest changes it in place; read to choose each step). */
  data: DemoData;
  /** Each system's ingest URL, e.g. `http://127.0.0.1:4004/ingest`. */
  ingest: Record<SystemName, string>;
  /** The webhook secret the subgraphs verify (docs/ingest.md), or one per system. */
  secret: string | Readonly<Record<SystemName, string>>;
  /** Order changes started per second (each is one to four webhooks). @default 1 */
  ratePerSecond?: number;
  /** Seed of every choice (which order, which step); timing may still vary. @default 7 */
  seed?: number;
  /** Share of changes that place a brand-new order. @default 0.1 */
  newOrderShare?: number;
  /**
   * Share of shipped orders that run into trouble once — a late hold, a cancellation after
   * shipment, a return received before delivery — so the business exceptions have something to
   * show (docs/operations.md). @default 0.1
   */
  troubleShare?: number;
  /** Changes in flight at once; each sends its webhooks one after another. @default 4 */
  maxInFlight?: number;
  /** Chance a delivered order gets one return (once per order). @default 0.3 */
  returnShare?: number;
  /**
   * The gateway, for returns requested through `requestReturn` (docs/returns.md) — as the order's
   * customer (storefront) or as an agent (salesforce, naming the agent in `x-acting-user`) — rather
   * than opened by the returns desk's own `return.requested` webhook. Absent: every return opens
   * with the webhook.
   */
  graph?: LifecycleGraph;
  logger?: Logger;
}

/** Where and as whom the simulator requests returns through the graph. */
export interface LifecycleGraph {
  /** The gateway's GraphQL URL. */
  url: string;
  /** The credential header(s) of a consumer: the storefront one for `customerId`, or the salesforce one. */
  credential(
    who: { consumer: 'storefront'; customerId: string } | { consumer: 'salesforce' },
  ): Promise<Record<string, string>>;
  /** Share of the returns requested through the graph. @default 0.5 */
  share?: number;
}

const REQUEST_RETURN =
  'mutation LifecycleRequestReturn($input: RequestReturnInput!) { requestReturn(input: $input) { result userErrors { code } return { id } } }';

/**
 * One change the runner sends: the order it concerns, its webhooks, and whether it creates that
 * order (a new order joins the working set only once the create was acknowledged).
 */
interface Change {
  id: string;
  sends: Send[];
  creates: boolean;
}

/** A running simulator. */
export interface Lifecycle {
  /**
   * Stops: no new change starts and no further step of a change is sent; webhooks already sent may
   * finish (up to 5 s, then they are aborted), so every webhook a system applied was acknowledged.
   * No timer is left. Idempotent.
   * Nothing else ends the simulator: a refused or unreachable webhook, or a failure while planning a
   * step, is logged, counted in `failed` and the change is retried later or forgotten.
   */
  stop(): Promise<void>;
  /** Webhooks acknowledged with 2xx (`sent`) and refused or unreachable (`failed`) so far. */
  stats(): { sent: number; failed: number };
}

/** Starts the simulator; it runs until {@link Lifecycle.stop}. */
export function startLifecycle(opts: LifecycleOptions): Lifecycle {
  const rate = opts.ratePerSecond ?? 1;
  const share = opts.newOrderShare ?? 0.1;
  const maxInFlight = opts.maxInFlight ?? 4;
  if (!(rate > 0 && rate <= 1000))
    throw new RangeError(`ratePerSecond must be a number above 0 and at most 1000; received ${rate}`);
  if (!(share >= 0 && share <= 1)) throw new RangeError(`newOrderShare must be from 0 to 1; received ${share}`);
  const trouble = opts.troubleShare ?? 0.1;
  if (!(trouble >= 0 && trouble <= 1)) throw new RangeError(`troubleShare must be from 0 to 1; received ${trouble}`);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 64)
    throw new RangeError(`maxInFlight must be an integer from 1 to 64; received ${maxInFlight}`);
  for (const [name, v] of [
    ['returnShare', opts.returnShare],
    ['graph.share', opts.graph?.share],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${name} must be from 0 to 1; received ${v}`);
  }
  return new Runner(opts, rate, share, maxInFlight);
}

class Runner implements Lifecycle {
  private readonly rng: Rng;
  private readonly view: View;
  private readonly planner: Planner;
  private readonly agent: Agent;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly running = new Set<Promise<void>>();
  private readonly busy = new Set<string>();
  /** Orders at rest: no step left, or three changes that failed. */
  private readonly atRest = new Set<string>();
  private readonly failures = new Map<string, number>();
  private active: string[] = [];
  private readonly t0 = performance.now();
  private launched = 0;
  private sent = 0;
  private failed = 0;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly opts: LifecycleOptions,
    private readonly rate: number,
    private readonly share: number,
    private readonly maxInFlight: number,
  ) {
    this.rng = new Rng(opts.seed ?? 7, 11);
    this.view = new View(opts.data);
    this.planner = new Planner(
      opts.data,
      this.view,
      this.rng,
      this.t0,
      opts.returnShare ?? 0.3,
      opts.graph ? (opts.graph.share ?? 0.5) : 0,
      opts.troubleShare ?? 0.1,
    );
    this.agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(250, Math.floor(1000 / rate))));
  }

  stats() {
    return { sent: this.sent, failed: this.failed };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      // Webhooks already sent are let finish (a change's later steps are not sent), so what the
      // systems applied is also what they acknowledged; only sends still hanging after the grace
      // period are aborted.
      const settled = Promise.allSettled([...this.running]);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise<void>((r) => (grace = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(grace);
      this.abort.abort();
      await settled;
      this.agent.destroy();
    })();
    return this.stopping;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.t0) * this.rate) / 1000) + 1;
    if (due - this.launched > this.rate) this.launched = due - Math.ceil(this.rate); // never more than a second of backlog
    while (this.launched < due && this.running.size < this.maxInFlight && !this.stopping) {
      this.launched++;
      let change: Change | null;
      try {
        change = this.choose();
      } catch (err) {
        // A timer callback that throws ends the process: a step the planner cannot make is skipped.
        this.failed++;
        this.opts.logger?.warn({ err }, 'lifecycle: could not plan a step; skipped');
        continue;
      }
      if (!change) continue;
      const run = this.run(change).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** Sends one change's webhooks in order; never rejects. */
  private async run({ id, sends, creates }: Change): Promise<void> {
    this.busy.add(id);
    try {
      for (const s of sends) {
        if (!(await ('action' in s ? this.request(s) : this.post(s.system, s.body)))) {
          if (creates) return; // the order does not exist: forget it (a retried create would be refused again)
          const n = (this.failures.get(id) ?? 0) + 1;
          this.failures.set(id, n);
          if (n >= 3) this.rest(id);
          return;
        }
      }
      if (creates && this.active.length < 256) this.active.push(id);
    } catch (err) {
      if (!this.stopping) {
        this.failed++;
        this.opts.logger?.warn({ err, orderId: id }, 'lifecycle: change failed; forgotten');
      }
    } finally {
      this.busy.delete(id);
    }
  }

  /** POSTs one signed webhook; true when it was acknowledged with 2xx. */
  private post(system: SystemName, body: object): Promise<boolean> {
    const { secret, ingest } = this.opts;
    const url = ingest[system];
    const raw = JSON.stringify(body);
    const headers = {
      ...signWebhook(typeof secret === 'string' ? secret : secret[system], raw),
      'content-length': String(Buffer.byteLength(raw)),
    };
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean, detail?: string): void => {
        if (settled) return;
        settled = true;
        if (!this.stopping && ok) this.sent++;
        if (!this.stopping && !ok) {
          this.failed++;
          this.opts.logger?.warn({ url, detail }, 'lifecycle webhook failed');
        }
        resolve(ok && !this.stopping);
      };
      const req = request(url, { method: 'POST', headers, agent: this.agent, signal: this.abort.signal }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text = (text + d).slice(0, 300)));
        res.on('end', () => done(res.statusCode! >= 200 && res.statusCode! < 300, text));
        res.on('error', (err) => done(false, err.message));
      });
      req.on('error', (err) => done(false, err.message));
      req.end(raw);
    });
  }

  /**
   * Sends one `requestReturn` through the gateway; true when the graph answered it (accepted, or
   * rejected by the policy — a decision, recorded in the audit trail — either way nothing to retry).
   */
  private async request(r: ReturnRequest): Promise<boolean> {
    const graph = this.opts.graph!;
    let detail: string;
    try {
      const who = r.as.consumer === 'storefront' ? r.as : { consumer: 'salesforce' as const };
      const headers = {
        'content-type': 'application/json',
        ...(await graph.credential(who)),
        ...(r.as.consumer === 'salesforce' ? { 'x-acting-user': r.as.actingUser } : {}),
      };
      const res = await fetch(graph.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: REQUEST_RETURN, variables: { input: r.input } }),
        signal: this.abort.signal,
      });
      const body = (await res.json()) as {
        data?: { requestReturn?: { result: string; userErrors: { code: string }[] } | null };
        errors?: { message: string }[];
      };
      const answer = body.data?.requestReturn;
      if (res.ok && answer) {
        if (this.stopping) return false;
        this.sent++;
        if (answer.result !== 'ACCEPTED')
          this.opts.logger?.debug(
            { orderId: r.input.orderId, errors: answer.userErrors.map((e) => e.code) },
            'lifecycle: return request rejected by the policy',
          );
        return true;
      }
      detail = `${res.status} ${body.errors?.[0]?.message ?? 'no answer'}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    if (this.stopping) return false;
    this.failed++;
    this.opts.logger?.warn({ url: graph.url, orderId: r.input.orderId, detail }, 'lifecycle: requestReturn failed');
    return false;
  }

  /** The next change: a new order now and then, else the next step of an order in the working set or found at random. */
  private choose(): Change | null {
    this.view.refresh();
    if (this.rng.chance(this.share)) {
      const created = this.planner.newOrder();
      return created && { ...created, creates: true };
    }
    for (let tries = 0; tries < 40; tries++) {
      const fromActive = this.active.length > 0 && this.rng.chance(0.75);
      const pool = fromActive ? this.active : this.view.orderIds;
      if (pool.length === 0) return null;
      const id = pool[this.rng.int(0, pool.length - 1)]!;
      if (this.busy.has(id) || this.atRest.has(id)) continue;
      const order = this.view.orders.get(id);
      if (!order) {
        // Not (or no longer) in the shared records: nothing to plan for it.
        this.rest(id);
        continue;
      }
      const sends = this.planner.plan(order);
      if (!sends) {
        this.rest(id);
        continue;
      }
      if (!fromActive && this.active.length < 256) this.active.push(id);
      return { id, sends, creates: false };
    }
    return null;
  }

  private rest(id: string): void {
    this.atRest.add(id);
    this.active = this.active.filter((x) => x !== id);
  }
}
