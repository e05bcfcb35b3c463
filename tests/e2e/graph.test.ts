import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { codes, gql, requestHeaders } from '../helpers/http.js';
import { FULL_ORDER } from '../helpers/orders.js';
import { demo, stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await stack();
});
afterAll(async () => {
  await s?.stop();
});

const ORDER = `query ($id: ID!) { order(id: $id) { ...FullOrder } } ${FULL_ORDER}`;

describe('the order graph over real HTTP', () => {
  it('should answer one order with every slice from all five subgraphs filled', async () => {
    const id = demo().scenarios['partially-returned'][0]!;
    const r = await gql(s.gateway.url, ORDER, { id });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const o = r.body.data.order;
    // oms
    expect(o.id).toBe(id);
    expect(o.number).toMatch(/\S/);
    expect(o.customer.name).toMatch(/\S/);
    expect(o.lines.length).toBeGreaterThan(0);
    expect(o.fulfillmentOrders[0].node.type).toMatch(/^(DC|STORE|DROP_SHIP)$/);
    // erp
    expect(o.acceptedAt).not.toBeNull();
    expect(o.invoices.length).toBeGreaterThan(0);
    expect(o.payments.length).toBeGreaterThan(0);
    expect(o.totals.total.currency).toBe('USD');
    expect(o.creditMemos).toBeInstanceOf(Array);
    // wms
    expect(o.shipments.length).toBeGreaterThan(0);
    expect(o.fulfillmentOrders[0].warehouseStatus).toBe('SHIPPED');
    expect(o.returns.some((ret: any) => ret.receipt !== null)).toBe(true);
    // carrier
    expect(o.shipments.some((sh: any) => sh.status === 'DELIVERED' && sh.trackingNumber && sh.events.length > 0)).toBe(
      true,
    );
    // returns
    expect(o.returns[0].status).toMatch(/\S/);
    expect(o.returns[0].lines.length).toBeGreaterThan(0);
    // derived
    expect(o.status).toBe('PARTIALLY_RETURNED');
    expect(o.statusDetail).toMatchObject({ status: 'PARTIALLY_RETURNED', rule: 3 });
    expect(o.statusDetail.facts.some((f: any) => f.source === 'WMS' && f.observedAt)).toBe(true);
    expect(o.lineStatuses).toHaveLength(o.lines.length);
  });

  it('should find an order by its number', async () => {
    const order = demo().data.oms.orders[5]!;
    const r = await gql(s.gateway.url, 'query ($n: String!) { orderByNumber(number: $n) { id number } }', {
      n: order.number,
    });
    expect(r.body).toEqual({ data: { orderByNumber: { id: order.id, number: order.number } } });
  });

  it('should answer null, without an error, for an order that does not exist', async () => {
    const r = await gql(
      s.gateway.url,
      '{ order(id: "ORD-999999") { id status } orderByNumber(number: "nope") { id } }',
    );
    expect(r.body).toEqual({ data: { order: null, orderByNumber: null } });
  });

  it('should answer a shipment the carrier does not know with status UNKNOWN, not null', async () => {
    const id = demo().scenarios['shipped-without-scan'][0]!;
    const r = await gql(
      s.gateway.url,
      'query ($id: ID!) { order(id: $id) { status shipments { id status trackingNumber events { status } } } }',
      { id },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.order.status).toBe('SHIPPED');
    expect(r.body.data.order.shipments.some((sh: any) => sh.status === 'UNKNOWN' && sh.events.length === 0)).toBe(true);
  });

  it("should page through a customer's orders with cursors, newest first, without gaps or repeats", async () => {
    const customerId = 'CUST-00001';
    const expected = demo()
      .data.oms.orders.filter((o) => o.customerId === customerId)
      .sort((a, b) => (a.placedAt === b.placedAt ? b.id.localeCompare(a.id) : b.placedAt.localeCompare(a.placedAt)))
      .map((o) => o.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r: any = await gql(
        s.gateway.url,
        'query ($f: OrderFilter, $after: String) { orders(filter: $f, first: 25, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { f: { customerId }, after },
      );
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.orders;
      expect(c.totalCount).toBe(expected.length);
      seen.push(...c.edges.map((e: any) => e.node.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('should filter orders by channel, date range and fulfillment node', async () => {
    const all = demo().data.oms.orders;
    const from = '2026-09-01T00:00:00Z';
    const to = '2026-10-01T00:00:00Z';
    const r = await gql(
      s.gateway.url,
      'query ($f: OrderFilter) { orders(filter: $f, first: 100) { totalCount edges { node { channel placedAt } } } }',
      { f: { channel: 'STORE', placedFrom: from, placedTo: to } },
    );
    const expected = all.filter(
      (o) =>
        o.channel === 'STORE' && o.placedAt >= '2026-09-01T00:00:00.000Z' && o.placedAt <= '2026-10-01T00:00:00.000Z',
    );
    expect(r.body.data.orders.totalCount).toBe(expected.length);
    expect(r.body.data.orders.edges.every((e: any) => e.node.channel === 'STORE' && e.node.placedAt >= from)).toBe(
      true,
    );

    const node = demo().data.oms.nodes.find((n) => n.type === 'DROP_SHIP')!;
    const byNode = await gql(
      s.gateway.url,
      'query ($f: OrderFilter) { orders(filter: $f, first: 100) { totalCount edges { node { fulfillmentOrders { node { id } } } } } }',
      { f: { fulfillmentNodeId: node.id } },
    );
    expect(byNode.body.data.orders.totalCount).toBeGreaterThan(0);
    for (const e of byNode.body.data.orders.edges)
      expect(e.node.fulfillmentOrders.map((f: any) => f.node.id)).toContain(node.id);
  });
});

describe('bad input', () => {
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    [
      'first above 100',
      'query ($n: Int) { orders(first: $n) { totalCount } }',
      { n: 101 },
      /first must be an integer from 1 to 100; received 101/,
    ],
    [
      'first below 1',
      'query ($n: Int) { orders(first: $n) { totalCount } }',
      { n: 0 },
      /first must be an integer from 1 to 100; received 0/,
    ],
    [
      'a cursor we did not issue',
      'query ($a: String) { orders(after: $a) { totalCount } }',
      { a: Buffer.from('2026-01-01|ORD-1|forged').toString('base64url') },
      /not a cursor this API issued/,
    ],
    [
      'a cursor that is not even base64',
      'query ($a: String) { orders(after: $a) { totalCount } }',
      { a: '../../etc/passwd' },
      /not a cursor this API issued/,
    ],
    [
      'an empty id',
      'query ($id: ID!) { order(id: $id) { id } }',
      { id: '' },
      /id must be a non-empty id; received an empty string/,
    ],
    [
      'an id longer than 64 characters',
      'query ($id: ID!) { order(id: $id) { id } }',
      { id: 'x'.repeat(65) },
      /id must be at most 64 characters; received 65/,
    ],
    [
      'an id with control characters',
      'query ($id: ID!) { order(id: $id) { id } }',
      { id: 'ORD-\u0000-1' },
      /id must not contain control characters/,
    ],
    [
      'placedFrom after placedTo',
      'query ($f: OrderFilter) { orders(filter: $f) { totalCount } }',
      { f: { placedFrom: '2026-10-02T00:00:00Z', placedTo: '2026-10-01T00:00:00Z' } },
      /placedFrom must not be after filter.placedTo; received placedFrom 2026-10-02T00:00:00.000Z and placedTo 2026-10-01T00:00:00.000Z/,
    ],
    [
      'a date that is not ISO-8601',
      'query ($f: OrderFilter) { orders(filter: $f) { totalCount } }',
      { f: { placedFrom: 'yesterday' } },
      /DateTime must be an ISO-8601 date-time/,
    ],
    [
      'a customer id with control characters',
      'query ($f: OrderFilter) { orders(filter: $f) { totalCount } }',
      { f: { customerId: 'C\u0007' } },
      /filter.customerId must not contain control characters/,
    ],
  ];
  for (const [what, query, variables, message] of cases) {
    it(`should refuse ${what} with BAD_USER_INPUT saying what was expected`, async () => {
      const r = await gql(s.gateway.url, query, variables);
      expect(r.status).toBeLessThan(500);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.body.errors![0]!.message).toMatch(message);
      expect(JSON.stringify(r.body)).not.toMatch(/stack|at .*\.ts:\d+/);
    });
  }

  it('should answer malformed JSON with a 400 JSON error, not an HTML stack page', async () => {
    const res = await fetch(s.gateway.url, { method: 'POST', headers: await requestHeaders(), body: '{"query": ' });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.errors[0].message).toMatch(/valid JSON/);
  });

  it('should answer a body over the limit with 413', async () => {
    const res = await fetch(s.gateway.url, {
      method: 'POST',
      headers: await requestHeaders(),
      body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].message).toMatch(/too large/);
  });
});
