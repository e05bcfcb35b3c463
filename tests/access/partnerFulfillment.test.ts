import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { gatewaySignature } from '../helpers/http.js';
import { accessStack, as, byHash, fixtures, identity, manifestOp, post, world } from './harness.js';

/**
 * Issue 16 #12: a partner sees an order with a fulfillment order at its node, and of that order
 * only its own node's fulfillment orders — never a store's or a DC's of the same (shared) order.
 * Enforced by the OMS, the owner of the row rules (subgraphs/oms/access.ts); run here through the
 * gateway with the partner's own persisted operations.
 */

let s: Stack;
let partner: Record<string, string>;
let salesforce: Record<string, string>;
const f = fixtures();

/** Orders of the demo world with fulfillment orders at the partner's node and at another node. */
const shared = (() => {
  const nodes = new Map<string, Set<string>>();
  for (const fo of world().data.oms.fulfillmentOrders)
    nodes.set(fo.orderId, (nodes.get(fo.orderId) ?? new Set()).add(fo.nodeId));
  return [...nodes].filter(([, n]) => n.has(f.partnerNode) && n.size > 1).map(([id]) => id);
})();

beforeAll(async () => {
  ({ s } = await accessStack());
  partner = await as.partner(f.partnerNode);
  salesforce = await as.salesforce();
});
afterAll(async () => {
  await s?.stop();
});

const nodesOf = (order: { fulfillmentOrders: { node: { id: string } }[] }): string[] =>
  order.fulfillmentOrders.map((fo) => fo.node.id);

describe('a partner reading an order shared with other nodes', () => {
  it('should have such orders in the demo world, whose other nodes salesforce sees', async () => {
    expect(shared.length).toBeGreaterThan(0);
    const op = manifestOp('PartnerOrderFulfillment');
    const r = await post(s.gateway.url, { query: op.body, variables: { orderId: shared[0] } }, salesforce);
    expect(r.body.errors).toBeUndefined();
    expect(nodesOf(r.body.data.order)).toContain(f.partnerNode);
    expect(nodesOf(r.body.data.order).some((n) => n !== f.partnerNode)).toBe(true);
  });

  it('should list only its own node fulfillment orders in PartnerOrderFulfillment', async () => {
    const op = manifestOp('PartnerOrderFulfillment');
    for (const orderId of shared) {
      const r = await post(s.gateway.url, byHash(op.id, { orderId }), partner);
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
      expect(r.body.data.order.id).toBe(orderId);
      const nodes = nodesOf(r.body.data.order);
      expect(nodes.length).toBeGreaterThan(0);
      expect(new Set(nodes)).toEqual(new Set([f.partnerNode]));
    }
  });

  it('should list only its own node fulfillment orders on every order of PartnerNodeOrders', async () => {
    const op = manifestOp('PartnerNodeOrders');
    const r = await post(s.gateway.url, byHash(op.id, { fulfillmentNodeId: f.partnerNode, first: 100 }), partner);
    expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
    const orders = r.body.data.orders.edges.map((e: { node: { id: string } }) => e.node);
    expect(orders.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining(shared));
    for (const o of orders) expect(new Set(nodesOf(o))).toEqual(new Set([f.partnerNode]));
  });
});

describe('the derived status of a shared order, asked of the oms by a partner', () => {
  const STATUS = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status } } }`;
  /** The order with every slice the status needs, its execution listing the fulfillment orders the caller was handed. */
  const representation = (orderId: string, handed: number) => ({
    __typename: 'Order',
    id: orderId,
    erpAsOf: '2026-11-01T00:00:00.000Z',
    acceptedAt: null,
    holds: [],
    payments: [],
    creditMemos: [],
    wmsAsOf: '2026-11-01T00:00:00.000Z',
    fulfillmentOrders: Array.from({ length: handed }, () => ({
      executionAsOf: '2026-11-01T00:00:00.000Z',
      warehouseStatus: null,
      pickedAt: null,
      cancelReason: null,
      cancelledAt: null,
    })),
    shipments: [],
    returnsAsOf: '2026-11-01T00:00:00.000Z',
    returns: [],
  });
  const atPartner = (orderId: string) =>
    world().data.oms.fulfillmentOrders.filter((fo) => fo.orderId === orderId && fo.nodeId === f.partnerNode).length;

  it('should be null with FORBIDDEN for a partner, never a status computed from its part of the order', async () => {
    const orderId = shared[0]!;
    const r = await post(
      s.subgraphs.oms.service.url,
      { query: STATUS, variables: { r: [representation(orderId, atPartner(orderId))] } },
      gatewaySignature(identity.partner(f.partnerNode)),
    );
    expect(r.body.data._entities[0].status).toBeNull();
    expect(r.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(r.body.errors?.[0]?.message).toContain('a partner sees only those at its own node');
  });
});
