import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../../canonical/systems.js';
import { devPartnerKey } from '../../gateway/auth/consumers.js';
import { accessStack, as, badTokens, fixtures, get, post, query, type Fixtures, type RawResponse } from './harness.js';

/**
 * Credentials on the wire, as a client meets them over HTTP (the verification rules themselves are
 * unit-tested in tests/auth): every /graphql request needs one; a missing, forged, expired,
 * wrong-audience or wrong-issuer credential is answered 401 UNAUTHENTICATED with a GraphQL JSON
 * body and WWW-Authenticate, before any subgraph is asked anything.
 */

let s: Stack;
let f: Fixtures;
beforeAll(async () => {
  ({ s } = await accessStack());
  f = fixtures();
});
afterAll(async () => {
  await s?.stop();
});

const ORDER = 'query ($id: ID!) { order(id: $id) { id customer { id } } }';

/** Sends `send` with the subgraphs' call counters reset; asserts a 401 that reached no subgraph. */
async function expectUnauthenticated(send: () => Promise<RawResponse>, reason?: string): Promise<RawResponse> {
  for (const name of SUBGRAPH_NAMES) s.subgraphs[name].sim.resetCalls();
  const r = await send();
  expect(r.status, r.text.slice(0, 300)).toBe(401);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(r.body.data).toBeUndefined();
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', ...(reason ? { reason } : {}) });
  expect(r.body.errors![0]!.message).toMatch(/^expected /);
  expect(r.text).not.toContain(f.orderA);
  for (const name of SUBGRAPH_NAMES) expect(s.subgraphs[name].sim.callCount(), `${name} was asked nothing`).toBe(0);
  return r;
}

describe('authentication over HTTP', () => {
  it('should answer a request without a credential 401 UNAUTHENTICATED, POST and GET alike', async () => {
    const r = await expectUnauthenticated(() => query(s.gateway.url, {}, ORDER, { id: f.orderA }), 'missing');
    expect(r.body.errors![0]!.message).toMatch(/Authorization: Bearer <JWT> or X-Api-Key/);
    const url = `${s.gateway.url}?query=${encodeURIComponent('{ orders { totalCount } }')}`;
    await expectUnauthenticated(() => get(url, { 'apollo-require-preflight': 'true' }), 'missing');
  });

  it('should answer the health endpoints without a credential', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const r = await get(`${s.gateway.origin}${path}`);
      expect(r.status, path).toBe(200);
    }
  });

  it.each(['forged', 'expired', 'wrongAudience', 'wrongIssuer'] as const)(
    'should refuse the %s token with 401',
    async (kind) => {
      const tokens = await badTokens(f.customerA);
      const reasons = {
        forged: 'signature',
        expired: 'expired',
        wrongAudience: 'unknown_audience',
        wrongIssuer: 'issuer',
      };
      await expectUnauthenticated(
        () => query(s.gateway.url, { authorization: `Bearer ${tokens[kind]}` }, ORDER, { id: f.orderA }),
        reasons[kind],
      );
    },
  );

  it("should refuse a token whose payload was changed after signing (another customer's sub)", async () => {
    const [header, payload, signature] = (await as.customer(f.customerA))
      .authorization!.slice('Bearer '.length)
      .split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: f.customerB })).toString('base64url');
    await expectUnauthenticated(
      () =>
        query(s.gateway.url, { authorization: `Bearer ${header}.${altered}.${signature}` }, ORDER, { id: f.orderB }),
      'signature',
    );
  });

  it('should refuse an unsigned token (alg none), a malformed header, an unknown and an altered API key', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ aud: 'salesforce', sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`;
    await expectUnauthenticated(() =>
      query(s.gateway.url, { authorization: `Bearer ${none}` }, ORDER, { id: f.orderA }),
    );
    await expectUnauthenticated(
      () => query(s.gateway.url, { authorization: 'Basic dXNlcjpwYXNz' }, ORDER, { id: f.orderA }),
      'malformed',
    );
    const key = devPartnerKey(f.partnerNode);
    await expectUnauthenticated(
      () => post(s.gateway.url, { query: '{ __typename }' }, { 'x-api-key': `dev-NOWHERE.${key.split('.').at(-1)}` }),
      'unknown_api_key',
    );
    await expectUnauthenticated(
      () => post(s.gateway.url, { query: '{ __typename }' }, { 'x-api-key': `${key.slice(0, -2)}xx` }),
      'wrong_api_key',
    );
  });

  it('should refuse two credentials at once', async () => {
    const headers = { ...(await as.customer(f.customerA)), ...(await as.partner(f.partnerNode)) };
    await expectUnauthenticated(() => query(s.gateway.url, headers, ORDER, { id: f.orderA }), 'ambiguous');
  });

  it('should answer each valid credential (the refusals above are about the credential, not the request)', async () => {
    for (const headers of [await as.salesforce(), await as.ops(), await as.customer(f.customerA)]) {
      const r = await query(s.gateway.url, headers, ORDER, { id: f.orderA });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(r.body.data.order.id).toBe(f.orderA);
    }
  });
});
