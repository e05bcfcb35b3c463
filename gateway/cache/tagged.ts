import type { OrderVersions, VersionSnapshot } from '../../events/versions.js';
import { CacheGuard, type CacheGuardOptions } from './guard.js';
import { LruMap, type CacheStore } from './store.js';
import { MemoryTagIndex, type TagIndex } from './tagIndex.js';

/** Options of {@link TaggedCache}. */
export interface TaggedCacheOptions {
  /** Where entries live (raw or already `errorsAreMisses`: every call goes through the guard anyway). */
  store: CacheStore;
  /** The order versions ingest bumps; shared with ingest, so {@link TaggedCache.close} leaves it open. */
  versions: OrderVersions;
  /** Which entries carry which tag. @default a new MemoryTagIndex */
  tags?: TagIndex;
  /** Bounds and reports every store, index and versions call (share one to report an outage once). @default new CacheGuard() */
  guard?: CacheGuard | CacheGuardOptions;
  /**
   * A near copy of the entries this process stored, for a remote store (Redis): a hit then costs
   * one versions read instead of two round trips. Entries are still checked against the versions
   * on every read; a copy lives at most `ttlMs` (and the entry's own TTL). @default none
   */
  /**
   * Each entry's TTL is shortened by a random fraction up to this (0–0.5), so entries written
   * together do not expire together: without it every answer filled in one burst (a start, a
   * flush, a popular page) missed again in one burst a TTL later, and each burst queued every
   * request behind its upstream fetches (RELIABILITY.md, "Noisy client"). @default 0
   */
  ttlJitter?: number;
  /** The random source of the jitter, in [0, 1). @default Math.random */
  random?: () => number;
  near?: {
    maxEntries: number;
    ttlMs: number /** Byte budget of the near copy (approximate), LRU-evicted past it. @default unbounded by bytes */;
    maxBytes?: number;
  };
}

/** How {@link TaggedCache.set} stores an entry. */
export interface TaggedSetOptions {
  /** How long the entry lives, ms: far less than the versions' TTL (7 days); at most this with a jitter ({@link TaggedCacheOptions.ttlJitter}). */
  ttlMs: number;
  /**
   * The versions of the ids the value depends on, read with {@link TaggedCache.snapshot} BEFORE the
   * upstream fetch started — the orders asked for and, for a customer's lists, `customer:<id>`.
   * A bump during the fetch then leaves the entry recorded with the older version: never served.
   */
  versions: VersionSnapshot;
  /**
   * Ids the value turned out to contain that were not known before the fetch (the orders of a
   * list). Their versions are read now; the entry is not stored when any was bumped after
   * `versions.clock`, i.e. while the fetch ran.
   */
  discoveredIds?: string[];
  /** Tags the entry carries, for {@link TaggedCache.purge} (see `CacheTags`). */
  tags?: string[];
}

/** What an entry holds: the value and the versions it was read at. */
interface Entry {
  value: string;
  versions: [string, number][];
  /** Near copies only: when it stops being served from this process. */
  expiresAt?: number;
}

/**
 * Stored as `<versions as JSON>\n<value>`: the value is kept as it is, never escaped into another
 * JSON string, and a hit parses only the short versions line (JSON has no raw newline).
 */
function formatEntry(e: Entry): string {
  return `${JSON.stringify(e.versions)}\n${e.value}`;
}

function parseEntry(raw: string): Entry | undefined {
  const newline = raw.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const versions: unknown = JSON.parse(raw.slice(0, newline));
    if (
      !Array.isArray(versions) ||
      !versions.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number')
    )
      return undefined;
    return { value: raw.slice(newline + 1), versions: versions as [string, number][] };
  } catch {
    return undefined;
  }
}

/**
 * A cache that never serves a value some acknowledged webhook replaced (ARCHITECTURE.md, "Caching
 * without lying"). Each entry records the versions of the orders (and customers' lists) it depends
 * on, as read before its fetch; `get` serves it only while every one of them is still current (one
 * versions read per hit). Since ingest bumps before answering 2xx, a read that starts after a
 * webhook's 2xx never returns the value it replaced — on any replica sharing the versions store.
 * Tags only reclaim space early ({@link purge}); correctness never depends on them.
 *
 * Every failure — store, index or versions unreachable or slow — is a miss or a skipped write,
 * bounded by the guard's timeout; an entry whose versions cannot be read is never served.
 *
 * Use: `const before = await cache.snapshot(ids)` → fetch → `if (before) await cache.set(key, value, { versions: before, … })`.
 */
export class TaggedCache {
  private readonly store: CacheStore;
  private readonly versions: OrderVersions;
  private readonly tags: TagIndex;
  private readonly guard: CacheGuard;
  private readonly near: LruMap<string, Entry> | undefined;
  private readonly nearTtlMs: number = 0;
  private readonly ttlJitter: number;
  private readonly random: () => number;

