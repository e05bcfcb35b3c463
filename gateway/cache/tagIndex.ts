import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX } from '../../events/versions.js';
import { acquireRedis, redactUrl } from '../../runtime/redis.js';

/**
 * Which cache entries carry which tag, so that an event can delete the entries it makes stale
 * (`order:ORD-1`, `order:ORD-1:carrier`, `customer:CUST-1:lists`). It only reclaims space: whether
 * an entry may be served is decided by the order versions, so a lost or late index is harmless.
 */
export interface TagIndex {
  /** Records that entry `key`, living `ttlMs`, carries `tags`; a tag's index lives as long as its longest-lived entry. */
  add(tags: string[], key: string, ttlMs: number): Promise<void>;
  /** Forgets these tags and returns the keys of the entries they carried (each once). */
  take(tags: string[]): Promise<string[]>;
  /** Releases the connection, if any. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link MemoryTagIndex}. */
export interface MemoryTagIndexOptions {
  /** Tags kept; past it, expired tags are dropped, then the oldest (down to 90 %). @default 100000 */
  maxTags?: number;
  /**
   * Entry keys kept across all tags (each tag's map counts its keys); past it, expired keys are
   * dropped, then the oldest tags (down to 90 %). Tags forgotten early only lose their purge (the
   * versions keep the cache correct). createTaggedCache gives one key per KB of the cache's byte
   * budget: a cache whose entries are evicted by size would otherwise leave their keys here for
   * as long as their tags are neither purged nor full. @default 1000000
   */
  maxKeys?: number;
  /** The clock, in ms (for tests). @default Date.now */
  now?: () => number;
}

/** The index in this process: `Map<tag, Map<key, expiresAt>>`, bounded, expired keys pruned as tags grow. */
export class MemoryTagIndex implements TagIndex {
  private readonly tags = new Map<string, { keys: Map<string, number>; pruneAt: number }>();
  private readonly maxTags: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Keys held, summed over the tags. */
  private keyCount = 0;

  constructor(opts: MemoryTagIndexOptions = {}) {
    this.maxTags = opts.maxTags ?? 100_000;
    if (!Number.isSafeInteger(this.maxTags) || this.maxTags <= 0)
      throw new TypeError(`MemoryTagIndex maxTags: expected a positive integer, got ${JSON.stringify(opts.maxTags)}`);
    this.maxKeys = opts.maxKeys ?? 1_000_000;
    if (!Number.isSafeInteger(this.maxKeys) || this.maxKeys <= 0)
      throw new TypeError(`MemoryTagIndex maxKeys: expected a positive integer, got ${JSON.stringify(opts.maxKeys)}`);
    this.now = opts.now ?? Date.now;
  }

  async add(tags: string[], key: string, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const tag of new Set(tags)) {
      let t = this.tags.get(tag);
      if (!t) {
        t = { keys: new Map(), pruneAt: 64 };
        this.tags.set(tag, t);
      }
      const before = t.keys.size;
      t.keys.set(key, Math.max(t.keys.get(key) ?? 0, now + ttlMs));
      if (t.keys.size >= t.pruneAt) {
        for (const [k, expiresAt] of t.keys) if (expiresAt <= now) t.keys.delete(k);
        t.pruneAt = Math.max(64, t.keys.size * 2);
      }
      this.keyCount += t.keys.size - before;
    }
    if (this.tags.size > this.maxTags || this.keyCount > this.maxKeys) this.shrink(now);
  }

  async take(tags: string[]): Promise<string[]> {
    const keys = new Set<string>();
    for (const tag of tags) {
      const t = this.tags.get(tag);
      if (!t) continue;
      for (const k of t.keys.keys()) keys.add(k);
      this.drop(tag, t);
    }
    return [...keys];
  }

  /** Keys held, summed over the tags (for tests and metrics). */
  get keys(): number {
    return this.keyCount;
  }

  async close(): Promise<void> {}

  /** The number of tags held (for tests and metrics). */
  get size(): number {
    return this.tags.size;
  }

  private drop(tag: string, t: { keys: Map<string, number> }): void {
    this.keyCount -= t.keys.size;
    this.tags.delete(tag);
  }

