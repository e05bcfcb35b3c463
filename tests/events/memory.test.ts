import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { compareIds, CursorExpiredError, isStreamId } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { busHarness, ev, waitFor } from './harness.js';

setFlagsFromString('--expose-gc');

describe('MemoryEventBus', () => {
  const { bus, stream, errors } = busHarness((opts) => new MemoryEventBus(opts));

  it('should number entries <ms>-<seq>, strictly increasing within one millisecond', async () => {
    const b = await bus();
    const s = stream();
    const ids = await Promise.all(Array.from({ length: 2000 }, (_, i) => b.publish(s, ev(i))));
    expect(ids.every(isStreamId)).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    expect(ids.some((id) => !id.endsWith('-0'))).toBe(true);
  });

  it('should trim exactly to maxLen and not expire a cursor equal to the newest trimmed id', async () => {
    const b = await bus({ maxLen: 10 });
    const s = stream();
    const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => b.publish(s, ev(i))));
    expect((await b.read(s)).map((e) => e.id)).toEqual(ids.slice(15));
    expect((await b.read(s, { after: ids[14] })).map((e) => e.id)).toEqual(ids.slice(15));
    await expect(b.read(s, { after: ids[13] })).rejects.toEqual(new CursorExpiredError(ids[13]!, ids[15]!));
  });

  it('should trim the oldest entries past maxBytes, keep the newest whatever its size, and expire cursors before them', async () => {
    const b = new MemoryEventBus({ maxBytes: 8_000 });
    try {
      const s = stream();
      // Each of these events is about 700 bytes by the bus's measure (its JSON at 2 bytes a character).
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) ids.push(await b.publish(s, { ...ev(i), data: { pad: 'x'.repeat(200) } }));
      const kept = (await b.read(s, { count: 1000 })).map((e) => e.id);
      expect(kept.length).toBeGreaterThan(5);
      expect(kept.length).toBeLessThan(15);
      expect(kept).toEqual(ids.slice(ids.length - kept.length));
      await expect(b.read(s, { after: ids[0] })).rejects.toBeInstanceOf(CursorExpiredError);
      // One event larger than the whole budget is still kept, alone.
      const big = await b.publish(s, { ...ev(99), data: { pad: 'y'.repeat(10_000) } });
      expect((await b.read(s, { count: 1000 })).map((e) => e.id)).toEqual([big]);
    } finally {
      await b.close();
    }
  });

  it('should let go of a trimmed event at once, not when its slot is compacted (the byte budget is what it keeps)', async () => {
    const gc = runInNewContext('gc') as () => void;
    const b = await bus({ maxLen: 1000 });
    const s = stream();
    await b.publish(s, ev(0));
    // The stream keeps its own copy of each event (as Redis would): reach it through a read.
    const ref = await (async () => new WeakRef((await b.read(s, { count: 1 }))[0]!.event))();
    for (let i = 1; i < 1500; i++) await b.publish(s, ev(i));
    // 500 trimmed, below the 1,024 that make the stream compact its slots.
    expect((await b.read(s, { count: 2000 })).length).toBe(1000);
    await new Promise((r) => setImmediate(r));
    gc();
    expect(ref.deref()).toBeUndefined();
  });

  it('should report a subscriber that fell behind the retained stream and go on from the oldest retained', async () => {
    const b = await bus({ maxLen: 5 });
    const s = stream();
    const got: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = b.subscribe(s, async (e) => {
      got.push(e.event.id);
      await gate;
    });
    await sub.ready;
    for (let i = 0; i < 20; i++) await b.publish(s, ev(i));
    await waitFor('the first event', () => got.length === 1);
    release();
    await waitFor('the retained tail', () => got.at(-1) === 'e19');
    expect(got).toEqual(['e0', 'e15', 'e16', 'e17', 'e18', 'e19']);
    expect(errors.some((e) => e.includes('lost entries') && e.includes('older than the retained stream'))).toBe(true);
  });

  it('should leave no timer behind once closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
      const b = new MemoryEventBus({ onError: () => undefined });
      const s = stream();
      let release!: () => void;
      const hang = new Promise<void>((r) => (release = r));
      let taken = false;
      const a = b.consume(s, 'g', 'A', () => ((taken = true), hang), { reclaimIdleMs: 60_000 });
      const sub = b.subscribe(s, () => undefined);
      await Promise.all([a.ready, sub.ready]);
      await b.publish(s, ev(1));
      await tick();
      expect(taken).toBe(true);
      b.consume(s, 'g', 'B', async () => undefined, { reclaimIdleMs: 60_000 });
      await tick();
      expect(vi.getTimerCount()).toBe(1); // B waits to reclaim A's entry
      release();
      await b.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
