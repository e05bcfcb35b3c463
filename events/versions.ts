/**
 * Order versions (ARCHITECTURE.md, "Caching without lying"): ingest bumps the version of every order
 * an accepted webhook changed, before it answers 2xx; every cache read compares the versions its
 * entry recorded with the current ones. A read that starts after a webhook's 2xx therefore never
 * returns the value that webhook replaced, on any gateway replica; purges by tag only reclaim space.
 *
 * Versions come from one clock shared by every id of a store: a bump gives each of its ids the
 * clock's next value. So a version is never reused for an id, and a version above a
 * {@link VersionSnapshot.clock} was assigned after that snapshot was read — which is how a cache
 * knows that an order it only discovered in a fetched list (not known before the fetch) changed
 * while the fetch ran.
 *
 * Ids are opaque strings: an order is its id (`ORD-000001`, the events' `subject`), a customer's
 * lists are {@link customerVersionId} (`customer:CUST-1`), bumped when a new order is placed for it.
 */
import { redisUrlFor } from '../runtime/redis.js';
import type { Redis } from 'ioredis';
import { EventType, type CloudEvent } from '../canonical/index.js';
import { withTimeout } from './async.js';
import { defaultOnError, positiveInt, type BusErrorHandler } from './options.js';
import { openConnection, redactUrl } from './redisConnection.js';
import { redisScript, type RedisScript } from './redisScript.js';
import { whenReady } from './redisStreams.js';

/** The versions of some ids read at one moment, with the clock at that moment. */
export interface VersionSnapshot {
  /** The highest version assigned when the snapshot was read; every later bump assigns versions above it. */
  readonly clock: number;
  /** The version of each id asked for (0 when it was never bumped, or not for longer than the TTL). */
  readonly versions: ReadonlyMap<string, number>;
}

/** The order-version port: written by the subgraphs' ingest, read by the gateway's caches. */
export interface OrderVersions {
  /**
   * Gives each id a new, higher version (the clock's next value; one value for all ids of the call).
   * Resolves once the store recorded it: ingest awaits it before answering 2xx. Rejects when the
   * store is unreachable; an empty list is a no-op.
   */
  bump(ids: string[]): Promise<void>;
  /** The current version of each id; an id never bumped (or expired) is 0. */
  get(ids: string[]): Promise<Map<string, number>>;
  /** Like {@link get}, with the clock read atomically with the versions. */
  snapshot(ids: string[]): Promise<VersionSnapshot>;
  /** Releases the connection. Idempotent; any call after it rejects. */
  close(): Promise<void>;
}

/** How long an id's version is kept after its last bump: 7 days. Cache entries must live far less. */
export const DEFAULT_VERSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The prefix of every Redis key of the product. */
export const DEFAULT_KEY_PREFIX = 'ovg:';

/** The version id of a customer's lists (`customer:<id>`): bumped when an order is placed for the customer. */
export const customerVersionId = (customerId: string): string => `customer:${customerId}`;

/** The version id of the order lists of one Salesforce Account (`account:<id>`), bumped when an order is placed for it. */
export function accountVersionId(salesforceAccountId: string): string {
  return `account:${salesforceAccountId}`;
}

/**
 * The version id of one system's slice of an order (`ORD-1@carrier`): the fetch cache's entries
 * for that subgraph depend on it, so a carrier scan leaves the order's ERP fetches cached.
 */
export function sliceVersionId(orderId: string, source: string): string {
  return `${orderId}@${source}`;
}

/**
 * The ids an accepted event bumps: its order (`subject`), that order's slice of the source system
 * ({@link sliceVersionId}), plus its customer's lists
 * ({@link customerVersionId}) when it places a new order whose `data.customerId` is given.
 */
export function versionIdsOfEvent(event: CloudEvent): string[] {
  const ids = [event.subject, sliceVersionId(event.subject, event.source)];
  const customerId = event.data['customerId'];
  if (event.type === EventType.ORDER_PLACED && typeof customerId === 'string' && customerId !== '')
    ids.push(customerVersionId(customerId));
  const accountId = event.data['salesforceAccountId'];
  if (event.type === EventType.ORDER_PLACED && typeof accountId === 'string' && accountId !== '')
    ids.push(accountVersionId(accountId));
  return ids;
}

function assertIds(op: string, ids: string[]): void {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === '')) {
    throw new TypeError(`OrderVersions.${op}: expected an array of non-empty id strings, got ${JSON.stringify(ids)}`);
  }
}

