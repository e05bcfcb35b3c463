import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { accessStack, as, fixtures, type Fixtures } from './harness.js';

/**
 * CORS on /graphql (default CORS_ORIGINS: the Salesforce Lightning domains): a preflight from an
 * allowed origin is answered 204 with the allow headers; any other origin gets no
 * Access-Control-Allow-Origin, so a browser keeps its page from reading any answer.
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

const ALLOWED = 'https://acme.lightning.force.com';

const preflight = (origin: string) =>
  fetch(s.gateway.url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

const postFrom = async (origin: string) =>
  fetch(s.gateway.url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', ...(await as.customer(f.customerA)) },
    body: JSON.stringify({ query: 'query ($id: ID!) { order(id: $id) { id } }', variables: { id: f.orderA } }),
  });

describe('CORS', () => {
  it('should answer a preflight from an allowed origin 204 with the methods and headers a GraphQL client sends', async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    expect(res.headers.get('vary')).toMatch(/Origin/i);
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['a look-alike suffix', 'https://acme.lightning.force.com.evil.example'],
    ['the right host over http', 'http://acme.lightning.force.com'],
    ['the bare parent domain', 'https://lightning.force.com'],
    ['null (a sandboxed page)', 'null'],
  ])('should give a preflight from %s no allow-origin', async (_what, origin) => {
    const res = await preflight(origin);
    expect(res.status).not.toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('should mark an answer to an allowed origin readable, and leave one to another origin unreadable', async () => {
    const allowed = await postFrom(ALLOWED);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(((await allowed.json()) as any).data.order.id).toBe(f.orderA);
    const other = await postFrom('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toMatch(/Origin/i);
    await other.arrayBuffer();
  });
});
