import type { Connection } from 'jsforce';
import type { CloudEvent } from '../../canonical/index.js';
import { Streams, type ConsumeOptions, type Delivery, type EventBus, type Subscription } from '../../events/bus.js';
import { PermanentFailure } from '../../events/permanentFailure.js';
import type { Logger } from '../../runtime/logger.js';
import { exceptionChangeOf, exceptionRecord, HANDLED_TYPES, ORDER_STATUS_CHANGED_TYPE, statusChangeOf, type ExceptionChange, type StatusChange } from './change.js';
import { checkSalesforceConfig, type SalesforceConfig } from './config.js';
import type { OrderFacts, OrderFactsSource } from './facts.js';
import { needsFacts, toRecord } from './mapping.js';
import { connect } from './session.js';
import { Throttle, type ApiUsage } from './throttle.js';
import { MemoryVersionClaims, type VersionClaims } from './versionClaims.js';
import { writeBatch, type WriteItem } from './writer.js';

/** The connector's lifecycle, in logs, `/health` and metrics. */
export type ConnectorPhase = 'starting' | 'running' | 'throttled' | 'draining' | 'stopped';

/** Monotonic counters (metrics-ready: each maps to a Prometheus counter). */
export interface ConnectorCounters {
  /** `order.status_changed` and exception events taken from the bus (or replayed). */
  received: number;
  /** Changes Salesforce accepted. */
  written: number;
  /** Changes skipped because a newer version of the same order was pending in the same batch. */
  superseded: number;
  /** Changes skipped because a newer version was already claimed, or the org holds a newer one (its validation rule refused the older). */
  stale: number;
  /** Changes refused for good (and events that can never be written): dead-lettered. */
  deadLettered: number;
  /** Events of other types, acknowledged and skipped. */
  skipped: number;
  /** Calls to the Salesforce REST API (each counts against the org's daily allocation). */
  apiCalls: number;
  /** Retries after transient failures (whole calls or records). */
  retries: number;
  /** Logins (the first and every re-login after INVALID_SESSION_ID). */
  logins: number;
  /** Batches written. */
  batches: number;
}

/** What `/health` shows. */
export interface ConnectorHealth {
  phase: ConnectorPhase;
  /** True while the connector takes and writes changes (running or throttled). */
  ready: boolean;
  group: string;
  consumer: string;
  /** Changes waiting for their batch. */
  pending: number;
  /** The usage the last `Sforce-Limit-Info` reported. */
  apiUsage: ApiUsage | null;
  /** How long the next call waits for the throttle, ms. */
  throttleDelayMs: number;
  counters: ConnectorCounters;
  /** The last transient failure (secret-free), while it lasts. */
  lastError: string | null;
}

/** Options of {@link SalesforceConnector}. */
export interface SalesforceConnectorOptions {
  bus: EventBus;
  config: SalesforceConfig;
  logger: Logger;
  /** Where order facts come from when the mapping needs them (number, Account, placement). Required then. */
  facts?: OrderFactsSource;
  /** Version claims shared by the replicas. @default in memory (one process) */
  versions?: VersionClaims;
  /** The stream it consumes. @default Streams.VISIBILITY */
  stream?: string;
  /**
   * Consumer options. @default { concurrency: 2 × batchSize, batchSize: batchSize, maxDeliveries: 20,
   * reclaimIdleMs: 120000 } — an entry waits in the connector through a Salesforce outage, so
   * reclaim and give-up are set far above one batch's retries.
   */
  consume?: ConsumeOptions;
}

/** A change to write: an order's status, or a business exception. */
type Change = { kind: 'status'; status: StatusChange } | { kind: 'exception'; exception: ExceptionChange };

/** What a change is about (one pending entry and one version mark per key): the order id, or `exception:<id>`. */
const keyOf = (c: Change): string => (c.kind === 'status' ? c.status.orderId : `exception:${c.exception.exceptionId}`);
const versionOf = (c: Change): number => (c.kind === 'status' ? c.status.version : c.exception.version);

interface Pending {
  key: string;
  version: number;
  change: Change;
  waiters: { resolve: () => void; reject: (e: Error) => void }[];
  since: number;
}

