import { salesforceAuthorization } from './http.js';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A real graphql-ws client (over `ws`) on the gateway's /graphql. Without `connectionParams` it
 * sends a salesforce credential in `connection_init`.
 */
export function wsClient(
  httpUrl: string,
  opts: {
    connectionParams?: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
    onClose?: (code: number, reason: string) => void;
    headers?: Record<string, string>;
  } = {},
): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // Closes are asserted by the tests through `onClose`; do not print them.
    onNonLazyError: () => {},
    connectionParams: opts.connectionParams ?? (async () => ({ authorization: await salesforceAuthorization() })),
    ...(opts.headers
      ? {
          webSocketImpl: class extends WebSocket {
            constructor(url: string, protocols?: string | string[]) {
              super(url, protocols, { headers: opts.headers });
            }
          },
        }
      : {}),
    on: opts.onClose
      ? { closed: (e) => opts.onClose!((e as { code: number }).code, String((e as { reason?: string }).reason ?? '')) }
      : undefined,
  });
}

/** A subscription whose messages are collected as they arrive. */
export interface Collector<T = any> {
  messages: { data?: T; errors?: any[] }[];
  /** Resolves when at least `n` messages arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<{ data?: T; errors?: any[] }[]>;
  /** Resolves when the subscription ended (error or complete). */
  ended: Promise<unknown>;
  stop(): void;
}

export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Collector<T> {
  const messages: Collector<T>['messages'] = [];
  let endResolve!: (v: unknown) => void;
  const ended = new Promise((r) => (endResolve = r));
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (m) => messages.push(m as Collector<T>['messages'][number]),
      error: (e) => endResolve(e),
      complete: () => endResolve('complete'),
    },
  );
  return {
    messages,
    ended,
    stop,
    async waitFor(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline)
          throw new Error(
            `expected ${n} messages within ${timeoutMs} ms, got ${messages.length}: ${JSON.stringify(messages).slice(0, 500)}`,
          );
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages;
    },
  };
}

/** Waits until `check` holds, polling. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
