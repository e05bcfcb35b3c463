import type { HealthRows, SystemReport } from './health.js';

/** Options of {@link startHealthWriter}. */
export interface HealthWriterOptions {
  /** The store (a `VisibilityStore`; only its health rows are written). */
  store: { health: Pick<HealthRows, 'report'> };
  /** This gateway replica's name in the reports (unique per process, e.g. `<host>-<pid>-<port>`). */
  reporter: string;
  /** The current breaker and freshness of each system, as this gateway sees it (its shields). */
  read: () => readonly SystemReport[] | Promise<readonly SystemReport[]>;
  /** How often to write. @default 5000 */
  intervalMs?: number;
  /** A failed write (the store unreachable): reported, retried at the next tick. @default console.error */
  onError?: (err: Error) => void;
}

/** A running writer. */
export interface HealthWriter {
  /** Writes once now (also what each tick does). */
  writeNow(): Promise<void>;
  /** Stops the timer; a write in progress finishes. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Writes this gateway's per-system breaker and freshness state to the store every few seconds, for
 * `Query.operationsHealth` (which merges the reports of every replica from the last minute). The
 * gateway hooks it with a `read` over its shields: `{ system, breaker, lastSuccessAt, lastFailureAt }`.
 */
export function startHealthWriter(o: HealthWriterOptions): HealthWriter {
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const write = async (): Promise<void> => {
    await Promise.resolve(); // never settle synchronously: `inFlight` is assigned before it is cleared
    try {
      await o.store.health.report(o.reporter, await o.read());
    } catch (err) {
      (o.onError ?? ((e: Error) => console.error(`[health writer] ${e.message}`)))(
        err instanceof Error ? err : new Error(String(err)),
      );
    } finally {
      inFlight = undefined;
    }
  };
  const writeNow = (): Promise<void> => (inFlight ??= write());
  const timer = setInterval(() => void writeNow(), o.intervalMs ?? 5000);
  timer.unref();
  return {
    writeNow,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
