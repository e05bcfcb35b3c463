import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierCodesFor } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { waitFor } from '../events/harness.js';
import { codes, credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const SECRET = 'visibility-suite-webhook-secret-01';
const ORDERS = 120;
let s: Stack;
let store: VisibilityStore;
let bus: MemoryEventBus;
const d = demo(ORDERS);

beforeAll(async () => {
  store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
  bus = new MemoryEventBus();
  s = await stack({
    orders: ORDERS,
    bus,
    store,
    statusStore: storeStatusStore(store),
    seedTracker: true,
    webhookSecret: SECRET,
  });
  await s.gateway.tracker!.whenSeeded();
});
afterAll(async () => {
  await s?.stop();
  await bus?.close();
  await store?.close();
});

const send = async (system: keyof Stack['subgraphs'], body: unknown): Promise<Response> => {
  const raw = JSON.stringify(body);
  return fetch(s.subgraphs[system].ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
    body: raw,
  });
};
const as = async (consumer: 'ops' | 'salesforce' | 'storefront', customerId?: string) =>
  credential(consumer, customerId ? { customerId } : {});
const query = async (q: string, v: Record<string, unknown>, who: Record<string, string>) =>
  gql(s.gateway.url, q, v, who);

/** An in-transit order's carrier shipment, to scan. */
const inTransit = () => {
  const orderId = d.scenarios['in-transit'][0]!;
  const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
  const customerId = d.data.oms.orders.find((o) => o.id === orderId)!.customerId;
  return { orderId, shipment, customerId };
};

