import { describe, expect, it } from 'vitest';
import { deadLetterStream, Streams } from '../../../events/bus.js';
import { MemoryEventBus } from '../../../events/memory.js';
import { cloudEvent } from '../../../canonical/index.js';
import { accountId, salesforceHarness, statusChanged, waitFor } from './harness.js';

/** An exception event as the exceptions engine publishes it (data = the exception record). */
function exceptionEvent(type: 'exception.opened' | 'exception.closed', id: string, orderId: string) {
  const closed = type === 'exception.closed';
  return cloudEvent({
    id: `exception:${id}:${closed ? 'closed' : 'opened'}`,
    source: 'visibility',
    type,
    subject: orderId,
    time: '2026-01-02T00:00:00.000Z',
    data: {
      id,
      type: 'DELIVERY_OVERDUE',
      orderId,
      subjectKey: 'SHP-1',
      channel: 'WEB',
      fulfillmentNodeId: null,
      since: '2026-01-01T00:00:00.000Z',
      slaSeconds: 86400,
      facts: {},
      actor: { kind: 'system' },
      openedAt: '2026-01-01T12:00:00.000Z',
      closedAt: closed ? '2026-01-03T00:00:00.000Z' : null,
      closeReason: closed ? 'delivered' : null,
    },
  });
}

