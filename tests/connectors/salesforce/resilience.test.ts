import { describe, expect, it } from 'vitest';
import { deadLetterStream, Streams } from '../../../events/bus.js';
import { MemoryEventBus } from '../../../events/memory.js';
import { salesforceHarness, sleep, statusChanged, waitFor } from './harness.js';

const STATUSES = ['ACCEPTED', 'ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'DELIVERED'];

describe('Salesforce connector: failures', () => {
  const h = salesforceHarness();

  it('should land every update after the org was down, the latest status per order, none lost, none duplicated', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf, { flushMs: 100, retryMaxMs: 300 });
    await c.start();
    const orders = Array.from({ length: 60 }, (_, i) => `ORD-${i}`);
    const publishVersion = (v: number) =>
      Promise.all(
        orders.map((o) =>
          bus.publish(Streams.VISIBILITY, statusChanged(o, v, STATUSES[v - 1]!, STATUSES[v - 2] ?? null)),
        ),
      );
    await publishVersion(1);
    await waitFor('version 1 everywhere', () => sf.org.list('Order').length === 60);
    await sf.down();
    await publishVersion(2);
    await sleep(800);
    await publishVersion(3);
    await sleep(800);
    expect(c.counters.retries).toBeGreaterThan(0);
    // Older versions arrive late, after newer ones: they must not win.
    await publishVersion(5);
    await publishVersion(4);
    await sleep(500);
    await sf.up();
    await waitFor(
      'version 5 everywhere',
      () => sf.org.list('Order').every((r) => r['Order_Visibility_Version__c'] === 5),
      15_000,
    );
    await waitFor('every change handled', () => c.counters.written + c.counters.stale + c.counters.superseded === 300);
    for (const o of orders) {
      expect(sf.org.find('Order', 'Order_Visibility_Id__c', o)).toMatchObject({
        Order_Visibility_Status__c: 'DELIVERED',
        Order_Visibility_Version__c: 5,
      });
      // At most one write per version, never more than the changes published (here: v1, then the newest after the outage).
      expect(sf.org.writes.get(`Order/${o}`)).toBeLessThanOrEqual(5);
    }
    expect(sf.org.list('Order')).toHaveLength(60);
    expect(await bus.read(deadLetterStream(Streams.VISIBILITY))).toEqual([]);
    expect(c.health()).toMatchObject({ pending: 0, lastError: null });
    await bus.close();
  });

  it('should log in again when the session expires and go on', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 1, 'ACCEPTED'));
    await waitFor('the first write', () => c.counters.written === 1);
    sf.org.expireSessions();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 2, 'ALLOCATED'));
    await waitFor('the second write', () => c.counters.written === 2);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')).toMatchObject({
      Order_Visibility_Status__c: 'ALLOCATED',
    });
    expect(sf.org.stats.logins).toBe(2);
    expect(c.counters.logins).toBe(2);
    expect(await bus.read(deadLetterStream(Streams.VISIBILITY))).toEqual([]);
    await bus.close();
  });

  it('should retry 503, REQUEST_LIMIT_EXCEEDED and UNABLE_TO_LOCK_ROW until they heal, writing each record once', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    sf.org.faults.unavailableCalls = 2;
    sf.org.faults.lockedRows = 3;
    sf.org.faults.requestLimitExceeded = true;
    setTimeout(() => void (sf.org.faults.requestLimitExceeded = false), 300);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => bus.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 1, 'ACCEPTED'))),
    );
    await waitFor('10 orders', () => sf.org.list('Order').length === 10);
    await waitFor('10 writes acknowledged', () => c.counters.written === 10);
    expect(c.counters.retries).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 10; i++) expect(sf.org.writes.get(`Order/ORD-${i}`)).toBe(1);
    expect(await bus.read(deadLetterStream(Streams.VISIBILITY))).toEqual([]);
    await bus.close();
  });

  it('should slow down once the org nears its daily allocation (Sforce-Limit-Info)', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator({ dailyApiLimit: 1000 });
    const c = h.connector(bus, sf, { flushMs: 20, limitShare: 0.8, throttleMaxIntervalMs: 400 });
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 1, 'ACCEPTED'));
    await waitFor('the first write', () => c.counters.written === 1);
    expect(c.health()).toMatchObject({ phase: 'running', apiUsage: { used: 1, limit: 1000 } });
    sf.org.setApiUsed(900);
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 2, 'ALLOCATED'));
    await waitFor('the second write', () => c.counters.written === 2);
    expect(c.health()).toMatchObject({ phase: 'throttled', apiUsage: { used: 901, limit: 1000 } });
    expect(c.health().throttleDelayMs).toBeGreaterThan(0);
    // Throttled: the next changes wait for the interval and go out together, in one call.
    const before = sf.org.stats.calls.length;
    for (let i = 2; i < 7; i++) await bus.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 1, 'ACCEPTED'));
    await waitFor('five more writes', () => c.counters.written === 7);
    const calls = sf.org.stats.calls.slice(before - 1);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(350);
    sf.org.setApiUsed(10);
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 3, 'SHIPPED'));
    await waitFor('the throttle to release', () => c.phase === 'running');
    await bus.close();
  });

  it("should treat the org's version rule refusing an older status (STALE_VERSION) as already newer, not as a failure", async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    // Another replica (with claims of its own) already wrote version 5.
    sf.org.upsertCollection('Order', 'Order_Visibility_Id__c', {
      allOrNone: false,
      records: [
        {
          attributes: { type: 'Order' },
          Order_Visibility_Id__c: 'ORD-1',
          Order_Visibility_Version__c: 5,
          Order_Visibility_Status__c: 'DELIVERED',
          AccountId: '0015e00000AbCdEAAA',
          EffectiveDate: '2026-01-01',
          Status: 'Draft',
        },
      ],
    });
    const c = h.connector(bus, sf);
    await c.start();
    await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 3, 'SHIPPED'));
    await waitFor('the change handled', () => c.counters.stale === 1);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')).toMatchObject({
      Order_Visibility_Version__c: 5,
      Order_Visibility_Status__c: 'DELIVERED',
    });
    expect(c.counters).toMatchObject({ written: 0, deadLettered: 0, retries: 0 });
    expect(await bus.read(deadLetterStream(Streams.VISIBILITY))).toEqual([]);
    await bus.close();
  });

  it('should dead-letter at once a record Salesforce refuses for good (INVALID_FIELD), with the reason, and write the others', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator();
    const c = h.connector(bus, sf);
    await c.start();
    sf.org.faults.recordErrors.set('ORD-2', {
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Closed orders cannot change',
      fields: [],
    });
    for (let i = 1; i <= 3; i++) await bus.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 1, 'ACCEPTED'));
    await waitFor('a dead letter', async () => (await bus.read(deadLetterStream(Streams.VISIBILITY))).length === 1);
    await waitFor('the two others', () => c.counters.written === 2);
    const [dead] = await bus.read(deadLetterStream(Streams.VISIBILITY));
    expect(dead!.event.subject).toBe('ORD-2');
    expect(String((dead!.event as unknown as Record<string, unknown>)['deadlettererror'])).toMatch(
      /FIELD_CUSTOM_VALIDATION_EXCEPTION: Closed orders cannot change/,
    );
    expect(c.counters.deadLettered).toBe(1);
    expect(c.counters.retries).toBe(0);
    await bus.close();
  });
});
