import { cloudEvent, ORDER_STATUS_CHANGED, type CloudEvent } from '../../canonical/index.js';
import { Streams, type EventBus, type Subscription } from '../../events/bus.js';
import type { ForegroundWork } from '../../runtime/foreground.js';
import type { VisibilityCollector } from '../../runtime/metrics.js';
import { systemClock, type Clock } from '../clock.js';
import type { DeadLetter } from '../deadLetters.js';
import type { ExceptionRecord } from '../exceptions.js';
import { stableJson, type ReconcileInputs } from '../reconcile.js';
import type { VisibilityStore } from '../store.js';
import { applyEvent, emptyFacts, type OrderFacts } from './facts.js';
import { LagBuffer } from './lag.js';
import { evaluate, type Desired } from './rules.js';
import { DEFAULT_SLAS, type ExceptionSlas } from './sla.js';

/** The types the engine publishes on `Streams.EXCEPTIONS`. */
export const EXCEPTION_OPENED = 'exception.opened';
export const EXCEPTION_CLOSED = 'exception.closed';

/** The consumer group of the engine on the source and visibility streams. */
export const EXCEPTIONS_GROUP = 'exceptions';

/** Options of {@link ExceptionEngine}. */
export interface ExceptionEngineOptions {
  bus: EventBus;
  store: VisibilityStore;
  /** This process's consumer name in the group (unique per process). */
  consumer: string;
  /** @default DEFAULT_SLAS */
  slas?: ExceptionSlas;
  /** @default the store's clock */
  now?: Clock;
  /** Run the periodic sweep (`slas.sweepIntervalMs`); tests call {@link ExceptionEngine.sweep} on a fake clock. @default true */
  sweepTimer?: boolean;
  /** Counts each opening and closing (`ovg_exceptions_opened_total` / `ovg_exceptions_closed_total`). @default none */
  metrics?: Pick<VisibilityCollector, 'exceptionOpened' | 'exceptionClosed'>;
  /**
   * Latency-critical work of this process the engine gives way to: before each event it waits until
   * none runs (at most `maxYieldMs`). The embedded stack passes the status tracker's. @default none
   */
  yieldTo?: Pick<ForegroundWork, 'idle'>;
  /** The longest one event waits for `yieldTo`, ms. @default 500 */
  maxYieldMs?: number;
  /** Errors no caller can catch (a failed sweep). @default console.error */
  onError?: (err: Error, context: string) => void;
}

type Phase =
  | { name: 'idle' }
  | { name: 'running'; subs: Subscription[]; timer: NodeJS.Timeout | undefined }
  | { name: 'stopped' };

/**
 * Opens and closes business exceptions from the event stream and the status facts (issue 11): each
 * source event, `order.status_changed`, `ingest.refused` / `ingest.corrected` and each dead letter
 * is folded into the order's facts (store/engine/facts.ts), the rules (rules.ts) say which
 * exceptions should be open, and the difference is applied — each opening and closing published as
 * `exception.opened` / `exception.closed` on `Streams.EXCEPTIONS`. Time-based rules (SLAs) are
 * re-evaluated by a sweep. Work-shared across replicas; the facts are updated by compare-and-set and
 * at most one exception of a kind is open per order and subject, so replicas never duplicate one.
 */
export class ExceptionEngine {
  private phase: Phase = { name: 'idle' };
  private readonly slas: ExceptionSlas;
  private readonly now: Clock;
  private sweeping: Promise<number> | undefined;
  /** Events this instance handled (acknowledged), for tests and health. */
  handled = 0;
  private readonly lag: LagBuffer;

  constructor(private readonly o: ExceptionEngineOptions) {
    this.slas = o.slas ?? DEFAULT_SLAS;
    this.now = o.now ?? o.store.now ?? systemClock;
    this.lag = new LagBuffer(o.store.health, this.now, (err) => this.report(err, 'event lag'));
  }

  private report(err: Error, context: string): void {
    (this.o.onError ?? ((e, c) => console.error(`[exceptions] ${c}: ${e.message}`)))(err, context);
  }

  async start(): Promise<void> {
    if (this.phase.name !== 'idle') throw new Error(`ExceptionEngine.start() in phase ${this.phase.name}`);
    const subs = [Streams.SOURCE, Streams.VISIBILITY].map((stream) =>
      this.o.bus.consume(stream, EXCEPTIONS_GROUP, this.o.consumer, async (d) => {
        await this.o.yieldTo?.idle(this.o.maxYieldMs ?? 500);
        await this.handle(d.event);
        this.handled++;
      }),
    );
    this.phase = { name: 'running', subs, timer: undefined };
    await Promise.all(subs.map((s) => s.ready));
    if (this.o.sweepTimer !== false && this.phase.name === 'running') {
      this.phase.timer = setInterval(() => {
        this.sweep().catch((err) => this.report(err as Error, 'sweep'));
      }, this.slas.sweepIntervalMs);
      this.phase.timer.unref();
    }
  }

