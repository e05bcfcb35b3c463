import { libraryLogger } from '../runtime/logger.js';
import { isStreamId, type ConsumeOptions, type StreamId } from './bus.js';

/** Reports an error no caller can catch: a throwing broadcast handler, a lost connection, an undecodable entry. */
export type BusErrorHandler = (error: Error, context: string) => void;

/** Options both adapters share. */
export interface CommonBusOptions {
  /**
   * Entries each stream keeps; older ones are trimmed (exactly in memory, approximately — whole
   * radix-tree nodes — in Redis, see https://redis.io/docs/latest/commands/xadd/#capped-streams).
   * @default 100000
   */
  maxLen?: number;
  /**
   * Called with errors that have no caller to throw to: a broadcast handler that threw, a consumer
   * handler's error (before redelivery), a connection loss. Never throws back.
   * @default logs it (pino, `"name":"events"`)
   */
  onError?: BusErrorHandler;
}

export const DEFAULT_MAX_LEN = 100_000;

export const defaultOnError: BusErrorHandler = (error, context) => {
  libraryLogger('events').error({ err: error.message, context }, 'event bus error');
};

/** A positive integer option, or its default; anything else throws a message naming the option and the value. */
export function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`event bus option ${name}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws unless `after` is a `<ms>-<seq>` stream id. */
export function assertCursor(after: StreamId | undefined): void {
  if (after !== undefined && !isStreamId(after)) {
    throw new TypeError(
      `stream cursor: expected an id of the form <ms>-<seq> (e.g. 1718000000000-0), got ${JSON.stringify(after)}`,
    );
  }
}

/** The consume options with their defaults (`onReset` stays optional: no default). */
export type ResolvedConsumeOptions = Required<Omit<ConsumeOptions, 'onReset'>> & Pick<ConsumeOptions, 'onReset'>;

/** Fills in the {@link ConsumeOptions} defaults and validates them. */
export function resolveConsumeOptions(opts: ConsumeOptions = {}): ResolvedConsumeOptions {
  const startFrom = opts.startFrom ?? '$';
  if (startFrom !== '$' && startFrom !== '0') {
    throw new TypeError(`consume option startFrom: expected '$' or '0', got ${JSON.stringify(startFrom)}`);
  }
  return {
    maxDeliveries: positiveInt('maxDeliveries', opts.maxDeliveries, 5),
    reclaimIdleMs: positiveInt('reclaimIdleMs', opts.reclaimIdleMs, 30_000),
    batchSize: positiveInt('batchSize', opts.batchSize, 100),
    startFrom,
    concurrency: positiveInt('concurrency', opts.concurrency, 1),
    ...(opts.onReset ? { onReset: assertFunction('onReset', opts.onReset) } : {}),
  };
}

function assertFunction<F>(name: string, f: F): F {
  if (typeof f !== 'function') throw new TypeError(`consume option ${name}: expected a function, got ${typeof f}`);
  return f;
}

/** Validates a stream or group name: non-empty, no whitespace. */
export function assertName(kind: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /\s/.test(name)) {
    throw new TypeError(`${kind}: expected a non-empty name without whitespace, got ${JSON.stringify(name)}`);
  }
}
