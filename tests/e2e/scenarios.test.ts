import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoScenario } from '../../demo/index.js';
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

const Q = `query ($id: ID!) { order(id: $id) {
  status statusDetail { rule facts { source fact observedAt } }
  lineStatuses { lineNumber status quantities { ordered cancelled allocated backordered picked shipped delivered returnInitiated returned } }
  fulfillmentOrders { node { type } warehouseStatus } holds { type releasedAt } shipments { status } returns { status }
} }`;

const first = (scenario: DemoScenario): string => demo().scenarios[scenario][0]!;
const order = async (id: string) => {
  const r = await gql(s.gateway.url, Q, { id });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.order;
};

describe('seed scenarios through the gateway', () => {
  it('should show an order the OMS has allocated but the ERP holds as ON_HOLD, with the hold as the reason', async () => {
    const o = await order(first('held-accepted-in-oms'));
    expect(o.status).toBe('ON_HOLD');
    expect(o.statusDetail.rule).toBe(5);
    const active = o.holds.filter((h: any) => h.releasedAt === null);
    expect(active.length).toBeGreaterThan(0);
    expect(o.statusDetail.facts).toContainEqual(
      expect.objectContaining({ source: 'ERP', fact: `${active[0].type} hold active` }),
    );
    // The OMS alone would call it allocated: every net unit is sourced.
    for (const l of o.lineStatuses) expect(l.quantities.allocated).toBe(l.quantities.ordered - l.quantities.cancelled);
    for (const l of o.lineStatuses) expect(l.status).toBe('ON_HOLD');
  });

  it('should ship a split DC + store order as two fulfillment orders at two kinds of node', async () => {
    const o = await order(first('split-dc-store-shipped'));
    expect(o.fulfillmentOrders.map((f: any) => f.node.type).sort()).toEqual(['DC', 'STORE']);
    expect(o.shipments.length).toBeGreaterThanOrEqual(2);
    expect(['SHIPPED', 'PARTIALLY_DELIVERED', 'DELIVERED']).toContain(o.status);
  });

  it('should call an order SHIPPED when the WMS handed it over but the carrier has no scan', async () => {
    const o = await order(first('shipped-without-scan'));
    expect(o.status).toBe('SHIPPED');
    expect(o.shipments.every((sh: any) => sh.status === 'UNKNOWN' || sh.status === 'LABEL_CREATED')).toBe(true);
  });

  it('should show partial allocation per line: sourced lines ALLOCATED, the rest BACKORDERED', async () => {
    const o = await order(first('partially-allocated'));
    expect(o.status).toBe('PARTIALLY_ALLOCATED');
    expect(o.statusDetail.rule).toBe(12);
    const statuses = new Set(o.lineStatuses.map((l: any) => l.status));
    expect(statuses.has('BACKORDERED') || o.lineStatuses.some((l: any) => l.quantities.backordered > 0)).toBe(true);
  });

  it('should show a backorder as BACKORDERED at order and line level', async () => {
    const o = await order(first('backordered'));
    expect(o.status).toBe('BACKORDERED');
    expect(o.statusDetail.rule).toBe(13);
    expect(o.lineStatuses.some((l: any) => l.status === 'BACKORDERED' && l.quantities.backordered > 0)).toBe(true);
  });

  it('should show a requested return as RETURN_INITIATED until the warehouse receives it', async () => {
    const o = await order(first('return-initiated'));
    expect(o.status).toBe('RETURN_INITIATED');
    expect(o.statusDetail.rule).toBe(4);
    expect(
      o.lineStatuses.some(
        (l: any) => l.status === 'RETURN_INITIATED' && l.quantities.returned === 0 && l.quantities.returnInitiated > 0,
      ),
    ).toBe(true);
  });

  it('should not count a rejected return: the order stays DELIVERED', async () => {
    const o = await order(first('return-rejected'));
    expect(o.returns.map((r: any) => r.status)).toContain('REJECTED');
    expect(o.status).toBe('DELIVERED');
  });

  const expectations: [DemoScenario, string][] = [
    ['pending', 'PENDING'],
    ['accepted', 'ACCEPTED'],
    ['allocated', 'ALLOCATED'],
    ['in-fulfillment', 'IN_FULFILLMENT'],
    ['partially-shipped', 'PARTIALLY_SHIPPED'],
    ['partially-delivered', 'PARTIALLY_DELIVERED'],
    ['delivered', 'DELIVERED'],
    ['partially-returned', 'PARTIALLY_RETURNED'],
    ['returned', 'RETURNED'],
    ['cancelled', 'CANCELLED'],
  ];
  for (const [scenario, status] of expectations) {
    it(`should derive ${status} for the ${scenario} scenario`, async () => {
      expect((await order(first(scenario))).status).toBe(status);
    });
  }
});
