import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { startLifecycle, type Lifecycle } from '../../embedded/lifecycle/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { createLogger } from '../../runtime/logger.js';
import type { ReturnRecord } from '../../subgraphs/returns/records.js';
import { credential, gql } from '../helpers/http.js';
import { SECRET } from '../ingest/harness.js';

// The lifecycle simulator over the whole stack with a graph: the returns it opens are requested
// through requestReturn at the gateway (as the order's shopper, or as an agent naming themselves in
// x-acting-user), and the systems' webhooks then carry them on: RMA, transit, receipt, credit memo,
// refund (docs/returns.md).

const data = generateDemo({ orders: 30 }).data;
const bus = new MemoryEventBus();
let stack: Stack;
let life: Lifecycle;

beforeAll(async () => {
  stack = await startStack({
    data,
    bus,
    webhookSecret: SECRET,
    statusStore: new MemoryStatusStore(),
    logger: createLogger('lifecycle-returns', 'silent'),
  });
  life = startLifecycle({
    data,
    secret: SECRET,
    logger: createLogger('life', 'warn'),
    ratePerSecond: 25,
    newOrderShare: 0.3,
    maxInFlight: 4,
    returnShare: 1,
    ingest: Object.fromEntries(Object.entries(stack.subgraphs).map(([n, g]) => [n, g.ingestUrl])) as Record<
      SystemName,
      string
    >,
    graph: {
      url: stack.gateway.url,
      share: 1,
      credential: (who) =>
        credential(who.consumer, who.consumer === 'storefront' ? { customerId: who.customerId } : {}),
    },
  });
});
afterAll(async () => {
  await life?.stop();
  await stack?.stop();
  await bus.close();
});

/** Returns made by requestReturn (`RET-<order id>-n`; the desk's own webhooks name them `RET-<number>-n`). */
const actionReturns = (): ReturnRecord[] => data.returns.returns.filter((r) => r.id.startsWith('RET-ORD-'));
const FAR = new Set(['REFUNDED', 'CLOSED']);

describe('lifecycle simulator with the graph', () => {
  // Its own bound is 120 s (a loaded machine moves the simulator slowly); Vitest's 30 s default cut it first.
  it('should request returns through requestReturn and carry them through RMA, transit, receipt, credit memo and refund', {
    timeout: 150_000,
  }, async () => {
    // Runs until one return made through the graph has been refunded (the bound only ends a hung run).
    const deadline = performance.now() + 120_000;
    while (!actionReturns().some((r) => FAR.has(r.status)) && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await life.stop();
    expect(life.stats().failed).toBe(0);
    const done = actionReturns().find((r) => FAR.has(r.status));
    expect(
      done,
      `returns made through requestReturn: ${JSON.stringify(actionReturns().map((r) => [r.id, r.status]))}`,
    ).toBeDefined();

    // What a client sees: the return refunded, its RMA and refund, and the request in the audit trail.
    const q = `query ($id: ID!) { order(id: $id) { returnState financialState
      returns { id status rmaNumber refund { amount { amount } creditMemoNumber } }
      auditTrail { action channel actor { kind consumer id asserted assertedBy } result } } }`;
    const r = await gql(stack.gateway.url, q, { id: done!.orderId });
    expect(r.body.errors).toBeUndefined();
    const order = r.body.data.order;
    expect(order.returns).toContainEqual(
      expect.objectContaining({
        id: done!.id,
        status: done!.status,
        rmaNumber: expect.stringMatching(/^RMA-/),
        refund: expect.objectContaining({ creditMemoNumber: expect.stringMatching(/^CM-/) }),
      }),
    );
    expect(order.auditTrail).toContainEqual(expect.objectContaining({ action: 'requestReturn', result: 'ACCEPTED' }));
    const actor = order.auditTrail.find(
      (e: { action: string; result: string }) => e.action === 'requestReturn' && e.result === 'ACCEPTED',
    ).actor;
    expect([
      { kind: 'CUSTOMER', consumer: 'storefront', asserted: false, assertedBy: null },
      { kind: 'AGENT', consumer: 'salesforce', asserted: true, assertedBy: 'salesforce' },
    ]).toContainEqual({
      kind: actor.kind,
      consumer: actor.consumer,
      asserted: actor.asserted,
      assertedBy: actor.assertedBy,
    });
    if (actor.consumer === 'salesforce') expect(actor.id).toMatch(/^005Hs00000Lif/);
    expect(order.financialState).toMatch(/REFUNDED/);
  });
});
