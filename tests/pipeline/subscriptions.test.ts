/**
 * The graphql-ws transport runs the same pipeline as HTTP: client quotas count subscriptions, a
 * document that does not parse or validate gets its GraphQL error (and is logged), and errors are
 * redacted by the same rules.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { DEFAULT_QUOTAS } from '../../gateway/config.js';
import { credential } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';
import { collect, wsClient } from '../helpers/ws.js';

const logged: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);

let s: Stack;
beforeAll(async () => {
  s = await stack({
    orders: 20,
    bus: new MemoryEventBus(),
    logger,
    gateway: { quotas: { ...DEFAULT_QUOTAS, storefront: 2 }, quotaBurstSeconds: 60 },
  });
});
afterAll(() => s?.stop());

/** Subscribes with `params` as the connection credential; resolves with the errors that end the subscription. */
async function refusal(query: string, params?: Record<string, unknown>): Promise<any[]> {
  const client = wsClient(s.gateway.url, params ? { connectionParams: params } : {});
  try {
    const ended = await collect(client, query).ended;
    expect(Array.isArray(ended), `refused, not ${String(ended)}`).toBe(true);
    return ended as any[];
  } finally {
    await client.dispose();
  }
}

describe('graphql-ws runs the pipeline', () => {
  it('should answer a subscription that does not parse with GRAPHQL_PARSE_FAILED and its message, and log it', async () => {
    const errors = await refusal('subscription { orderStatusChanged(orderId: "ORD-1") { cursor }');
    expect(errors[0]).toMatchObject({
      message: expect.stringMatching(/^Syntax Error: Expected Name, found <EOF>\./),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    expect(logged.some((l) => l.msg === 'refused a subscription document')).toBe(true);
  });

  it('should answer a subscription that does not validate with GRAPHQL_VALIDATION_FAILED', async () => {
    const errors = await refusal('subscription { orderStatusChanged(orderId: "ORD-1") { noSuchField } }');
    expect(errors[0]).toMatchObject({
      message: 'Cannot query field "noSuchField" on type "OrderStatusChange".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('should send queries to HTTP, spelt right', async () => {
    const errors = await refusal('{ __typename }');
    expect(errors[0].message).toBe(
      'only subscriptions run over WebSocket; send queries and mutations as HTTP POST /graphql (received a query)',
    );
  });

  it('should count subscriptions against the client quota, as HTTP requests', async () => {
    const shopper = await credential('storefront', { customerId: 'CUST-00001' });
    const bad = 'subscription {';
    for (let i = 0; i < 2; i++) expect((await refusal(bad, shopper))[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const over = await refusal(bad, shopper);
    expect(over[0]).toMatchObject({
      message: expect.stringMatching(/^storefront quota of 2 requests per minute used up; retry after \d+s$/),
      extensions: { code: 'RATE_LIMITED', limit: 2 },
    });
  });
});
