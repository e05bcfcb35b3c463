/**
 * The one small key-value interface the gateway's caches decorate (STYLE.md, practice 8), and its
 * construction on keyv (https://keyv.org): a bounded in-memory LRU by default, ioredis (the
 * process's shared cache connection, runtime/redis.ts) when a Redis URL is given.
 */
import { Keyv, type Deserialize, type Serialize } from 'keyv';
import { acquireRedis } from '../../runtime/redis.js';
import { IoredisKeyvStore } from './ioredisStore.js';
import { DEFAULT_KEY_PREFIX } from '../../events/versions.js';

/** A string key-value store with per-entry TTLs. */
export interface CacheStore {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs` milliseconds (a positive number). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Deletes these keys (absent ones are ignored). */
  delete(keys: string[]): Promise<void>;
  /** Releases the connection, if any. Idempotent. */
  close(): Promise<void>;
}

/** Entries the in-memory store keeps before evicting the least recently used. */
export const DEFAULT_MAX_ENTRIES = 100_000;

/** The in-memory store's byte budget (keys and values, approximately). */
export const DEFAULT_MAX_BYTES = 256 * 1_048_576;

/**
 * Approximate bytes an entry holds: the key and a string value at 2 bytes per UTF-16 unit (V8
 * keeps one-byte strings at 1; this errs high), other values through their string fields.
 */
export function approximateBytes(key: unknown, value: unknown): number {
  const text = (v: unknown): number => {
    if (typeof v === 'string') return v.length * 2;
    if (v && typeof v === 'object')
      return Object.values(v as Record<string, unknown>).reduce<number>(
        (n, x) => n + (typeof x === 'string' ? x.length * 2 : 8),
        16,
      );
    return 8;
  };
  return text(key) + text(value) + 64;
}

/**
 * A Map bounded to `maxEntries` and `maxBytes` ({@link approximateBytes}): reading an entry makes
 * it the most recently used, and a write past either bound evicts the least recently used until
 * both hold — a few large answers cannot take the memory many small ones were given. An entry
 * larger than the whole budget is not kept. keyv accepts it as its store (it is a Map).
 */
export class LruMap<K, V> extends Map<K, V> {
  private readonly sizes = new Map<K, number>();
  /** Bytes held now (approximate). */
  bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number = Number.MAX_SAFE_INTEGER,
  ) {
    super();
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new TypeError(`LruMap maxEntries: expected a positive integer, got ${JSON.stringify(maxEntries)}`);
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new TypeError(`LruMap maxBytes: expected a positive integer, got ${JSON.stringify(maxBytes)}`);
    }
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    this.delete(key);
    const size = approximateBytes(key, value);
    if (size > this.maxBytes) return this;
    super.set(key, value);
    this.sizes.set(key, size);
    this.bytes += size;
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) this.delete(this.keys().next().value as K);
    return this;
  }

  override delete(key: K): boolean {
    this.bytes -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.sizes.clear();
    this.bytes = 0;
    super.clear();
  }
}

/** Options of {@link createKeyv} and {@link createCacheStore}. */
export interface CacheStoreOptions {
  /** Set (non-empty): the entries live in this Redis (shared by every gateway replica); unset: in this process. */
  redisUrl?: string | undefined;
  /**
   * Redis only: every key is `<prefix>cache:<key>` — one clean prefix, not keyv's doubled
   * `ns::ns:key` (the Keyv adds no prefix of its own; the store adds `<prefix>cache` and `:`).
   * @default 'ovg:'
   */
  prefix?: string;
  /** In memory only: the LRU bound (`CACHE_MAX_ENTRIES`). @default 100000 */
  maxEntries?: number;
  /** In memory only: the byte budget, evicting the least recently used past it (`CACHE_MAX_BYTES`). @default 268435456 */
  maxBytes?: number;
  /** Redis only: the byte budget of the namespace in Redis, evicting the oldest written past it (`CACHE_REDIS_MAX_BYTES`). @default none */
  redisMaxBytes?: number;
}

/** The keyv namespace of the entries under `prefix`: keys are `<namespace>:<key>`. */
export const cacheNamespace = (prefix = DEFAULT_KEY_PREFIX): string => `${prefix}cache`;

/**
 * The raw Keyv of the cache: in memory over an {@link LruMap}, or on ioredis ({@link IoredisKeyvStore}).
 * It throws on store errors (`throwOnErrors`) so that a decorator sees them: wrap it in
 * {@link keyvStore} and `errorsAreMisses` (or use {@link createCacheStore}). Apollo Server's APQ
 * cache may share it (`new KeyvAdapter(keyv)`, its keys start with `apq:`), but then an outage
 * fails the persisted-query request; `keyValueCache(errorsAreMisses(keyvStore(keyv)))` keeps APQ on
 * the same entries and turns the outage into a PERSISTED_QUERY_NOT_FOUND (the client resends the query).
 *
 * The cache connection queues commands only until its first connection; afterwards a command sent
 * during an outage fails at once (a miss) while it reconnects in the background, 50 ms doubling to 1 s.
 */
export function createKeyv(opts: CacheStoreOptions = {}): Keyv<string> {
  const url = opts.redisUrl?.trim();
  if (!url) {
    const max = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    // No serializer: keyv keeps its { value, expires } records as objects (a JSON value is not escaped into another string).
    return new Keyv<string>({
      store: new LruMap<string, unknown>(max, opts.maxBytes ?? DEFAULT_MAX_BYTES),
      namespace: '',
      useKeyPrefix: false,
      throwOnErrors: true,
      serialize: undefined,
      deserialize: undefined,
    });
  }
  if (!/^rediss?:\/\//.test(url))
    throw new TypeError(`cache redisUrl: expected redis://… or rediss://…, got ${JSON.stringify(url)}`);
  const prefix = opts.prefix ?? DEFAULT_KEY_PREFIX;
  if (/\s/.test(prefix)) throw new TypeError(`cache prefix: expected no whitespace, got ${JSON.stringify(prefix)}`);
  const namespace = cacheNamespace(prefix);
  const store = new IoredisKeyvStore(acquireRedis('cache', url), namespace, opts.redisMaxBytes);
  // Keyv sets its namespace on the store: the same one, and no Keyv-side prefix (else `ns::ns:key`).
  const keyv = new Keyv<string>(store, {
    namespace,
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: rawValue,
    deserialize: asRecord,
  });
  keyv.on('error', () => undefined);
  return keyv;
}

