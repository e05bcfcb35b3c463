import { afterEach, describe, expect, it } from 'vitest';
import { Streams } from '../../../events/bus.js';
import { MemoryEventBus } from '../../../events/memory.js';
import { DEFAULT_ORDER_FIELD_MAP } from '../../../connectors/salesforce/mapping.js';
import { replaySalesforceDeadLetters } from '../../../connectors/salesforce/replay.js';
import { drainDeadLetters, openStore, type VisibilityStore } from '../../../store/index.js';
import { salesforceHarness, sleep, statusChanged, waitFor } from './harness.js';

describe('Salesforce connector: dead letter → replay', () => {
  const h = salesforceHarness();
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const d of disposers.splice(0).reverse()) await d();
  });

  it('should dead-letter INVALID_FIELD, then, once the mapping is fixed, apply the replayed change exactly once', async () => {
    const bus = new MemoryEventBus({ onError: () => undefined });
    const store: VisibilityStore = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    const drain = drainDeadLetters({ bus, store, consumer: 'drain-1' });
    disposers.push(
      () => store.close(),
      () => bus.close(),
      () => drain.close(),
    );
    await drain.ready;
    const sf = await h.emulator();

    // A mapping with a field the org does not have: Salesforce refuses the record for good.
    const { Order_Visibility_Status__c: _status, ...rest } = DEFAULT_ORDER_FIELD_MAP;
    const broken = h.connector(bus, sf, { fieldMap: { ...rest, Order_Visibilty_Status__c: 'status' } });
    await broken.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-5', 2, 'SHIPPED', 'ALLOCATED'));
    await waitFor('the letter in the store', async () => (await store.deadLetters.depth()).consumer === 1);
    const [letter] = (await store.deadLetters.list({ state: 'open', group: 'salesforce' }, 10)).nodes;
    expect(letter).toMatchObject({ kind: 'consumer', group: 'salesforce', orderId: 'ORD-5', attempts: 1 });
    expect(letter!.error).toMatch(/INVALID_FIELD: No such column 'Order_Visibilty_Status__c' on sobject of type Order/);
    expect(sf.org.list('Order')).toEqual([]);
    expect(broken.counters).toMatchObject({ deadLettered: 1, retries: 0 });
    await broken.stop();

    // The mapping fixed (the default), the connector restarted: the replay reaches it, once.
    const fixed = h.connector(bus, sf);
    await fixed.start();
    const who = { actor: 'ops-bob', reason: 'mapping fixed' };
    const [first, again] = await Promise.all([
      replaySalesforceDeadLetters({ store, bus, selector: {}, who }),
      replaySalesforceDeadLetters({ store, bus, selector: { id: letter!.id }, who }),
    ]);
    expect([...first!, ...again!].filter((o) => o.outcome === 'replayed')).toHaveLength(1);
    await waitFor('the replayed change in the org', () => fixed.counters.written === 1);
    await sleep(200);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-5')).toMatchObject({
      Order_Visibility_Status__c: 'SHIPPED',
      Order_Visibility_Version__c: 2,
    });
    expect(sf.org.writes.get('Order/ORD-5')).toBe(1);
    expect((await replaySalesforceDeadLetters({ store, bus, selector: { id: letter!.id }, who }))[0]!.outcome).toBe(
      'noop',
    );
    await sleep(200);
    expect(sf.org.writes.get('Order/ORD-5')).toBe(1);
    expect(
      (await store.deadLetters.audit(letter!.id)).some((a) => a.actor === 'ops-bob' && a.outcome === 'replayed'),
    ).toBe(true);
  });
});
