import type { Redis } from 'ioredis';

/**
 * Where a subgraph remembers the nonces of single-use identity headers (row-ruled `_entities`
 * fetches, canonical/identityHeader.ts) for as long as such a header is valid: a captured header
 * replayed is refused. Shared by every replica of the subgraph in Redis; in memory when embedded.
 */
export interface NonceStore {
  /** Records `nonce` for `ttlMs`; false when it was already recorded (a replay). */
  claim(nonce: string, ttlMs: number): Promise<boolean>;
}

/** In-process nonces (one subgraph process): expired ones are dropped as new ones arrive. */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();

  async claim(nonce: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    // Insertion order is expiry order (one TTL per store): drop from the front while expired.
    for (const [n, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(n);
    }
    if ((this.seen.get(nonce) ?? 0) > now) return false;
    this.seen.set(nonce, now + ttlMs);
    return true;
  }
}

/** Nonces in Redis: `SET <prefix>nonce:<n> 1 NX PX ttl`, shared by the subgraph's replicas. */
export class RedisNonceStore implements NonceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'ovg:',
  ) {}

  async claim(nonce: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}nonce:${nonce}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
