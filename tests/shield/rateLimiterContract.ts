import { describe, expect, it } from 'vitest';
import type { RateLimiter, TokenBucketOptions } from '../../gateway/shield/index.js';

export type MakeLimiter = (opts: TokenBucketOptions) => RateLimiter;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let keys = 0;
/** A bucket key no other test uses. */
const freshKey = (): string => `k${++keys}-${Math.random().toString(36).slice(2, 8)}`;

/** Takes one token from `key` every `everyMs` for `forMs`; counts the grants. */
export async function hammer(
  limiters: RateLimiter[],
  key: string,
  forMs: number,
  perTick = 5,
  everyMs = 5,
): Promise<number> {
  let granted = 0;
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    const decisions = await Promise.all(limiters.flatMap((l) => Array.from({ length: perTick }, () => l.take(key))));
    granted += decisions.filter((d) => d.ok).length;
    await sleep(everyMs);
  }
  return granted;
}

/** The RateLimiter contract (gateway/shield/tokenBucket.ts), run against every adapter. */
export function rateLimiterContract(name: string, make: MakeLimiter): void {
  describe(`${name}: RateLimiter contract`, () => {
    it('should grant a full bucket at once, then refuse with the wait for the next token', async () => {
      const limiter = make({ ratePerSecond: 10, burst: 5 });
      const key = freshKey();
      const decisions = await Promise.all(Array.from({ length: 7 }, () => limiter.take(key)));
      expect(decisions.filter((d) => d.ok)).toHaveLength(5);
      const refused = decisions.filter((d) => !d.ok);
      expect(refused).toHaveLength(2);
      for (const d of refused) {
        expect(d.ok).toBe(false);
        if (!d.ok) {
          expect(d.retryAfterMs).toBeGreaterThan(0);
          expect(d.retryAfterMs).toBeLessThanOrEqual(100);
        }
      }
    });

    it('should refill at ratePerSecond and grant again once retryAfterMs has passed', async () => {
      const limiter = make({ ratePerSecond: 50, burst: 1 });
      const key = freshKey();
      expect(await limiter.take(key)).toEqual({ ok: true });
      const refused = await limiter.take(key);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.retryAfterMs).toBeLessThanOrEqual(20);
      await sleep(refused.retryAfterMs + 5);
      expect(await limiter.take(key)).toEqual({ ok: true });
    });

    it('should keep each key its own bucket', async () => {
      const limiter = make({ ratePerSecond: 1, burst: 2 });
      const [a, b] = [freshKey(), freshKey()];
      const results = await Promise.all([
        limiter.take(a),
        limiter.take(a),
        limiter.take(a),
        limiter.take(b),
        limiter.take(b),
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true]);
    });

    it('should take `cost` tokens, or none when fewer are left', async () => {
      const limiter = make({ ratePerSecond: 1, burst: 5 });
      const key = freshKey();
      expect((await limiter.take(key, 3)).ok).toBe(true);
      expect((await limiter.take(key, 3)).ok).toBe(false);
      expect((await limiter.take(key, 2)).ok).toBe(true);
      expect((await limiter.take(key, 1)).ok).toBe(false);
    });

    it('should refuse a cost no bucket could ever grant with a TypeError naming it', async () => {
      const limiter = make({ ratePerSecond: 1, burst: 5 });
      await expect(limiter.take(freshKey(), 6)).rejects.toThrow(/cost greater than 0 and at most burst \(5\), got 6/);
      await expect(limiter.take(freshKey(), 0)).rejects.toThrow(TypeError);
    });

    it('should grant about burst + rate × t over a window of t, never more', async () => {
      const limiter = make({ ratePerSecond: 100, burst: 10 });
      const started = performance.now();
      const granted = await hammer([limiter], freshKey(), 400);
      const seconds = (performance.now() - started) / 1000;
      expect(granted).toBeLessThanOrEqual(10 + Math.ceil(100 * seconds) + 1);
      expect(granted).toBeGreaterThanOrEqual(10 + 100 * 0.4 * 0.6);
    });
  });
}
