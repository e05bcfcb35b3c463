import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../../canonical/systems.js';
import {
  accessStack,
  as,
  byHash,
  codesOf,
  fixtures,
  get,
  manifestOp,
  post,
  sha256Hex,
  type Fixtures,
  type RawResponse,
} from './harness.js';

/**
 * Persisted operations: a partner may run only its own manifest operations (operations/partner/),
 * by hash; anything else is refused 403 PERSISTED_QUERY_NOT_ALLOWED before parsing. Other
 * consumers run manifest operations by hash too, and register automatic persisted queries (APQ).
 */

let s: Stack;
let f: Fixtures;
let P: Record<string, string>;
beforeAll(async () => {
  ({ s } = await accessStack());
  f = fixtures();
  P = await as.partner(f.partnerNode);
});
afterAll(async () => {
  await s?.stop();
});

/** Sends `send`; asserts a fast 403 PERSISTED_QUERY_NOT_ALLOWED that reached no subgraph. */
async function expectNotAllowed(send: () => Promise<RawResponse>, why?: RegExp): Promise<void> {
  for (const name of SUBGRAPH_NAMES) s.subgraphs[name].sim.resetCalls();
  const started = performance.now();
  const r = await send();
  expect(r.status, r.text.slice(0, 300)).toBe(403);
  expect(r.body.data).toBeUndefined();
  expect(codesOf(r)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
  if (why) expect(r.body.errors![0]!.message).toMatch(why);
  expect(performance.now() - started).toBeLessThan(1000);
  for (const name of SUBGRAPH_NAMES) expect(s.subgraphs[name].sim.callCount(), `${name} was asked nothing`).toBe(0);
}

const getUrl = (params: Record<string, unknown>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return `${s.gateway.url}?${search}`;
};

describe('a partner', () => {
  it('should be refused an ad-hoc query, POST and GET, even one that only reads its own orders', async () => {
    const q = 'query ($n: ID) { orders(filter: { fulfillmentNodeId: $n }) { totalCount } }';
    await expectNotAllowed(
      () => post(s.gateway.url, { query: q, variables: { n: f.partnerNode } }, P),
      /ad-hoc document/,
    );
    await expectNotAllowed(
      () => get(getUrl({ query: '{ __typename }' }), { ...P, 'apollo-require-preflight': 'true' }),
      /ad-hoc document/,
    );
  });

  it('should run its manifest operations by hash, POST and GET', async () => {
    const op = manifestOp('PartnerNodeOrders');
    expect(op.clientName).toBe('partner');
    const r = await post(s.gateway.url, byHash(op.id, { fulfillmentNodeId: f.partnerNode }), P);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.orders.totalCount).toBe(f.ordersOfPartner.length);
    const viaGet = await get(
      getUrl({
        variables: { fulfillmentNodeId: f.partnerNode },
        extensions: { persistedQuery: { version: 1, sha256Hash: op.id } },
      }),
      { ...P, 'apollo-require-preflight': 'true' },
    );
    expect(viaGet.status, viaGet.text.slice(0, 300)).toBe(200);
    expect(viaGet.body.data).toEqual(r.body.data);
    const detail = await post(
      s.gateway.url,
      byHash(manifestOp('PartnerOrderFulfillment').id, { orderId: f.ordersOfPartner[0] }),
      P,
    );
    expect(detail.body.data.order.id).toBe(f.ordersOfPartner[0]);
  });

  it('should run its manifest operation sent with its exact text and hash', async () => {
    const op = manifestOp('PartnerOrderFulfillment');
    const r = await post(s.gateway.url, { query: op.body, ...byHash(op.id, { orderId: f.ordersOfPartner[0] }) }, P);
    expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
    expect(r.body.data.order.id).toBe(f.ordersOfPartner[0]);
  });

  it("should be refused another client's manifest operation by hash", async () => {
    await expectNotAllowed(
      () => post(s.gateway.url, byHash(manifestOp('AgentOrderDetail').id, { orderId: f.ordersOfPartner[0] }), P),
      /lwc's operation AgentOrderDetail/,
    );
    await expectNotAllowed(
      () => post(s.gateway.url, byHash(manifestOp('ShopperOrderStatus').id, { orderId: f.ordersOfPartner[0] }), P),
      /storefront's operation/,
    );
  });

  it('should be refused a query whose text does not match the hash of its manifest operation', async () => {
    const op = manifestOp('PartnerOrderFulfillment');
    const other =
      'query PartnerOrderFulfillment($orderId: ID!) { order(id: $orderId) { id erpSalesOrderId customer { email } } }';
    await expectNotAllowed(
      () => post(s.gateway.url, { query: other, ...byHash(op.id, { orderId: f.orderElsewhere }) }, P),
      /does not match/,
    );
  });

  it('should be refused an unknown hash and an APQ registration of its own', async () => {
    const q = '{ orders(first: 100) { totalCount } }';
    await expectNotAllowed(() => post(s.gateway.url, byHash(sha256Hex('never registered')), P), /unknown sha256Hash/);
    await expectNotAllowed(() => post(s.gateway.url, { query: q, ...byHash(sha256Hex(q)) }, P), /unknown sha256Hash/);
  });

  it('should be refused a hash another consumer registered as an APQ', async () => {
    const q = '{ orders(first: 100) { totalCount edges { node { id customer { email } } } } }';
    const registered = await post(s.gateway.url, { query: q, ...byHash(sha256Hex(q)) }, await as.salesforce());
    expect(registered.body.errors).toBeUndefined();
    await expectNotAllowed(() => post(s.gateway.url, byHash(sha256Hex(q)), P), /unknown sha256Hash/);
  });

  it('should be refused a batch that hides an ad-hoc query among its operations', async () => {
    const batch = [
      byHash(manifestOp('PartnerNodeOrders').id, { fulfillmentNodeId: f.partnerNode }),
      { query: '{ orders { totalCount } }' },
    ];
    const r = await post(s.gateway.url, batch, P);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.data).toBeUndefined();
    expect(r.text).not.toContain('totalCount":');
  });
});

