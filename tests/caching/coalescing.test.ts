/**
 * Coalescing of identical subgraph fetches, counted at the gateway and at the simulated ERP. The
 * response cache is off in this file, so every request reaches the subgraph fetches: what keeps
 * the ERP's load at one call is the shield's single flight (and, for `order(id:)`, the fetch cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { gql, type GqlResponse } from '../helpers/http.js';
import { erpHold, gatewayOptions, later, SECRET, sleep, webhook } from './harness.js';

const demo = generateDemo({ orders: 120 });
/** Distinct orders the ERP accepted (four are needed; the demo's scenario mix decides how many of each kind there are). */
const ACCEPTED = [...demo.scenarios.accepted, ...demo.scenarios.allocated];
const BY_NUMBER =
  'query ($n: String!) { orderByNumber(number: $n) { id acceptedAt holds { type releasedAt } paymentStatus } }';
const BY_ID = 'query ($id: ID!) { order(id: $id) { id acceptedAt holds { type releasedAt } paymentStatus } }';

let s: Stack;
beforeAll(async () => {
  s = await startStack({
    data: demo.data,
    bus: new MemoryEventBus(),
    webhookSecret: SECRET,
    gateway: gatewayOptions({ cache: { responseTtlMs: 0 } }),
  });
});
afterAll(() => s?.stop());

const erpFetches = (): number => s.gateway.upstreamFetches().erp!;
const numberOf = (id: string): string => demo.data.oms.orders.find((o) => o.id === id)!.number;

/**
 * Holds every ERP call until the ERP shield has been asked for `n` more fetches than now (or 5 s
 * passed): the reads then surely overlap at the ERP, however slowly the machine serves them.
 */
function holdErpUntilAsked(n: number): () => void {
  const sim = s.subgraphs.erp.sim;
  const shield = s.gateway.shields.get('erp')!;
  const target = shield.stats().calls + n;
  const call = sim.call.bind(sim);
  sim.call = async <T>(method: string, work: () => T): Promise<T> => {
    const deadline = Date.now() + 5000;
    while (shield.stats().calls < target && Date.now() < deadline) await sleep(5);
    return call(method, work);
  };
  return () => {
    sim.call = call;
  };
}

describe('coalescing identical fetches', () => {
  it('should make one ERP call for 100 concurrent identical reads that no cache answers', async () => {
    const id = ACCEPTED[0]!;
    const sim = s.subgraphs.erp.sim;
    const fetches = erpFetches();
    const calls = sim.callCount();
    const stats = s.gateway.shields.get('erp')!.stats();
    const release = holdErpUntilAsked(100);
    try {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => gql(s.gateway.url, BY_NUMBER, { n: numberOf(id) })),
      );
      for (const r of answers) {
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.orderByNumber.id).toBe(id);
      }
    } finally {
      release();
    }
    expect(erpFetches() - fetches).toBe(1);
    expect(sim.callCount() - calls).toBe(1);
    expect(s.gateway.shields.get('erp')!.stats().coalesced - stats.coalesced).toBe(99);
  });

  it('should make one ERP call for 100 concurrent reads of one order, and none for the next 100 (fetch cache)', async () => {
    const id = ACCEPTED[1]!;
    const sim = s.subgraphs.erp.sim;
    const fetches = erpFetches();
    const calls = sim.callCount();
    for (let round = 0; round < 2; round++) {
      const release = round === 0 ? holdErpUntilAsked(100) : () => {};
      try {
        const answers = await Promise.all(Array.from({ length: 100 }, () => gql(s.gateway.url, BY_ID, { id })));
        for (const r of answers) expect(r.body.data.order.id).toBe(id);
      } finally {
        release();
      }
      expect(erpFetches() - fetches).toBe(1);
      expect(sim.callCount() - calls).toBe(1);
    }
  });

  it.each([
    { by: 'id (fetch cache keyed on the order)', query: BY_ID, n: 2 },
    { by: 'number (coalesced on the versions clock)', query: BY_NUMBER, n: 3 },
  ])(
    "should not give a read by $by that starts after a webhook's 2xx the answer of a fetch that started before it",
    async ({ query, n }) => {
      const id = ACCEPTED[n]!;
      const variables = query === BY_ID ? { id } : { n: numberOf(id) };
      const pick = (r: GqlResponse) => (query === BY_ID ? r.body.data.order : r.body.data.orderByNumber);
      const sim = s.subgraphs.erp.sim;
      // A slow ERP that reads its records at once and answers 400 ms later: what a read in flight
      // while a change is acknowledged looks like (a copy, as a remote system returns).
      const call = sim.call.bind(sim);
      sim.call = async <T>(method: string, work: () => T): Promise<T> => {
        const value = structuredClone(await call(method, work));
        await sleep(400);
        return value;
      };
      try {
        const calls = sim.callCount();
        const first = gql(s.gateway.url, query, variables);
        while (sim.callCount() === calls) await sleep(5); // the first read is at the ERP
        expect((await webhook(s, 'erp', erpHold(id, later(1)))).status).toBe(200);
        const second = await gql(s.gateway.url, query, variables);
        expect(pick(second).holds).toContainEqual({ type: 'FRAUD', releasedAt: null });
        // The first read may answer either value; nothing it fetched may be cached as current.
        await first;
        const third = await gql(s.gateway.url, query, variables);
        expect(pick(third).holds).toContainEqual({ type: 'FRAUD', releasedAt: null });
      } finally {
        sim.call = call;
      }
    },
  );
});
