import { Redis } from 'ioredis';
import type { OrderStatus } from '../../canonical/index.js';

/** The last status published for an order, with its version (1 for the first record). */
export interface StatusRecord {
  status: OrderStatus;
  version: number;
  /** Id of the source event that caused the last published change (or `seed`). */
  causeId: string;
  /** The status before that change (null for the first one). */
  previous: OrderStatus | null;
}

/**
 * The tracker's memory of what it published, shared by every gateway replica. Compare-and-set on
 * the version makes two replicas racing on one order publish at most once per change.
 */
export interface StatusStore {
  get(orderId: string): Promise<StatusRecord | null>;
  /**
   * Writes `next` only when the stored version is still `expectedVersion` (0 = no record yet).
   * @returns true when written (the caller then owns publishing the change).
   */
  compareAndSet(orderId: string, expectedVersion: number, next: Omit<StatusRecord, 'version'>): Promise<boolean>;
  close(): Promise<void>;
}

/** In-process store: the embedded default. */
export class MemoryStatusStore implements StatusStore {
  private readonly records = new Map<string, StatusRecord>();

  async get(orderId: string): Promise<StatusRecord | null> {
    return this.records.get(orderId) ?? null;
  }

  async compareAndSet(orderId: string, expectedVersion: number, next: Omit<StatusRecord, 'version'>): Promise<boolean> {
    if ((this.records.get(orderId)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(orderId, { ...next, version: expectedVersion + 1 });
    return true;
  }

  async close(): Promise<void> {}
}

// KEYS[1] = record hash; ARGV = expected version, status, causeId, previous ('' = none). Atomic in Redis.
const CAS = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', v + 1, 'status', ARGV[2], 'causeId', ARGV[3], 'previous', ARGV[4])
return 1`;

/** Redis store: one hash per order under `<prefix>tracker:<orderId>`, CAS in a Lua script. */
export class RedisStatusStore implements StatusStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'ovg:') {}

  private key(orderId: string): string {
    return `${this.prefix}tracker:${orderId}`;
  }

  async get(orderId: string): Promise<StatusRecord | null> {
    const h = await this.redis.hgetall(this.key(orderId));
    if (!h.version) return null;
    return { status: h.status as OrderStatus, version: Number(h.version), causeId: h.causeId ?? '', previous: (h.previous || null) as OrderStatus | null };
  }

  async compareAndSet(orderId: string, expectedVersion: number, next: Omit<StatusRecord, 'version'>): Promise<boolean> {
    return (await this.redis.eval(CAS, 1, this.key(orderId), String(expectedVersion), next.status, next.causeId, next.previous ?? '')) === 1;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * The store for this process: {@link RedisStatusStore} on `REDIS_URL` (shared by every gateway
 * replica), else {@link MemoryStatusStore} (one process).
 */
export function createStatusStore(env: { REDIS_URL?: string | undefined } = process.env, prefix = 'ovg:'): StatusStore {
  const url = env.REDIS_URL?.trim();
  return url ? new RedisStatusStore(new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 }), prefix) : new MemoryStatusStore();
}
