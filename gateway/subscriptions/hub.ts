import { compareIds, type Envelope, type EventBus, type Subscription } from '../../events/bus.js';
import type { Logger } from '../../runtime/logger.js';

/** A listener's interest: every event of a stream, or only those matching a key. */
export interface ListenOptions {
  /** e.g. `order:ORD-1`, `customer:CUST-1`; absent = every event of the stream. */
  key?: string;
  /** Replay every event after this cursor first, then live ones, without gaps or repeats. */
  after?: string;
}

/** The keys an event can be found by (its order, and its customer when the event carries one). */
export function eventKeys(e: Envelope): string[] {
  const keys = [`order:${e.event.subject}`];
  const customerId = (e.event.data as { customerId?: unknown } | undefined)?.customerId;
  if (typeof customerId === 'string') keys.push(`customer:${customerId}`);
  return keys;
}

interface Listener {
  key: string | undefined;
  deliver: (e: Envelope) => void;
  /** Live events held back while the replay runs. */
  pending: Envelope[] | undefined;
  lastId: string | undefined;
}

/**
 * One bus subscription per stream per gateway replica, fanned out in process to every
 * subscriber: 10,000 subscribers cost one stream reader, not 10,000. Listeners are indexed by key,
 * so an event reaches only the listeners that asked for its order or customer.
 */
export class EventHub {
  private readonly byStream = new Map<string, { all: Set<Listener>; byKey: Map<string, Set<Listener>> }>();
  private readonly subs: Subscription[] = [];
  private readonly observers = new Map<string, Set<(e: Envelope) => void>>();
  /** Streams started on their first listener. */
  private readonly lazy = new Set<string>();
  private readonly opening = new Map<string, Promise<void>>();
  private readonly live = new Set<string>();
  private stopped = false;

  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts reading `streams` (live) now, and `lazily` on the first {@link listen} to each: a stream
   * few subscribe to (business exceptions) holds no reader — with Redis, no blocking connection —
   * until someone does; then it is read until {@link stop}.
   */
  async start(streams: readonly string[], lazily: readonly string[] = []): Promise<void> {
    for (const stream of lazily) this.lazy.add(stream);
    for (const stream of streams) await this.open(stream);
  }

  /** Reads `stream` from now on (once); resolves when the reader is live. */
  private open(stream: string): Promise<void> {
    let opening = this.opening.get(stream);
    if (!opening) {
      if (this.stopped) return Promise.reject(new Error(`EventHub is stopped: it cannot start reading ${stream}`));
      this.byStream.set(stream, { all: new Set(), byKey: new Map() });
      const sub = this.bus.subscribe(stream, (e) => this.dispatch(stream, e));
      this.subs.push(sub);
      opening = sub.ready.then(
        () => void this.live.add(stream),
        async (err: unknown) => {
          // Not started (the bus unreachable): forgotten, so the next listener tries again.
          this.opening.delete(stream);
          this.byStream.delete(stream);
          const at = this.subs.indexOf(sub);
          if (at >= 0) this.subs.splice(at, 1);
          await sub.close().catch(() => undefined);
          throw err;
        },
      );
      this.opening.set(stream, opening);
    }
    return opening;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.subs.splice(0).map((s) => s.close()));
  }

  /** The streams read now (lazy ones once someone listened). */
  streams(): string[] {
    return [...this.live];
  }

  /** How many listeners are attached (for metrics and tests). */
  size(): number {
    let n = 0;
    for (const { all, byKey } of this.byStream.values()) {
      n += all.size;
      for (const set of byKey.values()) n += set.size;
    }
    return n;
  }

  /**
   * Attaches a listener. With `after`, replays the missed events from the bus first (throws the
   * bus's CursorExpiredError when they are gone), then continues live.
   * @returns a function that detaches it.
   */
  async listen(stream: string, opts: ListenOptions, deliver: (e: Envelope) => void): Promise<() => void> {
    if (!this.live.has(stream) && this.lazy.has(stream)) await this.open(stream);
    const index = this.byStream.get(stream);
    if (!index) throw new Error(`EventHub does not read stream ${stream}`);
    const listener: Listener = { key: opts.key, deliver, pending: opts.after ? [] : undefined, lastId: opts.after };
    const set = listener.key === undefined ? index.all : getOrCreate(index.byKey, listener.key);
    set.add(listener);
    const detach = (): void => {
      set.delete(listener);
      if (listener.key !== undefined && set.size === 0) index.byKey.delete(listener.key);
    };
    if (opts.after) {
      try {
        await this.replay(stream, listener, opts.after);
      } catch (err) {
        detach();
        throw err;
      }
    }
    return detach;
  }

  private async replay(stream: string, l: Listener, after: string): Promise<void> {
    let cursor = after;
    for (;;) {
      const page = await this.bus.read(stream, { after: cursor, count: 500 });
      for (const e of page) if (matches(l, e)) this.send(l, e);
      if (page.length < 500) break;
      cursor = page.at(-1)!.id;
    }
    const held = l.pending ?? [];
    l.pending = undefined;
    for (const e of held) this.send(l, e);
  }

  /**
   * Calls `observe` with every live event of `stream` (no replay, no ordering guarantees beyond
   * the stream's): for the gateway's own reactions, e.g. purging caches. Not counted by {@link size}.
   */
  observe(stream: string, observe: (e: Envelope) => void): () => void {
    let set = this.observers.get(stream);
    if (!set) this.observers.set(stream, (set = new Set()));
    set.add(observe);
    return () => set.delete(observe);
  }

  private dispatch(stream: string, e: Envelope): void {
    const index = this.byStream.get(stream);
    if (!index) return;
    for (const o of this.observers.get(stream) ?? []) {
      try {
        o(e);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'event observer failed');
      }
    }
    for (const l of index.all) this.offer(l, e);
    for (const key of eventKeys(e)) {
      const set = index.byKey.get(key);
      if (set) for (const l of set) this.offer(l, e);
    }
  }

  private offer(l: Listener, e: Envelope): void {
    if (l.pending) l.pending.push(e);
    else this.send(l, e);
  }

  /** Delivers once, in order: anything at or before the listener's last id was already sent. */
  private send(l: Listener, e: Envelope): void {
    if (l.lastId !== undefined && compareIds(e.id, l.lastId) <= 0) return;
    l.lastId = e.id;
    try {
      l.deliver(e);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'subscription listener failed');
    }
  }
}

function matches(l: Listener, e: Envelope): boolean {
  return l.key === undefined || eventKeys(e).includes(l.key);
}

function getOrCreate<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
