/**
 * The response cache stage's early answer (gateway/pipeline/stages/responseCache.ts) must be the
 * answer the full pipeline would give: same bytes, same refusals, same CORS behaviour, the media
 * type the client asked for, and nothing for callers whose credential was not verified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { credential, gql, requestHeaders } from '../helpers/http.js';

const demo = generateDemo({ orders: 80 });
const ORDER = 'query ($id: ID!) { order(id: $id) { id number status holds { type } } }';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ data: demo.data });
});
afterAll(() => s?.stop());

const post = async (body: string, headers: Record<string, string>) => {
  const res = await fetch(s.gateway.url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe("the response cache stage's early answer", () => {
  it('should answer a hit with the same bytes the pipeline answered, without asking any subgraph', async () => {
    const id = demo.data.oms.orders[4]!.id;
    const headers = await requestHeaders();
    const body = JSON.stringify({ query: ORDER, variables: { id } });
    const miss = await post(body, headers);
    expect(miss.headers.get('x-cache')).toBe('miss');
    const before = s.gateway.upstreamFetches();
    const hit = await post(body, headers);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(hit.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(hit.text)).toEqual(JSON.parse(miss.text));
    expect(s.gateway.upstreamFetches()).toEqual(before);
  });

  it('should answer a hit in the media type the client asked for (GraphQL over HTTP)', async () => {
    const id = demo.data.oms.orders[7]!.id;
    const body = JSON.stringify({ query: ORDER, variables: { id } });
    const asked = { ...(await requestHeaders()), accept: 'application/graphql-response+json' };
    const miss = await post(body, asked);
    expect(miss.headers.get('x-cache')).toBe('miss');
    expect(miss.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const hit = await post(body, asked);
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(hit.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const json = await post(body, { ...asked, accept: 'application/json' });
    expect(json.headers.get('x-cache')).toBe('hit');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('should refuse a body that is not JSON as the pipeline does, for a remembered caller too', async () => {
    const headers = await requestHeaders();
    await gql(s.gateway.url, '{ __typename }'); // the credential is now remembered
    const r = await post('{"query": ', headers);
    expect(r.status).toBe(400);
    const body = JSON.parse(r.text);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors[0].message).toBe(
      'request body must be valid JSON: Unexpected end of JSON input at line 1, column 11 (position 10), near "{\\"query\\": "',
    );
  });

  it('should never answer a caller whose credential the normal path has not verified', async () => {
    const id = demo.data.oms.orders[5]!.id;
    const body = JSON.stringify({ query: ORDER, variables: { id } });
    await post(body, await requestHeaders()); // cached for the salesforce scope
    const forged = await post(
      body,
      await requestHeaders({ authorization: `${(await requestHeaders()).authorization}x` }),
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('x-cache')).toBeNull();
  });

  it('should put CORS headers on hits too', async () => {
    const id = demo.data.oms.orders[6]!.id;
    const headers = { ...(await requestHeaders()), origin: 'https://acme.lightning.force.com' };
    const body = JSON.stringify({ query: ORDER, variables: { id } });
    await post(body, headers);
    const hit = await post(body, headers);
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(hit.headers.get('access-control-allow-origin')).toBe('https://acme.lightning.force.com');
  });

  it('should never serve a persisted-only partner from it', async () => {
    const partner = await credential('partner', { partnerNodeId: 'DS-ACME' });
    const r = await gql(s.gateway.url, ORDER, { id: demo.data.oms.orders[4]!.id }, partner);
    expect(r.status).toBe(403);
    expect(r.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });
});