/**
 * Pushes order status changes to Salesforce (ARCHITECTURE.md, "Change path"): its own consumer
 * group on the bus, batches of up to 200 records per sObject Collections upsert (flushed on size or
 * after `flushMs`), login by client credentials or JWT bearer with re-login on INVALID_SESSION_ID,
 * the `Sforce-Limit-Info` throttle, retries of transient failures until they heal, versions compared
 * so an older status never overwrites a newer one, and per-record failures that will not heal
 * dead-lettered at once (PermanentFailure) with Salesforce's reason, for `npm run salesforce:replay`.
 * A bus entry is acknowledged only once its change is in Salesforce (or skipped as older).
 */
export class SalesforceConnector {
  private phaseNow: ConnectorPhase = 'starting';
  private subs: Subscription[] = [];
  private conn: Promise<Connection> | undefined;
  private readonly pending = new Map<string, Pending>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | null = null;
  private readonly abort = new AbortController();
  private readonly throttle: Throttle;
  private readonly versions: VersionClaims;
  private readonly ownsVersions: boolean;
  private readonly withFacts: boolean;
  readonly counters: ConnectorCounters = { received: 0, written: 0, superseded: 0, stale: 0, deadLettered: 0, skipped: 0, apiCalls: 0, retries: 0, logins: 0, batches: 0 };

  constructor(private readonly opts: SalesforceConnectorOptions) {
    const problems = checkSalesforceConfig(opts.config);
    const { target, fieldMap, eventFieldMap } = opts.config;
    this.withFacts = needsFacts(...(target !== 'event' ? [fieldMap] : []), ...(target !== 'upsert' ? [eventFieldMap] : []));
    if (this.withFacts && !opts.facts) problems.push('facts: the field mapping uses order facts (orderNumber, salesforceAccountId, placedAt, placedDate), so an order-facts source is required (SALESFORCE_GRAPH_URL)');
    if (problems.length > 0) throw new TypeError(`Salesforce connector configuration:\n  - ${problems.join('\n  - ')}`);
    this.throttle = new Throttle({ limitShare: opts.config.limitShare, maxIntervalMs: opts.config.throttleMaxIntervalMs });
    this.versions = opts.versions ?? new MemoryVersionClaims();
    this.ownsVersions = !opts.versions;
  }

  get phase(): ConnectorPhase {
    return this.phaseNow;
  }

  /** Joins the consumer group; resolves once it reads. Logging in waits for the first batch (an org that is down does not stop the start). */
  async start(): Promise<void> {
    if (this.phaseNow !== 'starting' || this.subs.length > 0) throw new Error(`SalesforceConnector.start() in phase ${this.phaseNow}`);
    const { config } = this.opts;
    const consume = { concurrency: config.batchSize * 2, batchSize: config.batchSize, maxDeliveries: 20, reclaimIdleMs: 120_000, ...this.opts.consume };
    const streams = [this.opts.stream ?? Streams.VISIBILITY, ...(this.writesExceptions ? [Streams.EXCEPTIONS] : [])];
    this.subs = streams.map((stream) => this.opts.bus.consume(stream, config.group, config.consumer, (d) => this.handle(d), consume));
    await Promise.all(this.subs.map((sub) => sub.ready));
    this.setPhase(this.throttle.engaged ? 'throttled' : 'running');
  }

  /**
   * Drains: writes what is pending once more (transient failures are no longer retried: those
   * entries stay on the bus for the next start or another replica), leaves the group, stops.
   */
  async stop(): Promise<void> {
    switch (this.phaseNow) {
      case 'stopped':
      case 'draining':
        return;
      case 'starting':
      case 'running':
      case 'throttled':
        break;
      default:
        return assertNever(this.phaseNow);
    }
    this.setPhase('draining');
    this.abort.abort();
    this.kick();
    await Promise.all(this.subs.map((sub) => sub.close()));
    await this.flushing;
    if (this.ownsVersions) await this.versions.close();
    this.setPhase('stopped');
  }

  /**
   * Writes one event now, outside the bus — the seam `npm run salesforce:replay` uses for a
   * dead-lettered change. Resolves once Salesforce has it (or it is older than what it has);
   * rejects with a PermanentFailure when Salesforce still refuses it.
   */
  async write(event: CloudEvent): Promise<void> {
    const change = this.accept(event);
    if (!change) return;
    const done = this.enqueue(change);
    this.kick();
    await done;
  }

