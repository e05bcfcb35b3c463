import type { Connection } from 'jsforce';
import { describeError, isTransientCode, isTransientError } from './failures.js';
import type { Throttle } from './throttle.js';

/** One change to write: its upsert record and/or platform event record (by target). */
export interface WriteItem {
  record?: Record<string, string | number>;
  /** Where `record` goes when not the configured object (e.g. exceptions): object and External ID field. */
  target?: { object: string; externalIdField: string };
  event?: Record<string, string | number>;
}

/**
 * What became of an item: written; stale (the org holds a newer version: its validation rule refused
 * the update with {@link STALE_VERSION}); refused for good (the reason goes to the dead letter); or
 * given up because the connector stops.
 */
export type WriteOutcome =
  | { kind: 'written' }
  | { kind: 'stale'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'stopped'; reason: string };

/** The message prefix of the org's version validation rules (docs/salesforce.md). */
export const STALE_VERSION = 'STALE_VERSION';

/** Counters the writer bumps. */
export interface WriterCounters {
  apiCalls: number;
  retries: number;
}

export interface WriterDeps {
  object: string;
  externalIdField: string;
  eventObject: string;
  /** The logged-in connection (logs in on first use and after a failed login). */
  connection: () => Promise<Connection>;
  /** Forget the connection (its login failed): the next call logs in again. */
  dropConnection: () => void;
  throttle: Throttle;
  counters: WriterCounters;
  retryBaseMs: number;
  retryMaxMs: number;
  /** True once the connector drains: transient failures are no longer retried. */
  stopping: () => boolean;
  /** Waits `ms` or until the connector stops. */
  sleep: (ms: number) => Promise<void>;
  onRetry: (what: string, error: string, attempt: number, waitMs: number) => void;
}

interface Call {
  kind: 'upsert' | 'event';
  /** The upserted object and its External ID field. */
  object: string;
  externalIdField: string;
  items: number[];
}

/**
 * Writes a batch with as few API calls as Salesforce allows — one sObject Collections upsert by
 * external id for up to 200 records
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm),
 * then one collections create of the platform events
 * (https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm) —
 * through jsforce, which neither retries PATCH/POST nor tells transient from permanent failures. This
 * does: a whole call that fails transiently (network, 5xx, REQUEST_LIMIT_EXCEEDED, a session that
 * could not be renewed yet) is retried with exponential backoff until it heals; per record, an
 * UNABLE_TO_LOCK_ROW is retried, any other error refuses that record for good. Retrying is safe: an
 * upsert by external id writes the same values again.
 */
export async function writeBatch(d: WriterDeps, items: readonly WriteItem[]): Promise<WriteOutcome[]> {
  const outcomes: (WriteOutcome | undefined)[] = items.map(() => undefined);
  const refuse = (i: number, reason: string): void => void (outcomes[i] = { kind: 'refused', reason });
  let upserts = items.flatMap((it, i) => (it.record ? [i] : []));
  let events = items.flatMap((it, i) => (it.event && !it.record ? [i] : []));
  let attempt = 0;
  while (upserts.length > 0 || events.length > 0) {
    // One object per call: the first pending upsert's object, with every pending upsert of it.
    const first = upserts.length > 0 ? items[upserts[0]!]!.target : undefined;
    const object = first?.object ?? d.object;
    const sameObject = (i: number): boolean => (items[i]!.target?.object ?? d.object) === object;
    const call: Call =
      upserts.length > 0
        ? {
            kind: 'upsert',
            object,
            externalIdField: first?.externalIdField ?? d.externalIdField,
            items: upserts.filter(sameObject),
          }
        : { kind: 'event', object: d.eventObject, externalIdField: '', items: events };
    const others = call.kind === 'upsert' ? upserts.filter((i) => !sameObject(i)) : [];
    let results: { success: boolean; errors: { statusCode?: string; errorCode?: string; message: string }[] }[];
    try {
      await waitForThrottle(d);
      const conn = await d.connection();
      d.counters.apiCalls++;
      try {
        results =
          call.kind === 'upsert'
            ? ((await conn.upsert(
                call.object,
                call.items.map((i) => items[i]!.record!),
                call.externalIdField,
                { allOrNone: false },
              )) as unknown as typeof results)
            : ((await conn.sobject(d.eventObject).create(
                call.items.map((i) => items[i]!.event!),
                { allOrNone: false },
              )) as unknown as typeof results);
      } finally {
        d.throttle.observe(conn.limitInfo?.apiUsage);
      }
      attempt = 0;
    } catch (err) {
      const reason = describeError(err);
      if (!isTransientError(err)) {
        // The whole call is refused (a bad object or field name, a malformed body): no record of it can be written as configured.
        for (const i of call.items) refuse(i, `${call.object}: ${reason}`);
        if (call.kind === 'upsert') upserts = others;
        else events = [];
        continue;
      }
      if ((err as { name?: string }).name === 'LoginError' || reason.includes('Unable to refresh session'))
        d.dropConnection();
      if (d.stopping()) break;
      const waitMs = Math.min(d.retryMaxMs, d.retryBaseMs * 2 ** attempt++);
      d.counters.retries++;
      d.onRetry(call.kind, reason, attempt, waitMs);
      await d.sleep(waitMs);
      continue;
    }
    const again: number[] = [];
    call.items.forEach((i, k) => {
      const r = results[k];
      if (r?.success) {
        if (call.kind === 'upsert' && items[i]!.event) events.push(i);
        else outcomes[i] = { kind: 'written' };
        return;
      }
      const e = r?.errors?.[0];
      const code = e?.statusCode ?? e?.errorCode;
      if (code && isTransientCode(code)) again.push(i);
      else if (code === 'FIELD_CUSTOM_VALIDATION_EXCEPTION' && e?.message.startsWith(STALE_VERSION))
        outcomes[i] = { kind: 'stale', reason: e.message };
      else refuse(i, `${code ?? 'UNKNOWN'}: ${e?.message ?? 'no result for this record'}`);
    });
    if (call.kind === 'upsert') upserts = [...others, ...again];
    else events = again;
    if (again.length > 0) {
      if (d.stopping()) break;
      const waitMs = Math.min(d.retryMaxMs, d.retryBaseMs * 2 ** attempt++);
      d.counters.retries++;
      d.onRetry(
        `${call.kind} of ${again.length} record(s)`,
        'UNABLE_TO_LOCK_ROW or another transient record error',
        attempt,
        waitMs,
      );
      await d.sleep(waitMs);
    }
  }
  return outcomes.map(
    (o) =>
      o ?? {
        kind: 'stopped',
        reason: 'the connector stopped before Salesforce accepted this change; the bus delivers it again',
      },
  );
}

/** Waits while the throttle holds the next call back (re-checked: the usage may change). */
async function waitForThrottle(d: WriterDeps): Promise<void> {
  for (let wait = d.throttle.delayMs(); wait > 0 && !d.stopping(); wait = d.throttle.delayMs()) await d.sleep(wait);
}
