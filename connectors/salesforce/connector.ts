import type { CloudEvent } from '../../canonical/index.js';
import { Streams, type ConsumeOptions, type Delivery, type EventBus, type Subscription } from '../../events/bus.js';
import { PermanentFailure } from '../../events/permanentFailure.js';
import type { Logger } from '../../runtime/logger.js';
import { Batcher, type Change } from './batcher.js';
import { writePendingBatch, type BatchWriteDeps } from './batchWrite.js';
import { exceptionChangeOf, HANDLED_TYPES, ORDER_STATUS_CHANGED_TYPE, statusChangeOf } from './change.js';
import { checkSalesforceConfig, type SalesforceConfig } from './config.js';
import type { OrderFactsSource } from './facts.js';
import { needsFacts } from './mapping.js';
import { retryStep, sleepUnlessAborted } from './retry.js';
import { Session } from './session.js';
import {
  assertNever,
  isReady,
  isStopping,
  zeroCounters,
  type ConnectorCounters,
  type ConnectorHealth,
  type ConnectorPhase,
} from './state.js';
import { Throttle } from './throttle.js';
import { MemoryVersionClaims, type VersionClaims } from './versionClaims.js';

export type { ConnectorCounters, ConnectorHealth, ConnectorPhase } from './state.js';

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

/**
 * Pushes order status changes to Salesforce (ARCHITECTURE.md, "Change path"): its own consumer
 * group on the bus, batches of up to 200 records per sObject Collections upsert (flushed on size or
 * after `flushMs`: batcher.ts), login by client credentials or JWT bearer with re-login on
 * INVALID_SESSION_ID (session.ts), the `Sforce-Limit-Info` throttle (throttle.ts), retries of
 * transient failures until they heal (writer.ts, retry.ts), versions compared so an older status
 * never overwrites a newer one, and per-record failures that will not heal dead-lettered at once
 * (PermanentFailure) with Salesforce's reason, for `npm run salesforce:replay` (batchWrite.ts).
 * A bus entry is acknowledged only once its change is in Salesforce (or skipped as older).
 * This class holds the lifecycle: phases, the consumer group, draining, `/health`.
 */
export class SalesforceConnector {
  private phaseNow: ConnectorPhase = 'starting';
  private subs: Subscription[] = [];
  private lastError: string | null = null;
  private readonly abort = new AbortController();
  private readonly throttle: Throttle;
  private readonly versions: VersionClaims;
  private readonly ownsVersions: boolean;
  private readonly batcher: Batcher;
  readonly counters: ConnectorCounters = zeroCounters();

  constructor(private readonly opts: SalesforceConnectorOptions) {
    const problems = checkSalesforceConfig(opts.config);
    const { config, logger } = opts;
    const { target, fieldMap, eventFieldMap } = config;
    const withFacts = needsFacts(
      ...(target !== 'event' ? [fieldMap] : []),
      ...(target !== 'upsert' ? [eventFieldMap] : []),
    );
    if (withFacts && !opts.facts)
      problems.push(
        'facts: the field mapping uses order facts (orderNumber, salesforceAccountId, placedAt, placedDate), so an order-facts source is required (SALESFORCE_GRAPH_URL)',
      );
    if (problems.length > 0) throw new TypeError(`Salesforce connector configuration:\n  - ${problems.join('\n  - ')}`);
    this.throttle = new Throttle({ limitShare: config.limitShare, maxIntervalMs: config.throttleMaxIntervalMs });
    this.versions = opts.versions ?? new MemoryVersionClaims();
    this.ownsVersions = !opts.versions;

    const stopping = (): boolean => isStopping(this.phaseNow);
    const sleep = (ms: number): Promise<void> => sleepUnlessAborted(ms, this.abort.signal);
    const session = new Session({
      loginUrl: config.loginUrl,
      auth: config.auth,
      apiVersion: config.apiVersion,
      onLogin: () => {
        this.counters.logins++;
        logger.info({ logins: this.counters.logins }, 'salesforce: logged in');
      },
    });
    const batchWrite: BatchWriteDeps = {
      config,
      versions: this.versions,
      facts: withFacts ? opts.facts : undefined,
      counters: this.counters,
      logger,
      writer: {
        object: config.object,
        externalIdField: config.externalIdField,
        eventObject: config.eventObject,
        connection: () => session.connection(),
        dropConnection: () => session.drop(),
        throttle: this.throttle,
        counters: this.counters,
        retryBaseMs: config.retryBaseMs,
        retryMaxMs: config.retryMaxMs,
        stopping,
        sleep,
        onRetry: (what, error, attempt, waitMs) => {
          this.lastError = error;
          logger.warn(
            { what, error, attempt, waitMs, phase: this.phaseNow },
            'salesforce: transient failure, retrying',
          );
        },
      },
      retrying: (what, step) =>
        retryStep(
          {
            retryBaseMs: config.retryBaseMs,
            retryMaxMs: config.retryMaxMs,
            counters: this.counters,
            stopping,
            sleep,
            onFailure: (w, error, attempt, waitMs) => {
              this.lastError = `${w}: ${error}`;
              logger.warn({ what: w, error, attempt, waitMs }, 'salesforce: step failed, retrying');
            },
          },
          what,
          step,
        ),
      onWritten: () => void (this.lastError = null),
      afterBatch: () => this.syncThrottlePhase(),
    };
    this.batcher = new Batcher({
      batchSize: config.batchSize,
      flushMs: config.flushMs,
      stopping,
      counters: this.counters,
      write: (batch) => writePendingBatch(batchWrite, batch),
    });
  }

  get phase(): ConnectorPhase {
    return this.phaseNow;
  }

  /** Joins the consumer group; resolves once it reads. Logging in waits for the first batch (an org that is down does not stop the start). */
  async start(): Promise<void> {
    if (this.phaseNow !== 'starting' || this.subs.length > 0)
      throw new Error(`SalesforceConnector.start() in phase ${this.phaseNow}`);
    const { config } = this.opts;
    const consume = {
      concurrency: config.batchSize * 2,
      batchSize: config.batchSize,
      maxDeliveries: 20,
      reclaimIdleMs: 120_000,
      ...this.opts.consume,
    };
    const streams = [this.opts.stream ?? Streams.VISIBILITY, ...(this.writesExceptions ? [Streams.EXCEPTIONS] : [])];
    this.subs = streams.map((stream) =>
      this.opts.bus.consume(stream, config.group, config.consumer, (d) => this.handle(d), consume),
    );
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
    this.batcher.kick();
    await Promise.all(this.subs.map((sub) => sub.close()));
    await this.batcher.idle;
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
    const done = this.batcher.enqueue(change);
    this.batcher.kick();
    await done;
  }

  health(): ConnectorHealth {
    return {
      phase: this.phaseNow,
      ready: isReady(this.phaseNow),
      group: this.opts.config.group,
      consumer: this.opts.config.consumer,
      pending: this.batcher.size,
      apiUsage: this.throttle.lastUsage ?? null,
      throttleDelayMs: this.throttle.delayMs(),
      counters: { ...this.counters },
      lastError: this.lastError,
    };
  }

  private handle(d: Delivery): Promise<void> {
    const change = this.accept(d.event);
    return change ? this.batcher.enqueue(change) : Promise.resolve();
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
}
