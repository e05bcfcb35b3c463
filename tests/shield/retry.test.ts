import { describe, expect, it } from 'vitest';
import { backoffMs, decideRetry, RetryBudget, Shield, type Verdict } from '../../gateway/shield/index.js';

const policy = { retries: 2, baseMs: 100, maxMs: 1000 };

describe('RetryBudget', () => {
  it('should allow ratio × requests + minPerSecond × window retries, then refuse', () => {
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, now: () => 0 });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(10);
  });

  it('should grant the per-second minimum with no traffic, and refill as the window slides', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 2000, now: () => now });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    now = 1999;
    expect(budget.tryRetry()).toBe(false);
    now = 2000;
    expect(budget.tryRetry()).toBe(true);
  });
});

describe('decideRetry', () => {
  const roomy = (): RetryBudget => new RetryBudget({ minPerSecond: 100 });

  it('should not retry ok or fatal outcomes, nor past the retry count', () => {
    expect(decideRetry('ok', 0, 5000, policy, roomy())).toEqual({ retry: false, why: 'not_retryable' });
    expect(decideRetry('fatal', 0, 5000, policy, roomy())).toEqual({ retry: false, why: 'not_retryable' });
    expect(decideRetry('retryable', 2, 5000, policy, roomy())).toEqual({ retry: false, why: 'exhausted' });
  });

  it('should back off with full jitter under a doubling cap', () => {
    expect(backoffMs(0, policy, () => 0.999)).toBeLessThan(100);
    expect(backoffMs(2, policy, () => 0.999)).toBeGreaterThan(399);
    expect(backoffMs(2, policy, () => 0.999)).toBeLessThan(400);
    expect(backoffMs(10, policy, () => 0.999)).toBeLessThan(1000);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    expect(decideRetry('retryable', 1, 5000, policy, roomy(), () => 0.5)).toEqual({ retry: true, delayMs: 100 });
  });

  it('should wait at least Retry-After, and give up at once when it reaches past the deadline', () => {
    const limited: Verdict = { rateLimited: 1500 };
    expect(decideRetry(limited, 0, 5000, policy, roomy(), () => 0.5)).toEqual({ retry: true, delayMs: 1500 });
    expect(decideRetry(limited, 0, 1500, policy, roomy())).toEqual({ retry: false, why: 'deadline' });
  });

  it('should spend the budget only for a retry it grants', () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0.1, windowMs: 10_000 });
    expect(decideRetry({ rateLimited: 9000 }, 0, 100, policy, budget)).toEqual({ retry: false, why: 'deadline' });
    expect(decideRetry('retryable', 0, 5000, policy, budget).retry).toBe(true);
    expect(decideRetry('retryable', 0, 5000, policy, budget)).toEqual({ retry: false, why: 'budget' });
  });
});

class Http429 extends Error {
  constructor(readonly retryAfterMs: number) {
    super('HTTP 429');
  }
}
const classify = (o: { ok: boolean; error?: unknown }): Verdict =>
  o.ok ? 'ok' : o.error instanceof Http429 ? { rateLimited: o.error.retryAfterMs } : 'retryable';

describe('Shield retries', () => {
  it("should retry a retryable failure and return the retry's value", async () => {
    const shield = new Shield({ name: 'oms', config: { retries: 2, retryBaseMs: 5 } });
    let calls = 0;
    const value = await shield.run(
      'k',
      async () => {
        if (++calls < 3) throw new Error('HTTP 502');
        return 'third time';
      },
      classify,
    );
    expect(value).toBe('third time');
    expect(calls).toBe(3);
    expect(shield.stats()).toMatchObject({ upstreamCalls: 3, retries: 2 });
  });

  it('should not retry a fatal outcome', async () => {
    const shield = new Shield({ name: 'oms' });
    let calls = 0;
    await expect(
      shield.run(
        'k',
        async () => {
          calls += 1;
          throw new Error('HTTP 400');
        },
        () => 'fatal',
      ),
    ).rejects.toThrow('HTTP 400');
    expect(calls).toBe(1);
  });

  it('should honour Retry-After: no retry sooner, and others refused as rate_limited meanwhile', async () => {
    const shield = new Shield({ name: 'erp', config: { timeoutMs: 2000, retryBaseMs: 1 } });
    const at: number[] = [];
    const started = performance.now();
    const first = shield.run(
      'k',
      async () => {
        at.push(performance.now() - started);
        if (at.length === 1) throw new Http429(150);
        return 'after the pause';
      },
      classify,
    );
    await new Promise((r) => setTimeout(r, 20));
    let otherCalls = 0;
    await expect(shield.run('other', async () => ((otherCalls += 1), 'x'), classify)).rejects.toMatchObject({
      reason: 'rate_limited',
    });
    expect(otherCalls).toBe(0);
    await expect(first).resolves.toBe('after the pause');
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(150);
    expect(shield.stats().breaker).toBe('closed');
  });

  it('should give up at once when Retry-After reaches past the deadline', async () => {
    const shield = new Shield({ name: 'erp', config: { timeoutMs: 300 } });
    let calls = 0;
    const started = performance.now();
    await expect(
      shield.run(
        'k',
        async () => {
          calls += 1;
          throw new Http429(5000);
        },
        classify,
      ),
    ).rejects.toThrow('HTTP 429');
    expect(performance.now() - started).toBeLessThan(100);
    expect(calls).toBe(1);
  });

  it('should stop retrying when the budget is spent, so retries do not multiply an outage', async () => {
    // Budget: no ratio, 1 retry/s over 10 s = 10 retries in all.
    const shield = new Shield({
      name: 'carrier',
      config: { retries: 2, retryBaseMs: 1, retryBudgetRatio: 0, retryBudgetMinPerSecond: 1, breakerFailures: 1000 },
    });
    let calls = 0;
    for (let i = 0; i < 30; i++) {
      await expect(
        shield.run(`k${i}`, async () => {
          calls += 1;
          throw new Error('HTTP 503');
        }),
      ).rejects.toThrow('HTTP 503');
    }
    expect(calls).toBe(30 + 10);
    expect(shield.stats()).toMatchObject({ calls: 30, upstreamCalls: 40, retries: 10, retriesDenied: 25 });
  });
});
