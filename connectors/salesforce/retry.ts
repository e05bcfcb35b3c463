/** What {@link retryStep} needs: the backoff, the stop signal, and where failures are told. */
export interface RetryDeps {
  retryBaseMs: number;
  retryMaxMs: number;
  counters: { retries: number };
  /** True once the connector drains: a failing step is no longer retried. */
  stopping: () => boolean;
  /** Waits `ms` or until the connector stops. */
  sleep: (ms: number) => Promise<void>;
  /** Told of each failure before its retry (attempt counts from 1). */
  onFailure: (what: string, error: string, attempt: number, waitMs: number) => void;
}

/** Retries a step that is not a Salesforce call (claims, facts) with backoff until it works or the connector stops. */
export async function retryStep<T>(d: RetryDeps, what: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (d.stopping())
        throw new Error(`${what} failed while stopping (${error}); the bus delivers these changes again`);
      d.counters.retries++;
      const waitMs = Math.min(d.retryMaxMs, d.retryBaseMs * 2 ** attempt);
      d.onFailure(what, error, attempt + 1, waitMs);
      await d.sleep(waitMs);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (at once if it already has). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
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
