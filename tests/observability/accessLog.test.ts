/**
 * The access log (issue 11 item 5) and the acting user (issue 12): one pino line per request with
 * the request id (echoed, forwarded to the subgraphs), consumer, operation, status and duration;
 * no credential ever in a log line; `x-acting-user` recorded for salesforce only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { createLogger } from '../../runtime/logger.js';
import { credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';
import { collect, wsClient } from '../helpers/ws.js';

const ORDERS = 20;
const lines: string[] = [];
const logger = createLogger(
  'embedded',
  'info',
  new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);
let s: Stack;
const atOms: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  s = await stack({ orders: ORDERS, logger, bus: new MemoryEventBus() });
  s.subgraphs.oms.service.httpServer.prependListener('request', (req) => void atOms.push(req.headers));
});
afterAll(() => s?.stop());

const orderId = demo(ORDERS).data.oms.orders[0]!.id;
const accessLines = (): Record<string, any>[] =>
  lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.name === 'gateway');
const lineOf = (requestId: string | null): Record<string, any> | undefined =>
  accessLines().find((l) => l.requestId === requestId);

describe('request id and access log', () => {
  it('should echo a sane x-request-id, forward it to the subgraphs, and log one line with consumer, operation, status and duration', async () => {
    atOms.length = 0;
    const r = await gql(s.gateway.url, `query AgentOrderDetail { order(id: "${orderId}") { id } }`, undefined, {
      'x-request-id': 'req-12345.abc',
    });
    expect(r.headers.get('x-request-id')).toBe('req-12345.abc');
    expect(atOms.map((h) => h['x-request-id'])).toContain('req-12345.abc');
    expect(lineOf('req-12345.abc')).toMatchObject({
      consumer: 'salesforce',
      operation: 'AgentOrderDetail',
      status: 200,
      transport: 'http',
      method: 'POST',
      durationMs: expect.any(Number),
    });
    expect(
      lines.some((l) => {
        const j = JSON.parse(l);
        return j.name === 'oms' && j.msg === 'request' && j.requestId === 'req-12345.abc';
      }),
    ).toBe(true);
  });

  it('should replace a request id that is not sane with a generated one', async () => {
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { 'x-request-id': 'has spaces and <script>' });
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lineOf(id)).toMatchObject({ status: 200 });
  });

  it('should log a refused request with its status and no consumer', async () => {
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { authorization: null });
    expect(r.status).toBe(401);
    expect(lineOf(r.headers.get('x-request-id'))).toMatchObject({ status: 401, consumer: 'anonymous' });
  });

  it('should never write a credential into any log line', async () => {
    const salesforce = (await credential('salesforce')).authorization!;
    const partnerKey = (await credential('partner', { partnerNodeId: 'DC-EAST' }))['x-api-key']!;
    const opsToken = (await credential('ops')).authorization!;
    lines.length = 0;
    await gql(s.gateway.url, `{ order(id: "${orderId}") { id } }`, undefined, {
      authorization: salesforce,
      'x-api-key': partnerKey,
      cookie: 'session=secret-cookie-value',
    });
    await gql(s.gateway.url, `{ order(id: "${orderId}") { id } }`, undefined, { authorization: salesforce });
    await gql(s.gateway.url, `{ order(id: "${orderId}") { id } }`, undefined, { 'x-api-key': partnerKey });
    await fetch(new URL('/metrics', s.gateway.origin), { headers: { authorization: opsToken } });
    // A header object logged by mistake is redacted too.
    logger.info(
      {
        req: {
          headers: {
            authorization: salesforce,
            'x-api-key': partnerKey,
            'x-gateway-identity': 'signed-identity-value',
          },
        },
        headers: { cookie: 'session=secret-cookie-value' },
      },
      'mistake',
    );
    expect(accessLines().length).toBeGreaterThanOrEqual(3);
    const all = lines.join('');
    for (const secret of [
      salesforce,
      salesforce.slice(7),
      partnerKey,
      opsToken.slice(7),
      'secret-cookie-value',
      'signed-identity-value',
    ])
      expect(all).not.toContain(secret);
    expect(all).toContain('[redacted]');
  });
});

describe('x-acting-user', () => {
  const agent = '005Hs00000AbCdEAAZ';
  it('should record the acting user a salesforce caller asserts, in the context and the access log', async () => {
    const r = await gql(s.gateway.url, `{ order(id: "${orderId}") { id } }`, undefined, { 'x-acting-user': agent });
    expect(r.body.errors).toBeUndefined();
    expect(lineOf(r.headers.get('x-request-id'))).toMatchObject({
      consumer: 'salesforce',
      actingUser: agent,
      assertedBy: 'salesforce',
    });
  });

  it('should accept a 15-character id too', async () => {
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { 'x-acting-user': '005Hs00000AbCdE' });
    expect(r.status).toBe(200);
  });

  it('should ignore x-acting-user from any other consumer', async () => {
    const shopper = await credential('storefront', { customerId: demo(ORDERS).data.oms.orders[0]!.customerId });
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { ...shopper, 'x-acting-user': agent });
    expect(r.status).toBe(200);
    const line = lineOf(r.headers.get('x-request-id'));
    expect(line).toMatchObject({ consumer: 'storefront' });
    expect(line).not.toHaveProperty('actingUser');
    const malformed = await gql(s.gateway.url, '{ __typename }', undefined, {
      ...shopper,
      'x-acting-user': 'not-an-id',
    });
    expect(malformed.status).toBe(200);
  });

  it('should refuse a malformed acting user from salesforce with 400 BAD_USER_INPUT saying what was expected and what arrived', async () => {
    const r = await gql(s.gateway.url, '{ __typename }', undefined, { 'x-acting-user': '006Hs00000AbCdE' });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]).toMatchObject({
      message:
        'x-acting-user must be a Salesforce user id (005 followed by 12 or 15 letters or digits); received "006Hs00000AbCdE" (15 characters)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('should read x-acting-user from the graphql-ws connection_init payload, and refuse a malformed one', async () => {
    const authorization = (await credential('salesforce')).authorization!;
    const client = wsClient(s.gateway.url, { connectionParams: { authorization, 'x-acting-user': 'agent-007' } });
    try {
      const ended = await collect(client, `subscription { orderStatusChanged(orderId: "${orderId}") { status } }`)
        .ended;
      expect(Array.isArray(ended)).toBe(true);
      expect((ended as any[])[0]).toMatchObject({
        message: expect.stringContaining('received "agent-007"'),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    } finally {
      await client.dispose();
    }
  });
});
