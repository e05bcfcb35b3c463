import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/**
 * keyv's store on ioredis (instead of @keyv/redis, which brings node-redis as a second client):
 * every key is `<namespace>:<key>`, the value is stored as given (keyv's serializer decides its
 * form), and a TTL becomes the key's PX. Errors reach the caller (keyv with `throwOnErrors`).
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown> = {};

  constructor(private readonly redis: Redis, public namespace: string | undefined) {
    super();
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
    if (ttl !== undefined && ttl > 0) await this.redis.set(this.key(key), text, 'PX', Math.ceil(ttl));
    else await this.redis.set(this.key(key), text);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.unlink(this.key(key))) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    return (await this.redis.unlink(...keys.map((k) => this.key(k)))) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(this.key(key))) === 1;
  }

  /** Deletes every key of the namespace (SCAN + UNLINK; never KEYS, never FLUSHDB). */
  async clear(): Promise<void> {
    if (!this.namespace) throw new Error('IoredisKeyvStore.clear: refusing to clear a store without a namespace (it would be the whole database)');
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
