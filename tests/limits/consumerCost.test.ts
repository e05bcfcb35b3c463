import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { DEFAULT_COST_QUOTAS, gatewayConfigFromEnv, type GatewayConfig } from '../../gateway/config.js';
import { codes, credential, gql } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';
import { expectRefused } from './harness.js';

// A consumer's ceiling on one operation's cost (LIMIT_MAX_COST_<CONSUMER>; a shopper 2,000 by
// default): a shopper cannot ask for a page of 100 full orders, only for pages its storefront needs.

const CUSTOMER = 'CUST-00001';
/** 1 + n × (edges 1 + node 1 + shipments (1 + 10 × events 1) + returns (1 + 10 × lines 1)) = 1 + 24n. */
const page = (n: number) =>
  `query Page { orders(filter: { customerId: "${CUSTOMER}" }, first: ${n}) { edges { node { id status shipments { events { status } } returns { lines { lineNumber } } } } } }`;

let s: Stack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
const start = async (gateway: Partial<GatewayConfig> = {}) => {
  s = await stack({ orders: 60, bus: new MemoryEventBus(), gateway });
  return s;
};

describe('per-consumer operation cost ceilings', () => {
  it("should refuse a shopper's page of 100 full orders (cost 2401) before any subgraph is called, naming the setting, and serve a page of 20 (481)", async () => {
    const stack = await start();
    const shopper = await credential('storefront', { customerId: CUSTOMER });
    const r = await expectRefused(
      stack,
      () => gql(stack.gateway.url, page(100), undefined, shopper),
      /^query cost 2401 exceeds the limit of 2000 for storefront callers \(LIMIT_MAX_COST_STOREFRONT\): ask for fewer items \(first:\) or fewer fields$/,
      2000,
    );
    expect(r.body.errors![0]!.extensions).toMatchObject({ limit: 2000, value: 2401 });
    const small = await gql(stack.gateway.url, page(20), undefined, shopper);
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data.orders.edges.length).toBeGreaterThan(0);
    // Operators and the Salesforce org have only LIMIT_MAX_COST.
    const ops = await gql(stack.gateway.url, page(100), undefined, await credential('ops'));
    expect(ops.status).toBe(200);
    expect(ops.body.errors).toBeUndefined();
  });

  it("should not charge a refused operation to the shopper's cost budget", async () => {
    // A budget of 3,000 a minute: an operation of 481 owes 9.6 s, within the 20 s of burst; had the
    // refused 2,401 been charged (48 s owed), the next would be refused RATE_LIMITED.
    const stack = await start({ costQuotas: { ...DEFAULT_COST_QUOTAS, storefront: 3000 } });
    const shopper = await credential('storefront', { customerId: CUSTOMER });
    const refused = await gql(stack.gateway.url, page(100), undefined, shopper);
    expect(codes(refused)).toEqual(['LIMIT_EXCEEDED']);
    const next = await gql(stack.gateway.url, page(20), undefined, shopper);
    expect(next.status, JSON.stringify(next.body.errors)).toBe(200);
    expect(next.body.errors).toBeUndefined();
  });

  it('should read LIMIT_MAX_COST_<CONSUMER> over the defaults and refuse a value that is not a count', () => {
    expect(gatewayConfigFromEnv({}).maxCostByConsumer).toEqual({ storefront: 2000 });
    expect(
      gatewayConfigFromEnv({ LIMIT_MAX_COST_STOREFRONT: '500', LIMIT_MAX_COST_PARTNER: '4000' }).maxCostByConsumer,
    ).toEqual({ storefront: 500, partner: 4000 });
    expect(() => gatewayConfigFromEnv({ LIMIT_MAX_COST_STOREFRONT: '0' })).toThrow(/LIMIT_MAX_COST_STOREFRONT/);
  });
});
