/**
 * Stale-if-error and the breaker, against the simulated ERP's fault knobs switched at runtime:
 * when the ERP is down or answers 429s, the last known ERP slice is served and listed in
 * `extensions.freshness` (no error); such answers never enter the response cache; the breaker
 * opens on consecutive failures, keeps calls off the ERP, and closes after a successful probe.
 *
 * The ERP's fetch cache is off here (as if its entries had expired), so every read that misses
 * the response cache asks the ERP; its shield does not retry, so each read is one ERP outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { codes, gql, type GqlResponse } from '../helpers/http.js';
import { eventually } from '../helpers/ws.js';
import { gatewayOptions, sleep } from './harness.js';

const demo = generateDemo({ orders: 120 });
const COOLDOWN_MS = 600;

let s: Stack;
beforeAll(async () => {
  s = await startStack({
    data: demo.data,
    gateway: gatewayOptions({
      cache: { fetchTtlMs: { erp: 0 } },
      shield: { erp: { retries: 0, breakerFailures: 3, breakerCooldownMs: COOLDOWN_MS } },
    }),
  });
});
afterAll(() => s?.stop());

const ORDER = `query ($id: ID!) { order(id: $id) {
  id number lines { lineNumber quantity }
  acceptedAt holds { type releasedAt } paymentStatus totals { total { amount currency } }
  status
} }`;
/** The same operation under another response-cache key (the text differs; the plan and its fetches do not). */
let variant = 0;
const fresh = (): string => `${ORDER}\n# read ${++variant}`;

const erp = () => s.subgraphs.erp.sim;
const shield = () => s.gateway.shields.get('erp')!;
const ERP_FIELDS = (o: any) => ({
  acceptedAt: o.acceptedAt,
  holds: o.holds,
  paymentStatus: o.paymentStatus,
  totals: o.totals,
});

