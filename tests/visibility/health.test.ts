/**
 * `Query.operationsHealth.systems` from real gateway state: the gateway's health writer reports each
 * subgraph's breaker and freshness to the visibility store; an ERP outage that opens the ERP
 * breaker shows there, merged with the other replicas' reports (worst breaker, freshest success).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { gatewayOptions } from '../caching/harness.js';
import { codes, credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const ORDERS = 60;
const d = demo(ORDERS);
let s: Stack;

beforeAll(async () => {
  // Every read asks the ERP (no fetch cache), once (no retries); three failures open its breaker, for a minute.
  s = await stack({
    orders: ORDERS,
    gateway: gatewayOptions({
      cache: { fetchTtlMs: { erp: 0 } },
      shield: { erp: { retries: 0, breakerFailures: 3, breakerCooldownMs: 60_000 } },
    }),
  });
});
afterAll(() => s?.stop());

let variant = 0;
/** An order read that needs the ERP, under a new response-cache key each time. */
const readOrder = (id: string) =>
  gql(s.gateway.url, `query ($id: ID!) { order(id: $id) { id holds { type } paymentStatus } }\n# ${++variant}`, { id });
const HEALTH =
  'query { operationsHealth { systems { system breaker lastSuccessAt lastFailureAt stalenessMs reporters } } }';
type System = {
  system: string;
  breaker: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  stalenessMs: number | null;
  reporters: number;
};
/** The gateway writes its report now (as its timer does every few seconds), then ops asks the graph. */
async function systems(): Promise<Map<string, System>> {
  await s.gateway.healthWriter!.writeNow();
  const r = await gql(s.gateway.url, HEALTH, {}, await credential('ops'));
  expect(r.body.errors).toBeUndefined();
  return new Map((r.body.data.operationsHealth.systems as System[]).map((x) => [x.system, x]));
}

describe("operationsHealth from the gateways' health reports", () => {
  it('should show each system fresh with a closed breaker, then the ERP breaker OPEN after an outage, merged across replicas', async () => {
    const [a, b, c, e] = d.data.oms.orders.map((o) => o.id);
    expect((await readOrder(a!)).body.errors).toBeUndefined();
    const fresh = await systems();
    expect([...fresh.keys()]).toEqual(expect.arrayContaining(['erp', 'oms']));
    expect(fresh.get('erp')).toMatchObject({ breaker: 'CLOSED', lastFailureAt: null, reporters: 1 });
    expect(fresh.get('erp')!.lastSuccessAt).toMatch(/Z$/);
    expect(fresh.get('erp')!.stalenessMs).toBeGreaterThanOrEqual(0);
    const lastSuccess = fresh.get('erp')!.lastSuccessAt!;

    s.subgraphs.erp.sim.faults.outage = true;
    try {
      for (const id of [b!, c!, e!]) expect(codes(await readOrder(id))).toContain('UPSTREAM_UNAVAILABLE');
    } finally {
      s.subgraphs.erp.sim.faults.outage = false;
    }
    expect(s.gateway.shields.get('erp')!.stats().breaker).toBe('open');
    const tripped = await systems();
    expect(tripped.get('erp')).toMatchObject({ breaker: 'OPEN', lastSuccessAt: lastSuccess });
    expect(Date.parse(tripped.get('erp')!.lastFailureAt!)).toBeGreaterThanOrEqual(Date.parse(lastSuccess));
    expect(tripped.get('oms')).toMatchObject({ breaker: 'CLOSED', lastFailureAt: null });

    // Another replica that saw the ERP fine a moment later: the worst breaker and the freshest success win.
    const later = new Date(Date.now() + 1000).toISOString();
    await s.store.health.report('another-replica', [
      { system: 'erp', breaker: 'CLOSED', lastSuccessAt: later, lastFailureAt: null },
    ]);
    const merged = (await systems()).get('erp')!;
    expect(merged).toMatchObject({ breaker: 'OPEN', lastSuccessAt: later, reporters: 2 });
  });

  it('should refuse operationsHealth to salesforce with FORBIDDEN', async () => {
    expect(codes(await gql(s.gateway.url, HEALTH, {}, await credential('salesforce')))).toContain('FORBIDDEN');
  });
});
