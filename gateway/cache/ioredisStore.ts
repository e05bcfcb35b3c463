import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { redisScript, type RedisScript } from '../../events/redisScript.js';

// KEYS: entry, index (zset: key by write time), sizes (hash), total (counter).
// ARGV: value, ttl ms (0: none), now ms, budget bytes. Writes the entry, accounts its bytes, and
// evicts the oldest-written entries while the total is over the budget. Atomic in Redis.
const SET_WITHIN_BUDGET = `
local old = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
local size = string.len(ARGV[1]) + string.len(KEYS[1]) + 64
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
local total = redis.call('INCRBY', KEYS[4], size - old)
local budget = tonumber(ARGV[4])
local evicted = 0
while total > budget do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  local s = tonumber(redis.call('HGET', KEYS[3], oldest) or '0')
  redis.call('ZREM', KEYS[2], oldest)
  redis.call('HDEL', KEYS[3], oldest)
  redis.call('UNLINK', oldest)
  total = redis.call('INCRBY', KEYS[4], -s)
  evicted = evicted + 1
end
return evicted`;

// KEYS: index, sizes, total; ARGV: the entry keys deleted. Gives their bytes back.
const FORGET = `
local freed = 0
for _, k in ipairs(ARGV) do
  freed = freed + tonumber(redis.call('HGET', KEYS[2], k) or '0')
  redis.call('HDEL', KEYS[2], k)
  redis.call('ZREM', KEYS[1], k)
end
if freed > 0 then redis.call('DECRBY', KEYS[3], freed) end
return freed`;

/**
 * keyv's store on ioredis (instead of @keyv/redis, which brings node-redis as a second client):
 * every key is `<namespace>:<key>`, the value is stored as given (keyv's serializer decides its
 * form), and a TTL becomes the key's PX. Errors reach the caller (keyv with `throwOnErrors`).
 *
 * With `maxBytes`, the namespace has a byte budget in Redis (issue 16 #3): every write is
 * accounted (`<namespace>:__budget:total`, sizes in `__budget:sizes`, write order in
 * `__budget:index`) and the oldest-written entries are evicted past the budget, in the same Lua
 * script. The accounting is approximate: an entry that expired by TTL is counted until it is the
 * oldest and evicted, so the cache may hold less than its budget, never more.
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown> = {};
  private readonly setWithinBudget: RedisScript;
  private readonly forget: RedisScript;

  constructor(
    private readonly redis: Redis,
    public namespace: string | undefined,
    private readonly maxBytes?: number,
  ) {
    super();
    this.setWithinBudget = redisScript(redis, 'ovgCacheSetWithinBudget', SET_WITHIN_BUDGET, 4);
    this.forget = redisScript(redis, 'ovgCacheForget', FORGET, 3);
  }

  private budgetKeys(): [string, string, string] {
    const ns = this.namespace ?? '';
    return [`${ns}:__budget:index`, `${ns}:__budget:sizes`, `${ns}:__budget:total`];
  }

  private key(key: string): string {
    return this.namespace ? `${this.namespace}:${key}` : key;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const v = await this.redis.get(this.key(key));
    return (v ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map((k) => this.key(k)));
    return values.map((v) => (v ?? undefined) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (this.maxBytes !== undefined) {
      await this.setWithinBudget(
        this.key(key),
        ...this.budgetKeys(),
        text,
        String(ttl !== undefined && ttl > 0 ? Math.ceil(ttl) : 0),
        String(Date.now()),
        String(this.maxBytes),
      );
      return;
    }
    if (ttl !== undefined && ttl > 0) await this.redis.set(this.key(key), text, 'PX', Math.ceil(ttl));
    else await this.redis.set(this.key(key), text);
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteMany([key]);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    const full = keys.map((k) => this.key(k));
    const removed = (await this.redis.unlink(...full)) > 0;
    if (this.maxBytes !== undefined) await this.forget(...this.budgetKeys(), ...full);
    return removed;
  }

  /** Bytes accounted against the budget now (0 without one). */
  async accountedBytes(): Promise<number> {
    return Number((await this.redis.get(this.budgetKeys()[2])) ?? 0);
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(this.key(key))) === 1;
  }

  /** Deletes every key of the namespace (SCAN + UNLINK; never KEYS, never FLUSHDB). */
  async clear(): Promise<void> {
    if (!this.namespace)
      throw new Error(
        'IoredisKeyvStore.clear: refusing to clear a store without a namespace (it would be the whole database)',
      );
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.namespace}:*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Releases the connection (a shared handle: the connection closes with its last user). */
  async disconnect(): Promise<void> {
    this.redis.disconnect();
  }
}