  health(): ConnectorHealth {
    return {
      phase: this.phaseNow,
      ready: isReady(this.phaseNow),
      group: this.opts.config.group,
      consumer: this.opts.config.consumer,
      pending: this.pending.size,
      apiUsage: this.throttle.lastUsage ?? null,
      throttleDelayMs: this.throttle.delayMs(),
      counters: { ...this.counters },
      lastError: this.lastError,
    };
  }

  private handle(d: Delivery): Promise<void> {
    const change = this.accept(d.event);
    return change ? this.enqueue(change) : Promise.resolve();
  }

  /** Whether exception events are written (upserted onto the exception object). */
  private get writesExceptions(): boolean {
    return this.opts.config.exceptions && this.opts.config.target !== 'event';
  }

  /** The change of an event this connector writes; undefined for other types; PermanentFailure for a malformed one. */
  private accept(event: CloudEvent): Change | undefined {
    if (!HANDLED_TYPES.has(event.type) || (event.type !== ORDER_STATUS_CHANGED_TYPE && !this.writesExceptions)) {
      this.counters.skipped++;
      return undefined;
    }
    const parsed = event.type === ORDER_STATUS_CHANGED_TYPE ? statusChangeOf(event) : exceptionChangeOf(event);
    if (typeof parsed === 'string') {
      this.counters.deadLettered++;
      throw new PermanentFailure(parsed);
    }
    this.counters.received++;
    return 'status' in parsed ? { kind: 'status', status: parsed } : { kind: 'exception', exception: parsed };
  }

