/**
 * The store-fed gauges on `/metrics`: `ovg_exceptions_open{type}` and `ovg_dead_letters_open{kind}`
 * are read from the visibility store at each scrape — on the gateway (ops credential) and on the
 * visibility subgraph (gateway-signed ops identity) — and move as webhooks open and close an
 * exception and leave a dead letter; the engine counts openings and closings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierCodesFor, type ShipmentStatus } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { EXCEPTION_TYPES } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { waitFor } from '../events/harness.js';
import { credential, gatewaySignature } from '../helpers/http.js';
import { sample, scrape } from '../helpers/metrics.js';
import { demo, stack } from '../helpers/stack.js';

const SECRET = 'visibility-metrics-secret-000001';
const ORDERS = 60;
const d = demo(ORDERS);
let s: Stack;
let bus: MemoryEventBus;

beforeAll(async () => {
  bus = new MemoryEventBus();
  s = await stack({ orders: ORDERS, bus, webhookSecret: SECRET });
});
afterAll(async () => {
  await s?.stop();
  await bus?.close();
});

const send = async (system: keyof Stack['subgraphs'], body: unknown): Promise<number> => {
  const raw = JSON.stringify(body);
  return (
    await fetch(s.subgraphs[system].ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
      body: raw,
    })
  ).status;
};
const gatewayMetrics = async (): Promise<string> => {
  const r = await scrape(s.gateway.origin, await credential('ops'));
  expect(r.status).toBe(200);
  return r.text;
};
const visibilityMetrics = async (): Promise<string> => {
  const v = s.visibility.service;
  const r = await scrape(v.origin, await gatewaySignature(v.url, ''));
  expect(r.status).toBe(200);
  return r.text;
};

describe('store-fed gauges on /metrics', () => {
  it('should show every exception type and letter kind at 0, then follow an exception opening and closing and a dead letter', async () => {
    const before = await gatewayMetrics();
    for (const type of EXCEPTION_TYPES)
      expect(before).toMatch(new RegExp(`^ovg_exceptions_open\\{type="${type}",service="gateway"\\} 0$`, 'm'));
    expect(before).toMatch(/^ovg_dead_letters_open\{kind="ingest",service="gateway"\} 0$/m);
    expect(before).toMatch(/^ovg_dead_letters_open\{kind="consumer",service="gateway"\} 0$/m);

    const orderId = d.scenarios['in-transit'][0]!;
    const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
    const scan = (id: string, status: ShipmentStatus, at: number) => ({
      eventId: id,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      references: shipment.references,
      scans: [
        {
          code: carrierCodesFor(shipment.carrier, status)[0]!,
          occurredAt: new Date(at).toISOString(),
          description: status,
          location: null,
        },
      ],
    });
    const t0 = Date.now();
    expect(await send('carrier', scan('MET-SCAN-1', 'EXCEPTION', t0))).toBe(200);
    await waitFor(
      'the exception',
      async () => (await s.store.exceptions.openFor(orderId, 'DELIVERY_PROBLEM')).length === 1,
      10_000,
    );
    expect(sample(await gatewayMetrics(), 'ovg_exceptions_open', { type: 'DELIVERY_PROBLEM' })).toBe(1);
    const opened = await visibilityMetrics();
    expect(sample(opened, 'ovg_exceptions_open', { type: 'DELIVERY_PROBLEM', service: 'visibility' })).toBe(1);
    expect(sample(opened, 'ovg_exceptions_opened_total', { type: 'DELIVERY_PROBLEM' })).toBe(1);

    // A webhook about an order the ERP does not know: refused 409 and kept as an ingest letter.
    expect(
      await send('erp', {
        notificationId: 'MET-409',
        eventType: 'HOLD_PLACED',
        postedAt: new Date().toISOString(),
        salesOrder: { orderRef: 'ORD-990001' },
        hold: { type: 'FRAUD' },
      }),
    ).toBe(409);
    expect(sample(await gatewayMetrics(), 'ovg_dead_letters_open', { kind: 'ingest' })).toBe(1);
    expect(sample(await visibilityMetrics(), 'ovg_dead_letters_open', { kind: 'ingest' })).toBe(1);

    expect(await send('carrier', scan('MET-SCAN-2', 'IN_TRANSIT', t0 + 1000))).toBe(200);
    await waitFor(
      'the exception closed',
      async () => (await s.store.exceptions.openFor(orderId, 'DELIVERY_PROBLEM')).length === 0,
      10_000,
    );
    expect(sample(await gatewayMetrics(), 'ovg_exceptions_open', { type: 'DELIVERY_PROBLEM' })).toBe(0);
    expect(sample(await visibilityMetrics(), 'ovg_exceptions_closed_total', { type: 'DELIVERY_PROBLEM' })).toBe(1);
  });
});
