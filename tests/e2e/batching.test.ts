import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../../canonical/systems.js';
import type { Stack } from '../../embedded/stack.js';
import { gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await stack();
});
afterAll(async () => {
  await s?.stop();
});

const HISTORY = `query ($customerId: ID!, $placedTo: DateTime, $first: Int) {
  orders(filter: { customerId: $customerId, placedTo: $placedTo }, first: $first) {
    edges { node {
      id number placedAt status
      lines { lineNumber sku quantity }
      shipments { id status trackingNumber lines { lineNumber quantity } }
      payments { id status amount { amount currency } }
      returns { id status receipt { receivedAt } }
    } }
  }
}`;

/**
 * The newest order of CUST-00001 that touches every system (fulfilled, shipped with a carrier
 * record, a received return) and has at least 49 older orders: a page starting at it holds the
 * same kinds of data for 1 order as for 50, so only the count of orders differs.
 */
function richStart(): string {
  const { data } = demo();
  const tracked = new Set(data.carrier.shipments.map((c) => c.references.orderId));
  const received = new Set(data.wms.receipts.map((r) => r.orderId));
  const mine = data.oms.orders
    .filter((o) => o.customerId === 'CUST-00001')
    .sort((a, b) => (a.placedAt === b.placedAt ? b.id.localeCompare(a.id) : b.placedAt.localeCompare(a.placedAt)));
  const i = mine.findIndex((o, idx) => tracked.has(o.id) && received.has(o.id) && mine.length - idx >= 50);
  expect(i, 'a rich order with 49 older ones').toBeGreaterThanOrEqual(0);
  return mine[i]!.placedAt;
}

/** System calls per subgraph (counted at the port) for one gateway request. */
async function callsFor(first: number): Promise<Record<string, number>> {
  for (const name of SUBGRAPH_NAMES) s.subgraphs[name].sim.resetCalls();
  const r = await gql(s.gateway.url, HISTORY, { customerId: 'CUST-00001', placedTo: richStart(), first });
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.orders.edges).toHaveLength(first);
  return Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, s.subgraphs[n].sim.callCount()]));
}

describe('batching', () => {
  it('should make the same number of calls per system for 50 orders as for 1', async () => {
    expect(demo().data.oms.orders.filter((o) => o.customerId === 'CUST-00001').length).toBeGreaterThanOrEqual(50);
    const one = await callsFor(1);
    const fifty = await callsFor(50);
    expect(fifty).toEqual(one);
    // and every system was really asked (the history touches all five)
    for (const name of SUBGRAPH_NAMES) expect(one[name], name).toBeGreaterThan(0);
  });

  it('should resolve one _entities fetch of many representations with one port call per type', async () => {
    const orders = demo().data.oms.orders.slice(0, 30);
    s.subgraphs.erp.sim.resetCalls();
    const payments = orders.flatMap((o) => demo().data.erp.orders.find((e) => e.orderId === o.id)!.paymentIds);
    const r = await gql(
      s.subgraphs.erp.service.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { acceptedAt holds { type } payments { id status } } } }',
      {
        r: orders.map((o) => ({ __typename: 'Order', id: o.id })),
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data._entities).toHaveLength(30);
    expect(payments.length).toBeGreaterThan(1);
    expect(Object.fromEntries(s.subgraphs.erp.sim.calls)).toEqual({ ordersById: 1, paymentsById: 1 });
  });
});
