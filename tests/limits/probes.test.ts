import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { DEFAULT_LIMITS } from '../../gateway/limits/index.js';
import { codes, credential, gql, requestHeaders, salesforceAuthorization } from '../helpers/http.js';
import { expectRefused, limitsStack, post, times } from './harness.js';

let s: Stack;
beforeAll(async () => {
  s = await limitsStack();
});
afterAll(async () => {
  await s?.stop();
});

/** The graphql-cop probe list, each refused before planning with a message naming the limit. */
describe('graphql-cop probes', () => {
  it('should refuse alias overloading (500 aliases) at the token limit', async () => {
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ ${times(500, (i) => `a${i}: __typename`)} }`),
      /^document token count \d+ exceeds the limit of 500$/,
    );
  });

  it('should refuse a batch of queries (a JSON array body) as LIMIT_EXCEEDED', async () => {
    const r = await expectRefused(
      s,
      () => post(s.gateway.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      /^batch size 2 exceeds the limit of 1: send one operation per request/,
    );
    expect(r.body.errors![0]!.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 1, value: 2 });
  });

  it('should refuse field duplication (the same field 500 times) at the token limit', async () => {
    await expectRefused(
      s,
      () => gql(s.gateway.url, `query cop { ${times(500, () => '__typename')} }`),
      /^document token count 504 exceeds the limit of 500$/,
    );
  });

  it('should refuse directive overloading (@include × 100 on one field)', async () => {
    // 100 directives are 700 tokens: parsing stops first; 30 of them meet the directive rule.
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ __typename ${times(100, () => '@include(if: true)')} }`),
      /^document token count 703 exceeds the limit of 500$/,
    );
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ __typename ${times(30, () => '@include(if: true)')} }`),
      /^directive count on field __typename 30 exceeds the limit of 4$/,
    );
  });

  it('should refuse circular introspection', async () => {
    const nest = 'fields { type { ofType { '.repeat(5);
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ __schema { types { ${nest} name ${'} } } '.repeat(5)} } } }`),
      /^query (depth|cost) \d+ exceeds the limit of \d+$/,
    );
  });

  it('should refuse a mutation sent as GET', async () => {
    const url = `${s.gateway.url}?query=${encodeURIComponent('mutation { __typename }')}`;
    const res = await fetch(url, {
      headers: { 'apollo-require-preflight': 'true', authorization: await salesforceAuthorization() },
    });
    const body: any = await res.json();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(body.data ?? undefined).toBeUndefined();
    // Validation refuses it (this graph has no mutations) or Apollo Server's GET-only-queries rule
    // (405), whose BAD_REQUEST the gateway says in its own enum: BAD_USER_INPUT.
    expect(body.errors[0].extensions.code).toMatch(/^(GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT)$/);
  });

  it('should refuse a deep query', async () => {
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ ${'a { '.repeat(20)} b ${'} '.repeat(20)} }`),
      /^query depth 21 exceeds the limit of 15$/,
    );
  });

  it('should refuse nested lists priced by first: 100', async () => {
    const page =
      'orders(first: 100) { edges { node { shipments { events { status } lines { quantity } } returns { lines { quantity } receipt { lines { quantity } } } invoices { lines { amount { amount } } } } } }';
    await expectRefused(
      s,
      () => gql(s.gateway.url, `{ ${times(7, (i) => `p${i}: ${page}`)} }`),
      /^query cost 115507 exceeds the limit of 100000$/,
    );
  });

  it('should answer a body over the size limit with 413 LIMIT_EXCEEDED naming the limit and the size', async () => {
    const body = JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(1_100_000) });
    const res = await fetch(s.gateway.url, { method: 'POST', headers: await requestHeaders(), body });
    expect(res.status).toBe(413);
    const err = ((await res.json()) as any).errors[0];
    expect(err.message).toBe(
      `request body too large: body size ${Buffer.byteLength(body)} bytes exceeds the limit of 1048576 bytes`,
    );
    expect(err.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 1_048_576, value: Buffer.byteLength(body) });
  });

  it('should not suggest field names ("Did you mean …")', async () => {
    const r = await gql(s.gateway.url, '{ order(id: "x") { numbr } }');
    expect(r.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors![0]!.message).toBe('Cannot query field "numbr" on type "Order".');
  });

  it('should refuse introspection to external consumers and allow it to ops', async () => {
    for (const consumer of ['salesforce', 'storefront'] as const) {
      const r = await gql(
        s.gateway.url,
        '{ __schema { queryType { name } } }',
        undefined,
        await credential(consumer, { customerId: 'CUST-00001' }),
      );
      expect(r.status).toBe(403);
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.body.data ?? undefined).toBeUndefined();
    }
    const partner = await gql(
      s.gateway.url,
      '{ __schema { queryType { name } } }',
      undefined,
      await credential('partner', { partnerNodeId: 'DC-EAST' }),
    );
    expect(codes(partner)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
    const ops = await gql(s.gateway.url, '{ __schema { queryType { name } } }', undefined, await credential('ops'));
    expect(ops.body.errors).toBeUndefined();
    expect(ops.body.data.__schema.queryType.name).toBe('Query');
  });

  it('should keep the limits of the defaults documented in docs/limits.md', () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      maxTokens: 500,
      maxDepth: 15,
      maxAliases: 30,
      maxRootFields: 10,
      maxDirectivesPerField: 4,
      maxDirectives: 50,
      maxBatch: 1,
    });
  });
});
