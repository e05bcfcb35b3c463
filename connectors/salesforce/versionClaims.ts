import type { Redis } from 'ioredis';
import { acquireRedis } from '../../runtime/redis.js';

/** One change the connector is about to write: what it is about (an order id, `exception:<id>`) and its version. */
export interface VersionClaim {
  key: string;
  version: number;
}

/**
 * "Never an older status over a newer one" (compare versions, not arrival order): before a batch is
 * written, each change claims its order's highest version. A claim succeeds when its version is at
 * least the highest claimed so far (equal: the same change written again after a crash or a
 * redelivery, harmless by external id) and raises the mark; an older version fails and is skipped.
 * Shared by every connector replica (Redis) or one process (memory).
 */
export interface VersionClaims {
  /** One answer per claim, in order: true = write it, false = a newer version was already claimed. */
  claim(claims: readonly VersionClaim[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/** In-process claims (the embedded default, one connector). Keeps at most `max` orders, oldest dropped first. */
export class MemoryVersionClaims implements VersionClaims {
  private readonly marks = new Map<string, number>();
  constructor(private readonly max = 1_000_000) {}

  async claim(claims: readonly VersionClaim[]): Promise<boolean[]> {
    return claims.map(({ key, version }) => {
      const mark = this.marks.get(key);
      if (mark !== undefined && version < mark) return false;
      this.marks.delete(key);
      if (this.marks.size >= this.max) this.marks.delete(this.marks.keys().next().value!);
      this.marks.set(key, version);
      return true;
    });
  }

  async close(): Promise<void> {}
}

/** Compare-and-raise per key, all claims of a batch in one round trip. */
const CLAIM = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = tonumber(ARGV[i])
  local mark = tonumber(redis.call('GET', key))
  if mark == nil or v >= mark then
    redis.call('SET', key, v, 'PX', ARGV[#KEYS + 1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

/** Options of {@link RedisVersionClaims}. */
export interface RedisVersionClaimsOptions {
  url: string;
  /** @default 'ovg:salesforce:version:' */
  keyPrefix?: string;
  /** How long a mark is kept after its last claim. @default 7 days */
  ttlMs?: number;
}

/**
 * Claims shared by every connector replica on one Redis: a Lua script compares and raises each
 * order's mark atomically, so two replicas racing on one order cannot both write an older version.
 * (A batch's keys may span cluster slots; on Redis Cluster, use one hash tag in `keyPrefix`.)
 */
export class RedisVersionClaims implements VersionClaims {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(opts: RedisVersionClaimsOptions) {
    // The process's shared bus command connection (runtime/redis.ts): it reconnects, and a claim waits meanwhile.
    this.redis = acquireRedis('bus', opts.url);
    this.prefix = opts.keyPrefix ?? 'ovg:salesforce:version:';
    this.ttlMs = opts.ttlMs ?? 7 * 24 * 3600 * 1000;
  }

  async claim(claims: readonly VersionClaim[]): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const keys = claims.map((c) => this.prefix + c.key);
    const args = [...claims.map((c) => String(c.version)), String(this.ttlMs)];
    const out = (await this.redis.eval(CLAIM, keys.length, ...keys, ...args)) as number[];
    return out.map((x) => x === 1);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
