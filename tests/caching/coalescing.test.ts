/**
 * Coalescing of identical subgraph fetches, counted at the gateway and at the simulated ERP. The
 * response cache is off in this file, so every request reaches the subgraph fetches: what keeps
 * the ERP's load at one call is the shield's single flight (and, for `order(id:)`, the fetch cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { gql } from '../helpers/http.js';
import { gatewayOptions, SECRET, sleep } from './harness.js';

const demo = generateDemo({ orders: 120 });
const BY_NUMBER = 'query ($n: String!) { orderByNumber(number: $n) { id acceptedAt holds { type releasedAt } paymentStatus } }';
const BY_ID = 'query ($id: ID!) { order(id: $id) { id acceptedAt holds { type releasedAt } paymentStatus } }';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ data: demo.data, bus: new MemoryEventBus(), webhookSecret: SECRET, gateway: gatewayOptions({ cache: { responseTtlMs: 0 } }) });
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
    const id = demo.scenarios.accepted[0]!;
    const sim = s.subgraphs.erp.sim;
    const fetches = erpFetches();
    const calls = sim.callCount();
    const stats = s.gateway.shields.get('erp')!.stats();
    const release = holdErpUntilAsked(100);
    try {
      const answers = await Promise.all(Array.from({ length: 100 }, () => gql(s.gateway.url, BY_NUMBER, { n: numberOf(id) })));
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
    const id = demo.scenarios.accepted[1]!;
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
});
