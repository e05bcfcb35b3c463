/**
 * Client mistakes are the client's (issue 16 #9): each answers a 4xx with a stable code from the
 * one ErrorCode enum and a message saying what was expected — never 500 "internal error".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { requestHeaders } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await stack({ orders: 20 });
});
afterAll(() => s?.stop());

const post = async (body: string | object, headers: Record<string, string> = {}) => {
  const res = await fetch(s.gateway.url, {
    method: 'POST',
    headers: { ...(await requestHeaders()), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors: { message: string; extensions: Record<string, unknown> }[] },
  };
};

describe('client mistakes', () => {
  it('should refuse an operationName that names no operation with 400 GRAPHQL_VALIDATION_FAILED naming the operations there are', async () => {
    const r = await post({ query: 'query Mine { __typename }', operationName: 'Yours' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0]!.message).toBe(
      'operationName "Yours" names no operation of the document; it has 1 operation (Mine)',
    );
  });

  it.each([
    ['a subscription', 'subscription { orderStatusChanged { status } }', 'subscription'],
    ['a mutation', 'mutation { order(id: "ORD-000001") { id } }', 'mutation'],
  ])(
    'should refuse %s over HTTP with 400 GRAPHQL_VALIDATION_FAILED, not a 500 from the planner',
    async (_what, query, kind) => {
      const r = await post({ query });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.body.errors[0]!.message).toMatch(
        kind === 'subscription' ? /only queries and mutations run over HTTP.*graphql-ws/ : /mutation/i,
      );
    },
  );

  it('should refuse two operations without operationName with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await post({ query: 'query A { __typename } query B { __typename }' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0]!.message).toBe(
      'the document has 2 operations (A, B): name the one to run with operationName',
    );
  });

  it('should refuse variables nested 5,000 deep with 400 LIMIT_EXCEEDED, before anything walks them', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const r = await post(`{"query":"query ($x: String) { __typename }","variables":{"x":${deep}}}`);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 64 });
    expect(r.body.errors[0]!.message).toMatch(/^variables nesting depth exceeds the limit of 64 levels/);
  });

  it("should refuse an APQ registration whose hash is not its query's with 400 BAD_USER_INPUT", async () => {
    const r = await post({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors[0]!.message).toMatch(
      /^extensions\.persistedQuery\.sha256Hash must be the SHA-256 \(hex\) of query; received "a{64}" for a query whose SHA-256 is [0-9a-f]{64}$/,
    );
  });

  it.each([
    ['version 2', { persistedQuery: { version: 2 } }, /received version 2$/],
    ['a string', { persistedQuery: 'abc' }, /received "abc"$/],
    ['an array', { persistedQuery: [1] }, /received an array$/],
    [
      'a hash that is not 64 hex digits',
      { persistedQuery: { version: 1, sha256Hash: 'xyz' } },
      /received sha256Hash "xyz"$/,
    ],
  ])(
    'should refuse a persistedQuery extension that is %s with 400 BAD_USER_INPUT saying what was expected',
    async (_what, extensions, received) => {
      const r = await post({ query: '{ __typename }', extensions });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors[0]!.message).toMatch(
        /^extensions\.persistedQuery must be \{ "version": 1, "sha256Hash": "<64 hex digits>" \}; /,
      );
      expect(r.body.errors[0]!.message).toMatch(received);
    },
  );

  it('should refuse extensions that are not an object with 400 BAD_USER_INPUT', async () => {
    const r = await post({ query: '{ __typename }', extensions: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors[0]!.message).toBe('expected extensions to be a JSON object (a map); received a string');
  });

  it('should answer an unknown APQ hash with PERSISTED_QUERY_NOT_FOUND, so the client sends the document', async () => {
    const r = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } });
    expect(r.body.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(r.status).toBeLessThan(500);
  });

  it("should say where and why a body is not JSON (the README's curl, wrapped by hand)", async () => {
    const r = await post('{"query":\n  "{ order(id: \\"ORD-000003\\") {\n id } }"}');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors[0]!.message).toMatch(
      /^request body must be valid JSON: Bad control character in string literal at line 2, column \d+ \(position \d+\), near .* \(a line break or tab inside a string must be written \\n or \\t/,
    );
  });
});
