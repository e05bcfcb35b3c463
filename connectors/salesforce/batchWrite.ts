import { PermanentFailure } from '../../events/permanentFailure.js';
import type { Logger } from '../../runtime/logger.js';
import type { Pending } from './batcher.js';
import { exceptionRecord } from './change.js';
import type { SalesforceConfig } from './config.js';
import type { OrderFacts, OrderFactsSource } from './facts.js';
import { toRecord } from './mapping.js';
import { assertNever, type ConnectorCounters } from './state.js';
import type { VersionClaims } from './versionClaims.js';
import { writeBatch, type WriteItem, type WriterDeps } from './writer.js';

/** What {@link writePendingBatch} needs from the connector. */
export interface BatchWriteDeps {
  config: SalesforceConfig;
  versions: VersionClaims;
  /** The order-facts source when the mapping needs facts; undefined otherwise. */
  facts: OrderFactsSource | undefined;
  counters: ConnectorCounters;
  logger: Logger;
  /** The Salesforce calls: session, throttle, retries. */
  writer: WriterDeps;
  /** Runs a step that is not a Salesforce call (claims, facts), retried until it works or the connector stops. */
  retrying: <T>(what: string, step: () => Promise<T>) => Promise<T>;
  /** A change was written: the last transient failure is over. */
  onWritten: () => void;
  /** A batch went through Salesforce (the throttle may have changed). */
  afterBatch: () => void;
}

/**
 * Writes one batch and settles its waiters: claims the versions (a change older than one already
 * claimed is stale, resolved unwritten), fetches the order facts the mapping needs, maps each change
 * to its record and/or platform event, writes them ({@link writeBatch}), and then resolves what was
 * written or stale, and rejects what Salesforce refused for good with a PermanentFailure (the
 * consumer dead-letters it, with the reason, for `npm run salesforce:replay`).
 */
export async function writePendingBatch(d: BatchWriteDeps, batch: Pending[]): Promise<void> {
  const { config, counters } = d;
  const claims = await d.retrying('version claims', () =>
    d.versions.claim(batch.map((p) => ({ key: p.key, version: p.version }))),
  );
  const live = batch.filter((p, i) => {
    if (claims[i]) return true;
    counters.stale += p.waiters.length;
    for (const w of p.waiters) w.resolve();
    return false;
  });
  if (live.length === 0) return;
  const statusOrders = live.flatMap((p) => (p.change.kind === 'status' ? [p.change.status.orderId] : []));
  const source = d.facts;
  const facts =
    source && statusOrders.length > 0
      ? await d.retrying('order facts', () => source(statusOrders))
      : new Map<string, OrderFacts | null>();
  const items: WriteItem[] = live.map((p): WriteItem => {
    if (p.change.kind === 'exception') {
      return {
        record: exceptionRecord(p.change.exception),
        target: { object: config.exceptionObject, externalIdField: 'Exception_Id__c' },
      };
    }
    const change = p.change.status;
    const f = facts.get(change.orderId) ?? null;
    return {
      ...(config.target !== 'event' ? { record: toRecord(config.fieldMap, change, f) } : {}),
      ...(config.target !== 'upsert' ? { event: toRecord(config.eventFieldMap, change, f) } : {}),
    };
  });
  const outcomes = await writeBatch(d.writer, items);
  counters.batches++;
  d.afterBatch();
  outcomes.forEach((o, i) => {
    const p = live[i]!;
    switch (o.kind) {
      case 'written':
        d.onWritten();
        counters.written++;
        for (const w of p.waiters) w.resolve();
        break;
      case 'stale':
        // Another replica wrote a newer version first; the org's validation rule kept it.
        counters.stale += p.waiters.length;
        for (const w of p.waiters) w.resolve();
        break;
      case 'refused': {
        counters.deadLettered++;
        d.logger.error(
          { key: p.key, version: p.version, reason: o.reason },
          'salesforce: change refused; dead-lettered for replay',
        );
        const object =
          p.change.kind === 'exception'
            ? config.exceptionObject
            : config.target === 'event'
              ? config.eventObject
              : config.object;
        for (const w of p.waiters)
          w.reject(new PermanentFailure(`salesforce refused ${object} ${p.key} v${p.version}: ${o.reason}`));
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
