import { describe, expect, it } from 'vitest';
import { deadLetterStream, type Delivery, type EventBus } from '../../events/bus.js';
import { isDeadLetterEvent, withoutDeadLetter } from '../../events/deadLetter.js';
import { PermanentFailure } from '../../events/permanentFailure.js';
import type { BusOptions } from './harness.js';
import { ev, sleep, waitFor } from './harness.js';

/** The work-shared half of the contract: consumer groups, acks, redelivery, dead letters, reclaim. */
export function consumerGroupContract(bus: (opts?: BusOptions) => Promise<EventBus>, stream: () => string): void {
  describe('consumer groups', () => {
    it('should split events between two consumers of one group, each handled exactly once', async () => {
      const b = await bus();
      const s = stream();
      const handled: Array<{ consumer: string; id: string }> = [];
      const member = (consumer: string) =>
        b.consume(
          s,
          'workers',
          consumer,
          async (d) => {
            handled.push({ consumer, id: d.event.id });
            await sleep(5);
          },
          { batchSize: 1 },
        );
      const members = [member('c1'), member('c2')];
      await Promise.all(members.map((m) => m.ready));
      await Promise.all(Array.from({ length: 20 }, (_, i) => b.publish(s, ev(i))));
      await waitFor('20 handled events', () => handled.length >= 20);
      await sleep(100);
      expect(handled.map((h) => h.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `e${i}`).sort());
      expect(new Set(handled.map((h) => h.consumer))).toEqual(new Set(['c1', 'c2']));
    });

    it('should deliver every event to each of two groups', async () => {
      const b = await bus();
      const s = stream();
      const byGroup: Record<string, string[]> = { g1: [], g2: [] };
      const members = Object.keys(byGroup).map((g) =>
        b.consume(s, g, 'only', async (d) => void byGroup[g]!.push(d.event.id)),
      );
      await Promise.all(members.map((m) => m.ready));
      for (let i = 0; i < 10; i++) await b.publish(s, ev(i));
      await waitFor('both groups to handle 10 events', () => byGroup.g1!.length === 10 && byGroup.g2!.length === 10);
      const expected = Array.from({ length: 10 }, (_, i) => `e${i}`);
      expect(byGroup.g1).toEqual(expected);
      expect(byGroup.g2).toEqual(expected);
    });

    it("should start a new group at new entries by default and at the whole stream with startFrom '0'", async () => {
      const b = await bus();
      const s = stream();
      for (let i = 0; i < 3; i++) await b.publish(s, ev(i));
      const fresh: string[] = [];
      const whole: string[] = [];
      const members = [
        b.consume(s, 'fresh', 'c', async (d) => void fresh.push(d.event.id)),
        b.consume(s, 'whole', 'c', async (d) => void whole.push(d.event.id), { startFrom: '0' }),
      ];
      await Promise.all(members.map((m) => m.ready));
      await b.publish(s, ev(3));
      await waitFor('the new event in both groups', () => fresh.length === 1 && whole.length === 4);
      expect(fresh).toEqual(['e3']);
      expect(whole).toEqual(['e0', 'e1', 'e2', 'e3']);
    });

    it('should redeliver after a throw with increasing deliveries, then ack once the handler resolves', async () => {
      const b = await bus();
      const s = stream();
      const seen: number[] = [];
      const c = b.consume(s, 'g', 'c1', async (d) => {
        seen.push(d.deliveries);
        if (d.deliveries < 2) throw new Error('transient');
      });
      await c.ready;
      await b.publish(s, ev(1));
      await waitFor('the second delivery', () => seen.length === 2);
      await sleep(100);
      expect(seen).toEqual([1, 2]);
      expect(await b.read(deadLetterStream(s))).toEqual([]);
    });

    it('should dead-letter an entry after maxDeliveries throws, with the original event, and ack it', async () => {
      const b = await bus();
      const s = stream();
      const seen: number[] = [];
      const c = b.consume(
        s,
        'g',
        'c1',
        async (d) => {
          seen.push(d.deliveries);
          throw new Error(`boom ${d.deliveries}`);
        },
        { maxDeliveries: 3 },
      );
      await c.ready;
      const id = await b.publish(s, ev(1));
      await waitFor('the dead letter', async () => (await b.read(deadLetterStream(s))).length === 1);
      expect(seen).toEqual([1, 2, 3]);
      const [dead] = await b.read(deadLetterStream(s));
      expect(dead!.event).toMatchObject({
        ...ev(1),
        deadletterid: id,
        deadletterdeliveries: 3,
        deadlettergroup: 'g',
        deadlettererror: 'boom 3',
      });
      expect(isDeadLetterEvent(dead!.event)).toBe(true);
      expect(withoutDeadLetter(dead!.event)).toEqual({ ...ev(1), recordedtime: expect.any(String) });
      // Acked: neither the same member nor another one, reclaiming eagerly, sees it again.
      const other: number[] = [];
      const c2 = b.consume(s, 'g', 'c2', async (d) => void other.push(d.deliveries), { reclaimIdleMs: 50 });
      await c2.ready;
      await sleep(300);
      expect(seen).toEqual([1, 2, 3]);
      expect(other).toEqual([]);
    });

    it('should let another consumer reclaim an entry a hung consumer holds past reclaimIdleMs', async () => {
      const b = await bus();
      const s = stream();
      let release!: () => void;
      const hang = new Promise<void>((r) => (release = r));
      const held: Array<Delivery & { at: number }> = [];
      const reclaimed: Array<Delivery & { at: number }> = [];
      const a = b.consume(
        s,
        'g',
        'A',
        async (d) => {
          held.push({ ...d, at: Date.now() });
          await hang;
        },
        { reclaimIdleMs: 200 },
      );
      await a.ready;
      await b.publish(s, ev(1));
      await waitFor('A to take the entry', () => held.length === 1);
      const c = b.consume(s, 'g', 'B', async (d) => void reclaimed.push({ ...d, at: Date.now() }), {
        reclaimIdleMs: 200,
      });
      await c.ready;
      await waitFor('B to reclaim the entry', () => reclaimed.length === 1, 3000);
      expect(reclaimed[0]).toMatchObject({ id: held[0]!.id, deliveries: 2, event: ev(1) });
      expect(reclaimed[0]!.at - held[0]!.at).toBeGreaterThanOrEqual(190);
      release();
      await a.close();
      await sleep(50);
      expect(held).toHaveLength(1);
      expect(reclaimed).toHaveLength(1);
    });

    it('should dead-letter at once, without redelivery, an entry whose handler throws a PermanentFailure', async () => {
      const b = await bus();
      const s = stream();
      const seen: Array<{ id: string; deliveries: number }> = [];
      const c = b.consume(
        s,
        'g',
        'c1',
        async (d) => {
          seen.push({ id: d.event.id, deliveries: d.deliveries });
          if (d.event.id === 'e1') throw new PermanentFailure('INVALID_FIELD: no such column');
        },
        { maxDeliveries: 5 },
      );
      await c.ready;
      await b.publish(s, ev(1));
      await b.publish(s, ev(2));
      await waitFor('the dead letter', async () => (await b.read(deadLetterStream(s))).length === 1);
      await waitFor('the next entry', () => seen.some((x) => x.id === 'e2'));
      await sleep(150);
      expect(seen).toEqual([
        { id: 'e1', deliveries: 1 },
        { id: 'e2', deliveries: 1 },
      ]);
      const [dead] = await b.read(deadLetterStream(s));
      expect(dead!.event).toMatchObject({
        deadletterdeliveries: 1,
        deadlettergroup: 'g',
        deadlettererror: 'INVALID_FIELD: no such column',
      });
      expect(withoutDeadLetter(dead!.event)).toMatchObject(ev(1));
    });

    it('should run up to concurrency handler calls at once and ack each when its own call resolves', async () => {
      const b = await bus();
      const s = stream();
      let running = 0;
      let peak = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const done: string[] = [];
      const c = b.consume(
        s,
        'g',
        'c1',
        async (d) => {
          peak = Math.max(peak, ++running);
          await gate;
          running--;
          done.push(d.event.id);
        },
        { concurrency: 4, batchSize: 10 },
      );
      await c.ready;
      for (let i = 0; i < 6; i++) await b.publish(s, ev(i));
      await waitFor('four calls in flight', () => running === 4);
      await sleep(50);
      expect(running).toBe(4);
      release();
      await waitFor('all six handled', () => done.length === 6);
      expect(peak).toBe(4);
      expect([...done].sort()).toEqual(Array.from({ length: 6 }, (_, i) => `e${i}`));
      await c.close();
      // Everything was acked: a new member of the group finds nothing left to deliver.
      const again: string[] = [];
      const c2 = b.consume(s, 'g', 'c1', async (d) => void again.push(d.event.id), { reclaimIdleMs: 10 });
      await c2.ready;
      await sleep(150);
      expect(again).toEqual([]);
    });

    it('should redeliver a dead letter to its own group only, not to other groups or subscribers', async () => {
      const b = await bus();
      const s = stream();
      let healthy = false;
      const inG: Delivery[] = [];
      const inH: string[] = [];
      const broadcast: string[] = [];
      const g = b.consume(
        s,
        'g',
        'c1',
        async (d) => {
          inG.push(d);
          if (!healthy) throw new Error('downstream unavailable');
        },
        { maxDeliveries: 2 },
      );
      const h = b.consume(s, 'h', 'c1', async (d) => void inH.push(d.event.id));
      const sub = b.subscribe(s, (e) => void broadcast.push(e.event.id));
      await Promise.all([g.ready, h.ready, sub.ready]);
      await b.publish(s, ev(1));
      await waitFor('the dead letter', async () => (await b.read(deadLetterStream(s))).length === 1);
      const [dead] = await b.read(deadLetterStream(s));
      healthy = true;
      const id = await b.redeliver(s, 'g', dead!.event);
      await waitFor('the redelivery', () => inG.length === 3);
      await sleep(200);
      expect(inG.map((d) => d.deliveries)).toEqual([1, 2, 1]);
      expect(inG[2]).toMatchObject({ id, event: { ...ev(1), recordedtime: expect.any(String) } });
      expect(isDeadLetterEvent(inG[2]!.event)).toBe(false);
      expect(inH).toEqual(['e1']);
      expect(broadcast).toEqual(['e1']);
      expect(await b.read(deadLetterStream(s))).toHaveLength(1);
    });

    it('should hold a redelivery made while no member runs until one starts, and dead-letter it again if it keeps failing', async () => {
      const b = await bus();
      const s = stream();
      await b.redeliver(s, 'g', ev(7));
      const seen: number[] = [];
      const c = b.consume(
        s,
        'g',
        'late',
        async (d) => {
          seen.push(d.deliveries);
          throw new Error(`still failing ${d.deliveries}`);
        },
        { maxDeliveries: 2 },
      );
      await c.ready;
      await waitFor('the second dead letter', async () => (await b.read(deadLetterStream(s))).length === 1);
      expect(seen).toEqual([1, 2]);
      const [dead] = await b.read(deadLetterStream(s));
      expect(dead!.event).toMatchObject({
        ...ev(7),
        deadlettergroup: 'g',
        deadletterdeliveries: 2,
        deadlettererror: 'still failing 2',
      });
    });

    it('should make consumer close idempotent and stop delivery', async () => {
      const b = await bus();
      const s = stream();
      const got: string[] = [];
      const c = b.consume(s, 'g', 'c1', async (d) => void got.push(d.event.id));
      await c.ready;
      await b.publish(s, ev(1));
      await waitFor('the first event', () => got.length === 1);
      await Promise.all([c.close(), c.close()]);
      await c.close();
      await b.publish(s, ev(2));
      await sleep(100);
      expect(got).toEqual(['e1']);
    });
  });
}