/** Options of {@link MemoryOrderVersions}. */
export interface MemoryOrderVersionsOptions {
  /** How long an id's version is kept after its last bump, ms. @default 604800000 (7 days) */
  ttlMs?: number;
  /** The clock, in ms (for tests). @default Date.now */
  now?: () => number;
}

/** Versions in this process: the embedded default, shared by the in-process subgraphs and gateway. */
export class MemoryOrderVersions implements OrderVersions {
  private clock = 0;
  /** In bump order (a bump re-inserts), so the oldest-bumped, first to expire, come first. */
  private readonly versions = new Map<string, { version: number; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(opts: MemoryOrderVersionsOptions = {}) {
    this.ttlMs = positiveInt('ttlMs', opts.ttlMs, DEFAULT_VERSION_TTL_MS);
    this.now = opts.now ?? Date.now;
  }

  async bump(ids: string[]): Promise<void> {
    this.assertOpen('bump');
    assertIds('bump', ids);
    if (ids.length === 0) return;
    const now = this.now();
    this.expire(now);
    const version = ++this.clock;
    for (const id of ids) {
      this.versions.delete(id);
      this.versions.set(id, { version, expiresAt: now + this.ttlMs });
    }
  }

  async get(ids: string[]): Promise<Map<string, number>> {
    return new Map((await this.snapshot(ids)).versions);
  }

  async snapshot(ids: string[]): Promise<VersionSnapshot> {
    this.assertOpen('get');
    assertIds('get', ids);
    const now = this.now();
    const versions = new Map<string, number>();
    for (const id of ids) {
      const v = this.versions.get(id);
      versions.set(id, v && v.expiresAt > now ? v.version : 0);
    }
    return { clock: this.clock, versions };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private expire(now: number): void {
    for (const [id, v] of this.versions) {
      if (v.expiresAt > now) break;
      this.versions.delete(id);
    }
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`MemoryOrderVersions.${op}: the store is closed`);
  }
}

// KEYS[1] = the clock; KEYS[2..] = version keys; ARGV[1] = TTL ms. One new clock value for every id, atomically.
const BUMP = `
local v = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], v, 'PX', ARGV[1]) end
return v`;

/** Options of {@link RedisOrderVersions}. */
export interface RedisOrderVersionsOptions {
  /** The Redis server (`redis://…` or `rediss://…`), Redis 7 or later. */
  url: string;
  /** Prepended to every key: `<keyPrefix>version:<id>` and `<keyPrefix>version-clock`. @default 'ovg:' */
  keyPrefix?: string;
  /**
   * How long an id's version is kept after its last bump (PX, refreshed by every bump), ms. An
   * expired id reads 0 again, which is safe only while every cache entry lives far less than this.
   * The clock key never expires.
   * @default 604800000 (7 days)
   */
  ttlMs?: number;
  /**
   * Bounds each call: it waits up to this long for the connection to be (re)established — failing
   * with nothing sent — and then up to this long for the reply.
   * @default 5000
   */
  timeoutMs?: number;
  /** Receives connection losses (once per outage). @default logs them (pino, `"name":"events"`) */
  onError?: BusErrorHandler;
}

/**
 * Versions in Redis, shared by every subgraph and gateway replica
 * (https://redis.io/docs/latest/commands/incr/, https://redis.io/docs/latest/commands/mget/).
 * Key layout: `<keyPrefix>version-clock` (a counter, no TTL) and `<keyPrefix>version:<id>` (the
 * clock value of the id's last bump, expiring `ttlMs` after it). A bump is one Lua script (INCR the
 * clock, SET each id's key with PX); a read is one MGET. Needs a Redis that never evicts these keys
 * (`maxmemory-policy noeviction`, the default): an evicted version reads 0 and could let an entry
 * recorded before the order's first bump be served again. Single-instance Redis (or Sentinel):
 * the multi-key commands are not spread over Cluster slots.
 */
export class RedisOrderVersions implements OrderVersions {
  private readonly conn: Redis;
  /** BUMP by EVALSHA: every webhook bumps, and its text need not travel each time. */
  private readonly bumpScript: RedisScript;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly url: string;
  private closed: Promise<void> | undefined;

