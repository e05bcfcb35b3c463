import { describe, expect, it } from 'vitest';
import { CursorExpiredError, isStreamId, compareIds, type Envelope, type EventBus } from '../../events/bus.js';
import { consumerGroupContract } from './contractGroups.js';
import { busHarness, ev, sleep, waitFor, type BusOptions, type MakeBus } from './harness.js';

export type { MakeBus } from './harness.js';

/** The EventBus contract (events/bus.ts), run against every adapter. */
export function eventBusContract(name: string, makeBus: MakeBus): void {
  describe(`${name}: EventBus contract`, () => {
    const { bus, stream, errors } = busHarness<EventBus, BusOptions>(makeBus);
    const ids = (es: Envelope[]): string[] => es.map((e) => e.id);
    const eventIds = (es: Envelope[]): string[] => es.map((e) => e.event.id);

    describe('log', () => {
      it('should publish in order with strictly increasing <ms>-<seq> ids and read them back', async () => {
        const b = await bus();
        const s = stream();
        const published = await Promise.all(Array.from({ length: 50 }, (_, i) => b.publish(s, ev(i))));
        const all = await b.read(s, { count: 100 });
        expect(ids(all)).toEqual(published);
        expect(eventIds(all)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`));
        expect(published.every(isStreamId)).toBe(true);
        for (let i = 1; i < published.length; i++) expect(compareIds(published[i - 1]!, published[i]!)).toBeLessThan(0);
        expect(await b.lastId(s)).toBe(published.at(-1));
      });

      it('should stamp recordedtime on publish, replacing any given one', async () => {
        const b = await bus();
        const s = stream();
        const before = Date.now();
        await b.publish(s, { ...ev(1), recordedtime: '2000-01-01T00:00:00.000Z' });
        const [e] = await b.read(s);
        const at = Date.parse(e!.event.recordedtime!);
        expect(at).toBeGreaterThanOrEqual(before - 1);
        expect(at).toBeLessThanOrEqual(Date.now() + 1);
        expect(e!.event).toMatchObject({ ...ev(1), recordedtime: expect.any(String) });
      });

      it('should read after a cursor (exclusive), at most count entries', async () => {
        const b = await bus();
        const s = stream();
        const published: string[] = [];
        for (let i = 0; i < 10; i++) published.push(await b.publish(s, ev(i)));
        expect(ids(await b.read(s, { count: 3 }))).toEqual(published.slice(0, 3));
        expect(ids(await b.read(s, { after: published[2], count: 4 }))).toEqual(published.slice(3, 7));
        expect(await b.read(s, { after: published[9] })).toEqual([]);
        expect(await b.read(stream())).toEqual([]);
        expect(await b.lastId(stream())).toBeNull();
      });

      it('should reject a cursor that is not a <ms>-<seq> id', async () => {
        const b = await bus();
        await expect(b.read(stream(), { after: 'yesterday' })).rejects.toThrow(/<ms>-<seq>.*"yesterday"/);
        expect(() => b.subscribe(stream(), () => undefined, { after: '12' })).toThrow(TypeError);
      });

      it('should keep about maxLen entries and expire only cursors older than the retained ones', async () => {
        const b = await bus({ maxLen: 50 });
        const s = stream();
        const published = await Promise.all(Array.from({ length: 400 }, (_, i) => b.publish(s, ev(i))));
        const retained = await b.read(s, { count: 1000 });
        expect(retained.length).toBeGreaterThanOrEqual(50);
        expect(retained.length).toBeLessThan(400);
        expect(ids(retained)).toEqual(published.slice(-retained.length));
        const oldest = retained[0]!.id;
        const trimmed = published[published.length - retained.length - 2]!;

        expect(ids(await b.read(s, { after: oldest, count: 1000 }))).toEqual(ids(retained.slice(1)));
        await expect(b.subscribe(s, () => undefined, { after: oldest }).ready).resolves.toBeUndefined();

        const expired = await b.read(s, { after: trimmed }).catch((e: unknown) => e);
        expect(expired).toBeInstanceOf(CursorExpiredError);
        expect(expired).toMatchObject({ cursor: trimmed, oldestRetained: oldest });
        await expect(b.subscribe(s, () => undefined, { after: trimmed }).ready).rejects.toBeInstanceOf(
          CursorExpiredError,
        );
        await expect(b.read(s, { after: '0-0' })).rejects.toBeInstanceOf(CursorExpiredError);
      });
    });

    describe('broadcast', () => {
      it('should deliver every event to each of two subscribers, in order', async () => {
        const b = await bus();
        const s = stream();
        const one: string[] = [];
        const two: string[] = [];
        const subs = [
          b.subscribe(s, (e) => void one.push(e.event.id)),
          b.subscribe(s, async (e) => void two.push(e.event.id)),
        ];
        await Promise.all(subs.map((x) => x.ready));
        for (let i = 0; i < 30; i++) await b.publish(s, ev(i));
        const expected = Array.from({ length: 30 }, (_, i) => `e${i}`);
        await waitFor('both subscribers to get 30 events', () => one.length === 30 && two.length === 30);
        expect(one).toEqual(expected);
        expect(two).toEqual(expected);
      });

      it('should deliver only events published after a subscription without a cursor is ready', async () => {
        const b = await bus();
        const s = stream();
        await b.publish(s, ev(0));
        const got: string[] = [];
        const sub = b.subscribe(s, (e) => void got.push(e.event.id));
        await sub.ready;
        await b.publish(s, ev(1));
        await waitFor('the live event', () => got.length === 1);
        await sleep(50);
        expect(got).toEqual(['e1']);
      });

      it('should replay the events after a cursor, then continue live without gaps or duplicates', async () => {
        const b = await bus();
        const s = stream();
        const published: string[] = [];
        for (let i = 0; i < 5; i++) published.push(await b.publish(s, ev(i)));
        const got: string[] = [];
        const sub = b.subscribe(s, (e) => void got.push(e.id), { after: published[1] });
        // Published while the subscription starts: replay and live overlap; each must arrive once.
        const racing = Array.from({ length: 5 }, (_, i) => b.publish(s, ev(5 + i)));
        await sub.ready;
        published.push(...(await Promise.all(racing)));
        for (let i = 10; i < 15; i++) published.push(await b.publish(s, ev(i)));
        await waitFor('13 events after the cursor', () => got.length >= 13);
        await sleep(50);
        expect(got).toEqual(published.slice(2));
      });

      it('should call a subscription handler one at a time and go on after it throws, without stopping others', async () => {
        const b = await bus();
        const s = stream();
        let running = 0;
        let maxRunning = 0;
        const failing: string[] = [];
        const healthy: string[] = [];
        const subs = [
          b.subscribe(s, async (e) => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            await sleep(2);
            running -= 1;
            failing.push(e.event.id);
            throw new Error(`cannot handle ${e.event.id}`);
          }),
          b.subscribe(s, (e) => void healthy.push(e.event.id)),
        ];
        await Promise.all(subs.map((x) => x.ready));
        await Promise.all(Array.from({ length: 10 }, (_, i) => b.publish(s, ev(i))));
        await waitFor('both subscribers to see 10 events', () => failing.length === 10 && healthy.length === 10);
        expect(failing).toEqual(healthy);
        expect(maxRunning).toBe(1);
        expect(errors.filter((e) => e.includes('cannot handle'))).toHaveLength(10);
      });

      it('should make close idempotent, let a running handler finish and stop delivery', async () => {
        const b = await bus();
        const s = stream();
        const got: string[] = [];
        let finished = false;
        const sub = b.subscribe(s, async (e) => {
          got.push(e.event.id);
          await sleep(100);
          finished = true;
        });
        await sub.ready;
        await b.publish(s, ev(1));
        await waitFor('the first event', () => got.length === 1);
        await Promise.all([sub.close(), sub.close()]);
        expect(finished).toBe(true);
        await b.publish(s, ev(2));
        await sleep(100);
        expect(got).toEqual(['e1']);
        await b.close();
        await b.close();
        await expect(b.publish(s, ev(3))).rejects.toThrow(/closed/);
      });
    });

    consumerGroupContract(bus, stream);
  });
}
