import { setTimeout as delay } from 'node:timers/promises';
import type { Subscription } from './bus.js';

/** A one-shot wake-up for loops that wait for "something changed": `wait()` resolves on the next `notify()`. */
export class Signal {
  private waiters: Array<() => void> = [];

  /** Resolves on the next `notify()`, or after `timeoutMs` when given (the timer is cleared either way). */
  wait(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => {
            this.waiters = this.waiters.filter((w) => w !== done);
            resolve();
          },
          Math.max(0, timeoutMs),
        );
      }
    });
  }

  /** Wakes every current waiter. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Lets I/O and timers run (a macrotask turn) — for loops that could otherwise chain microtasks for long. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits `ms`, or less when `signal` aborts (resolves either way; the timer never outlives the abort). */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Races `promise` against a timer; on timeout rejects with `onTimeout()`. The timer is cleared when the
 * promise settles, and a late rejection of `promise` is swallowed (it was already reported as the timeout).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves like `promise`, or with undefined as soon as `signal` aborts (a late rejection is swallowed). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The message of anything thrown. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The subscriptions a bus has handed out and not yet closed, so `close()` of the bus can close
 * them all; each adapter keeps one.
 */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  /** Wraps `sub` so that closing it also forgets it. */
  track(sub: Subscription): Subscription {
    this.open.add(sub);
    return {
      ready: sub.ready,
      close: async () => {
        await sub.close();
        this.open.delete(sub);
      },
    };
  }

  closeAll(): Promise<void> {
    return Promise.all([...this.open].map((s) => s.close())).then(() => undefined);
  }
}

/** One subscription made of several (e.g. a group member on a stream and on its redelivery stream). */
export function combined(parts: Subscription[]): Subscription {
  const ready = Promise.all(parts.map((p) => p.ready)).then(() => undefined);
  ready.catch(() => undefined);
  let closed: Promise<void> | undefined;
  return {
    ready,
    close: () => (closed ??= Promise.all(parts.map((p) => p.close())).then(() => undefined)),
  };
}
