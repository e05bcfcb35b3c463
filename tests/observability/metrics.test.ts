/**
 * Prometheus metrics (issue 11 item 5): they change as requests and events flow, label operations
 * only by the manifest's names, and are readable only by an ops credential or on the metrics port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { credential, gatewaySignature, gql } from '../helpers/http.js';
import { labelValues, sample, scrape } from '../helpers/metrics.js';
import { demo, stack } from '../helpers/stack.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const ORDERS = 120;
const SECRET = 'metrics-test-webhook-secret-01';
let s: Stack;
let ops: Record<string, string>;
beforeAll(async () => {
  s = await stack({
    orders: ORDERS,
    bus: new MemoryEventBus(),
    statusStore: new MemoryStatusStore(),
    seedTracker: true,
    webhookSecret: SECRET,
    gateway: { metricsPort: 0 },
  });
  await s.gateway.tracker!.whenSeeded();
  ops = await credential('ops');
});
afterAll(() => s?.stop());

const metrics = async (): Promise<string> => {
  const r = await scrape(s.gateway.origin, ops);
  expect(r.status).toBe(200);
  return r.text;
};
const orderId = (i: number): string => demo(ORDERS).data.oms.orders[i]!.id;

describe('gateway /metrics', () => {
  it('should refuse a caller without an ops credential with 403, and answer ops with ovg_ metrics', async () => {
    const anonymous = await scrape(s.gateway.origin);
    expect(anonymous.status).toBe(403);
    expect(anonymous.text).toContain('expected an ops credential');
    expect(anonymous.text).not.toContain('ovg_');
    const salesforce = await scrape(s.gateway.origin, await credential('salesforce'));
    expect(salesforce.status).toBe(403);
    const text = await metrics();
    expect(text).toContain('# TYPE ovg_http_requests_total counter');
    expect(text).toContain('# TYPE ovg_process_cpu_user_seconds_total counter');
  });

  it('should serve /metrics without a credential on the metrics port, and nothing else there', async () => {
    const port = s.gateway.metricsServer!;
    const r = await scrape(port.origin);
    expect(r.status).toBe(200);
    expect(r.text).toContain('ovg_http_requests_total');
    const other = await fetch(new URL('/graphql', port.origin));
    expect(other.status).toBe(404);
  });

  it('should count a query under its manifest operation name and consumer, with its duration', async () => {
    const labels = { operation: 'AgentOrderDetail', consumer: 'salesforce', status: '200' };
    const before = sample(await metrics(), 'ovg_http_requests_total', labels);
    const r = await gql(s.gateway.url, `query AgentOrderDetail($id: ID!) { order(id: $id) { id status } }`, {
      id: orderId(0),
    });
    expect(r.body.errors).toBeUndefined();
    const text = await metrics();
    expect(sample(text, 'ovg_http_requests_total', labels)).toBe(before + 1);
    expect(
      sample(text, 'ovg_http_request_duration_seconds_count', {
        operation: 'AgentOrderDetail',
        consumer: 'salesforce',
      }),
    ).toBeGreaterThanOrEqual(before + 1);
  });

  it('should label an operation name the manifest does not know as other, never as the client wrote it', async () => {
    const before = sample(await metrics(), 'ovg_http_requests_total', { operation: 'other', consumer: 'salesforce' });
    await gql(s.gateway.url, `query MadeUpByAClient { order(id: "${orderId(1)}") { id } }`);
    const text = await metrics();
    expect(sample(text, 'ovg_http_requests_total', { operation: 'other', consumer: 'salesforce' })).toBe(before + 1);
    expect(labelValues(text, 'ovg_http_requests_total', 'operation')).not.toContain('MadeUpByAClient');
  });

  it('should count a refused request with its status and consumer anonymous', async () => {
    const before = sample(await metrics(), 'ovg_http_requests_total', { consumer: 'anonymous', status: '401' });
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { authorization: 'Bearer not-a-token' });
    expect(r.status).toBe(401);
    expect(sample(await metrics(), 'ovg_http_requests_total', { consumer: 'anonymous', status: '401' })).toBe(
      before + 1,
    );
  });

  it('should time each subgraph fetch and count the failed ones by code', async () => {
    const before = await metrics();
    const erpBefore = sample(before, 'ovg_subgraph_fetch_duration_seconds_count', { subgraph: 'erp' });
    const errorsBefore = sample(before, 'ovg_subgraph_fetch_errors_total', {
      subgraph: 'erp',
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect((await gql(s.gateway.url, `{ order(id: "${orderId(2)}") { id acceptedAt } }`)).body.errors).toBeUndefined();
    const mid = await metrics();
    expect(sample(mid, 'ovg_subgraph_fetch_duration_seconds_count', { subgraph: 'erp' })).toBeGreaterThan(erpBefore);
    expect(sample(mid, 'ovg_subgraph_fetch_duration_seconds_count', { subgraph: 'oms' })).toBeGreaterThan(0);
    s.subgraphs.erp.sim.faults.outage = true;
    try {
      const r = await gql(s.gateway.url, `{ order(id: "${orderId(3)}") { id acceptedAt } }`);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      s.subgraphs.erp.sim.faults.outage = false;
    }
    expect(
      sample(await metrics(), 'ovg_subgraph_fetch_errors_total', { subgraph: 'erp', code: 'UPSTREAM_UNAVAILABLE' }),
    ).toBeGreaterThan(errorsBefore);
  });

  it('should count response cache misses and hits', async () => {
    const query = `query AgentOrderDetail($id: ID!) { order(id: $id) { id number } }`;
    const before = await metrics();
    const hits = sample(before, 'ovg_cache_requests_total', { cache: 'response', result: 'hit' });
    const misses = sample(before, 'ovg_cache_requests_total', { cache: 'response', result: 'miss' });
    const first = await gql(s.gateway.url, query, { id: orderId(4) });
    const second = await gql(s.gateway.url, query, { id: orderId(4) });
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);
    const after = await metrics();
    expect(sample(after, 'ovg_cache_requests_total', { cache: 'response', result: 'miss' })).toBe(misses + 1);
    expect(sample(after, 'ovg_cache_requests_total', { cache: 'response', result: 'hit' })).toBe(hits + 1);
  });

  it('should show the bytes the in-process cache holds, growing with a new entry', async () => {
    const before = sample(await metrics(), 'ovg_cache_memory_bytes');
    const r = await gql(s.gateway.url, `query CacheBytes($id: ID!) { order(id: $id) { id number } }`, {
      id: orderId(5),
    });
    expect(r.headers.get('x-cache')).toBe('miss');
    expect(sample(await metrics(), 'ovg_cache_memory_bytes')).toBeGreaterThan(before);
  });

  it('should show each subgraph breaker state and rate-limit tokens', async () => {
    const text = await metrics();
    expect(labelValues(text, 'ovg_shield_breaker_state', 'subgraph').sort()).toEqual(
      [...s.gateway.shields.keys()].sort(),
    );
    expect(sample(text, 'ovg_shield_breaker_state', { subgraph: 'oms' })).toBe(0);
    const tokens = sample(text, 'ovg_shield_tokens', { subgraph: 'oms' });
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(s.gateway.shields.get('oms')!.stats().tokens! + 1e-6);
  });

  it('should raise the active subscriptions gauge while a subscription runs, and record the lag of each hop of an event', async () => {
    const id = demo(ORDERS).scenarios.allocated[0]!;
    const before = await metrics();
    const client = wsClient(s.gateway.url);
    try {
      const sub = collect(client, 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { status } }', { o: id });
      await eventually(() => s.gateway.subscriptions!.subscribers() === 1, 3000, 'subscribed');
      expect(sample(await metrics(), 'ovg_subscriptions_active')).toBe(sample(before, 'ovg_subscriptions_active') + 1);
      const raw = JSON.stringify({
        notificationId: 'ERP-METRICS-1',
        eventType: 'HOLD_PLACED',
        postedAt: '2026-11-20T10:00:00Z',
        salesOrder: { orderRef: id },
        hold: { type: 'FRAUD', reason: 'velocity check' },
      });
      const res = await fetch(s.subgraphs.erp.ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
        body: raw,
      });
      expect(res.status).toBe(200);
      await sub.waitFor(1);
      const after = await metrics();
      for (const hop of ['recorded', 'published', 'delivered']) {
        expect(sample(after, 'ovg_event_lag_seconds_count', { hop }), hop).toBeGreaterThan(
          sample(before, 'ovg_event_lag_seconds_count', { hop }),
        );
      }
    } finally {
      await client.dispose();
    }
    await eventually(
      async () => sample(await metrics(), 'ovg_subscriptions_active') === sample(before, 'ovg_subscriptions_active'),
      3000,
      'gauge back down',
    );
  });

  it('should expose the open dead letters and exceptions the visibility store reports', async () => {
    s.gateway.metrics.visibility.source(() => ({
      deadLetters: { 'salesforce.sync': 2 },
      openExceptions: { LATE_SHIPMENT: 3, STUCK_ALLOCATION: 1 },
    }));
    s.gateway.metrics.visibility.exceptionOpened('LATE_SHIPMENT');
    const text = await metrics();
    expect(sample(text, 'ovg_dead_letters_open', { kind: 'salesforce.sync' })).toBe(2);
    expect(sample(text, 'ovg_exceptions_open', { type: 'LATE_SHIPMENT' })).toBe(3);
    expect(sample(text, 'ovg_exceptions_open', { type: 'STUCK_ALLOCATION' })).toBe(1);
    expect(sample(text, 'ovg_exceptions_opened_total', { type: 'LATE_SHIPMENT' })).toBe(1);
  });
});

describe('subgraph /metrics', () => {
  it('should refuse a caller without the gateway-signed ops identity, and count the requests it served', async () => {
    const oms = s.subgraphs.oms.service;
    expect((await scrape(oms.origin)).status).toBe(403);
    expect(
      (
        await scrape(
          oms.origin,
          await gatewaySignature(oms.url, '', { consumer: 'storefront', subject: 'CUST-00001', scopes: [] }),
        )
      ).status,
    ).toBe(403);
    await gql(s.gateway.url, `{ order(id: "${orderId(5)}") { id } }`);
    const r = await scrape(oms.origin, await gatewaySignature(oms.url, ''));
    expect(r.status).toBe(200);
    expect(
      sample(r.text, 'ovg_subgraph_requests_total', { subgraph: 'oms', route: 'graphql', status: '200' }),
    ).toBeGreaterThan(0);
    expect(
      sample(r.text, 'ovg_subgraph_request_duration_seconds_count', { subgraph: 'oms', route: 'graphql' }),
    ).toBeGreaterThan(0);
  });
});