describe('the visibility subgraph through the gateway', () => {
  it('should show an order timeline with the cause of each change, previousStatus from the store row', async () => {
    const orderId = d.scenarios.allocated[0]!;
    const hold = {
      notificationId: 'VIS-HOLD-1',
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: orderId },
      hold: { type: 'CREDIT', reason: 'limit' },
    };
    expect((await send('erp', hold)).status).toBe(200);
    await waitFor(
      'the change in the store',
      async () => (await store.orders.history(orderId)).some((c) => c.causeId === 'erp:VIS-HOLD-1'),
      10_000,
    );
    const r = await query(
      'query ($id: ID!) { order(id: $id) { status timeline { version status previousStatus causeEventId causeSource causeType occurredAt } } }',
      { id: orderId },
      await as('salesforce'),
    );
    expect(r.body.errors).toBeUndefined();
    const timeline = r.body.data.order.timeline;
    expect(timeline.at(-1)).toMatchObject({
      status: 'ON_HOLD',
      previousStatus: 'ALLOCATED',
      causeEventId: 'erp:VIS-HOLD-1',
      causeSource: 'erp',
      causeType: 'order.hold_placed',
    });
    expect(timeline[0]).toMatchObject({ version: 1, status: 'ALLOCATED', previousStatus: null, causeEventId: 'seed' });
    expect(r.body.data.order.status).toBe('ON_HOLD');
  });

  it('should let ops and salesforce see an exception from a carrier scan, and a shopper only a friendly notice on their own order', async () => {
    const { orderId, shipment, customerId } = inTransit();
    const scan = {
      eventId: 'VIS-SCAN-X',
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      references: shipment.references,
      scans: [
        {
          code: carrierCodesFor(shipment.carrier, 'EXCEPTION')[0]!,
          occurredAt: new Date().toISOString(),
          description: 'Address problem',
          location: null,
        },
      ],
    };
    expect((await send('carrier', scan)).status).toBe(200);
    await waitFor(
      'the exception',
      async () => (await store.exceptions.openFor(orderId, 'DELIVERY_PROBLEM')).length === 1,
      10_000,
    );

    const list = await query(
      'query { exceptions(filter: { type: DELIVERY_PROBLEM, openOnly: true }, first: 10) { nodes { type actor open order { id } facts { name value } } pageInfo { hasNextPage } } }',
      {},
      await as('ops'),
    );
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.exceptions.nodes).toContainEqual(
      expect.objectContaining({ type: 'DELIVERY_PROBLEM', actor: 'CARRIER_DESK', open: true, order: { id: orderId } }),
    );
    const byOrder = await query(
      'query ($id: ID!) { order(id: $id) { exceptions(openOnly: true) { type since } deliveryNotice { message } } }',
      { id: orderId },
      await as('salesforce'),
    );
    expect(byOrder.body.data.order.exceptions.map((x: { type: string }) => x.type)).toContain('DELIVERY_PROBLEM');

    const shopper = await as('storefront', customerId);
    const own = await query(
      'query ($id: ID!) { order(id: $id) { id deliveryNotice { message since } } }',
      { id: orderId },
      shopper,
    );
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.order.deliveryNotice.message).toMatch(/running late/);
    const forbidden = await query(
      'query ($id: ID!) { order(id: $id) { exceptions { type } } }',
      { id: orderId },
      shopper,
    );
    expect(codes(forbidden)).toContain('FORBIDDEN');
    expect(JSON.stringify(forbidden.body.data ?? {})).not.toContain('DELIVERY_PROBLEM');
    expect(codes(await query('query { exceptions { nodes { type } } }', {}, shopper))).toContain('FORBIDDEN');
    // Another customer's order: no notice leaks (the row rule holds at the order entry point).
    const other = d.data.oms.orders.find((o) => o.customerId !== customerId)!;
    const stranger = await query(
      'query ($id: ID!) { order(id: $id) { deliveryNotice { message } } }',
      { id: orderId },
      await as('storefront', other.customerId),
    );
    expect(JSON.stringify(stranger.body.data)).not.toMatch(/running late/);
  });

  it('should list orders by current status held longer than a duration, and refuse a malformed duration or cursor with BAD_USER_INPUT', async () => {
    const ops = await as('ops');
    const r = await query(
      'query { ordersInStatus(status: ON_HOLD, longerThan: "PT0S", first: 5) { nodes { status since order { id } } } }',
      {},
      ops,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.ordersInStatus.nodes).toContainEqual(
      expect.objectContaining({ status: 'ON_HOLD', order: { id: d.scenarios.allocated[0] } }),
    );
    expect(
      codes(
        await query('query { ordersInStatus(status: ON_HOLD, longerThan: "2 days") { nodes { since } } }', {}, ops),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(codes(await query('query { exceptions(after: "nope") { nodes { id } } }', {}, ops))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await query('query { exceptions(first: 0) { nodes { id } } }', {}, ops))).toEqual(['BAD_USER_INPUT']);
  });

  it('should give ops the dead letters with their audit, an idempotent audited discard, and operations health; salesforce neither', async () => {
    const unknown = {
      notificationId: 'VIS-409',
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: 'ORD-999999' },
      hold: { type: 'FRAUD' },
    };
    expect((await send('erp', unknown)).status).toBe(409);
    const ops = await as('ops');
    const letters = await query(
      'query { deadLetters(filter: { kind: INGEST, state: OPEN }) { nodes { id kind state system error attempts payload headers { name } } } }',
      {},
      ops,
    );
    expect(letters.body.errors).toBeUndefined();
    const letter = letters.body.data.deadLetters.nodes.find(
      (l: { payload: string }) => l.payload === JSON.stringify(unknown),
    );
    expect(letter).toMatchObject({ kind: 'INGEST', state: 'OPEN', system: 'erp', attempts: 1 });
    expect(letter.headers.map((h: { name: string }) => h.name)).toContain('x-signature');

    const discard =
      'mutation ($id: ID!, $r: String!) { discardDeadLetter(id: $id, reason: $r) { outcome letter { state resolvedBy resolution audit { action actor reason outcome } } } }';
    const first = await query(discard, { id: letter.id, r: 'test order, never existed' }, ops);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.discardDeadLetter).toMatchObject({
      outcome: 'DISCARDED',
      letter: { state: 'DISCARDED', resolution: 'test order, never existed' },
    });
    expect(first.body.data.discardDeadLetter.letter.resolvedBy).toMatch(/^ops:/);
    const again = await query(discard, { id: letter.id, r: 'again' }, ops);
    expect(again.body.data.discardDeadLetter.outcome).toBe('NOOP');
    expect(again.body.data.discardDeadLetter.letter.audit.map((a: { outcome: string }) => a.outcome)).toEqual([
      'discarded',
      'noop: discarded',
    ]);
    expect(codes(await query(discard, { id: letter.id, r: '' }, ops))).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(await query('mutation { replayDeadLetter(id: "no-such-letter", reason: "x") { outcome } }', {}, ops)),
    ).toEqual(['BAD_USER_INPUT']);

    const healthQuery =
      'query { operationsHealth { openExceptions { type count } deadLetterDepth { consumer ingest total } eventLag { hop count p50 p99 } generatedAt } }';
    // The engine writes its lag samples in batches about once a second (store/engine/lag.ts).
    let health = await query(healthQuery, {}, ops);
    await waitFor(
      'the engine lag samples in operationsHealth',
      async () => {
        health = await query(healthQuery, {}, ops);
        return (health.body.data?.operationsHealth?.eventLag ?? []).length > 0;
      },
      15_000,
    );
    expect(health.body.errors).toBeUndefined();
    expect(health.body.data.operationsHealth.openExceptions).toContainEqual({
      type: 'DELIVERY_PROBLEM',
      count: expect.any(Number),
    });
    expect(health.body.data.operationsHealth.eventLag.map((l: { hop: string }) => l.hop)).toContain(
      'source→exceptions',
    );

    const sf = await as('salesforce');
    expect(codes(await query('query { deadLetters { nodes { id } } }', {}, sf))).toContain('FORBIDDEN');
    expect(codes(await query('query { operationsHealth { generatedAt } }', {}, sf))).toContain('FORBIDDEN');
    expect(
      codes(
        await query(
          'mutation ($id: ID!) { discardDeadLetter(id: $id, reason: "x") { outcome } }',
          { id: letter.id },
          sf,
        ),
      ),
    ).toContain('FORBIDDEN');
  });
});