describe('automatic persisted queries and manifest operations for other consumers', () => {
  it('should run a query registered with its hash by the hash alone (salesforce)', async () => {
    const q = `query Registered($id: ID!) { order(id: $id) { id number status } }`;
    const hash = sha256Hex(q);
    const sf = await as.salesforce();
    const first = await post(s.gateway.url, { query: q, ...byHash(hash, { id: f.orderB }) }, sf);
    expect(first.body.errors, first.text.slice(0, 300)).toBeUndefined();
    const again = await post(s.gateway.url, byHash(hash, { id: f.orderB }), sf);
    expect(again.body).toEqual(first.body);
    expect(again.body.data.order.id).toBe(f.orderB);
    // The registration is shared, the rules are not: customer A running B's order by that hash sees nothing.
    const a = await post(s.gateway.url, byHash(hash, { id: f.orderB }), await as.customer(f.customerA));
    expect(a.body).toEqual({ data: { order: null } });
  });

  it('should answer an unknown hash alone PERSISTED_QUERY_NOT_FOUND', async () => {
    const r = await post(s.gateway.url, byHash(sha256Hex('{ __typename } # not registered')), await as.salesforce());
    expect(r.body.data).toBeUndefined();
    expect(codesOf(r)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('should refuse a registration whose hash is not the hash of its query', async () => {
    const r = await post(
      s.gateway.url,
      { query: '{ __typename }', ...byHash(sha256Hex('{ something else }')) },
      await as.salesforce(),
    );
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
  });

  it("should run the storefront's manifest operations by hash without registering them, as that customer", async () => {
    const op = manifestOp('ShopperOrderHistory');
    const r = await post(s.gateway.url, byHash(op.id, { customerId: f.customerA }), await as.customer(f.customerA));
    expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
    expect(r.body.data.orders.totalCount).toBe(f.ordersOfA.length);
  });
});
