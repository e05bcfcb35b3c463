import { describe, expect, it } from 'vitest';
import { isShieldRefusal, MemoryTokenBucket, Shield, ShieldRefusal } from '../../gateway/shield/index.js';
import { sleep } from './rateLimiterContract.js';

describe('Shield timeout', () => {
  it("should abort the call's signal at the deadline and refuse with timeout", async () => {
    const shield = new Shield({ name: 'carrier', config: { timeoutMs: 50 } });
    let signal: AbortSignal | undefined;
    const started = performance.now();
    const error = await shield
      .run('k', (s) => {
        signal = s;
        return new Promise<never>((_, reject) => s.addEventListener('abort', () => reject(s.reason as Error)));
      })
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ShieldRefusal);
    expect(error).toMatchObject({ reason: 'timeout', subgraph: 'carrier', retryAfterMs: 0 });
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as DOMException).name).toBe('TimeoutError');
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(300);
    expect(shield.stats()).toMatchObject({ upstreamCalls: 1, retries: 0, inFlight: 0, refused: { timeout: 1 } });
  });

  it('should free the slot and stop waiting even when the call ignores the signal', async () => {
    const shield = new Shield({ name: 'carrier', config: { timeoutMs: 30, maxConcurrency: 1, maxQueue: 0 } });
    await expect(shield.run('hang', () => new Promise(() => undefined))).rejects.toMatchObject({ reason: 'timeout' });
    expect(shield.stats().inFlight).toBe(0);
    await expect(shield.run('next', async () => 'ok')).resolves.toBe('ok');
  });

  it('should count a timeout as a breaker failure', async () => {
    const shield = new Shield({ name: 'carrier', config: { timeoutMs: 10, breakerFailures: 2 } });
    for (let i = 0; i < 2; i++)
      await expect(shield.run(`k${i}`, () => new Promise(() => undefined))).rejects.toMatchObject({
        reason: 'timeout',
      });
    expect(shield.stats().breaker).toBe('open');
  });
});

describe('Shield rate limit', () => {
  it('should refuse calls over the bucket without calling upstream, with the wait for a token', async () => {
    const shield = new Shield({ name: 'erp', config: { ratePerSecond: 1, burst: 3 } });
    let calls = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => shield.run(`k${i}`, async () => ++calls)),
    );
    expect(calls).toBe(3);
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as unknown);
    expect(refused).toHaveLength(2);
    for (const e of refused) {
      expect(isShieldRefusal(e)).toBe(true);
      expect(e).toMatchObject({ reason: 'rate_limited', subgraph: 'erp' });
      expect((e as ShieldRefusal).retryAfterMs).toBeGreaterThan(0);
      expect((e as ShieldRefusal).message).toMatch(/^erp shield refused the fetch \(rate_limited\): over 1 calls\/s/);
    }
    expect(shield.stats().refused).toEqual({ rate_limited: 2, circuit_open: 0, concurrency: 0, timeout: 0 });
  });

  it('should take a token for every retry too, and deliver the last failure when none is left', async () => {
    const limiter = new MemoryTokenBucket({ ratePerSecond: 0.001, burst: 2 });
    const shield = new Shield({
      name: 'erp',
      limiter,
      config: { retries: 5, retryBaseMs: 1, retryBudgetMinPerSecond: 100 },
    });
    let calls = 0;
    await expect(
      shield.run('k', async () => {
        calls += 1;
        throw new Error(`HTTP 503 #${calls}`);
      }),
    ).rejects.toThrow('HTTP 503 #2');
    expect(calls).toBe(2);
    expect(shield.stats().refused.rate_limited).toBe(0);
  });

  it('should reject a bad configuration naming the field and the value', () => {
    expect(() => new Shield({ name: 'erp', config: { timeoutMs: 0 } })).toThrow(
      /Shield option config.timeoutMs: expected an integer from 1 to 600000, got 0/,
    );
    expect(() => new Shield({ name: 'erp', config: { retryBaseMs: 500, retryMaxMs: 100 } })).toThrow(
      /retryMaxMs: expected at least retryBaseMs \(500\), got 100/,
    );
  });

  it("should use the subgraph's built-in defaults, ignoring undefined overrides", () => {
    expect(new Shield({ name: 'erp', config: { timeoutMs: undefined } }).config).toMatchObject({
      ratePerSecond: 25,
      burst: 10,
      maxConcurrency: 8,
      timeoutMs: 2000,
    });
    expect(new Shield({ name: 'oms' }).config).toMatchObject({ ratePerSecond: 500, maxConcurrency: 64 });
  });
});

describe('Shield under load', () => {
  it('should let an ERP-shaped subgraph see at most rate + burst while clients send 2,000 req/s of distinct fetches', async () => {
    const shield = new Shield({ name: 'erp' });
    let upstream = 0;
    let refused = 0;
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let tick = 0; tick < 50; tick++) {
      for (let i = 0; i < 20; i++) {
        pending.push(
          shield
            .run(`erp|order-${tick}-${i}`, async () => ((upstream += 1), await sleep(5), 'ok'))
            .catch((e: unknown) => {
              if (!isShieldRefusal(e)) throw e;
              refused += 1;
            }),
        );
      }
      await sleep(10);
    }
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    expect(upstream).toBeLessThanOrEqual(10 + Math.ceil(25 * seconds));
    expect(upstream).toBeGreaterThanOrEqual(10 + 25 * 0.4);
    expect(refused).toBe(1000 - upstream);
  });
});
