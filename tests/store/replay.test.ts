import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import {
  busRedeliverer,
  drainDeadLetters,
  openStore,
  replayDeadLetters,
  type VisibilityStore,
} from '../../store/index.js';
import { waitFor } from '../events/harness.js';

describe('dead letter → store → replay', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const d of disposers.splice(0).reverse()) await d();
  });

  it('should drain a consumer dead letter into the store and replay it to its group only, applied once however often replay is asked', async () => {
    const bus = new MemoryEventBus({ onError: () => undefined });
    const store: VisibilityStore = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    disposers.push(
      () => store.close(),
      () => bus.close(),
    );
    let healthy = false;
    const applied: string[] = [];
    const otherGroup: string[] = [];
    const tracker = bus.consume(
      Streams.SOURCE,
      'tracker',
      't1',
      async (d) => {
        if (!healthy) throw new Error('ERP rate-limited');
        applied.push(d.event.id);
      },
      { maxDeliveries: 2 },
    );
    const other = bus.consume(Streams.SOURCE, 'salesforce', 's1', async (d) => void otherGroup.push(d.event.id));
    const drain = drainDeadLetters({ bus, store, consumer: 'd1' });
    disposers.push(
      () => tracker.close(),
      () => other.close(),
      () => drain.close(),
    );
    await Promise.all([tracker.ready, other.ready, drain.ready]);

    await bus.publish(
      Streams.SOURCE,
      cloudEvent({
        id: 'erp:n1',
        source: 'erp',
        type: 'order.accepted',
        subject: 'O-1',
        time: '2025-01-01T00:00:00Z',
        data: {},
      }),
    );
    await waitFor('the letter in the store', async () => (await store.deadLetters.depth()).consumer === 1);
    const [letter] = (await store.deadLetters.list({ state: 'open' }, 10)).nodes;
    expect(letter).toMatchObject({
      kind: 'consumer',
      group: 'tracker',
      eventId: 'erp:n1',
      orderId: 'O-1',
      attempts: 2,
      error: 'ERP rate-limited',
    });

    healthy = true;
    const redeliver = busRedeliverer({ bus, ingestUrl: () => undefined, sign: () => ({}) });
    const who = { actor: 'ops-alice', reason: 'ERP limit raised' };
    const outcomes = await Promise.all([
      replayDeadLetters(store, redeliver, { id: letter!.id }, who),
      replayDeadLetters(store, redeliver, { filter: { group: 'tracker' } }, who),
    ]);
    await waitFor('the replayed event applied', () => applied.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(applied).toEqual(['erp:n1']);
    expect(otherGroup).toEqual(['erp:n1']);
    expect(outcomes.flat().filter((o) => o.outcome === 'replayed')).toHaveLength(1);
    expect((await replayDeadLetters(store, redeliver, { id: letter!.id }, who))[0]!.outcome).toBe('noop');
    expect(applied).toEqual(['erp:n1']);
    expect(
      (await store.deadLetters.audit(letter!.id)).some((a) => a.actor === 'ops-alice' && a.outcome === 'replayed'),
    ).toBe(true);
  });
});
