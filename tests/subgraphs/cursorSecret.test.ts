import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { EnvReader } from '../../runtime/env.js';
import type { RunningService } from '../../runtime/http.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { cursorSecretFromEnv, DEV_CURSOR_SECRET } from '../../subgraphs/oms/cursorSecret.js';
import { OrderCursors } from '../../subgraphs/oms/pagination.js';
import { start } from '../../subgraphs/oms/server.js';
import { gql } from '../helpers/http.js';

const root = join(import.meta.dirname, '../..');
const KEY_A = 'orders-cursor-key-of-deployment-a';
const KEY_B = 'orders-cursor-key-of-deployment-b';
const ORDERS = `query ($after: String) { orders(first: 2, after: $after) {
  edges { node { id } } pageInfo { hasNextPage endCursor } } }`;

const secretOf = (vars: Record<string, string>, production: boolean) => {
  const env = new EnvReader(vars);
  const secret = cursorSecretFromEnv(env, !production);
  return { secret, problems: env.problems };
};

describe('ORDERS_CURSOR_SECRET, read at start-up', () => {
  it('should use the development key only outside production', () => {
    expect(secretOf({}, false)).toEqual({ secret: DEV_CURSOR_SECRET, problems: [] });
    expect(secretOf({}, true).problems).toEqual([
      'ORDERS_CURSOR_SECRET must be set to a secret of at least 16 characters (NODE_ENV=production has no default)',
    ]);
  });

  it('should refuse a short key, saying how long it was and never echoing it', () => {
    const { problems } = secretOf({ ORDERS_CURSOR_SECRET: 'short-key' }, true);
    expect(problems).toEqual(['ORDERS_CURSOR_SECRET must be at least 16 characters; received 9']);
    expect(secretOf({ ORDERS_CURSOR_SECRET: KEY_A }, true)).toEqual({ secret: KEY_A, problems: [] });
    expect(() => new OrderCursors('short-key')).toThrow(RangeError);
  });

  it('should keep the oms process from starting in production without it, naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'subgraphs/oms/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: '0',
        WEBHOOK_SECRET: 'a-production-webhook-secret-0123',
        GATEWAY_IDENTITY_SECRET: 'a-production-identity-secret-0123456789abcdef',
      },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ORDERS_CURSOR_SECRET must be set');
    expect(r.stderr).not.toContain('a-production-webhook-secret');
  });
});

describe('orders cursors signed with the configured key', () => {
  const services: RunningService[] = [];
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    const { data } = generateDemo({ orders: 30 });
    a = await start({ port: 0, system: new MemoryOms(data.oms), cursorSecret: KEY_A });
    b = await start({ port: 0, system: new MemoryOms(data.oms), cursorSecret: KEY_B });
    services.push(a, b);
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
  });

  it('should page on with a cursor of its own key', async () => {
    const first = await gql(a.url, ORDERS);
    expect(first.body.errors).toBeUndefined();
    const next = await gql(a.url, ORDERS, { after: first.body.data.orders.pageInfo.endCursor });
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data.orders.edges[0].node.id).not.toBe(first.body.data.orders.edges[0].node.id);
  });

  it('should refuse with BAD_USER_INPUT a cursor signed with another key, or with the old built-in key', async () => {
    const fromB = (await gql(b.url, ORDERS)).body.data.orders.pageInfo.endCursor as string;
    const refused = await gql(a.url, ORDERS, { after: fromB });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors?.[0]?.message).toContain('expected the endCursor of a previous page of orders');

    // A cursor made with the key that used to be hard-coded in pagination.ts: anyone could forge these.
    const payload = '2024-01-01T00:00:00.000Z|ORD-000001';
    const mac = createHmac('sha256', 'order-visibility-graph/orders-cursor/v1')
      .update(payload)
      .digest('base64url')
      .slice(0, 16);
    const forged = Buffer.from(`${payload}|${mac}`).toString('base64url');
    const old = await gql(a.url, ORDERS, { after: forged });
    expect(old.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
