/**
 * The GraphQL-over-HTTP spec, item by item (the MUST, SHOULD and MAY items of the graphql-http
 * server audit list, written out here): every MUST and SHOULD must hold. With
 * `Accept: application/json` a GraphQL request error (bad JSON, bad parameters, a document that
 * does not parse, validate or coerce its variables) answers 200 with `errors`; with
 * `Accept: application/graphql-response+json` it answers 400 without `data`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { credential } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';

let s: Stack;
let auth: Record<string, string>;
beforeAll(async () => {
  s = await stack({ orders: 10 });
  auth = await credential('ops'); // ops may introspect; the audit's documents do
});
afterAll(() => s?.stop());

const JSON_TYPE = 'application/json';
const GQL_TYPE = 'application/graphql-response+json';

interface Exchange {
  status: number;
  type: string;
  text: string;
  body: any;
}

async function send(init: {
  method?: string;
  search?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}): Promise<Exchange> {
  const url = new URL(s.gateway.url);
  for (const [k, v] of Object.entries(init.search ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...auth, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, body };
}

const postAs = (accept: string | undefined, body: unknown, raw = false) =>
  send({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: raw ? String(body) : JSON.stringify(body),
  });

type Level = 'MUST' | 'SHOULD' | 'MAY';
const items: { level: Level; name: string; run: () => Promise<void> }[] = [];
const item = (level: Level, name: string, run: () => Promise<void>) => items.push({ level, name, run });

/** A GraphQL request error, as each media type must answer it. */
function requestError(what: string, body: unknown, raw = false): void {
  item('SHOULD', `use 200 with errors on ${what} when accepting ${JSON_TYPE}`, async () => {
    const r = await postAs(JSON_TYPE, body, raw);
    expect(r.status).toBe(200);
    expect(r.type).toContain(JSON_TYPE);
    expect(r.body.errors.length).toBeGreaterThan(0);
  });
  item('SHOULD', `use 400 without data on ${what} when accepting ${GQL_TYPE}`, async () => {
    const r = await postAs(GQL_TYPE, body, raw);
    expect(r.status).toBe(400);
    expect(r.type).toContain(GQL_TYPE);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors.length).toBeGreaterThan(0);
  });
}

/** A well-formed request, which both media types answer 200 without errors. */
function accepted(level: Level, what: string, body: unknown): void {
  item(level, `allow ${what} when accepting ${GQL_TYPE}`, async () => {
    const r = await postAs(GQL_TYPE, body);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });
  item(level === 'SHOULD' ? 'MUST' : level, `allow ${what} when accepting ${JSON_TYPE}`, async () => {
    const r = await postAs(JSON_TYPE, body);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });
}

const TYPENAME = { query: '{ __typename }' };
const INVALID = [{ obj: 'ect' }, 0, false, ['array']] as const;
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);

// Media types
item('SHOULD', `accept ${GQL_TYPE} and match the content-type`, async () => {
  const r = await postAs(GQL_TYPE, TYPENAME);
  expect([r.status, r.type.includes(GQL_TYPE)]).toEqual([200, true]);
});
item('MUST', `accept ${JSON_TYPE} and match the content-type`, async () => {
  const r = await postAs(JSON_TYPE, TYPENAME);
  expect([r.status, r.type.includes(JSON_TYPE)]).toEqual([200, true]);
});
item('SHOULD', `accept */* and use ${JSON_TYPE}`, async () => {
  const r = await postAs('*/*', TYPENAME);
  expect([r.status, r.type.includes(JSON_TYPE)]).toEqual([200, true]);
});
item('SHOULD', `assume ${JSON_TYPE} when Accept is missing`, async () => {
  const r = await send({ search: TYPENAME });
  expect([r.status, r.type.includes(JSON_TYPE)]).toEqual([200, true]);
});
item('MUST', 'use utf-8 when responding', async () => {
  const r = await postAs(undefined, { query: '{ __type(name: "Order") { description } }' });
  expect(r.status).toBe(200); // send() decodes fatally: a non-UTF-8 body would have thrown
  expect(r.type).toMatch(/charset=utf-8/);
});
item('MUST', 'accept a utf-8 encoded request', async () => {
  const r = await send({
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(TYPENAME),
  });
  expect(r.status).toBe(200);
});
item('MUST', 'assume utf-8 when the request names no charset', async () => {
  expect((await postAs(undefined, TYPENAME)).status).toBe(200);
});
item('MUST', 'refuse a request in another charset with 4xx', async () => {
  const r = await send({
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    body: JSON.stringify(TYPENAME),
  });
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
});

// Request
item('MUST', 'accept POST requests', async () => expect((await postAs(undefined, TYPENAME)).status).toBe(200));
item('MAY', 'accept GET requests', async () => expect((await send({ search: TYPENAME })).status).toBe(200));
item('MUST', 'not execute mutations on GET', async () => {
  const r = await send({ search: { query: 'mutation { __typename }' }, headers: { accept: GQL_TYPE } });
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
});
item('SHOULD', 'answer 4xx to a POST without content-type', async () => {
  const r = await send({ method: 'POST' });
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
});
item('MUST', 'require a request body on POST', async () => {
  const r = await send({ method: 'POST', headers: { 'content-type': 'application/json' } });
  expect(r.body.errors[0].message).toMatch(/the body is empty/);
});

// Request parameters
requestError('a missing {query}', { notquery: '{ __typename }' });
for (const invalid of INVALID) requestError(`a ${typeOf(invalid)} {query}`, { query: invalid });
accepted('SHOULD', 'a string {query}', TYPENAME);
for (const invalid of INVALID)
  requestError(`a ${typeOf(invalid)} {operationName}`, { operationName: invalid, query: '{ __typename }' });
accepted('SHOULD', 'a string {operationName}', { operationName: 'Query', query: 'query Query { __typename }' });
for (const p of ['variables', 'operationName', 'extensions'])
  accepted('SHOULD', `a null {${p}}`, { query: '{ __typename }', [p]: null });
for (const invalid of ['string', 0, false, ['array']])
  requestError(`a ${typeOf(invalid)} {variables}`, { query: '{ __typename }', variables: invalid });
accepted('SHOULD', 'a map {variables}', {
  query: 'query Type($name: String!) { __type(name: $name) { name } }',
  variables: { name: 'Order' },
});
for (const accept of [GQL_TYPE, JSON_TYPE]) {
  item('MAY', `allow URL-encoded JSON {variables} in GETs when accepting ${accept}`, async () => {
    const r = await send({
      search: {
        query: 'query Type($name: String!) { __type(name: $name) { name } }',
        variables: JSON.stringify({ name: 'Order' }),
      },
      headers: { accept },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { __type: { name: 'Order' } } });
  });
}
for (const invalid of ['string', 0, false, ['array']])
  requestError(`a ${typeOf(invalid)} {extensions}`, { query: '{ __typename }', extensions: invalid });
accepted('SHOULD', 'a map {extensions}', { query: '{ __typename }', extensions: { some: 'value' } });

// Responses: GraphQL request errors
requestError('a body that is not JSON', '{ "not a JSON', true);
requestError('invalid parameters (a typo)', { qeury: '{ __typename }' });
requestError('a document that does not parse', { query: '{' });
requestError('a document that does not validate', { query: '{ 8f31403dfe404bccbb0e835f2629c6a7 }' });
requestError('variables that do not coerce', {
  query: 'query ($id: ID!) { order(id: $id) { id } }',
  variables: { id: { not: 'an id' } },
});

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  for (const { level, name, run } of items) it(`should ${level === 'MAY' ? '(MAY) ' : ''}${name} [${level}]`, run);
});
