/**
 * Cache keys never cross consumers: every response-cache and fetch-cache entry is keyed on the
 * caller's visibility scope (rows and fields), so customer A's cached order is never served to
 * customer B, nor a Salesforce answer with internal fields to a shopper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { codes, credential, gql } from '../helpers/http.js';

const demo = generateDemo({ orders: 150 });
const ORDER =
  'query ($id: ID!) { order(id: $id) { id number customer { id name } lines { sku quantity } holds { type } status } }';
const INTERNAL = 'query ($id: ID!) { order(id: $id) { id number erpSalesOrderId } }';
const LIST =
  'query ($c: ID) { orders(filter: { customerId: $c }) { totalCount edges { node { id customer { id } } } } }';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ data: demo.data });
});
afterAll(() => s?.stop());

const customerOf = (orderId: string): string => demo.data.oms.orders.find((o) => o.id === orderId)!.customerId;

describe('cache keys and consumers', () => {
  it("should never serve customer A's cached order to customer B, nor B's answer to A", async () => {
    const orderA = demo.scenarios.delivered[0]!;
    const a = customerOf(orderA);
    const b = customerOf(demo.data.oms.orders.find((o) => o.customerId !== a)!.id);
    const asA = await credential('storefront', { customerId: a });
    const asB = await credential('storefront', { customerId: b });

    const first = await gql(s.gateway.url, ORDER, { id: orderA }, asA);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.order.customer.id).toBe(a);
    expect((await gql(s.gateway.url, ORDER, { id: orderA }, asA)).headers.get('x-cache')).toBe('hit');

    for (const attempt of [1, 2]) {
      const r = await gql(s.gateway.url, ORDER, { id: orderA }, asB);
      expect(r.body.data.order, `B's read ${attempt}`).toBeNull();
      expect(r.body.errors).toBeUndefined(); // absent, exactly like an order that does not exist
    }
    const again = await gql(s.gateway.url, ORDER, { id: orderA }, asA);
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.body).toEqual(first.body);

    // The same text with no variables of anyone's: each customer's own list, never the other's.
    for (const [who, headers, customer] of [
      ['A', asA, a],
      ['B', asB, b],
      ['A', asA, a],
      ['B', asB, b],
    ] as const) {
      const r = await gql(s.gateway.url, LIST, {}, headers);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.orders.totalCount, who).toBeGreaterThan(0);
      expect(
        r.body.data.orders.edges.every((e: any) => e.node.customer.id === customer),
        `${who}'s list`,
      ).toBe(true);
    }
  });

  it('should never serve a Salesforce answer with internal fields to the shopper, from either cache', async () => {
    const id = demo.scenarios.delivered[1]!;
    const shopper = await credential('storefront', { customerId: customerOf(id) });
    const sf = await gql(s.gateway.url, INTERNAL, { id });
    expect(sf.body.errors).toBeUndefined();
    expect(sf.body.data.order.erpSalesOrderId).toMatch(/\S/);
    expect((await gql(s.gateway.url, INTERNAL, { id })).headers.get('x-cache')).toBe('hit');

    for (const attempt of [1, 2]) {
      const r = await gql(s.gateway.url, INTERNAL, { id }, shopper);
      expect(r.headers.get('x-cache'), `attempt ${attempt}`).toBe('miss'); // refused fields: an error, never cached
      expect(r.body.data?.order?.erpSalesOrderId ?? null).toBeNull();
      expect(codes(r)).toContain('FORBIDDEN');
    }
    // And the shopper's own cached answer without the field is not served to Salesforce either.
    const plain = 'query ($id: ID!) { order(id: $id) { id number } }';
    await gql(s.gateway.url, plain, { id }, shopper);
    expect((await gql(s.gateway.url, plain, { id }, shopper)).headers.get('x-cache')).toBe('hit');
    expect((await gql(s.gateway.url, plain, { id })).headers.get('x-cache')).toBe('miss');
  });
});
