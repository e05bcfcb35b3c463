import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { DEFAULT_COST_QUOTAS } from '../../gateway/config.js';
import type { MemoryEventBus } from '../../events/memory.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';
import {
  accessStack,
  as,
  byHash,
  codesOf,
  erpWebhook,
  fixtures,
  holdPlaced,
  manifestOp,
  MISSING_ORDER,
  post,
  query,
  sleep,
  socket,
  subscribe,
  until,
  world,
  type Fixtures,
  type Subscription,
} from './harness.js';

/**
 * IDOR: customer A's storefront credential (and a partner's key) against rows that are not theirs,
 * through every entry point a client has. A row the caller may not see must answer exactly as a row
 * that does not exist (CANONICAL_MODEL.md, "Consumers"): nothing of it, and no sign that it exists.
 */

let s: Stack;
let bus: MemoryEventBus;
let f: Fixtures;
let url: string;
let A: Record<string, string>;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  // This suite is about rows, not budgets (tests/caching/quotas.test.ts holds those): it lists
  // shoppers' orders page by page, at 1,501 a page (`$first` priced at 100), far past a shopper's
  // default cost budget of 6,000 a minute.
  ({ s, bus } = (await accessStack({
    live: true,
    gateway: { costQuotas: { ...DEFAULT_COST_QUOTAS, storefront: 0 } },
  })) as { s: Stack; bus: MemoryEventBus });
  url = s.gateway.url;
  f = fixtures();
  A = await as.customer(f.customerA);
});
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
});

const ORDER = `query ($id: ID!) { order(id: $id) {
  id number placedAt customer { id name email } lines { sku quantity } status totals { total { amount } }
  fulfillmentOrders { id node { id } } shipments { id trackingNumber } payments { id status } returns { id rmaNumber } invoices { number }
} }`;
const BY_NUMBER = 'query ($n: String!) { orderByNumber(number: $n) { id number customer { id } status } }';
const ORDERS = `query ($filter: OrderFilter, $after: String) { orders(filter: $filter, first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id customer { id } fulfillmentOrders { node { id } } } }
} }`;