  private shrink(now: number): void {
    for (const [tag, t] of this.tags) {
      const before = t.keys.size;
      for (const [k, expiresAt] of t.keys) if (expiresAt <= now) t.keys.delete(k);
      this.keyCount -= before - t.keys.size;
      if (t.keys.size === 0) this.tags.delete(tag);
    }
    // Down to 90 %, so that a full index is not scanned again on every add.
    const tagTarget = Math.floor(this.maxTags * 0.9);
    const keyTarget = Math.floor(this.maxKeys * 0.9);
    for (const [tag, t] of this.tags) {
      if (this.tags.size <= tagTarget && this.keyCount <= keyTarget) break;
      this.drop(tag, t);
    }
  }
}

/** Options of {@link RedisTagIndex}. */
export interface RedisTagIndexOptions {
  /** The Redis server (`redis://…` or `rediss://…`), Redis 7 or later (PEXPIRE NX / GT). */
  url: string;
  /** Tag sets are `<prefix>cache-tag:<tag>`. @default 'ovg:' */
  prefix?: string;
  /** Receives connection losses (once per outage). @default ignored (the cache guard reports the failed calls) */
  onError?: (error: Error, context: string) => void;
}

/**
 * The index in Redis, shared by every gateway replica: one SET per tag, `<prefix>cache-tag:<tag>`,
 * holding entry keys, expiring with its longest-lived entry (SADD + PEXPIRE NX + PEXPIRE GT in one
 * MULTI, https://redis.io/docs/latest/commands/pexpire/). `take` is SMEMBERS + UNLINK in one MULTI.
 * Nothing is queued while Redis is unreachable: calls then fail at once (the cache serves a miss).
 */
export class RedisTagIndex implements TagIndex {
  private readonly conn: Redis;
  private readonly prefix: string;
  private closed = false;

  constructor(private readonly opts: RedisTagIndexOptions) {
    this.prefix = opts.prefix ?? DEFAULT_KEY_PREFIX;
    this.conn = acquireRedis('cache', opts.url, opts.onError ?? (() => undefined));
  }

  /** The Redis key of a tag's set. */
  key(tag: string): string {
    return `${this.prefix}cache-tag:${tag}`;
  }

  async add(tags: string[], key: string, ttlMs: number): Promise<void> {
    if (tags.length === 0) return;
    const ms = Math.ceil(ttlMs);
    const m = this.ready('add').multi();
    for (const tag of new Set(tags)) {
      const k = this.key(tag);
      m.sadd(k, key).pexpire(k, ms, 'NX').pexpire(k, ms, 'GT');
    }
    failed(await m.exec());
  }

  async take(tags: string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const m = this.ready('take').multi();
    for (const tag of new Set(tags)) m.smembers(this.key(tag)).unlink(this.key(tag));
    const replies = failed(await m.exec());
    const keys = new Set<string>();
    for (let i = 0; i < replies.length; i += 2) for (const k of replies[i] as string[]) keys.add(k);
    return [...keys];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn.disconnect();
  }

  /** The connection when it can take a command now; nothing waits in a queue during an outage. */
  private ready(op: string): Redis {
    if (this.closed) throw new Error(`RedisTagIndex.${op}: the index is closed`);
    if (this.conn.status !== 'ready')
      throw new Error(`tag index ${op}: Redis at ${redactUrl(this.opts.url)} is not connected (${this.conn.status})`);
    return this.conn;
  }
}

/** The replies of a MULTI, or its first error thrown. */
function failed(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('tag index: the transaction was aborted');
  for (const [err] of results) if (err) throw err;
  return results.map(([, reply]) => reply);
}

/** {@link RedisTagIndex} when a Redis URL is given, else {@link MemoryTagIndex}. */
export function createTagIndex(
  opts: { redisUrl?: string | undefined; prefix?: string; maxTags?: number; maxKeys?: number } = {},
): TagIndex {
  const url = opts.redisUrl?.trim();
  if (!url)
    return new MemoryTagIndex({
      ...(opts.maxTags !== undefined ? { maxTags: opts.maxTags } : {}),
      ...(opts.maxKeys !== undefined ? { maxKeys: opts.maxKeys } : {}),
    });
  return new RedisTagIndex({ url, ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}) });
}
