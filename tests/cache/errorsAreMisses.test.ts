import { afterEach, describe, expect, it } from 'vitest';
import { CacheGuard, createCacheStore, errorsAreMisses, type CacheStore } from '../../gateway/cache/index.js';
import { describeOwnRedis, freePort, startOwnRedis, type OwnRedis } from '../helpers/redis.js';
import { sleep } from './versionsContract.js';

const TIMEOUT_MS = 50;
/** What a guarded call may take beyond the timeout on a busy 2-core machine. */
const SLACK_MS = 250;

/** Runs `work` and returns its result with how long it took. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** A store whose every call rejects, or never settles. */
function brokenStore(mode: 'reject' | 'hang'): CacheStore & { calls: number } {
  const fail = <T>(): Promise<T> => {
    s.calls += 1;
    return mode === 'reject' ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')) : new Promise<T>(() => undefined);
  };
  const s = { calls: 0, get: fail, set: fail, delete: fail, close: async () => undefined } as CacheStore & {
    calls: number;
  };
  return s;
}

/** Every operation of `store` resolves — get to a miss — within the timeout. */
async function expectMissesWithinTimeout(store: CacheStore): Promise<void> {
  const get = await timed(() => store.get('k'));
  expect(get.value).toBeUndefined();
  expect(get.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  const set = await timed(() => store.set('k', 'v', 60_000));
  expect(set.value).toBeUndefined();
  expect(set.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  const del = await timed(() => store.delete(['k']));
  expect(del.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
}

describe('errorsAreMisses', () => {
  it('should turn a rejecting store into misses and skipped writes, reported once per interval with a count', async () => {
    let now = 0;
    const reports: string[] = [];
    const broken = brokenStore('reject');
    const store = errorsAreMisses(broken, {
      timeoutMs: TIMEOUT_MS,
      reportIntervalMs: 10_000,
      now: () => now,
      onError: (e, c) => reports.push(`${c}: ${e.message}`),
    });
    for (let i = 0; i < 20; i++) await expectMissesWithinTimeout(store);
    // The first failure opens the fail-fast window: the other 59 calls never reach the store.
    expect(broken.calls).toBe(1);
    expect(reports).toEqual(['cache get failed, served as a miss: ECONNREFUSED 127.0.0.1:1']);
    now = 10_000;
    await store.get('k');
    expect(broken.calls).toBe(2);
    expect(reports[1]).toBe(
      'cache get failed, served as a miss (and 59 more cache failures since the last report): ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('should answer within the timeout when the store hangs', async () => {
    const reports: string[] = [];
    const store = errorsAreMisses(brokenStore('hang'), {
      timeoutMs: TIMEOUT_MS,
      onError: (e, c) => reports.push(`${c}: ${e.message}`),
    });
    await expectMissesWithinTimeout(store);
    expect(reports).toEqual([`cache get failed, served as a miss: no answer within ${TIMEOUT_MS} ms`]);
  });

  it("should pass a healthy store's answers through unchanged", async () => {
    const store = errorsAreMisses(createCacheStore(), {
      timeoutMs: TIMEOUT_MS,
      onError: (e) => {
        throw e;
      },
    });
    await store.set('k', 'v', 60_000);
    expect(await store.get('k')).toBe('v');
    await store.delete(['k']);
    expect(await store.get('k')).toBeUndefined();
  });

  it('should share one guard between stores, so that one outage is reported once', async () => {
    const reports: string[] = [];
    const guard = new CacheGuard({ timeoutMs: TIMEOUT_MS, onError: (_e, c) => reports.push(c) });
    const a = errorsAreMisses(brokenStore('reject'), { guard });
    const b = errorsAreMisses(brokenStore('reject'), { guard });
    await a.get('k');
    await b.set('k', 'v', 1000);
    expect(reports).toHaveLength(1);
  });

  it('should survive a reporter that throws', async () => {
    const store = errorsAreMisses(brokenStore('reject'), {
      onError: () => {
        throw new Error('logger down');
      },
    });
    expect(await store.get('k')).toBeUndefined();
  });

  it('should refuse a timeout that is not a positive number', () => {
    expect(() => errorsAreMisses(createCacheStore(), { timeoutMs: 0 })).toThrow(
      /timeoutMs: expected a positive number of ms, got 0/,
    );
  });

  it('should make a Redis store on a closed port miss within the timeout, without throwing', async () => {
    const reports: string[] = [];
    const raw = createCacheStore({ redisUrl: `redis://127.0.0.1:${await freePort()}` });
    const store = errorsAreMisses(raw, { timeoutMs: TIMEOUT_MS, onError: (_e, c) => reports.push(c) });
    try {
      for (let i = 0; i < 5; i++) await expectMissesWithinTimeout(store);
      expect(reports).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describeOwnRedis('errorsAreMisses over a Redis that stops', () => {
  let redis: OwnRedis | undefined;
  let store: CacheStore | undefined;
  afterEach(async () => {
    await store?.close();
    await redis?.dispose();
    store = redis = undefined;
  });

  it('should serve misses within the timeout while Redis is down, and hits again once it is back', async () => {
    redis = await startOwnRedis();
    const reports: string[] = [];
    store = errorsAreMisses(createCacheStore({ redisUrl: redis.url, prefix: 'test:' }), {
      timeoutMs: TIMEOUT_MS,
      onError: (_e, c) => reports.push(c),
    });
    await store.set('k', 'before', 60_000);
    expect(await store.get('k')).toBe('before');
    expect(reports).toEqual([]);

    await redis.stop();
    for (let i = 0; i < 5; i++) await expectMissesWithinTimeout(store);
    expect(reports).toHaveLength(1);

    await redis.start();
    const deadline = Date.now() + 10_000;
    while ((await store.get('probe')) === undefined) {
      await store.set('probe', 'up', 60_000);
      if (Date.now() > deadline) throw new Error('the store did not reconnect within 10 s of Redis restarting');
      await sleep(50);
    }
    expect(await store.get('probe')).toBe('up');
  });
});