describe('Salesforce connector (jsforce over HTTP against the emulator)', () => {
  const h = salesforceHarness();

  it('should upsert a status change as an Order with the mapped fields', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-7', 3, 'SHIPPED', 'IN_FULFILLMENT'));
    await waitFor('the order in the org', () => sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-7') !== undefined);
    await waitFor('the write acknowledged', () => c.counters.written === 1);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-7')).toMatchObject({
      Id: expect.stringMatching(/^801/),
      Order_Visibility_Id__c: 'ORD-7',
      Order_Visibility_Number__c: 'SO-7',
      Order_Visibility_Status__c: 'SHIPPED',
      Order_Visibility_Previous_Status__c: 'IN_FULFILLMENT',
      Order_Visibility_Version__c: 3,
      Order_Visibility_Changed_At__c: '2026-01-01T00:00:03.000Z',
      AccountId: accountId(7),
      EffectiveDate: '2026-01-08',
      Status: 'Draft',
    });
    expect(sf.org.stats.byKind).toEqual({ 'upsert-collection': 1 });
    expect(sf.org.stats.logins).toBe(1);
    expect(c.health()).toMatchObject({
      phase: 'running',
      ready: true,
      counters: { written: 1, logins: 1, apiCalls: 1 },
    });
    await bus.close();
  });

  it('should write 1,000 changes with at most 5 + 1,000/200 API calls', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf, { flushMs: 500 });
    await c.start();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => bus.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 1, 'ACCEPTED'))),
    );
    await waitFor('1,000 orders', () => sf.org.list('Order').length === 1000);
    await waitFor('1,000 writes acknowledged', () => c.counters.written === 1000);
    expect(sf.org.stats.apiCalls).toBeLessThanOrEqual(5 + 1000 / 200);
    await bus.close();
  });

  it('should refuse a new Order without the fields a real org requires, and dead-letter it with the reason', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(
      bus,
      sf,
      { fieldMap: { Order_Visibility_Id__c: 'orderId', Order_Visibility_Status__c: 'status' } },
      { facts: undefined },
    );
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 1, 'ACCEPTED'));
    await waitFor('a dead letter', async () => (await bus.read(deadLetterStream(Streams.VISIBILITY))).length === 1);
    const [dead] = await bus.read(deadLetterStream(Streams.VISIBILITY));
    expect(dead!.event).toMatchObject({ deadlettergroup: 'salesforce', deadletterdeliveries: 1 });
    expect(String((dead!.event as unknown as Record<string, unknown>)['deadlettererror'])).toMatch(
      /REQUIRED_FIELD_MISSING: Required fields are missing: \[AccountId, EffectiveDate, Status\]/,
    );
    expect(sf.org.list('Order')).toEqual([]);
    await bus.close();
  });

  it('should never write an older status over a newer one, whatever the arrival order', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 5, 'DELIVERED', 'SHIPPED'));
    await waitFor(
      'v5',
      () => sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')?.['Order_Visibility_Version__c'] === 5,
    );
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 4, 'SHIPPED', 'IN_FULFILLMENT'));
    // Within one batch too: v2 then v3 then v1 of another order → v3 only.
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-2', 2, 'ALLOCATED'));
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-2', 3, 'IN_FULFILLMENT'));
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-2', 1, 'ACCEPTED'));
    await waitFor('ORD-2', () => sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-2') !== undefined);
    await waitFor('every change handled', () => c.counters.written + c.counters.stale + c.counters.superseded === 5);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')).toMatchObject({
      Order_Visibility_Status__c: 'DELIVERED',
      Order_Visibility_Version__c: 5,
    });
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-2')).toMatchObject({
      Order_Visibility_Status__c: 'IN_FULFILLMENT',
      Order_Visibility_Version__c: 3,
    });
    expect(c.counters.stale).toBe(1);
    expect(sf.org.writes.get('Order/ORD-1')).toBe(1);
    await bus.close();
  });

  it('should publish the Order_Status_Change__e platform event as well with target both', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf, { target: 'both' });
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-3', 2, 'SHIPPED', 'ALLOCATED'));
    await waitFor('the event', () => sf.org.events.length === 1);
    expect(sf.org.events[0]).toMatchObject({
      Order_Visibility_Id__c: 'ORD-3',
      Order_Number__c: 'SO-3',
      Status__c: 'SHIPPED',
      Previous_Status__c: 'ALLOCATED',
      Version__c: 2,
      ReplayId: 1,
    });
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-3')).toMatchObject({
      Order_Visibility_Status__c: 'SHIPPED',
    });
    expect(sf.org.stats.byKind).toEqual({ 'upsert-collection': 1, 'publish-collection': 1 });
    await bus.close();
  });

  it('should upsert business exceptions onto Order_Visibility_Exception__c, a close never undone by a late open', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    await bus.publish(Streams.EXCEPTIONS, exceptionEvent('exception.opened', 'X-1', 'ORD-1'));
    await waitFor(
      'the open exception',
      () => sf.org.find('Order_Visibility_Exception__c', 'Exception_Id__c', 'X-1') !== undefined,
    );
    expect(sf.org.find('Order_Visibility_Exception__c', 'Exception_Id__c', 'X-1')).toMatchObject({
      Order_Visibility_Id__c: 'ORD-1',
      Type__c: 'DELIVERY_OVERDUE',
      State__c: 'Open',
      Subject__c: 'SHP-1',
      Since__c: '2026-01-01T00:00:00.000Z',
      Opened_At__c: '2026-01-01T12:00:00.000Z',
    });
    await bus.publish(Streams.EXCEPTIONS, exceptionEvent('exception.closed', 'X-1', 'ORD-1'));
    await waitFor(
      'the close',
      () => sf.org.find('Order_Visibility_Exception__c', 'Exception_Id__c', 'X-1')?.['State__c'] === 'Closed',
    );
    await bus.publish(Streams.EXCEPTIONS, exceptionEvent('exception.opened', 'X-1', 'ORD-1'));
    await waitFor('the late open handled', () => c.counters.stale === 1);
    expect(sf.org.find('Order_Visibility_Exception__c', 'Exception_Id__c', 'X-1')).toMatchObject({
      State__c: 'Closed',
      Closed_At__c: '2026-01-03T00:00:00.000Z',
      Close_Reason__c: 'delivered',
    });
    // Status changes and exceptions of one batch: one call per object.
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 1, 'SHIPPED'));
    await bus.publish(Streams.EXCEPTIONS, exceptionEvent('exception.opened', 'X-2', 'ORD-1'));
    await waitFor('both', () => c.counters.written === 4);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')).toMatchObject({
      Order_Visibility_Status__c: 'SHIPPED',
    });
    expect(sf.org.find('Order_Visibility_Exception__c', 'Exception_Id__c', 'X-2')).toMatchObject({ State__c: 'Open' });
    await bus.close();
  });

  it('should dead-letter an event whose data can never be written, saying what was expected', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    const bad = statusChanged('ORD-9', 1, 'SHIPPED');
    await bus.publish(Streams.VISIBILITY, { ...bad, data: { ...bad.data, version: 'one' } });
    await waitFor('a dead letter', async () => (await bus.read(deadLetterStream(Streams.VISIBILITY))).length === 1);
    const [dead] = await bus.read(deadLetterStream(Streams.VISIBILITY));
    expect(String((dead!.event as unknown as Record<string, unknown>)['deadlettererror'])).toMatch(
      /data\.version: a non-negative integer, received "one"/,
    );
    expect(sf.org.stats.apiCalls).toBe(0);
    await bus.close();
  });
});
