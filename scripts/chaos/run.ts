/**
 * `npm run chaos`: faults injected into a distributed stack under load, and what a client sees.
 *
 * The stack: the five subgraphs and the visibility subgraph (`embedded/stack.ts`), two gateway
 * replicas (A from the stack, B beside it), an event bus on a redis-server of the run's own (free
 * port, append-only file — deleted for the "restarted empty" scenario: never the shared one at 6379), the visibility store on PGlite shared by
 * both trackers. Load all along: order-detail queries (every slice) on replica A, and one
 * `orderStatusChanged` subscriber on each replica (resuming with `after` when its socket closes).
 *
 * Each scenario flips the ERP hold of a few orders (a status change each) while its fault is on,
 * then ends the fault and waits for every change to be published once and delivered once to both
 * subscribers. Per scenario: changes lost (not published, or not delivered to a subscriber),
 * duplicated (published or delivered more than once), published with a wrong `previousStatus`,
 * client 5xx (and requests with no answer) on replica A, and the recovery time — from the end of
 * the fault to the last change delivered and the first query answered without an error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { OrderStatus } from '../../canonical/index.js';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams, type StreamId } from '../../events/bus.js';
import { RedisEventBus } from '../../events/redis.js';
import { MemoryOrderVersions } from '../../events/versions.js';
import { devToken } from '../../gateway/auth/devCredentials.js';
import { internalIdentity } from '../../gateway/auth/index.js';
import { defaultGatewayConfig, type GatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import type { StatusChangeData } from '../../gateway/tracker/tracker.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { createLogger } from '../../runtime/logger.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/signature.js';
import { ERP_DEFAULT_RATE_LIMIT } from '../../subgraphs/erp/adapters/memory.js';
import { freePort } from './ports.js';
import { OwnRedis } from './redis.js';

export interface ChaosOptions {
  /** The repository root. */
  root: string;
  /** The short run (CI): shorter faults, fewer changes, less load. @default false */
  short?: boolean;
  /** Only the scenarios whose name contains one of these. @default every scenario */
  only?: readonly string[];
  /** Progress lines. @default none */
  log?: (msg: string) => void;
}

export interface ScenarioResult {
  name: string;
  /** How long the fault was on, ms. */
  faultMs: number;
  /** Status changes the scenario caused (each expected once on the bus and once per subscriber). */
  changes: number;
  lost: number;
  duplicated: number;
  /** Published with a `previousStatus` other than the status before. */
  wrongPrevious: number;
  /** Queries on replica A answered 5xx, or not answered at all, during the scenario. */
  client5xx: number;
  clientNoAnswer: number;
  queries: number;
  /** Webhook sends refused or not answered (the sender retried them, as a system does). */
  webhookRetries: number;
  /** Why they were retried: an HTTP status or a connection error code, with counts. */
  webhookRetryReasons: Record<string, number>;
  /** Times a subscriber connected and subscribed again (with `after`: its last cursor) after its socket closed. */
  resumes: number;
  /** From the end of the fault to the last change delivered and a clean query; null when not recovered. */
  recoveryMs: number | null;
  /** Orders the trackers queued for a re-read after the bus lost its streams (gateway/tracker/sweep.ts). */
  swept: number;
}

export interface ChaosReport {
  mode: 'short' | 'full';
  startedAt: string;
  durationMs: number;
  orders: number;
  scenarios: ScenarioResult[];
  totals: {
    changes: number;
    lost: number;
    duplicated: number;
    wrongPrevious: number;
    client5xx: number;
    clientNoAnswer: number;
    queries: number;
  };
}

const SECRET = 'chaos-webhook-secret-0123456789';
const SUBSCRIPTION =
  'subscription Chaos($after: String) { orderStatusChanged(after: $after) { cursor orderId previousStatus status } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = createLogger('chaos', 'silent');

/** A change as an observer saw it. */
interface Seen {
  key: string;
  orderId: string;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  at: number;
}

/** One expected change: the order's hold flipped, its status from `previous` to `next`. */
interface Expected {
  orderId: string;
  previous: OrderStatus;
  next: OrderStatus;
}

