import { describe, expect, it } from 'vitest';
import { PurgeQueue } from '../../gateway/cache/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(what: string, done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !done(); await sleep(10))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

describe('PurgeQueue', () => {
  const recorder = () => {
    const calls: string[][] = [];
    return { calls, purge: async (tags: string[]) => void calls.push([...tags].sort()) };
  };

  it('should purge the tags of many events together, once, after the interval', async () => {
    const { calls, purge } = recorder();
    const q = new PurgeQueue(purge, 40);
    q.add(['order:ORD-1', 'order:ORD-1:erp']);
    q.add(['order:ORD-2']);
    q.add(['order:ORD-1']);
    expect(calls).toEqual([]);
    expect(q.size).toBe(3);
    await until('the first batch', () => calls.length === 1);
    expect(calls).toEqual([['order:ORD-1', 'order:ORD-1:erp', 'order:ORD-2']]);
    q.add(['order:ORD-3']);
    await until('the second batch', () => calls.length === 2);
    await sleep(100);
    expect(calls).toEqual([['order:ORD-1', 'order:ORD-1:erp', 'order:ORD-2'], ['order:ORD-3']]);
  });

  it('should run a batch at once when it reaches maxTags, and never two purges at the same time', async () => {
    let running = 0;
    let most = 0;
    const batches: number[] = [];
    const q = new PurgeQueue(
      async (tags) => {
        running++;
        most = Math.max(most, running);
        await sleep(30);
        batches.push(tags.length);
        running--;
      },
      60_000,
      3,
    );
    q.add(['a', 'b']);
    q.add(['c']); // the third tag: runs now, not in a minute
    q.add(['d', 'e', 'f']);
    await q.flush();
    expect(batches).toEqual([3, 3]);
    expect(most).toBe(1);
  });

  it('should go on after a purge that failed, and run what waits when stopped, then take nothing more', async () => {
    const calls: string[][] = [];
    let fail = true;
    const q = new PurgeQueue(async (tags) => {
      calls.push(tags);
      if (fail) {
        fail = false;
        throw new Error('redis is down');
      }
    }, 60_000);
    q.add(['a']);
    await q.flush();
    q.add(['b']);
    await q.stop();
    q.add(['c']);
    await q.flush();
    expect(calls).toEqual([['a'], ['b']]);
    expect(q.size).toBe(0);
  });
});