  /** Adds a change to the next batch; one entry per order (or exception), the highest version wins. */
  private enqueue(change: Change): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      const key = keyOf(change);
      const version = versionOf(change);
      const p = this.pending.get(key);
      if (p && version < p.version) {
        this.counters.superseded++;
        return resolve();
      }
      if (p && version === p.version) {
        p.waiters.push(waiter); // the same change again (a redelivery): one write, one outcome
        return;
      }
      if (p) {
        this.counters.superseded += p.waiters.length;
        for (const w of p.waiters) w.resolve();
        Object.assign(p, { change, version, waiters: [waiter] });
        return;
      }
      this.pending.set(key, { key, version, change, waiters: [waiter], since: Date.now() });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.size >= this.opts.config.batchSize) {
      this.kick();
      return;
    }
    if (this.timer || this.flushing) return;
    const oldest = this.pending.values().next().value;
    if (!oldest) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, oldest.since + this.opts.config.flushMs - Date.now()));
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
  }

  /** Writes batches while one is due: full, old enough, or draining. One batch at a time. */
  private async flushLoop(): Promise<void> {
    const { batchSize, flushMs } = this.opts.config;
    for (;;) {
      const oldest = this.pending.values().next().value;
      const due = oldest && (this.pending.size >= batchSize || Date.now() - oldest.since >= flushMs || this.stopping());
      if (!due) return;
      const batch: Pending[] = [];
      for (const [key, p] of this.pending) {
        if (batch.length === batchSize) break;
        batch.push(p);
        this.pending.delete(key);
      }
      try {
        await this.writePending(batch);
      } catch (err) {
        // Only a stop ends the retries of claims or facts: the entries stay on the bus.
        for (const p of batch) for (const w of p.waiters) w.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private async writePending(batch: Pending[]): Promise<void> {
    const { config } = this.opts;
    const claims = await this.retrying('version claims', () => this.versions.claim(batch.map((p) => ({ key: p.key, version: p.version }))));
    const live = batch.filter((p, i) => {
      if (claims[i]) return true;
      this.counters.stale += p.waiters.length;
      for (const w of p.waiters) w.resolve();
      return false;
    });
    if (live.length === 0) return;
    const statusOrders = live.flatMap((p) => (p.change.kind === 'status' ? [p.change.status.orderId] : []));
    const facts = this.withFacts && statusOrders.length > 0 ? await this.retrying('order facts', () => this.opts.facts!(statusOrders)) : new Map<string, OrderFacts | null>();
    const items: WriteItem[] = live.map((p): WriteItem => {
      if (p.change.kind === 'exception') {
        return { record: exceptionRecord(p.change.exception), target: { object: config.exceptionObject, externalIdField: 'Exception_Id__c' } };
      }
      const change = p.change.status;
      const f = facts.get(change.orderId) ?? null;
      return {
        ...(config.target !== 'event' ? { record: toRecord(config.fieldMap, change, f) } : {}),
        ...(config.target !== 'upsert' ? { event: toRecord(config.eventFieldMap, change, f) } : {}),
      };
    });
    const outcomes = await writeBatch(
      {
        object: config.object,
        externalIdField: config.externalIdField,
        eventObject: config.eventObject,
        connection: () => this.connection(),
        dropConnection: () => void (this.conn = undefined),
        throttle: this.throttle,
        counters: this.counters,
        retryBaseMs: config.retryBaseMs,
        retryMaxMs: config.retryMaxMs,
        stopping: () => this.stopping(),
        sleep: (ms) => this.sleep(ms),
        onRetry: (what, error, attempt, waitMs) => {
          this.lastError = error;
          this.opts.logger.warn({ what, error, attempt, waitMs, phase: this.phaseNow }, 'salesforce: transient failure, retrying');
        },
      },
      items,
    );
    this.counters.batches++;
    this.syncThrottlePhase();
    outcomes.forEach((o, i) => {
      const p = live[i]!;
      switch (o.kind) {
        case 'written':
          this.lastError = null;
          this.counters.written++;
          for (const w of p.waiters) w.resolve();
          break;
        case 'stale':
          // Another replica wrote a newer version first; the org's validation rule kept it.
          this.counters.stale += p.waiters.length;
          for (const w of p.waiters) w.resolve();
          break;
        case 'refused': {
          this.counters.deadLettered++;
          this.opts.logger.error({ key: p.key, version: p.version, reason: o.reason }, 'salesforce: change refused; dead-lettered for replay');
          const object = p.change.kind === 'exception' ? config.exceptionObject : config.target === 'event' ? config.eventObject : config.object;
          for (const w of p.waiters) w.reject(new PermanentFailure(`salesforce refused ${object} ${p.key} v${p.version}: ${o.reason}`));
          break;
        }
        case 'stopped':
          for (const w of p.waiters) w.reject(new Error(o.reason));
          break;
        default:
          assertNever(o);
      }
    });
  }

  /** Retries a step that is not a Salesforce call (claims, facts) until it works or the connector stops. */
  private async retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        if (this.stopping()) throw new Error(`${what} failed while stopping (${error}); the bus delivers these changes again`);
        this.lastError = `${what}: ${error}`;
        this.counters.retries++;
        const waitMs = Math.min(this.opts.config.retryMaxMs, this.opts.config.retryBaseMs * 2 ** attempt);
        this.opts.logger.warn({ what, error, attempt: attempt + 1, waitMs }, 'salesforce: step failed, retrying');
        await this.sleep(waitMs);
      }
    }
  }

  private connection(): Promise<Connection> {
    this.conn ??= connect({
      loginUrl: this.opts.config.loginUrl,
      auth: this.opts.config.auth,
      apiVersion: this.opts.config.apiVersion,
      onLogin: () => {
        this.counters.logins++;
        this.opts.logger.info({ logins: this.counters.logins }, 'salesforce: logged in');
      },
    });
    const c = this.conn;
    c.catch(() => {
      if (this.conn === c) this.conn = undefined;
    });
    return c;
  }

  private syncThrottlePhase(): void {
    if (this.phaseNow === 'running' && this.throttle.engaged) this.setPhase('throttled');
    else if (this.phaseNow === 'throttled' && !this.throttle.engaged) this.setPhase('running');
  }

  private setPhase(phase: ConnectorPhase): void {
    if (phase === this.phaseNow) return;
    const from = this.phaseNow;
    this.phaseNow = phase;
    this.opts.logger.info({ phase, from, apiUsage: this.throttle.lastUsage ?? null }, `salesforce connector ${phase}`);
  }

  private stopping(): boolean {
    return this.phaseNow === 'draining' || this.phaseNow === 'stopped';
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Whether a phase takes and writes changes. */
function isReady(phase: ConnectorPhase): boolean {
  switch (phase) {
    case 'running':
    case 'throttled':
      return true;
    case 'starting':
    case 'draining':
    case 'stopped':
      return false;
    default:
      return assertNever(phase);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