/** Reads the visibility stream through a bus of its own, polling (it rides out Redis going away). */
class StreamWatch {
  readonly seen: Seen[] = [];
  private cursor: StreamId | undefined;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly bus: RedisEventBus,
    start: StreamId | null,
  ) {
    this.cursor = start ?? undefined;
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const page = await this.bus.read(Streams.VISIBILITY, { after: this.cursor, count: 500 });
        for (const e of page) {
          this.cursor = e.id;
          if (e.event.type !== 'order.status_changed') continue;
          const d = e.event.data as unknown as StatusChangeData;
          this.seen.push({
            key: e.id,
            orderId: d.orderId,
            previousStatus: d.previousStatus,
            status: d.status,
            at: Date.now(),
          });
        }
        if (page.length === 500) continue;
      } catch {
        // Redis paused or restarting: read again shortly.
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** A subscriber on one replica that resumes after its last cursor whenever its socket closes. */
class ResumingSubscriber {
  readonly seen: Seen[] = [];
  /** Times it subscribed again after a close. */
  resumes = 0;
  private cursor: string | null = null;
  private client: Client | undefined;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly authorization: string,
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    let first = true;
    while (this.running) {
      await new Promise<void>((resolve) => {
        const client = createClient({
          url: this.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: false,
          onNonLazyError: () => resolve(),
          connectionParams: { authorization: this.authorization },
          on: {
            connected: () => {
              if (!first) this.resumes++;
              first = false;
            },
          },
        });
        this.client = client;
        client.subscribe<{
          orderStatusChanged: {
            cursor: string;
            orderId: string;
            previousStatus: OrderStatus | null;
            status: OrderStatus;
          };
        }>(
          { query: SUBSCRIPTION, variables: { after: this.cursor } },
          {
            next: (m) => {
              const c = m.data?.orderStatusChanged;
              if (!c) return;
              this.cursor = c.cursor;
              this.seen.push({
                key: c.cursor,
                orderId: c.orderId,
                previousStatus: c.previousStatus,
                status: c.status,
                at: Date.now(),
              });
            },
            error: () => resolve(),
            complete: () => resolve(),
          },
        );
      });
      await this.client?.dispose();
      if (this.running) await sleep(250);
    }
  }

  /** Resolves once the subscription is live (the first change arrives or `ms` passed). */
  async stop(): Promise<void> {
    this.running = false;
    await this.client?.dispose();
    await Promise.race([this.done, sleep(2000)]);
  }
}

/** Order-detail queries on one replica at a steady rate; counts what a client would see. */
class QueryLoad {
  readonly samples: { at: number; status: number | null; errors: boolean }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private n = 0;

  constructor(
    private readonly url: string,
    private readonly authorization: string,
    private readonly document: string,
    private readonly ids: readonly string[],
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.one(), Math.max(5, Math.round(1000 / this.perSecond)));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One query now, also used as the probe after a fault: whether it answered without an error. */
  async one(): Promise<boolean> {
    if (this.inFlight >= 32) return false;
    this.inFlight++;
    const id = this.ids[this.n++ % this.ids.length]!;
    const at = Date.now();
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.authorization },
        body: JSON.stringify({ query: this.document, variables: { orderId: id } }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as {
        errors?: unknown[];
        extensions?: { freshness?: unknown[] };
      };
      const errors = Boolean(body.errors?.length || body.extensions?.freshness?.length);
      this.samples.push({ at, status: res.status, errors });
      return res.status === 200 && !errors;
    } catch {
      this.samples.push({ at, status: null, errors: true });
      return false;
    } finally {
      this.inFlight--;
    }
  }
}

