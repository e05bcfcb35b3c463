import { defaultGatewayConfig } from '../../gateway/config.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { codes, gatewaySignature, gql, requestHeaders } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const ORDERS = 200;
let s: Stack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const Q = `query ($id: ID!) { order(id: $id) {
  id number lines { lineNumber quantity } customer { name }
  acceptedAt holds { type } paymentStatus totals { total { amount } }
  fulfillmentOrders { id warehouseStatus }
  shipments { id shippedAt status trackingNumber }
  returns { id status receipt { receivedAt } }
  status statusDetail { rule } lineStatuses { status }
} }`;

/** An order with shipments, a delivered parcel and a received return: every slice matters. */
const richOrder = (): string => demo(ORDERS).scenarios['partially-returned'][0]!;

function expectDerivedNull(order: any): void {
  expect(order.status).toBeNull();
  expect(order.statusDetail).toBeNull();
  expect(order.lineStatuses).toBeNull();
}

describe('a subgraph that is down', () => {
  it('should keep the rest of the order when the ERP is down, with its fields null and UPSTREAM_UNAVAILABLE', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.erp.service.stop();
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    expect(r.status).toBe(200);
    const o = r.body.data.order;
    expect(o.number).toMatch(/\S/);
    expect(o.lines.length).toBeGreaterThan(0);
    expect(o.shipments.length).toBeGreaterThan(0);
    expect(o.returns.length).toBeGreaterThan(0);
    expect(o.acceptedAt).toBeNull();
    expect(o.holds).toBeNull();
    expect(o.totals).toBeNull();
    expectDerivedNull(o);
    expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
    expect(r.body.errors!.find((e) => e.extensions?.serviceName === 'erp')?.extensions?.code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
    expect(JSON.stringify(r.body.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack/);
  });

  it('should null the derived status with UPSTREAM_UNAVAILABLE when the carrier is down, never a guess', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.carrier.service.stop();
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    const o = r.body.data.order;
    expect(o.shipments.length).toBeGreaterThan(0);
    for (const sh of o.shipments) {
      expect(sh.shippedAt).toMatch(/Z$/); // the WMS part of the shipment still answers
      expect(sh.status).toBeNull();
    }
    expect(o.holds).toEqual(expect.any(Array));
    expectDerivedNull(o);
    expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
  });

  it('should still derive the status of an order without shipments while the carrier is down', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.carrier.service.stop();
    const r = await gql(s.gateway.url, Q, { id: demo(ORDERS).scenarios.allocated[0]! });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.order.status).toBe('ALLOCATED');
  });

  it('should null shipments, warehouse status and the derived status when the WMS is down', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.wms.service.stop();
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    const o = r.body.data.order;
    expect(o.lines.length).toBeGreaterThan(0);
    expect(o.shipments).toBeNull();
    expect(o.fulfillmentOrders.every((f: any) => f.id && f.warehouseStatus === null)).toBe(true);
    expect(o.acceptedAt).not.toBeNull();
    expectDerivedNull(o);
    expect(r.body.errors!.find((e) => e.extensions?.serviceName === 'wms')?.extensions?.code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
  });

  it('should null returns and the derived status when the returns desk is down', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.returns.service.stop();
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    const o = r.body.data.order;
    expect(o.returns).toBeNull();
    expect(o.shipments.length).toBeGreaterThan(0);
    expectDerivedNull(o);
    expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
  });

  it('should answer null with UPSTREAM_UNAVAILABLE, not a 500, when the OMS (the entry point) is down', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.oms.service.stop();
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    expect(r.status).toBe(200);
    expect(r.body.data?.order ?? null).toBeNull();
    expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('a backing system that fails behind a running subgraph', () => {
  it('should map a simulated ERP outage to UPSTREAM_UNAVAILABLE on the ERP slice only', async () => {
    s = await stack({ orders: ORDERS, faults: { erp: { outage: true } } });
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    const o = r.body.data.order;
    expect(o.lines.length).toBeGreaterThan(0);
    expect(o.holds).toBeNull();
    expectDerivedNull(o);
    expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
    expect(r.body.errors!.some((e) => /erp is unavailable/.test(e.message))).toBe(true);
  });

  it('should answer HTTP 429 with Retry-After and RATE_LIMITED from a subgraph whose system refuses the fetch', async () => {
    s = await stack({ orders: ORDERS, faults: { erp: { rateLimitPerSecond: 1 } } });
    const entities = {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { acceptedAt } } }',
      variables: { r: [{ __typename: 'Order', id: richOrder() }] },
    };
    const url = s.subgraphs.erp.service.url;
    const payload = JSON.stringify(entities);
    // Signed for this subgraph and body, as the gateway does for each attempt.
    const call = async () =>
      fetch(url, {
        method: 'POST',
        headers: { ...(await requestHeaders()), ...(await gatewaySignature(url, payload)) },
        body: payload,
      });
    const ok = await call();
    expect(ok.status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body: any = await refused.json();
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it("should pass a subgraph's 429 to the client as RATE_LIMITED with retryAfter, not DOWNSTREAM_SERVICE_ERROR", async () => {
    // Caching and the shield's retries off: the mapping of the subgraph's own 429 is under test,
    // not what stands in front of it (tests/shielding covers that).
    const d = defaultGatewayConfig();
    s = await stack({
      orders: ORDERS,
      faults: { erp: { rateLimitPerSecond: 1 } },
      gateway: { cache: { ...d.cache, enabled: false }, shield: { ...d.shield, erp: { ...d.shield.erp, retries: 0 } } },
    });
    await gql(s.gateway.url, Q, { id: richOrder() }); // takes the one token
    const r = await gql(s.gateway.url, Q, { id: richOrder() });
    expect(r.status).toBe(200);
    const limited = r.body.errors!.find((e) => e.extensions?.code === 'RATE_LIMITED');
    expect(limited?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      serviceName: 'erp',
      retryAfter: expect.any(Number),
    });
    expect(codes(r)).not.toContain('DOWNSTREAM_SERVICE_ERROR');
    expect(r.body.data.order.lines.length).toBeGreaterThan(0);
    expectDerivedNull(r.body.data.order);
  });
});