  constructor(opts: TaggedCacheOptions) {
    this.store = opts.store;
    this.versions = opts.versions;
    this.tags = opts.tags ?? new MemoryTagIndex();
    this.guard = opts.guard instanceof CacheGuard ? opts.guard : new CacheGuard(opts.guard);
    const jitter = opts.ttlJitter ?? 0;
    if (!(jitter >= 0 && jitter <= 0.5))
      throw new RangeError(`TaggedCache: expected ttlJitter between 0 and 0.5, got ${JSON.stringify(opts.ttlJitter)}`);
    this.ttlJitter = jitter;
    this.random = opts.random ?? Math.random;
    if (opts.near) {
      this.near = new LruMap(opts.near.maxEntries, opts.near.maxBytes);
      this.nearTtlMs = opts.near.ttlMs;
    }
  }

  /**
   * The current versions of `ids` and the clock, to take BEFORE the upstream fetch whose result
   * will be {@link set}; undefined when the versions cannot be read (then do not cache the result).
   */
  snapshot(ids: string[]): Promise<VersionSnapshot | undefined> {
    return this.guard.run('read versions', () => this.versions.snapshot(ids), undefined);
  }

  /** The value of `key` when present and every version it recorded is still current; else undefined. */
  async get(key: string): Promise<string | undefined> {
    // The near copy saves the store round trip, never the versions check. A stale near copy is
    // only dropped here: another replica may have stored the current answer under the same key.
    const near = this.near?.get(key);
    if (near) {
      if (near.expiresAt! > Date.now()) {
        const current = await this.current(near);
        if (current === undefined) return undefined;
        if (current) return near.value;
      }
      this.near!.delete(key);
    }
    const raw = await this.guard.run('get', () => this.store.get(key), undefined);
    if (raw === undefined) return undefined;
    const entry = parseEntry(raw);
    if (!entry) {
      this.forget(key);
      return undefined;
    }
    const current = await this.current(entry);
    if (current === undefined) return undefined;
    if (!current) {
      this.forget(key);
      return undefined;
    }
    return entry.value;
  }

  /** Whether every version the entry recorded is still current; undefined when they cannot be read. */
  private async current(entry: Entry): Promise<boolean | undefined> {
    if (entry.versions.length === 0) return true;
    const now = await this.guard.run(
      'read versions',
      () => this.versions.get(entry.versions.map(([id]) => id)),
      undefined,
    );
    if (!now) return undefined;
    return entry.versions.every(([id, v]) => now.get(id) === v);
  }

  private remember(key: string, entry: Entry, ttlMs: number): void {
    if (!this.near) return;
    this.near.set(key, { ...entry, expiresAt: Date.now() + Math.min(ttlMs, this.nearTtlMs) });
  }

  /**
   * Stores `value` with the versions it was read at and indexes it under its tags. Resolves true
   * when stored; false — nothing stored — when any of its ids changed during the fetch (it could
   * never be served), or when the versions or the store cannot be reached.
   */
  async set(key: string, value: string, opts: TaggedSetOptions): Promise<boolean> {
    if (!Number.isFinite(opts.ttlMs) || opts.ttlMs <= 0)
      throw new TypeError(
        `TaggedCache.set ${key}: expected ttlMs to be a positive number, got ${JSON.stringify(opts.ttlMs)}`,
      );
    if (!opts.versions || !(opts.versions.versions instanceof Map)) {
      throw new TypeError(
        `TaggedCache.set ${key}: expected versions to be the snapshot read before the fetch (TaggedCache.snapshot), got ${JSON.stringify(opts.versions)}`,
      );
    }
    const recorded = new Map(opts.versions.versions);
    const discovered = [...new Set(opts.discoveredIds ?? [])].filter((id) => !recorded.has(id));
    const ids = [...recorded.keys(), ...discovered];
    if (ids.length > 0) {
      // One read: skip what changed during the fetch (it could not be served, and could replace a fresher entry).
      const now = await this.guard.run('read versions', () => this.versions.get(ids), undefined);
      if (!now) return false;
      for (const [id, v] of recorded) if ((now.get(id) ?? 0) !== v) return false;
      for (const id of discovered) {
        const v = now.get(id) ?? 0;
        if (v > opts.versions.clock) return false;
        recorded.set(id, v);
      }
    }
    const entry: Entry = { value, versions: [...recorded] };
    const ttlMs = this.ttlJitter
      ? Math.max(1, Math.round(opts.ttlMs * (1 - this.ttlJitter * this.random())))
      : opts.ttlMs;
    const stored = await this.guard.run(
      'set',
      async () => {
        await this.store.set(key, formatEntry(entry), ttlMs);
        return true;
      },
      false,
    );
    if (stored) this.remember(key, entry, ttlMs);
    if (stored && opts.tags?.length)
      await this.guard.run('tag', () => this.tags.add(opts.tags!, key, ttlMs), undefined);
    return stored;
  }

  /** Deletes the entries carrying any of `tags` (reclaims space; stale entries are never served anyway). */
  async purge(tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    const keys = await this.guard.run('purge', () => this.tags.take(tags), [] as string[]);
    if (keys.length > 0) await this.guard.run('delete', () => this.store.delete(keys), undefined);
  }

  /** Closes the store and the tag index (not the versions, which ingest may share). Idempotent. */
  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.tags.close()]);
  }

  /** Deletes an entry that can never be served again, without waiting. */
  private forget(key: string): void {
    this.near?.delete(key);
    void this.guard.run('delete', () => this.store.delete([key]), undefined);
  }
}