/** Sends one signed webhook, retrying as a system does (refused, no answer, 5xx) until `deadline`. */
async function deliverWebhook(
  url: () => string,
  body: Record<string, unknown>,
  deadline: number,
  why: Record<string, number>,
): Promise<{ ok: boolean; retries: number }> {
  const raw = JSON.stringify(body);
  for (let retries = 0; ; retries++) {
    let reason: string;
    try {
      const res = await fetch(url(), {
        method: 'POST',
        headers: signWebhook(SECRET, raw),
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      await res.text();
      if (res.status < 500 && res.status !== 429) return { ok: res.status < 300, retries };
      reason = String(res.status);
    } catch (err) {
      reason = String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name);
    }
    why[reason] = (why[reason] ?? 0) + 1;
    if (Date.now() > deadline) return { ok: false, retries };
    await sleep(Math.min(2000, 200 * 2 ** Math.min(retries, 4)));
  }
}

interface Scenario {
  name: string;
  /** Turns the fault on; resolves to what turns it off. */
  start(): Promise<() => Promise<void>>;
  /** The changes of this scenario are caused by its own webhooks (default: hold flips during the fault). */
  changes?: 'holds' | 'erp-burst';
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const short = opts.short ?? false;
  const log = opts.log ?? (() => undefined);
  const cfg = short
    ? { orders: 800, faultMs: 2000, perScenario: 4, qps: 8, burst: 20, settleMs: 45_000 }
    : { orders: 1500, faultMs: 10_000, perScenario: 12, qps: 25, burst: 40, settleMs: 90_000 };
  const startedAt = new Date();
  const redis = new OwnRedis();
  await redis.start();
  const buses: RedisEventBus[] = [];
  const newBus = (): RedisEventBus => {
    const b = new RedisEventBus({ url: redis.url, keyPrefix: 'chaos:', onError: () => undefined });
    buses.push(b);
    return b;
  };
  let store: VisibilityStore | undefined;
  let stack: Stack | undefined;
  let replicaB: GatewayService | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const demo = generateDemo({ orders: cfg.orders });
    // The burst: orders the ERP has not accepted yet, accepted all at once (PENDING → ACCEPTED).
    const unaccepted = new Set([...demo.scenarios.pending, ...demo.scenarios.accepted]);
    const burst = demo.data.erp.orders
      .filter((o) => unaccepted.has(o.orderId) && o.holds.length === 0)
      .slice(0, cfg.burst);
    for (const o of burst) o.acceptedAt = null;
    // The hold flips: orders with nothing shipped and no hold (ON_HOLD while held).
    const pool = [
      ...demo.scenarios.allocated,
      ...demo.scenarios.backordered,
      ...demo.scenarios['partially-allocated'],
    ].filter((id) => demo.data.erp.orders.find((o) => o.orderId === id)?.holds.length === 0);
    store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    const versions = new MemoryOrderVersions();
    const trackerRetryMs = [100, 200, 400, 800, 1600];
    const gatewayB = await freePort();
    stack = await startStack({
      data: demo.data,
      bus: newBus(),
      store,
      statusStore: storeStatusStore(store),
      seedTracker: true,
      webhookSecret: SECRET,
      versions,
      logger: silent,
      gateway: { trackerRetryMs },
    });
    const s = stack;
    const st = store;
    const subgraphUrls = (): GatewayConfig['subgraphUrls'] =>
      ({
        ...Object.fromEntries(Object.entries(s.subgraphs).map(([n, sg]) => [n, sg.service.url])),
        visibility: s.visibility.service.url,
      }) as GatewayConfig['subgraphUrls'];
    const startB = async (): Promise<GatewayService> => {
      const bus = newBus();
      const g = await startGateway(
        defaultGatewayConfig({ port: gatewayB, host: '127.0.0.1', subgraphUrls: subgraphUrls(), trackerRetryMs }),
        { bus, statusStore: storeStatusStore(st), seedTracker: false, versions, logger: silent },
      );
      return g;
    };
    replicaB = await startB();
    await s.gateway.tracker!.whenSeeded();
    log(
      `stack up: ${cfg.orders} orders, redis-server on port ${redis.port}, gateways ${s.gateway.url} and ${replicaB.url}`,
    );

    const authorization = `Bearer ${await devToken('salesforce')}`;
    const detail = readFileSync(join(opts.root, 'operations', 'lwc', 'AgentOrderDetail.graphql'), 'utf8');
    const load = new QueryLoad(
      s.gateway.url,
      authorization,
      detail,
      demo.data.oms.orders.map((o) => o.id),
      cfg.qps,
    );
    load.start();
    closers.push(async () => load.stop());
    const watch = new StreamWatch(newBus(), await buses[0]!.lastId(Streams.VISIBILITY));
    closers.push(() => watch.stop());
    const subscribers = [
      new ResumingSubscriber(s.gateway.url, authorization),
      new ResumingSubscriber(replicaB.url, authorization),
    ];
    closers.push(...subscribers.map((x) => () => x.stop()));
    await sleep(1000);

    // What each order's status is now (read through the graph as the tracker reads it).
    const statusOf = new Map<string, OrderStatus>();
    for (const id of pool) {
      const r = await s.gateway.execute(
        'query ChaosStatus($id: ID!) { order(id: $id) { status } }',
        { id },
        internalIdentity('status-tracker'),
      );
      const status = (r.data?.order as { status: OrderStatus | null } | null)?.status;
      if (status) statusOf.set(id, status);
    }
    const flippable = pool.filter((id) => statusOf.has(id) && statusOf.get(id) !== 'ON_HOLD');
    const heldBefore = new Map<string, OrderStatus>();
    let nextOrder = 0;
    let notification = 0;

    const holdFlip = (orderId: string): { body: Record<string, unknown>; expected: Expected } => {
      const held = heldBefore.has(orderId);
      const previous = held ? 'ON_HOLD' : statusOf.get(orderId)!;
      const next = held ? heldBefore.get(orderId)! : 'ON_HOLD';
      if (held) heldBefore.delete(orderId);
      else heldBefore.set(orderId, previous);
      return {
        body: {
          notificationId: `chaos-${++notification}`,
          eventType: held ? 'HOLD_RELEASED' : 'HOLD_PLACED',
          postedAt: new Date().toISOString(),
          salesOrder: { orderRef: orderId },
          hold: { type: 'CREDIT', reason: 'chaos run' },
        },
        expected: { orderId, previous, next },
      };
    };

    const erpIngest = () => `${s.subgraphs.erp.service.origin}/ingest`;
    const scenarios: Scenario[] = [
      { name: 'baseline (no fault)', start: async () => async () => undefined },
      ...(['erp', 'oms', 'wms', 'carrier', 'returns', 'visibility'] as const).map(
        (name): Scenario => ({
          name: `kill and restart ${name}`,
          start: async () => {
            const { revive } = await s.kill(name);
            return revive;
          },
        }),
      ),
      {
        name: 'ERP 429 storm',
        start: async () => {
          s.subgraphs.erp.sim.faults.rateLimitPerSecond = 1;
          return async () => void (s.subgraphs.erp.sim.faults.rateLimitPerSecond = ERP_DEFAULT_RATE_LIMIT);
        },
      },
      {
        name: 'Redis paused',
        start: async () => {
          redis.pause();
          return async () => redis.resume();
        },
      },
      {
        name: 'Redis killed and restarted',
        start: async () => {
          await redis.kill();
          return () => redis.start();
        },
      },
      {
        // The flips are applied while the ERP's limit keeps the trackers from seeing them (deferred
        // to their redelivery stream); then Redis dies and comes back without its files: the source
        // stream and the deferred events are gone, and the trackers rebuild them from the store.
        name: 'Redis restarted empty (streams lost)',
        start: async () => {
          s.subgraphs.erp.sim.faults.rateLimitPerSecond = 1;
          return async () => {
            await redis.killAndWipe();
            await redis.start();
            s.subgraphs.erp.sim.faults.rateLimitPerSecond = ERP_DEFAULT_RATE_LIMIT;
          };
        },
      },
      {
        name: 'gateway replica restarted, subscribers resume',
        start: async () => {
          await replicaB!.stop();
          return async () => void (replicaB = await startB());
        },
      },
      {
        name: `burst: ${cfg.burst} orders accepted within a second under the ERP limit`,
        changes: 'erp-burst',
        start: async () => async () => undefined,
      },
    ];
    const selected = scenarios.filter(
      (sc) => !opts.only?.length || opts.only.some((o) => sc.name.toLowerCase().includes(o.toLowerCase())),
    );
    const swept = () => (s.gateway.tracker?.sweeper.swept ?? 0) + (replicaB?.tracker?.sweeper.swept ?? 0);

    const results: ScenarioResult[] = [];
    for (const sc of selected) {
      const begin = Date.now();
      const seenBefore = [watch.seen.length, ...subscribers.map((x) => x.seen.length)];
      const resumesBefore = subscribers.reduce((n, x) => n + x.resumes, 0);
      const sweptBefore = swept();
      const expected: Expected[] = [];
      const sends: Promise<{ ok: boolean; retries: number }>[] = [];
      const why: Record<string, number> = {};
      const stopFault = await sc.start();
      const faultStart = Date.now();
      if (sc.changes === 'erp-burst') {
        for (const [i, o] of burst.entries()) {
          expected.push({ orderId: o.orderId, previous: 'PENDING', next: 'ACCEPTED' });
          sends.push(
            deliverWebhook(
              erpIngest,
              {
                notificationId: `chaos-accept-${i}`,
                eventType: 'SALES_ORDER_ACCEPTED',
                postedAt: new Date().toISOString(),
                salesOrder: { orderRef: o.orderId, salesOrderId: o.erpSalesOrderId },
              },
              faultStart + cfg.settleMs,
              why,
            ),
          );
        }
      } else {
        // The flips are spread over the fault, each sent as a system sends it (retried until taken).
        for (let i = 0; i < cfg.perScenario; i++) {
          const id = flippable[nextOrder++ % flippable.length]!;
          const { body, expected: e } = holdFlip(id);
          expected.push(e);
          sends.push(deliverWebhook(erpIngest, body, faultStart + cfg.settleMs, why));
          await sleep(cfg.faultMs / cfg.perScenario);
        }
      }
      const remaining = cfg.faultMs - (Date.now() - faultStart);
      if (remaining > 0 && sc.changes !== 'erp-burst') await sleep(remaining);
      await stopFault();
      const faultEnd = Date.now();
      const sent = await Promise.all(sends);

      // Recovered when every change is on the bus and at both subscribers, and a query answers clean.
      const observers = () => [
        watch.seen.slice(seenBefore[0]),
        ...subscribers.map((x, i) => x.seen.slice(seenBefore[i + 1])),
      ];
      const has = (seen: Seen[], e: Expected) => seen.some((c) => c.orderId === e.orderId && c.status === e.next);
      let cleanAt: number | null = null;
      const deadline = faultEnd + cfg.settleMs;
      for (;;) {
        if (cleanAt === null && (await load.one())) cleanAt = Date.now();
        const all = observers().every((seen) => expected.every((e) => has(seen, e)));
        if ((all && cleanAt !== null) || Date.now() > deadline) break;
        await sleep(100);
      }
      await sleep(500); // late duplicates
      const obs = observers();
      let lost = 0;
      let duplicated = 0;
      let wrongPrevious = 0;
      let lastAt = faultEnd;
      for (const seen of obs) {
        for (const e of expected) {
          const matching = seen.filter((c) => c.orderId === e.orderId && c.status === e.next);
          if (matching.length === 0) lost++;
          duplicated += Math.max(0, matching.length - 1);
          for (const m of matching) lastAt = Math.max(lastAt, m.at);
        }
        duplicated += seen.length - new Set(seen.map((c) => c.key)).size;
      }
      for (const e of expected) {
        const published = obs[0]!.find((c) => c.orderId === e.orderId && c.status === e.next);
        if (published && published.previousStatus !== e.previous) wrongPrevious++;
      }
      const window = load.samples.filter((q) => q.at >= begin);
      const recovered = lost === 0 && cleanAt !== null;
      const r: ScenarioResult = {
        name: sc.name,
        faultMs: faultEnd - faultStart,
        changes: expected.length,
        lost,
        duplicated,
        wrongPrevious,
        client5xx: window.filter((q) => q.status !== null && q.status >= 500).length,
        clientNoAnswer: window.filter((q) => q.status === null).length,
        queries: window.length,
        webhookRetries: sent.reduce((n, x) => n + x.retries, 0),
        webhookRetryReasons: why,
        resumes: subscribers.reduce((n, x) => n + x.resumes, 0) - resumesBefore,
        recoveryMs: recovered ? Math.max(0, Math.max(lastAt, cleanAt!) - faultEnd) : null,
        swept: swept() - sweptBefore,
      };
      results.push(r);
      log(
        `${r.name}: ${r.changes} changes, lost ${r.lost}, duplicated ${r.duplicated}, wrong previous ${r.wrongPrevious}, client 5xx ${r.client5xx} (no answer ${r.clientNoAnswer}) of ${r.queries} queries, webhook retries ${r.webhookRetries} ${JSON.stringify(r.webhookRetryReasons)}, subscriber resumes ${r.resumes}, orders swept ${r.swept}, recovery ${r.recoveryMs === null ? 'none' : `${r.recoveryMs} ms`}`,
      );
    }
    const sum = (k: keyof ChaosReport['totals']) => results.reduce((n, r) => n + r[k], 0);
    return {
      mode: short ? 'short' : 'full',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      orders: cfg.orders,
      scenarios: results,
      totals: {
        changes: sum('changes'),
        lost: sum('lost'),
        duplicated: sum('duplicated'),
        wrongPrevious: sum('wrongPrevious'),
        client5xx: sum('client5xx'),
        clientNoAnswer: sum('clientNoAnswer'),
        queries: sum('queries'),
      },
    };
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await replicaB?.stop().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
    await store?.close().catch(() => undefined);
    await redis.stop();
  }
}