describe('stale if error', () => {
  it('should serve the last known ERP slice, listed in extensions.freshness, while the ERP is down — and never cache that answer', async () => {
    const id = demo.scenarios.allocated[0]!;
    const known = await gql(s.gateway.url, ORDER, { id });
    expect(known.body.errors).toBeUndefined();
    expect(known.body.extensions?.freshness).toBeUndefined();

    erp().faults.outage = true;
    try {
      const query = fresh();
      for (const attempt of [1, 2]) {
        const before = erp().callCount();
        const r = await gql(s.gateway.url, query, { id });
        expect(r.status).toBe(200);
        expect(r.body.errors).toBeUndefined();
        expect(r.headers.get('x-cache'), `attempt ${attempt}`).toBe('miss'); // a stale answer is not cached
        expect(erp().callCount() - before).toBe(1); // the ERP was asked, and failed
        expect(r.body.data).toEqual(known.body.data);
        expect(r.body.extensions?.freshness).toEqual([
          { subgraph: 'erp', asOf: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), reason: 'UPSTREAM_UNAVAILABLE' },
        ]);
      }

      // Nothing known of this order's ERP slice: that slice alone is null, with a typed error — not cached either.
      const other = demo.scenarios.allocated[1]!;
      for (const attempt of [1, 2]) {
        const r = await gql(s.gateway.url, ORDER, { id: other });
        expect(r.status).toBe(200);
        expect(r.headers.get('x-cache'), `attempt ${attempt}`).toBe('miss');
        expect(r.body.data.order.lines.length).toBeGreaterThan(0);
        expect(r.body.data.order.holds).toBeNull();
        expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
      }
    } finally {
      erp().faults.outage = false;
    }
    await eventually(() => shield().stats().breaker !== 'open', COOLDOWN_MS * 3, 'the breaker not open');
    const query = fresh();
    const healthy = await gql(s.gateway.url, query, { id });
    expect(healthy.headers.get('x-cache')).toBe('miss');
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.extensions?.freshness).toBeUndefined();
    expect((await gql(s.gateway.url, query, { id })).headers.get('x-cache')).toBe('hit');
  });

  it('should serve the last known ERP slice through a 429 storm, stop asking the ERP until its Retry-After, and recover', async () => {
    await eventually(() => shield().stats().breaker === 'closed', COOLDOWN_MS * 3, 'the breaker closed');
    const id = demo.scenarios.accepted[0]!;
    const known = await gql(s.gateway.url, ORDER, { id });
    expect(known.body.errors).toBeUndefined();

    // A fifth of a call per second: every call is refused with Retry-After: 4 — long enough that
    // the storm below ends inside the pause even on a loaded machine.
    erp().faults.rateLimitPerSecond = 0.2;
    let storm: GqlResponse[];
    const before = erp().callCount();
    const fetchesBefore = s.gateway.upstreamFetches().erp ?? 0;
    let callsOfFirst = 0;
    let fetchesOfFirst = 0;
    try {
      const first = await gql(s.gateway.url, fresh(), { id });
      expect(first.body.errors).toBeUndefined();
      expect(first.body.extensions?.freshness).toEqual([
        { subgraph: 'erp', asOf: expect.any(String), reason: 'RATE_LIMITED' },
      ]);
      callsOfFirst = erp().callCount() - before;
      fetchesOfFirst = (s.gateway.upstreamFetches().erp ?? 0) - fetchesBefore;
      storm = await Promise.all(Array.from({ length: 30 }, () => gql(s.gateway.url, fresh(), { id })));
    } finally {
      erp().faults.rateLimitPerSecond = 0;
    }
    for (const r of storm) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect(ERP_FIELDS(r.body.data.order)).toEqual(ERP_FIELDS(known.body.data.order));
      expect(r.body.extensions?.freshness).toEqual([
        { subgraph: 'erp', asOf: expect.any(String), reason: 'RATE_LIMITED' },
      ]);
    }
    // The first 429 paused the ERP's shield until its Retry-After: the storm never reached the ERP.
    // (The first request's plan may hold more than one ERP fetch, each refused: the storm adds none.)
    expect(fetchesOfFirst).toBeGreaterThan(0);
    expect((s.gateway.upstreamFetches().erp ?? 0) - fetchesBefore).toBe(fetchesOfFirst);
    expect(erp().callCount() - before).toBe(callsOfFirst);
    expect(shield().stats().breaker).toBe('closed'); // a 429 is not a failure

    await sleep(4100);
    const after = await gql(s.gateway.url, fresh(), { id });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.extensions?.freshness).toBeUndefined();
  });

  it('should open the breaker after consecutive ERP failures, keep calls off the ERP while open, and close after a good probe', async () => {
    await eventually(() => shield().stats().breaker === 'closed', COOLDOWN_MS * 3, 'the breaker closed');
    const ids = demo.scenarios.delivered.slice(0, 6);
    erp().faults.outage = true;
    try {
      for (const id of ids.slice(0, 3)) {
        expect(shield().stats().breaker).toBe('closed');
        const r = await gql(s.gateway.url, ORDER, { id });
        expect(r.status).toBe(200);
        expect(codes(r)).toContain('UPSTREAM_UNAVAILABLE');
      }
      expect(shield().stats().breaker).toBe('open');

      // Open: the ERP is left alone; the order still answers, its ERP slice null with a typed error.
      const calls = erp().callCount();
      const fetches = s.gateway.upstreamFetches().erp;
      const refused = shield().stats().refused.circuit_open;
      const r = await gql(s.gateway.url, ORDER, { id: ids[3]! });
      expect(r.status).toBe(200);
      expect(r.body.data.order.lines.length).toBeGreaterThan(0);
      expect(r.body.data.order.holds).toBeNull();
      expect(r.body.errors!.find((e) => e.extensions?.serviceName === 'erp')).toMatchObject({
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
        message: expect.stringMatching(/circuit open/),
      });
      expect(erp().callCount()).toBe(calls);
      expect(s.gateway.upstreamFetches().erp).toBe(fetches);
      expect(shield().stats().refused.circuit_open).toBe(refused + 1);
    } finally {
      erp().faults.outage = false;
    }
    // Recovered, but still open until the cooldown: refused without asking.
    const calls = erp().callCount();
    expect(codes(await gql(s.gateway.url, ORDER, { id: ids[4]! }))).toContain('UPSTREAM_UNAVAILABLE');
    expect(erp().callCount()).toBe(calls);

    await sleep(COOLDOWN_MS + 50);
    const probe = await gql(s.gateway.url, ORDER, { id: ids[5]! });
    expect(probe.body.errors).toBeUndefined();
    expect(probe.body.data.order.status).toBe('DELIVERED');
    expect(erp().callCount()).toBeGreaterThan(calls);
    expect(shield().stats().breaker).toBe('closed');
  });
});