/** Redis holds the value itself (readable with redis-cli, not wrapped in keyv's JSON record); its TTL is the key's PX. */
const rawValue = ((data: { value?: unknown }) => String(data.value)) as Serialize;
const asRecord = ((raw: string) => ({ value: raw })) as Deserialize;

/** A {@link CacheStore} over a Keyv (create it with {@link createKeyv}, or with `throwOnErrors` so that failures reach the caller). */
export function keyvStore(keyv: Keyv<string>): CacheStore {
  let closed: Promise<void> | undefined;
  return {
    get: async (key) => {
      const v = await keyv.get(key);
      return typeof v === 'string' ? v : undefined;
    },
    set: async (key, value, ttlMs) => {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0)
        throw new TypeError(`cache set ${key}: expected a positive TTL in ms, got ${JSON.stringify(ttlMs)}`);
      if (!(await keyv.set(key, value, Math.ceil(ttlMs))))
        throw new Error(`cache set ${key}: the store did not accept the value`);
    },
    delete: async (keys) => {
      if (keys.length > 0) await keyv.delete(keys);
    },
    close: () => {
      closed ??= disconnect(keyv);
      return closed;
    },
  };
}

/** Closes the Keyv's connection, at once (dropping pending commands) when it is not connected. */
async function disconnect(keyv: Keyv<string>): Promise<void> {
  const store: unknown = keyv.store;
  try {
    if (store instanceof IoredisKeyvStore) await store.disconnect();
    else await keyv.disconnect();
  } catch {
    // closing a broken connection: nothing left to release
  }
}

/** {@link keyvStore} over {@link createKeyv}: not yet decorated — wrap it in `errorsAreMisses`. */
export function createCacheStore(opts: CacheStoreOptions = {}): CacheStore {
  return keyvStore(createKeyv(opts));
}
