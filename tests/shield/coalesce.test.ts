import { describe, expect, it } from 'vitest';
import { Shield, SingleFlight } from '../../gateway/shield/index.js';
import { sleep } from './rateLimiterContract.js';

describe('SingleFlight', () => {
  it('should share one promise per key while in flight and forget the key when it settles', async () => {
    const flights = new SingleFlight();
    let calls = 0;
    const fn = async (): Promise<number> => (await sleep(10), ++calls);
    const a = flights.run('k', fn);
    const b = flights.run('k', fn);
    expect([a.shared, b.shared]).toEqual([false, true]);
    expect(b.promise).toBe(a.promise);
    expect(flights.size).toBe(1);
    expect(await b.promise).toBe(1);
    expect(flights.size).toBe(0);
    expect(await flights.run('k', fn).promise).toBe(2);
  });

  it('should turn a synchronous throw into the shared rejection', async () => {
    const flights = new SingleFlight();
    const fn = (): Promise<never> => {
      throw new Error('sync');
    };
    await expect(flights.run('k', fn).promise).rejects.toThrow('sync');
    expect(flights.size).toBe(0);
  });
});

describe('Shield coalescing', () => {
  it('should make one upstream call for 100 concurrent identical calls and give each the result', async () => {
    const shield = new Shield({ name: 'erp' });
    let calls = 0;
    const call = async (): Promise<{ id: string }> => {
      calls += 1;
      await sleep(20);
      return { id: 'o-1' };
    };
    const results = await Promise.all(
      Array.from({ length: 100 }, () => shield.run('erp|{"query":"{order}"}|scope-a', call)),
    );
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toEqual({ id: 'o-1' });
    expect(shield.stats()).toMatchObject({ calls: 100, coalesced: 99, upstreamCalls: 1 });
  });

  it('should call upstream once per distinct key', async () => {
    const shield = new Shield({ name: 'erp' });
    const seen: string[] = [];
    const keys = ['scope-a', 'scope-b', 'scope-a', 'scope-c', 'scope-b'];
    const results = await Promise.all(keys.map((k) => shield.run(k, async () => (seen.push(k), await sleep(10), k))));
    expect(results).toEqual(keys);
    expect(seen.sort()).toEqual(['scope-a', 'scope-b', 'scope-c']);
  });

  it('should share a rejection, then go upstream again for the next call after it settled', async () => {
    const shield = new Shield({ name: 'oms', config: { retries: 0 } });
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls += 1;
      await sleep(10);
      throw new Error(`failure ${calls}`);
    };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => shield.run('k', failing)));
    expect(calls).toBe(1);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'failure 1')).toBe(true);
    await expect(shield.run('k', failing)).rejects.toThrow('failure 2');
    expect(calls).toBe(2);
  });
});
