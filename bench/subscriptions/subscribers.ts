/**
 * Every graphql-ws client of the benchmark, in this (the parent) process: one subscription per
 * client, authenticated in connection_init with a salesforce token as the agents' console does.
 * Messages go to the phase being measured (`listen`); outside a phase they are counted as strays.
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { devToken } from '../../gateway/auth/devCredentials.js';
import type { ServerProcess } from './server.js';
import { now, sleep } from './numbers.js';

/** Every subscriber gets every change (the worst case). */
export const BROADCAST = 'subscription { orderStatusChanged { cursor orderId status order { number status } } }';
/** One order's changes. */
export const FILTERED =
  'subscription ($orderId: ID) { orderStatusChanged(orderId: $orderId) { cursor orderId status order { number status } } }';

/** A connected client and its current subscription. */
export interface Slot {
  client: Client;
  unsubscribe: (() => void) | undefined;
}

/** A subscriber's message: its index and the GraphQL result. */
export type MessageListener = (subscriber: number, message: { data?: unknown; errors?: unknown }) => void;

export interface SubscribersOptions {
  /** ws:// URL of the gateway's graphql-ws endpoint. */
  url: string;
  /** Clients connected at once while growing. */
  batch: number;
  /** The largest size of the run, for the file-descriptor hint. */
  maxSize: number;
  server: ServerProcess;
  log: (msg: string) => void;
  /** Called on a resource error that makes the run meaningless (out of descriptors or ports). */
  onFatal: (why: string) => never;
}

export class Subscribers {
  readonly slots: Slot[] = [];
  /** The first 50 client errors. */
  readonly errors: string[] = [];
  /** Close codes of sockets the bench did not close, with counts. */
  readonly closeCodes = new Map<number, number>();
  /** Messages that arrived while no phase listened. */
  strays = 0;
  private closing = false;
  private listener: MessageListener | undefined;
  private token: Promise<string> | undefined;

  constructor(private readonly options: SubscribersOptions) {}

  /** Routes messages to `listener` until it is replaced by `undefined`. */
  listen(listener: MessageListener | undefined): void {
    this.listener = listener;
  }

  /** A client of the gateway with retries off; `closing` silences the errors of a deliberate close. */
  newClient(): Client {
    let disposed = false;
    const client = createClient({
      url: this.options.url,
      connectionParams: async () => {
        this.token ??= devToken('salesforce', { ttlSeconds: 6 * 3600 });
        return { authorization: `Bearer ${await this.token}` };
      },
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: (e) => {
        if (!this.closing) this.clientError(e);
      },
      on: {
        error: (e) => {
          if (!this.closing) this.clientError(e);
        },
        closed: (e) => {
          if (this.closing || disposed) return;
          const code = Number((e as { code?: number }).code ?? 0);
          this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
        },
      },
    });
    const dispose = client.dispose.bind(client);
    client.dispose = () => {
      disposed = true;
      return dispose();
    };
    return client;
  }

  /** A subscriber function for `growTo`: subscribes slot `i` to `query` with `variables(i)`. */
  subscribeWith(query: string, variables?: (i: number) => Record<string, unknown>): (slot: Slot, i: number) => void {
    return (slot, i) => {
      slot.unsubscribe = slot.client.subscribe(
        { query, variables: variables?.(i) },
        {
          next: (m) => {
            if (this.listener) this.listener(i, m as { data?: unknown });
            else this.strays++;
          },
          error: (e) => {
            if (!this.closing) this.clientError(e);
          },
          complete: () => undefined,
        },
      );
    };
  }

  /** Connects clients (in batches) until `target`, each with one subscription; waits until the server holds them all. */
  async growTo(target: number, subscribe: (slot: Slot, i: number) => void): Promise<void> {
    const t = now();
    while (this.slots.length < target) {
      const from = this.slots.length;
      const to = Math.min(target, from + this.options.batch);
      for (let i = from; i < to; i++) {
        const slot: Slot = { client: this.newClient(), unsubscribe: undefined };
        this.slots.push(slot);
        subscribe(slot, i);
      }
      await this.waitFor(`${to} subscriptions`, async () => (await this.options.server.hub()).active >= to, 60_000);
    }
    this.options.log(`${target} subscribers connected in ${((now() - t) / 1000).toFixed(1)} s`);
  }

  /** Polls `check` every 50 ms; fails the run with the client errors seen when it stays false past `timeoutMs`. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (!(await check())) {
      if (now() > deadline) {
        const errors = this.errors.slice(0, 5).join('; ') || 'none';
        this.options.onFatal(
          `${what} did not happen within ${timeoutMs} ms (client errors: ${errors}; closes: ${JSON.stringify([...this.closeCodes])})`,
        );
      }
      await sleep(50);
    }
  }

  /** Disposes every client and waits until the server has no socket left. */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.client.dispose()));
    await this.waitFor('every socket closed', async () => (await this.options.server.hub()).clients === 0, 30_000);
  }

  /** Records a client error; out of descriptors or local ports fails the run with the remedy. */
  clientError(e: unknown): void {
    const d = describeError(e);
    if (this.errors.length < 50) this.errors.push(d);
    if (/EMFILE|ENFILE/.test(d)) {
      this.options.onFatal(
        `out of file descriptors while connecting (${d}); raise \`ulimit -n\` (need about ${this.options.maxSize + 1024} in each process)`,
      );
    }
    if (/EADDRNOTAVAIL/.test(d)) {
      this.options.onFatal(`out of local ports while connecting (${d}); see /proc/sys/net/ipv4/ip_local_port_range`);
    }
  }
}

/** A one-line description of an Error, a CloseEvent-like object or an ErrorEvent. */
function describeError(e: unknown): string {
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.trim();
  const o = e as { code?: unknown; reason?: unknown; message?: unknown; error?: unknown } | undefined;
  if (o?.error instanceof Error) return describeError(o.error);
  if (o && (o.code !== undefined || o.message !== undefined)) {
    return `code ${String(o.code ?? '')} ${String(o.message ?? o.reason ?? '')}`.trim();
  }
  return String(e);
}
