import { deadLetterStream, Streams, type EventBus, type Subscription } from '../events/bus.js';
import { isDeadLetterEvent } from '../events/deadLetter.js';
import type { DeadLetter, DeadLetterFilter, LetterOutcome, OperatorAction, Redeliverer } from './deadLetters.js';
import type { VisibilityStore } from './store.js';

/** Signs a raw webhook body for `system` (headers to send with it); the caller holds the secrets. */
export type SignWebhook = (system: string, rawBody: string) => Record<string, string>;

/** Options of {@link busRedeliverer}. */
export interface RedelivererOptions {
  bus: EventBus;
  /** The `/ingest` URL of a system, e.g. `http://127.0.0.1:4004/ingest`; undefined when unknown. */
  ingestUrl: (system: string) => string | undefined;
  /** Re-signs a body (the original signature's timestamp has long expired). */
  sign: SignWebhook;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per re-post. @default 10000 */
  timeoutMs?: number;
}

/** Headers an ingest replay never copies from the letter (recomputed or hop-by-hop). */
const RECOMPUTED = new Set([
  'x-signature',
  'x-signature-timestamp',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'content-encoding',
]);

/**
 * The real redeliverer: a consumer letter goes back to its group only (`EventBus.redeliver`), an
 * ingest letter is re-posted, freshly signed, to its system's `/ingest` and must answer 2xx.
 */
export function busRedeliverer(o: RedelivererOptions): Redeliverer {
  const doFetch = o.fetch ?? fetch;
  return {
    consumer: async (l) => {
      await o.bus.redeliver(l.stream, l.group, l.event);
    },
    ingest: async (l) => {
      const url = o.ingestUrl(l.system);
      if (!url) throw new Error(`no /ingest URL is configured for system ${JSON.stringify(l.system)}`);
      const kept = Object.fromEntries(
        Object.entries(l.headers ?? {}).filter(([k]) => !RECOMPUTED.has(k.toLowerCase())),
      );
      const res = await doFetch(url, {
        method: 'POST',
        body: l.rawBody,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        headers: { 'content-type': 'application/json', ...kept, ...o.sign(l.system, l.rawBody), 'x-ovg-replay': l.id },
      });
      const text = await res.text().catch(() => '');
      if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    },
  };
}

/** What to replay: one letter by id, or every open letter matching a filter. */
export type ReplaySelector = { id: string } | { filter: DeadLetterFilter; limit?: number };

/**
 * THE replay every caller uses — the visibility subgraph's ops mutations, `npm run
 * salesforce:replay`, scripts: re-delivers the selected letters exactly once each, audited with
 * `who`. See {@link DeadLetters.replay} for the states.
 */
export async function replayDeadLetters(
  store: VisibilityStore,
  redeliver: Redeliverer,
  selector: ReplaySelector,
  who: OperatorAction,
): Promise<LetterOutcome[]> {
  if ('id' in selector) return [await store.deadLetters.replay(selector.id, who, redeliver)];
  return store.deadLetters.replayMatching(selector.filter, who, redeliver, selector.limit);
}

/** Options of {@link drainDeadLetters}. */
export interface DrainOptions {
  bus: EventBus;
  store: VisibilityStore;
  /** The streams whose `.dead` streams drain into the store. @default [Streams.SOURCE, Streams.VISIBILITY] */
  streams?: readonly string[];
  /** This process's consumer name in the `dead-letter-store` group. */
  consumer: string;
  /** Called with each letter recorded (e.g. to open a DEAD_LETTER exception). */
  onLetter?: (letter: DeadLetter) => Promise<void> | void;
}

/** The consumer group that moves bus dead letters into the store. */
export const DRAIN_GROUP = 'dead-letter-store';

/**
 * Drains the bus's dead-letter streams into the store (work-shared: one replica records each), from
 * the start of each stream so letters written while no drain ran are kept. Recording is idempotent.
 */
export function drainDeadLetters(o: DrainOptions): Subscription {
  const subs = (o.streams ?? [Streams.SOURCE, Streams.VISIBILITY]).map((stream) =>
    o.bus.consume(
      deadLetterStream(stream),
      DRAIN_GROUP,
      o.consumer,
      async (d) => {
        if (!isDeadLetterEvent(d.event)) return; // not written by the bus: nothing to replay
        const letter = await o.store.deadLetters.recordConsumer(stream, d.event);
        await o.onLetter?.(letter);
      },
      { startFrom: '0' },
    ),
  );
  const ready = Promise.all(subs.map((s) => s.ready)).then(() => undefined);
  ready.catch(() => undefined);
  let closed: Promise<void> | undefined;
  return { ready, close: () => (closed ??= Promise.all(subs.map((s) => s.close())).then(() => undefined)) };
}
