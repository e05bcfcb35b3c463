import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, Shield, ShieldRefusal } from '../../gateway/shield/index.js';
import { sleep } from './rateLimiterContract.js';

describe('ConcurrencyLimiter', () => {
  it('should hold at most maxConcurrent, queue up to maxQueue in order, and refuse the rest at once', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 2 });
    const a = await limiter.acquire(1000);
    const b = await limiter.acquire(1000);
    const order: string[] = [];
    const c = limiter.acquire(1000).then((p) => (order.push('c'), p));
    const d = limiter.acquire(1000).then((p) => (order.push('d'), p));
    expect(await limiter.acquire(1000)).toEqual({ ok: false, why: 'queue_full' });
    expect([limiter.inFlight, limiter.queued]).toEqual([2, 2]);
    if (!a.ok || !b.ok) throw new Error('expected two slots');
    a.release();
    a.release();
    const pc = await c;
    expect(order).toEqual(['c']);
    expect([limiter.inFlight, limiter.queued]).toEqual([2, 1]);
    b.release();
    const pd = await d;
    expect(order).toEqual(['c', 'd']);
    if (!pc.ok || !pd.ok) throw new Error('expected queued slots');
    pc.release();
    pd.release();
    expect([limiter.inFlight, limiter.queued]).toEqual([0, 0]);
  });

  it('should refuse a waiter after maxWaitMs and drop it from the queue', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5 });
    const held = await limiter.acquire(0);
    const started = performance.now();
    expect(await limiter.acquire(30)).toEqual({ ok: false, why: 'wait_timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(limiter.queued).toBe(0);
    expect(await limiter.acquire(0)).toEqual({ ok: false, why: 'wait_timeout' });
    if (held.ok) held.release();
    expect(limiter.inFlight).toBe(0);
  });

  it('should reject options that bound nothing', () => {
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 0, maxQueue: 1 })).toThrow(
      /maxConcurrent: expected an integer from 1 to 1000000, got 0/,
    );
  });
});

describe('Shield concurrency cap', () => {
  it('should keep at most maxConcurrency calls upstream and refuse what the bounded queue cannot hold', async () => {
    const shield = new Shield({ name: 'wms', config: { maxConcurrency: 2, maxQueue: 2, retries: 0 } });
    let now = 0;
    let peak = 0;
    const call = async (): Promise<string> => {
      peak = Math.max(peak, ++now);
      await sleep(30);
      now -= 1;
      return 'ok';
    };
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => shield.run(`k${i}`, call)));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as ShieldRefusal);
    expect(refused).toHaveLength(6);
    expect(refused.every((e) => e instanceof ShieldRefusal && e.reason === 'concurrency')).toBe(true);
    expect(shield.stats()).toMatchObject({ upstreamCalls: 4, refused: { concurrency: 6 }, inFlight: 0, queued: 0 });
  });
});