  async stop(): Promise<void> {
    const phase = this.phase;
    this.phase = { name: 'stopped' };
    switch (phase.name) {
      case 'running':
        if (phase.timer) clearInterval(phase.timer);
        await Promise.all(phase.subs.map((s) => s.close()));
        await this.sweeping?.catch(() => undefined);
        await this.lag.flush();
        break;
      case 'idle':
      case 'stopped':
        break;
    }
  }

  /**
   * Folds one event into its order's facts and reconciles the order's exceptions. Throws to have it
   * redelivered. The facts and everything the reconciliation reads come from one statement, the
   * write is a compare-and-set on them ({@link ReconcileRows.fold}); when the event leaves the facts as they were
   * (a duplicate, an older event) nothing is written nor reconciled — the rules read nothing else
   * an event could move (time is the sweep's, dead letters {@link onDeadLetter}'s).
   */
  async handle(event: CloudEvent): Promise<void> {
    const orderId = event.subject;
    if (!orderId) return;
    if (event.source === 'visibility' && event.type !== ORDER_STATUS_CHANGED) return;
    if (event.source !== 'visibility' && !event.type.startsWith('ingest.'))
      await this.o.store.orders.recordEvent(event);
    const folded = await this.o.store.reconcile.fold(orderId, (prev) =>
      applyEvent((prev as OrderFacts | null) ?? emptyFacts(), event),
    );
    if (folded.changed) await this.reconcile(orderId, folded.facts, folded.inputs, `after ${event.type} (${event.id})`);
    this.lag.add(
      `${event.source === 'visibility' ? 'visibility' : 'source'}→exceptions`,
      this.now() - Date.parse(event.time),
    );
  }

  /** A dead letter was recorded or resolved for an order: re-evaluate its DEAD_LETTER exceptions. */
  async onDeadLetter(letter: DeadLetter): Promise<void> {
    if (!letter.orderId) return;
    const { facts, ...inputs } = await this.o.store.reconcile.inputs(letter.orderId);
    await this.reconcile(
      letter.orderId,
      { ...emptyFacts(), ...(facts as Partial<OrderFacts> | null) },
      inputs,
      `dead letter ${letter.id} ${letter.state}`,
    );
  }

  /** Re-evaluates every candidate order at the current time (SLA-based rules). Returns how many orders it looked at. */
  sweep(): Promise<number> {
    this.sweeping ??= (async () => {
      try {
        let after = '';
        let n = 0;
        for (;;) {
          const batch = await this.o.store.orders.sweepCandidates(after, 500);
          for (const { orderId, facts } of batch) {
            const { facts: _latest, ...inputs } = await this.o.store.reconcile.inputs(orderId);
            await this.reconcile(orderId, facts as unknown as OrderFacts, inputs, 'at sweep');
            n++;
          }
          if (batch.length < 500) return n;
          after = batch.at(-1)!.orderId;
        }
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private async reconcile(orderId: string, facts: OrderFacts, inputs: ReconcileInputs, why: string): Promise<void> {
    const { store } = this.o;
    const { open } = inputs;
    const letters = inputs.letters.map((l) => ({ id: l.id, since: l.since, group: l.group, error: l.error }));
    const desired = evaluate({ ...emptyFacts(), ...facts }, this.now(), this.slas, letters);
    const key = (x: { type: string; subjectKey: string }): string => `${x.type}|${x.subjectKey}`;
    const wanted = new Map(desired.map((d) => [key(d), d]));
    const row = { channel: inputs.channel };
    for (const x of open) {
      if (wanted.has(key(x))) continue;
      const closed = await store.exceptions.close(x.type, orderId, x.subjectKey, `condition cleared ${why}`);
      if (closed) {
        this.o.metrics?.exceptionClosed(closed.type);
        await this.publish(EXCEPTION_CLOSED, closed);
      }
    }
    const isOpen = new Map(open.map((x) => [key(x), x]));
    for (const d of desired) {
      const current = isOpen.get(key(d));
      if (current) {
        if (stableJson(current.facts) !== stableJson(d.facts)) await store.exceptions.refresh(current.id, d.facts);
        continue;
      }
      const opened = await store.exceptions.open(this.toOpen(orderId, d, facts, row?.channel ?? null));
      if (opened) {
        this.o.metrics?.exceptionOpened(opened.type);
        await this.publish(EXCEPTION_OPENED, opened);
      }
    }
  }

  private toOpen(orderId: string, d: Desired, facts: OrderFacts, channel: string | null) {
    return {
      type: d.type,
      orderId,
      subjectKey: d.subjectKey,
      since: d.since,
      slaSeconds: d.slaSeconds,
      facts: d.facts,
      channel: facts.channel ?? channel,
      fulfillmentNodeId: d.fulfillmentNodeId ?? null,
    };
  }

  private async publish(type: string, x: ExceptionRecord): Promise<void> {
    await this.o.bus.publish(
      Streams.EXCEPTIONS,
      cloudEvent({
        id: `exception:${x.id}:${type === EXCEPTION_OPENED ? 'opened' : 'closed'}`,
        source: 'visibility',
        type,
        subject: x.orderId,
        time: new Date(this.now()).toISOString(),
        data: x as unknown as Record<string, unknown>,
      }),
    );
  }
}
