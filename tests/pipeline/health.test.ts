/**
 * `/health/ready` tells anonymous callers only ready or not (issue 16 #10); an operator sees each
 * subgraph as the gateway actually sees it (issue 9 §6): a subgraph in an outage, or whose
 * breaker is open, is not "up" even though its process answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const ORDERS = 20;
let s: Stack;
beforeAll(async () => {
  s = await stack({ orders: ORDERS });
});
afterAll(() => s?.stop());

const ready = async (headers: Record<string, string> = {}) => {
  const res = await fetch(new URL('/health/ready', s.gateway.origin), { headers });
  return { status: res.status, body: (await res.json()) as any };
};

describe('/health/ready', () => {
  it('should tell an anonymous caller only whether the gateway is ready', async () => {
    const r = await ready();
    expect(r).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('should not give the detail to a non-operator credential either', async () => {
    const r = await ready(await credential('salesforce'));
    expect(r.body).toEqual({ status: 'ready' });
  });

  it('should show an operator a subgraph in an outage as down, then its open breaker, and up again once it answers', async () => {
    const ops = await credential('ops');
    expect((await ready(ops)).body.subgraphs.erp.state).toBe('up');
    const id = demo(ORDERS).data.oms.orders[0]!.id;
    const erp = s.subgraphs.erp.sim;
    erp.faults.outage = true;
    try {
      const r = await gql(s.gateway.url, `{ order(id: "${id}") { id acceptedAt } }`);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      const seen = (await ready(ops)).body.subgraphs.erp;
      expect(seen.state).toBe('down');
      expect(seen.detail).toMatch(/UPSTREAM_UNAVAILABLE|circuit open/);
      for (let i = 0; i < 20 && s.gateway.shields.get('erp')!.stats().breaker !== 'open'; i++)
        await gql(s.gateway.url, `{ order(id: "${id}") { id acceptedAt } }`);
      expect((await ready(ops)).body.subgraphs.erp).toMatchObject({
        state: 'down',
        breaker: 'open',
        detail: 'circuit open: the gateway is not calling it',
      });
    } finally {
      erp.faults.outage = false;
    }
    expect((await ready(ops)).body.subgraphs.oms.state).toBe('up');
  });
});
