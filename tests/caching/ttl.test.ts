/**
 * How long entries may live: the gateway's TTLs per subgraph and per type (CACHE_TTL_<SUBGRAPH>_MS,
 * CACHE_TYPE_TTLS), bounded by each subgraph's own `Cache-Control` (what the system owner allows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { cacheConfigFromEnv } from '../../gateway/cache/config.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { cacheControlMaxAgeMs } from '../../gateway/subgraphs/dataSource.js';
import { ConfigError } from '../../runtime/env.js';
import { DEFAULT_CACHE_MAX_AGE_SECONDS } from '../../subgraphs/common/server.js';
import { gatewaySignature, gql, requestHeaders } from '../helpers/http.js';

const demo = generateDemo({ orders: 120 });
const WITH_SHIPMENTS = 'query ($id: ID!) { order(id: $id) { id status shipments { id status } } }';
const WITHOUT = 'query ($id: ID!) { order(id: $id) { id status holds { type } } }';

describe('Cache-Control from subgraphs', () => {
  it('should read max-age, prefer s-maxage, and treat no-store and no-cache as "do not keep"', () => {
    expect(cacheControlMaxAgeMs('max-age=60, public')).toBe(60_000);
    expect(cacheControlMaxAgeMs('public, max-age=30, s-maxage=10')).toBe(10_000);
    expect(cacheControlMaxAgeMs('no-store')).toBe(0);
    expect(cacheControlMaxAgeMs('No-Cache, max-age=60')).toBe(0);
    expect(cacheControlMaxAgeMs(null)).toBeUndefined();
    expect(cacheControlMaxAgeMs('public')).toBeUndefined();
  });

  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ data: demo.data });
  });
  afterAll(() => s?.stop());

  it('should have every subgraph say how long its answers may be kept', async () => {
    const probe = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    for (const name of ['erp', 'oms', 'wms', 'returns'] as const) {
      const url = s.subgraphs[name].service.url;
      const body = JSON.stringify({
        query: probe,
        variables: { r: [{ __typename: 'Order', id: demo.data.oms.orders[0]!.id }] },
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...(await requestHeaders()), ...(await gatewaySignature(url, body)) },
        body,
      });
      expect(res.status).toBe(200);
      expect(cacheControlMaxAgeMs(res.headers.get('cache-control')), name).toBe(
        DEFAULT_CACHE_MAX_AGE_SECONDS[name]! * 1000,
      );
    }
  });
});

describe('per-type TTLs', () => {
  it('should parse CACHE_TYPE_TTLS and name a bad entry', () => {
    expect(cacheConfigFromEnv({ CACHE_TYPE_TTLS: 'Shipment=10000, Payment=0' }).typeTtlMs).toEqual({
      Shipment: 10_000,
      Payment: 0,
    });
    expect(() => cacheConfigFromEnv({ CACHE_TYPE_TTLS: 'Shipment=soon' })).toThrow(ConfigError);
    expect(() => cacheConfigFromEnv({ CACHE_TYPE_TTLS: 'Shipment=soon' })).toThrow(
      /CACHE_TYPE_TTLS must be Type=<ms.*received "Shipment=soon"/,
    );
  });

  let s: Stack;
  beforeAll(async () => {
    const d = defaultGatewayConfig();
    // Answers containing a Shipment are not kept at all; others as usual.
    s = await startStack({ data: demo.data, gateway: { cache: { ...d.cache, typeTtlMs: { Shipment: 0 } } } });
  });
  afterAll(() => s?.stop());

  it('should keep an answer only as long as its shortest-lived type allows', async () => {
    const shipped = demo.data.wms.shipments[0]!.orderId;
    for (const [query, cached] of [
      [WITH_SHIPMENTS, 'miss'],
      [WITHOUT, 'hit'],
    ] as const) {
      const first = await gql(s.gateway.url, query, { id: shipped });
      expect(first.body.errors).toBeUndefined();
      const second = await gql(s.gateway.url, query, { id: shipped });
      expect(second.headers.get('x-cache'), query).toBe(cached);
      expect(second.body).toEqual(first.body);
    }
  });
});
