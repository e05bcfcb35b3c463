import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGatewayConfig, type GatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import { DEMO_PARTNER_NODES } from '../../embedded/stack.js';
import type { RunningService } from '../../runtime/http.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';
import { createLogger } from '../../runtime/logger.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import type { ReturnsPort } from '../../subgraphs/returns/port.js';
import { start as startReturns } from '../../subgraphs/returns/server.js';
import { credential, gql } from '../helpers/http.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';
import { SECRET } from '../ingest/harness.js';
import { returnsStack, type ReturnsStack } from './harness.js';

// Two replicas of the returns subgraph sharing one visibility store (docs/returns.md, "Replicas"):
// replica A behind gateway A (the stack), replica B — its own process state, the same returns
// system and the same store — behind gateway B. The per-order lock and the idempotency keys are
// the store's, so a request through A and one through B are decided one after the other.

const REQUEST = `mutation ($input: RequestReturnInput!) { requestReturn(input: $input) {
  result userErrors { code expected received } return { id status } } }`;

/** The two stores the replicas open: one object on PGlite (one process's database), two pools on one PostgreSQL schema. */
type Stores = { a: VisibilityStore; b: VisibilityStore; close(): Promise<void> };

function replicaSuite(open: () => Promise<Stores>): void {
  let stores: Stores;
  let s: ReturnsStack;
  let replica: RunningService;
  let gatewayB: GatewayService;

  /**
   * The returns system as replica B sees it: its read of the race order's returns, once armed, is
   * held (with what it read) until replica A has written a return for that order, at most 0.8 s
   * (the other replica's lock wait is 1.5 s, the gateway's call timeout 2 s).
   * The test sends B's request first and A's once B holds its read: without a lock shared by the
   * replicas, A writes while B holds a stale read and both requests succeed; with it, A waits for B.
   * The race is made certain, not left to timing.
   */
  let raceOrder: string | null = null;
  let holding: () => void = () => undefined;
  function slowReader(system: ReturnsPort): ReturnsPort {
    return new Proxy(system, {
      get(target, p) {
        const value = Reflect.get(target, p, target) as unknown;
        if (p !== 'returnsByOrderIds') return typeof value === 'function' ? value.bind(target) : value;
        return async (ids: readonly string[]) => {
          const seen = structuredClone(await target.returnsByOrderIds(ids));
          const id = raceOrder;
          if (id !== null && ids.includes(id)) {
            raceOrder = null;
            holding();
            const until = performance.now() + 800;
            while ((await target.returnsByOrderIds([id]))[0]!.length === 0 && performance.now() < until)
              await new Promise((r) => setTimeout(r, 10));
          }
          return seen;
        };
      },
    });
  }

  beforeAll(async () => {
    stores = await open();
    s = await returnsStack({ store: stores.a });
    const logger = createLogger('replica-b', 'silent');
    replica = await startReturns({
      system: slowReader(s.stack.systems.returns),
      port: 0,
      host: '127.0.0.1',
      bus: s.bus,
      webhookSecret: SECRET,
      identitySecret: DEV_IDENTITY_SECRET,
      versions: s.versions,
      logger,
      gatewayUrl: s.url,
      now: s.now,
      ledger: stores.b.ledger,
      audit: stores.b.audit,
      actionLock: stores.b.actionLocks,
      actionResults: stores.b.actionResults,
    });
    const subgraphUrls = {
      ...Object.fromEntries(Object.entries(s.stack.subgraphs).map(([name, g]) => [name, g.service.url])),
      visibility: s.stack.visibility.service.url,
      returns: replica.url,
    } as GatewayConfig['subgraphUrls'];
    gatewayB = await startGateway(
      {
        ...defaultGatewayConfig({ port: 0, host: '127.0.0.1' }, { DEV_PARTNER_NODES: DEMO_PARTNER_NODES }),
        subgraphUrls,
      },
      { logger, versions: s.versions },
    );
  });
  afterAll(async () => {
    await gatewayB?.stop();
    await replica?.stop();
    await s?.stop();
    await stores?.close();
  });

  /** A delivered, invoiced order of `customer` with one line of `units`. */
  async function order(id: string, customer: string, units: number): Promise<void> {
    await s.placed(id, customer, [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: units }]);
    await s.shipped(id, 1, [{ lineNumber: 1, quantity: units }], true);
    await s.invoiced(id, [{ lineNumber: 1, quantity: units }]);
  }
  const via = async (gatewayUrl: string, customerId: string, input: object) =>
    (await gql(gatewayUrl, REQUEST, { input }, await credential('storefront', { customerId }))).body;

  it('should let exactly one of two concurrent requests for the same last unit succeed, one through each replica', async () => {
    await order('ORD-940011', 'CUST-940011', 1);
    const before = gatewayB.upstreamFetches().returns ?? 0;
    raceOrder = 'ORD-940011';
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const input = (key: string) => ({
      orderId: 'ORD-940011',
      idempotencyKey: key,
      channel: 'WEB',
      lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'SIZE_FIT' }],
    });
    const viaB = via(gatewayB.url, 'CUST-940011', input('race-b'));
    await held;
    const [a, b] = await Promise.all([via(s.url, 'CUST-940011', input('race-a')), viaB]);
    expect(a.errors ?? b.errors).toBeUndefined();
    const results = [a.data.requestReturn, b.data.requestReturn];
    expect(results.map((r) => r.result).sort()).toEqual(['ACCEPTED', 'REJECTED']);
    expect(results.find((r) => r.result === 'REJECTED').userErrors).toEqual([
      { code: 'QUANTITY_ABOVE_RETURNABLE', expected: 'at most 0', received: '1' },
    ]);
    // Gateway B's mutation went to replica B.
    expect(gatewayB.upstreamFetches().returns).toBeGreaterThan(before);
    const o = await s.as(
      'salesforce',
      '{ order(id: "ORD-940011") { returns { id } returnEligibility { returnableQuantity returnInitiated } } }',
    );
    expect(o.body.data.order.returns).toHaveLength(1);
    expect(o.body.data.order.returnEligibility[0]).toEqual({ returnableQuantity: 0, returnInitiated: 1 });
  });

  it('should answer the same idempotency key sent to both replicas with the same result and create one return', async () => {
    await order('ORD-940021', 'CUST-940021', 3);
    const input = {
      orderId: 'ORD-940021',
      idempotencyKey: 'both-replicas',
      channel: 'MOBILE_APP',
      lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'DAMAGED' }],
    };
    const [a, b] = await Promise.all([via(s.url, 'CUST-940021', input), via(gatewayB.url, 'CUST-940021', input)]);
    expect(a.errors ?? b.errors).toBeUndefined();
    expect(a.data.requestReturn).toMatchObject({ result: 'ACCEPTED', userErrors: [], return: { status: 'REQUESTED' } });
    expect(b.data.requestReturn).toEqual(a.data.requestReturn);
    // A later retry on either replica: the same answer still, nothing more created.
    expect((await via(gatewayB.url, 'CUST-940021', input)).data.requestReturn).toEqual(a.data.requestReturn);
    const o = await s.as('salesforce', '{ order(id: "ORD-940021") { returns { id } auditTrail { action result } } }');
    expect(o.body.data.order.returns).toEqual([{ id: a.data.requestReturn.return.id }]);
    expect(o.body.data.order.auditTrail).toEqual([{ action: 'requestReturn', result: 'ACCEPTED' }]);
  });
}

describe('two returns replicas on one PGlite store', () => {
  replicaSuite(async () => {
    const store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    return { a: store, b: store, close: () => store.close() };
  });
});

await describePostgres('two returns replicas on one PostgreSQL schema, each with its own pool', () => {
  replicaSuite(async () => {
    const schema = uniqueSchema();
    const a = await openStore({ databaseUrl: databaseUrl(), dataDir: '', schema });
    const b = await openStore({ databaseUrl: databaseUrl(), dataDir: '', schema });
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        await dropSchema(schema);
      },
    };
  });
});
