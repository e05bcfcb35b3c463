import type { ExceptionChange, StatusChange } from './change.js';

/** A change to write: an order's status, or a business exception. */
export type Change = { kind: 'status'; status: StatusChange } | { kind: 'exception'; exception: ExceptionChange };

/** What a change is about (one pending entry and one version mark per key): the order id, or `exception:<id>`. */
export const keyOf = (c: Change): string =>
  c.kind === 'status' ? c.status.orderId : `exception:${c.exception.exceptionId}`;
export const versionOf = (c: Change): number => (c.kind === 'status' ? c.status.version : c.exception.version);

/** Settles the bus deliveries (and replays) waiting on one change. */
export interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** One key's change waiting for its batch, with everyone waiting on it. */
export interface Pending {
  key: string;
  version: number;
  change: Change;
  waiters: Waiter[];
  since: number;
}

/** What {@link Batcher} needs from the connector. */
export interface BatcherDeps {
  /** Changes per batch (one sObject Collections call). */
  batchSize: number;
  /** The longest a change waits for a full batch, ms. */
  flushMs: number;
  /** True once the connector drains: what is pending is written at once. */
  stopping: () => boolean;
  /** Writes one batch, settling its waiters; a throw rejects every waiter of the batch. */
  write: (batch: Pending[]) => Promise<void>;
  /** Bumped by the waiters a newer version of the same key supersedes. */
  counters: { superseded: number };
}

/**
 * The pending changes, one per order (or exception) — the highest version wins — flushed in batches
 * of up to `batchSize` when a batch is full, when its oldest change has waited `flushMs`, or when
 * the connector drains. One batch is written at a time.
 */
export class Batcher {
  private readonly pending = new Map<string, Pending>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: BatcherDeps) {}

  /** Changes waiting for their batch. */
  get size(): number {
    return this.pending.size;
  }

  /** The flush in progress, if any (resolves once it ends). */
  get idle(): Promise<void> | undefined {
    return this.flushing;
  }

  /** Adds a change to the next batch; resolves once it is written (or skipped as older), rejects as its write does. */
  enqueue(change: Change): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      const key = keyOf(change);
      const version = versionOf(change);
      const p = this.pending.get(key);
      if (p && version < p.version) {
        this.d.counters.superseded++;
        return resolve();
      }
      if (p && version === p.version) {
        p.waiters.push(waiter); // the same change again (a redelivery): one write, one outcome
        return;
      }
      if (p) {
        this.d.counters.superseded += p.waiters.length;
        for (const w of p.waiters) w.resolve();
        Object.assign(p, { change, version, waiters: [waiter] });
        return;
      }
      this.pending.set(key, { key, version, change, waiters: [waiter], since: Date.now() });
      this.schedule();
    });
  }

  /** Starts a flush now (if none runs): what is due is written. */
  kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.size >= this.d.batchSize) {
      this.kick();
      return;
    }
    if (this.timer || this.flushing) return;
    const oldest = this.pending.values().next().value;
    if (!oldest) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, oldest.since + this.d.flushMs - Date.now()));
  }

  /** Writes batches while one is due: full, old enough, or draining. One batch at a time. */
  private async flushLoop(): Promise<void> {
    const { batchSize, flushMs } = this.d;
    for (;;) {
      const oldest = this.pending.values().next().value;
      const due =
        oldest && (this.pending.size >= batchSize || Date.now() - oldest.since >= flushMs || this.d.stopping());
      if (!due) return;
      const batch: Pending[] = [];
      for (const [key, p] of this.pending) {
        if (batch.length === batchSize) break;
        batch.push(p);
        this.pending.delete(key);
      }
      try {
        await this.d.write(batch);
      } catch (err) {
        // Only a stop ends the retries of claims or facts: the entries stay on the bus.
        for (const p of batch) for (const w of p.waiters) w.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