/** Every order a caller's `orders(filter)` lists, across pages. */
async function listAll(
  headers: Record<string, string>,
  filter?: Record<string, unknown>,
): Promise<{ totalCount: number; nodes: any[] }> {
  const nodes: any[] = [];
  let after: string | null = null;
  let totalCount = -1;
  do {
    const r = await query(url, headers, ORDERS, { filter, after });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
    const page = r.body.data.orders;
    totalCount = page.totalCount;
    nodes.push(...page.edges.map((e: any) => e.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return { totalCount, nodes };
}

describe('storefront customer A against customer B over HTTP', () => {
  it("should see B's order exist for salesforce (the rows below are hidden by the rules, not absent)", async () => {
    const r = await query(url, await as.salesforce(), ORDER, { id: f.orderB });
    expect(r.body.data.order).toMatchObject({ id: f.orderB, customer: { id: f.customerB } });
    const own = await query(url, A, ORDER, { id: f.orderA });
    expect(own.body).toEqual({
      data: {
        order: expect.objectContaining({ id: f.orderA, customer: expect.objectContaining({ id: f.customerA }) }),
      },
    });
  });

  it("should answer order(id: B's) byte for byte as order(id: <no such order>)", async () => {
    const theirs = await query(url, A, ORDER, { id: f.orderB });
    const missing = await query(url, A, ORDER, { id: MISSING_ORDER });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ data: { order: null } });
    expect(theirs.text).toBe(missing.text);
    expect(theirs.headers.get('content-length')).toBe(missing.headers.get('content-length'));
  });

  it("should answer orderByNumber(B's number) as an unknown number", async () => {
    const theirs = await query(url, A, BY_NUMBER, { n: f.orderNumberB });
    const missing = await query(url, A, BY_NUMBER, { n: 'W999999' });
    expect(theirs.body).toEqual({ data: { orderByNumber: null } });
    expect(theirs.text).toBe(missing.text);
    const sf = await query(url, await as.salesforce(), BY_NUMBER, { n: f.orderNumberB });
    expect(sf.body.data.orderByNumber.id).toBe(f.orderB);
  });

  it('should answer orders(filter: { customerId: B }) as the empty page of a customer without orders', async () => {
    const theirs = await query(url, A, ORDERS, { filter: { customerId: f.customerB } });
    const nobody = await query(url, A, ORDERS, { filter: { customerId: 'CUST-99999' } });
    expect(theirs.body).toEqual({
      data: { orders: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } },
    });
    expect(theirs.text).toBe(nobody.text);
  });

  it("should not list B's orders by B's Salesforce account or by a fulfillment node of B's order", async () => {
    const byAccount = await listAll(A, { salesforceAccountId: f.salesforceAccountB });
    expect(byAccount).toEqual({ totalCount: 0, nodes: [] });
    const nodeOfB = world().data.oms.fulfillmentOrders.find((fo) => fo.orderId === f.orderB)!.nodeId;
    const byNode = await listAll(A, { fulfillmentNodeId: nodeOfB });
    for (const n of byNode.nodes) expect(n.customer.id).toBe(f.customerA);
    expect(byNode.nodes.map((n) => n.id)).not.toContain(f.orderB);
  });

  it("should keep A to A's orders when paging from a cursor of another caller's listing", async () => {
    const sf = await query(url, await as.salesforce(), ORDERS, { filter: { customerId: f.customerB } });
    const cursor = sf.body.data.orders.pageInfo.endCursor ?? null;
    const all = await query(url, await as.salesforce(), 'query { orders(first: 3) { pageInfo { endCursor } } }');
    for (const after of [cursor, all.body.data.orders.pageInfo.endCursor]) {
      const r = await query(url, A, ORDERS, { after });
      expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
      for (const e of r.body.data.orders.edges) expect(e.node.customer.id).toBe(f.customerA);
      expect(r.body.data.orders.totalCount).toBe(f.ordersOfA.length);
    }
  });

  it("should list exactly A's orders from orders() without a filter", async () => {
    const { totalCount, nodes } = await listAll(A);
    expect(totalCount).toBe(f.ordersOfA.length);
    expect(nodes.map((n) => n.customer.id)).toEqual(f.ordersOfA.map(() => f.customerA));
    expect(nodes.map((n) => n.id).sort()).toEqual([...f.ordersOfA].sort());
    const mine = await listAll(A, { customerId: f.customerA });
    expect(mine.totalCount).toBe(f.ordersOfA.length);
  });

  it.each([
    ['payment', 'query ($id: ID!) { payment(id: $id) { id status amount { amount } } }', () => f.paymentB],
    [
      'shipment',
      'query ($id: ID!) { shipment(id: $id) { id trackingNumber order { id customer { id } } } }',
      () => f.shipmentB,
    ],
    ['return', 'query ($id: ID!) { return(id: $id) { id rmaNumber order { id customer { id } } } }', () => f.returnB],
    [
      'tracking',
      'query ($id: String!) { tracking(trackingNumber: $id) { id status order { id customer { id } } } }',
      () => f.trackingB,
    ],
  ])(
    "should refuse the %s lookup of B's row with FORBIDDEN and no data, as for a row that does not exist",
    async (field, q, id) => {
      const sf = await query(url, await as.salesforce(), q, { id: id() });
      expect(sf.body.data[field], sf.text.slice(0, 300)).not.toBeNull();
      const theirs = await query(url, A, q, { id: id() });
      expect(theirs.status).toBe(200);
      expect(theirs.body.data).toEqual({ [field]: null });
      expect(theirs.body.errors).toHaveLength(1);
      expect(theirs.body.errors![0]).toMatchObject({
        path: [field],
        extensions: { code: 'FORBIDDEN', field: `Query.${field}` },
      });
      expect(theirs.text).not.toContain(f.orderB);
      expect(theirs.text).not.toContain(f.customerB);
      const missing = await query(url, A, q, { id: `${id()}-NOPE` });
      expect(theirs.text).toBe(missing.text);
      // A partner is refused the same way (its field rules, run in process: a partner may send no ad-hoc query).
      const partner = await s.gateway.execute(
        q,
        { id: id() },
        { consumer: 'partner', subject: 'dev-x', partnerNodeId: f.partnerNode, scopes: [] },
      );
      expect(partner.data).toEqual({ [field]: null });
      expect(partner.errors?.map((e) => e.extensions?.field)).toEqual([`Query.${field}`]);
    },
  );

  it("should answer the storefront's persisted ShopperOrderStatus with B's id as with an unknown id", async () => {
    const op = manifestOp('ShopperOrderStatus');
    const own = await post(url, byHash(op.id, { orderId: f.orderA }), A);
    expect(own.body.errors, own.text.slice(0, 300)).toBeUndefined();
    expect(own.body.data.order.id).toBe(f.orderA);
    const theirs = await post(url, byHash(op.id, { orderId: f.orderB }), A);
    const missing = await post(url, byHash(op.id, { orderId: MISSING_ORDER }), A);
    expect(theirs.body).toEqual({ data: { order: null } });
    expect(theirs.text).toBe(missing.text);
    const history = await post(url, byHash(manifestOp('ShopperOrderHistory').id, { customerId: f.customerB }), A);
    expect(history.body.data.orders).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('should ignore an x-gateway-identity header sent by a client (a storefront token claiming ops)', async () => {
    const forged = signIdentity({ consumer: 'ops', subject: 'attacker', scopes: ['ops'] }, DEV_IDENTITY_SECRET);
    const headers = { ...A, 'x-gateway-identity': forged };
    const theirs = await query(url, headers, ORDER, { id: f.orderB });
    expect(theirs.body).toEqual({ data: { order: null } });
    const { totalCount, nodes } = await listAll(headers);
    expect(totalCount).toBe(f.ordersOfA.length);
    for (const n of nodes) expect(n.customer.id).toBe(f.customerA);
    const lookup = await query(url, headers, 'query ($id: ID!) { payment(id: $id) { id } }', { id: f.paymentB });
    expect(codesOf(lookup)).toEqual(['FORBIDDEN']);
  });
});

describe('partner of one node against orders at other nodes', () => {
  let P: Record<string, string>;
  beforeAll(async () => {
    P = await as.partner(f.partnerNode);
  });

  it('should answer PartnerOrderFulfillment for an order at another node as for an unknown order', async () => {
    const op = manifestOp('PartnerOrderFulfillment');
    const own = await post(url, byHash(op.id, { orderId: f.ordersOfPartner[0] }), P);
    expect(own.body.errors, own.text.slice(0, 300)).toBeUndefined();
    expect(own.body.data.order.fulfillmentOrders.map((fo: any) => fo.node.id)).toContain(f.partnerNode);
    const elsewhere = await post(url, byHash(op.id, { orderId: f.orderElsewhere }), P);
    const missing = await post(url, byHash(op.id, { orderId: MISSING_ORDER }), P);
    expect(elsewhere.body).toEqual({ data: { order: null } });
    expect(elsewhere.text).toBe(missing.text);
  });

  it('should list only orders with a fulfillment order at its node, whatever node it asks for', async () => {
    const op = manifestOp('PartnerNodeOrders');
    const own = await post(url, byHash(op.id, { fulfillmentNodeId: f.partnerNode, first: 100 }), P);
    expect(own.body.errors, own.text.slice(0, 300)).toBeUndefined();
    const nodes = own.body.data.orders.edges.map((e: any) => e.node);
    expect(own.body.data.orders.totalCount).toBe(f.ordersOfPartner.length);
    expect(nodes.map((n: any) => n.id).sort()).toEqual(f.ordersOfPartner);
    for (const n of nodes) expect(n.fulfillmentOrders.map((fo: any) => fo.node.id)).toContain(f.partnerNode);
    const other = await post(url, byHash(op.id, { fulfillmentNodeId: 'DC-EAST', first: 100 }), P);
    const unknown = await post(url, byHash(op.id, { fulfillmentNodeId: 'NO-SUCH-NODE', first: 100 }), P);
    expect(other.body.data.orders).toMatchObject({ totalCount: 0, edges: [] });
    expect(other.text).toBe(unknown.text);
  });
});

describe('storefront customer A against customer B over graphql-ws', () => {
  const CHANGE = '{ orderId status previousStatus cause { orderId type } order { id customer { id } status } }';
  const EVENT = '{ orderId type source }';
  const open = async (headers: Record<string, string>) => {
    const { client } = socket(url, headers);
    cleanups.push(() => client.dispose());
    return client;
  };
  const orderIdsOf = (sub: Subscription, field: string) =>
    sub.messages.map((m) => m.data?.[field]?.orderId ?? `error:${JSON.stringify(m.errors)}`);

  it("should deliver A's changes and never B's, whatever A subscribes to", async () => {
    const a = await open(A);
    const sf = await open(await as.salesforce());
    const subs = {
      byOrderB: subscribe(a, {
        query: `subscription ($o: ID) { orderStatusChanged(orderId: $o) ${CHANGE} }`,
        variables: { o: f.orderB },
      }),
      byCustomerB: subscribe(a, {
        query: `subscription ($c: ID) { orderStatusChanged(customerId: $c) ${CHANGE} }`,
        variables: { c: f.customerB },
      }),
      bothB: subscribe(a, {
        query: `subscription ($o: ID, $c: ID) { orderStatusChanged(orderId: $o, customerId: $c) ${CHANGE} }`,
        variables: { o: f.orderB, c: f.customerB },
      }),
      persistedB: subscribe(a, {
        query: '',
        ...byHash(manifestOp('ShopperOrderStatusChanged').id, { orderId: f.orderB, customerId: f.customerB }),
      }),
      unfiltered: subscribe(a, { query: `subscription { orderStatusChanged ${CHANGE} }` }),
      eventsB: subscribe(a, {
        query: `subscription ($o: ID!) { orderEvents(orderId: $o) ${EVENT} }`,
        variables: { o: f.orderB },
      }),
      byOrderA: subscribe(a, {
        query: `subscription ($o: ID) { orderStatusChanged(orderId: $o) ${CHANGE} }`,
        variables: { o: f.orderA },
      }),
      eventsA: subscribe(a, {
        query: `subscription ($o: ID!) { orderEvents(orderId: $o) ${EVENT} }`,
        variables: { o: f.orderA },
      }),
    };
    const control = subscribe(sf, {
      query: `subscription ($o: ID) { orderStatusChanged(orderId: $o) ${CHANGE} }`,
      variables: { o: f.orderB },
    });
    // B runs the very same document as A: identical subscriptions of different customers must not share an execution.
    const b = await open(await as.customer(f.customerB));
    const unfilteredB = subscribe(b, { query: `subscription { orderStatusChanged ${CHANGE} }` });
    // 10 listeners on the hub: every subscription is running before anything changes.
    await until(
      () => s.gateway.subscriptions!.hub.size() >= 10,
      5000,
      () => `subscribed: ${s.gateway.subscriptions!.hub.size()}`,
    );

    // B's order changes first: salesforce sees it, so it happened.
    expect(await erpWebhook(s, holdPlaced('ACCESS-HOLD-B', f.orderB))).toBe(200);
    const [seen] = await control.waitFor(1);
    expect(seen!.data.orderStatusChanged).toMatchObject({
      orderId: f.orderB,
      status: 'ON_HOLD',
      order: { customer: { id: f.customerB } },
    });
    // Then A's: once A's subscribers have it, B's (earlier in the same streams) was judged already.
    expect(await erpWebhook(s, holdPlaced('ACCESS-HOLD-A', f.orderA))).toBe(200);
    await subs.byOrderA.waitFor(1);
    await subs.unfiltered.waitFor(1);
    await subs.eventsA.waitFor(1);
    await unfilteredB.waitFor(1);
    await sleep(300);
    expect(orderIdsOf(unfilteredB, 'orderStatusChanged')).toEqual([f.orderB]);

    expect(subs.byOrderA.messages[0]!.data.orderStatusChanged).toMatchObject({
      orderId: f.orderA,
      status: 'ON_HOLD',
      order: { id: f.orderA, customer: { id: f.customerA } },
    });
    expect(orderIdsOf(subs.unfiltered, 'orderStatusChanged')).toEqual([f.orderA]);
    expect(orderIdsOf(subs.eventsA, 'orderEvents')).toEqual([f.orderA]);
    for (const name of ['byOrderB', 'byCustomerB', 'bothB', 'persistedB', 'eventsB'] as const) {
      expect(subs[name].messages, name).toEqual([]);
      // Accepted and silent, as for an order that does not exist: no error tells A it exists.
      expect(subs[name].ended, name).toBeUndefined();
    }
  });

  it("should replay from a cursor only A's changes and events", async () => {
    // Both holds above are in the streams now; a resubscription from the start replays them.
    expect((await bus.read(Streams.VISIBILITY, { count: 10 })).map((e) => e.event.subject)).toEqual([
      f.orderB,
      f.orderA,
    ]);
    const start = '0-0';
    const a = await open(A);
    const all = subscribe(a, {
      query: `subscription ($after: String) { orderStatusChanged(after: $after) ${CHANGE} }`,
      variables: { after: start },
    });
    const byOrderB = subscribe(a, {
      query: `subscription ($o: ID, $after: String) { orderStatusChanged(orderId: $o, after: $after) ${CHANGE} }`,
      variables: { o: f.orderB, after: start },
    });
    const eventsB = subscribe(a, {
      query: `subscription ($o: ID!, $after: String) { orderEvents(orderId: $o, after: $after) ${EVENT} }`,
      variables: { o: f.orderB, after: start },
    });
    const eventsA = subscribe(a, {
      query: `subscription ($o: ID!, $after: String) { orderEvents(orderId: $o, after: $after) ${EVENT} }`,
      variables: { o: f.orderA, after: start },
    });
    await all.waitFor(1);
    await eventsA.waitFor(1);
    await sleep(300);
    expect(orderIdsOf(all, 'orderStatusChanged')).toEqual([f.orderA]);
    expect(orderIdsOf(eventsA, 'orderEvents')).toEqual([f.orderA]);
    expect(byOrderB.messages).toEqual([]);
    expect(eventsB.messages).toEqual([]);
  });
});
