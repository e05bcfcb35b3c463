import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Db } from './db.js';

/**
 * One writer per key at a time (the actions' per-order lock, docs/returns.md): `work` runs only
 * while no other holder of `key` runs, in this process or in any other sharing the implementation.
 * subgraphs/common/keyedLock.ts has the in-process one.
 */
export interface ActionLock {
  /** Runs `work` holding `key`; the key is released when it settles (also when it throws). */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/**
 * The actions' results by idempotency key (docs/returns.md): a retry with the same key and the
 * same request gets the first result; the same key with another request is a conflict. Keys are
 * scoped (action and caller). subgraphs/common/idempotency.ts has the in-process one.
 */
export interface ActionResults {
  /** The earlier result for this key: `{ result }` for the same request (same fingerprint), `{ conflict }` for another one, undefined when new. */
  get<R>(scope: string, key: string, fingerprint: string): Promise<{ result: R } | { conflict: true } | undefined>;
  /** Records the result of a new request (a key already recorded keeps its first result). */
  remember<R>(scope: string, key: string, fingerprint: string, result: R): Promise<void>;
}

/** The lock of a key could not be had within the wait: another holder is still working on it. */
export class ActionLockBusyError extends Error {
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`${key} is being changed by another request; gave up after waiting ${waitedMs} ms`);
    this.name = 'ActionLockBusyError';
  }
}

/** Options of {@link StoreActionLocks}. */
export interface StoreActionLocksOptions {
  /** How long a lease holds without renewal: a holder that died frees the key after this. Renewed every third of it while the work runs. @default 30000 */
  leaseMs?: number;
  /**
   * How long a request waits for a busy key before {@link ActionLockBusyError}, ms of real time.
   * Keep it below the gateway's timeout of a call to the subgraph (`SHIELD_<NAME>_TIMEOUT_MS`,
   * 2000 by default), so a busy order is answered by the subgraph, not by the gateway's timeout.
   * @default 1500
   */
  waitMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * {@link ActionLock} on the store's table `action_leases` (migration 3): a row per held key with
 * its holder and expiry, taken with one `INSERT … ON CONFLICT DO UPDATE … WHERE expired` (atomic on
 * PostgreSQL and PGlite alike, so every replica sharing the database sees the same holder). A
 * waiter polls with a backoff from 2 to 100 ms; the holder renews its lease while the work runs and
 * deletes it when done; a holder that died is taken over once its lease expired.
 * (Advisory locks would not do: they belong to a session, and PGlite has one session for all.)
 */
export class StoreActionLocks implements ActionLock {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  /** This instance's holders are `<instance>:<n>`: each run holds under its own name. */
  private readonly instance = randomUUID();
  private runs = 0;

  constructor(
    private readonly db: Db,
    private readonly now: Clock,
    opts: StoreActionLocksOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.waitMs = opts.waitMs ?? 1500;
    if (!(this.leaseMs >= 100)) throw new RangeError(`action lease must be at least 100 ms; received ${this.leaseMs}`);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const holder = `${this.instance}:${++this.runs}`;
    await this.acquire(key, holder);
    const renewal = setInterval(
      () => void this.renew(key, holder).catch(() => undefined),
      Math.floor(this.leaseMs / 3),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      // A release that fails (database gone) leaves the lease to expire.
      await this.db
        .query('DELETE FROM action_leases WHERE lease_key = $1 AND holder = $2', [key, holder])
        .catch(() => undefined);
    }
  }

  /** Takes `key` for `holder` when it is free or its lease expired; true when taken. */
  async tryAcquire(key: string, holder: string): Promise<boolean> {
    const at = this.now();
    const rows = await this.db.query(
      `INSERT INTO action_leases (lease_key, holder, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (lease_key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
      WHERE action_leases.expires_at <= $4
      RETURNING holder`,
      [key, holder, new Date(at + this.leaseMs), new Date(at)],
    );
    return rows.length > 0;
  }

  private async acquire(key: string, holder: string): Promise<void> {
    const started = performance.now();
    let pause = 2;
    for (;;) {
      if (await this.tryAcquire(key, holder)) return;
      const waited = performance.now() - started;
      if (waited >= this.waitMs) throw new ActionLockBusyError(key, Math.round(waited));
      await sleep(Math.min(pause, this.waitMs - waited));
      pause = Math.min(pause * 2, 100);
    }
  }

  private async renew(key: string, holder: string): Promise<void> {
    await this.db.query('UPDATE action_leases SET expires_at = $3 WHERE lease_key = $1 AND holder = $2', [
      key,
      holder,
      new Date(this.now() + this.leaseMs),
    ]);
  }
}

/**
 * {@link ActionResults} on the store's table `action_results` (migration 3), shared by every
 * replica and kept across restarts. The result is stored as JSON (what the action answered).
 * Rows are kept until pruned ({@link prune}).
 */
export class StoreActionResults implements ActionResults {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  async get<R>(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<{ result: R } | { conflict: true } | undefined> {
    const [row] = await this.db.query<{ fingerprint: string; result: unknown }>(
      'SELECT fingerprint, result FROM action_results WHERE scope = $1 AND idempotency_key = $2',
      [scope, key],
    );
    if (!row) return undefined;
    if (row.fingerprint !== fingerprint) return { conflict: true };
    return { result: (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as R };
  }

  async remember<R>(scope: string, key: string, fingerprint: string, result: R): Promise<void> {
    await this.db.query(
      `INSERT INTO action_results (scope, idempotency_key, fingerprint, result, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
      ON CONFLICT (scope, idempotency_key) DO NOTHING`,
      [scope, key, fingerprint, JSON.stringify(result), new Date(this.now())],
    );
  }

  /** Forgets results recorded before `before` (a retry after that is a new request); the number removed. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db.query('DELETE FROM action_results WHERE created_at < $1 RETURNING 1', [before]);
    return rows.length;
  }
}