  constructor(opts: RedisOrderVersionsOptions) {
    if (!/^rediss?:\/\//.test(opts.url ?? ''))
      throw new TypeError(
        `RedisOrderVersions option url: expected redis://… or rediss://…, got ${JSON.stringify(opts.url)}`,
      );
    this.url = opts.url;
    this.prefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (/\s/.test(this.prefix))
      throw new TypeError(
        `RedisOrderVersions option keyPrefix: expected no whitespace, got ${JSON.stringify(this.prefix)}`,
      );
    this.ttlMs = positiveInt('ttlMs', opts.ttlMs, DEFAULT_VERSION_TTL_MS);
    this.timeoutMs = positiveInt('timeoutMs', opts.timeoutMs, 5000);
    // Every cache hit reads versions: concurrent reads share round trips.
    this.conn = openConnection(this.url, 'command', `versions:${this.prefix}`, opts.onError ?? defaultOnError);
    this.bumpScript = redisScript(this.conn, 'ovgVersionsBump', BUMP);
  }

  /** The Redis key of an id's version. */
  key(id: string): string {
    return `${this.prefix}version:${id}`;
  }

  /** The Redis key of the clock. */
  get clockKey(): string {
    return `${this.prefix}version-clock`;
  }

  async bump(ids: string[]): Promise<void> {
    this.assertOpen('bump');
    assertIds('bump', ids);
    if (ids.length === 0) return;
    const keys = [this.clockKey, ...[...new Set(ids)].map((id) => this.key(id))];
    await this.timed(`bump versions of ${ids.join(', ')}`, () => this.bumpScript(keys.length, ...keys, this.ttlMs));
  }

  async get(ids: string[]): Promise<Map<string, number>> {
    return new Map((await this.snapshot(ids)).versions);
  }

  async snapshot(ids: string[]): Promise<VersionSnapshot> {
    this.assertOpen('get');
    assertIds('get', ids);
    const values = await this.timed('read versions', () =>
      this.conn.mget(this.clockKey, ...ids.map((id) => this.key(id))),
    );
    const num = (v: string | null | undefined): number => (v ? Number(v) : 0);
    return { clock: num(values[0]), versions: new Map(ids.map((id, i) => [id, num(values[i + 1])])) };
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.conn.disconnect();
    })();
    return this.closed;
  }

  private async timed<T>(what: string, command: () => Promise<T>): Promise<T> {
    if (!(await whenReady(this.conn, this.timeoutMs))) {
      throw new Error(
        `${what} failed: Redis at ${redactUrl(this.url)} was unreachable for ${this.timeoutMs} ms (connection ${this.conn.status}); nothing was sent`,
      );
    }
    return withTimeout(
      command(),
      this.timeoutMs,
      () =>
        new Error(
          `${what} got no reply from Redis at ${redactUrl(this.url)} within ${this.timeoutMs} ms; it may or may not have been applied`,
        ),
    );
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`RedisOrderVersions.${op}: the store is closed`);
  }
}

/** Explicit settings of {@link createOrderVersions}. */
export interface OrderVersionsSettings {
  /** Set (non-empty): {@link RedisOrderVersions} on this server; unset: {@link MemoryOrderVersions}. */
  redisUrl?: string | undefined;
  /** @see RedisOrderVersionsOptions.keyPrefix @default 'ovg:' */
  keyPrefix?: string;
  /** @see RedisOrderVersionsOptions.ttlMs @default 604800000 (7 days) */
  ttlMs?: number;
  /** @see RedisOrderVersionsOptions.timeoutMs @default 5000 */
  timeoutMs?: number;
  /** @see RedisOrderVersionsOptions.onError */
  onError?: BusErrorHandler;
}

/**
 * The versions of this process: {@link RedisOrderVersions} when a Redis URL is given (`BUS_REDIS_URL`, else `REDIS_URL`
 * of an environment, or `redisUrl` of explicit settings — their presence picks the form; the distributed mode), else {@link MemoryOrderVersions} — which
 * in the embedded mode must be the one instance that the in-process subgraphs' ingest and the
 * gateway share.
 */
export function createOrderVersions(
  settings:
    | OrderVersionsSettings
    | {
        REDIS_URL?: string | undefined;
        BUS_REDIS_URL?: string | undefined;
        REDIS_KEY_PREFIX?: string | undefined;
      } = process.env,
): OrderVersions {
  const env = settings as { REDIS_URL?: string; BUS_REDIS_URL?: string; REDIS_KEY_PREFIX?: string };
  const s: OrderVersionsSettings =
    'redisUrl' in settings
      ? settings
      : { redisUrl: redisUrlFor('bus', env), ...(env.REDIS_KEY_PREFIX ? { keyPrefix: env.REDIS_KEY_PREFIX } : {}) };
  const url = s.redisUrl?.trim();
  if (!url) return new MemoryOrderVersions(s.ttlMs === undefined ? {} : { ttlMs: s.ttlMs });
  return new RedisOrderVersions({ ...s, url });
}
