import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { developmentAuth } from '../../gateway/auth/index.js';
import { DEVELOPMENT_ORIGINS, defaultGatewayConfig } from '../../gateway/config.js';
import { EXPLORER_CSP, explorer, type ExplorerOptions } from '../../gateway/explorer/explorer.js';
import { fieldCoordinates } from '../../gateway/explorer/schemaForConsumer.js';
import { originAllowed } from '../../gateway/pipeline/cors.js';
import { accessStack, fixtures, post, type Fixtures } from '../access/harness.js';

/**
 * The development explorer's endpoints on a real gateway (the page itself runs in Chromium in
 * tests/browser): development credentials, the schema filtered per consumer, CORS for pages on
 * localhost, and off in production.
 */

let s: Stack;
let f: Fixtures;
let base: string;
beforeAll(async () => {
  ({ s } = await accessStack({ live: true }));
  f = fixtures();
  base = s.gateway.origin;
});
afterAll(async () => {
  await s?.stop();
});

const schemaOf = async (consumer: string) => {
  const res = await fetch(`${base}/explorer/api/schema?consumer=${consumer}`);
  expect(res.status).toBe(200);
  return fieldCoordinates(buildSchema(await res.text()));
};

const credentialFor = async (body: unknown) => post(`${base}/explorer/api/credential`, body);

describe('explorer: development credentials', () => {
  it("should hand out a storefront credential that reads that customer's orders and no one else's", async () => {
    const issued = await credentialFor({ consumer: 'storefront', customerId: f.customerA });
    expect(issued.status).toBe(200);
    const { name, value, header } = issued.body as unknown as { name: string; value: string; header: string };
    expect(name).toBe('authorization');
    expect(header).toBe(`Authorization: ${value}`);
    const own = await post(
      s.gateway.url,
      { query: 'query ($id: ID!) { order(id: $id) { id } }', variables: { id: f.orderA } },
      { [name]: value },
    );
    expect(own.body.data?.order).toEqual({ id: f.orderA });
    const other = await post(
      s.gateway.url,
      { query: 'query ($id: ID!) { order(id: $id) { id } }', variables: { id: f.orderB } },
      { [name]: value },
    );
    expect(other.body.data?.order).toBeNull();
  });

  it("should hand out a partner key for a demo node that runs the partner's persisted operations only", async () => {
    const issued = await credentialFor({ consumer: 'partner', partnerNodeId: f.partnerNode });
    expect(issued.status).toBe(200);
    const { name, value } = issued.body as unknown as { name: string; value: string };
    expect(name).toBe('x-api-key');
    const adHoc = await post(s.gateway.url, { query: '{ orders(first: 1) { totalCount } }' }, { [name]: value });
    expect(adHoc.status).toBe(403);
    expect(adHoc.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it.each([
    [
      { consumer: 'billing' },
      /expected "consumer" to be one of salesforce, storefront, partner, ops; received "billing"/,
    ],
    [{ consumer: 'storefront' }, /needs "customerId"/],
    [{ consumer: 'storefront', customerId: 'two words' }, /without spaces/],
    [{ consumer: 'partner', partnerNodeId: 'DS-NOPE' }, /one of .*DS-ACME.*received "DS-NOPE"/],
    [[1, 2], /expected a JSON object/],
    ['{not json', /does not parse/],
  ])('should refuse %j with 400 saying what was expected', async (body, message) => {
    const res = await credentialFor(body);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(message);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('should refuse a GET on the credential endpoint with 405', async () => {
    const res = await fetch(`${base}/explorer/api/credential`);
    expect(res.status).toBe(405);
    expect(await res.text()).toMatch(/expected POST/);
  });
});

describe('explorer: the schema a consumer may see', () => {
  it("should leave the internal fields and the all-orders lookups out of the storefront's schema", async () => {
    const fields = await schemaOf('storefront');
    for (const hidden of [
      'Order.erpSalesOrderId',
      'Hold.reason',
      'Payment.method',
      'StatusExplanation.facts',
      'Query.payment',
      'Query.shipment',
      'OrderEvent.data',
    ]) {
      expect(fields.has(hidden), hidden).toBe(false);
    }
    for (const shown of [
      'Order.status',
      'StatusExplanation.reason',
      'Shipment.trackingNumber',
      'Query.orders',
      'Subscription.orderStatusChanged',
    ]) {
      expect(fields.has(shown), shown).toBe(true);
    }
  });

  it('should show ops every field, internal ones included', async () => {
    const fields = await schemaOf('ops');
    for (const shown of [
      'Order.erpSalesOrderId',
      'Hold.reason',
      'StatusExplanation.facts',
      'Query.payment',
      'OrderEvent.data',
    ]) {
      expect(fields.has(shown), shown).toBe(true);
    }
  });

  it('should refuse an unknown consumer with 400', async () => {
    const res = await fetch(`${base}/explorer/api/schema?consumer=root`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].message).toMatch(/expected \?consumer= one of .*received "root"/);
  });

  it('should keep introspection ops-only: a storefront credential from the explorer is refused it', async () => {
    const issued = await credentialFor({ consumer: 'storefront', customerId: f.customerA });
    const { name, value } = issued.body as unknown as { name: string; value: string };
    const res = await post(s.gateway.url, { query: '{ __schema { queryType { name } } }' }, { [name]: value });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('explorer: routing and CORS', () => {
  it("should answer a browser's GET /graphql with the explorer and a GraphQL client's with the gateway", async () => {
    const page = await fetch(s.gateway.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    // 200 with the page once `npm run build` has bundled it, 503 naming that command before.
    if (page.status === 200) expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    else expect([page.status, await page.text()]).toEqual([503, expect.stringMatching(/npm run build/)]);
    const client = await fetch(`${s.gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': '1' },
    });
    expect(client.status).toBe(401);
  });

  it('should let a page on localhost call the gateway and the development endpoints, and not another site', async () => {
    for (const path of ['/graphql', '/explorer/api/credential']) {
      const ok = await fetch(`${base}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect([path, ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([
        path,
        204,
        'http://localhost:5173',
      ]);
      const evil = await fetch(`${base}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('should match http://localhost:* on any port of that host only', () => {
    expect(originAllowed('http://localhost:5173', DEVELOPMENT_ORIGINS)).toBe(true);
    expect(originAllowed('http://127.0.0.1:41234', DEVELOPMENT_ORIGINS)).toBe(true);
    expect(originAllowed('http://localhost', DEVELOPMENT_ORIGINS)).toBe(false);
    expect(originAllowed('http://localhost.evil.example:80', DEVELOPMENT_ORIGINS)).toBe(false);
    expect(originAllowed('http://localhost:5173.evil.example', DEVELOPMENT_ORIGINS)).toBe(false);
    expect(originAllowed('https://localhost:5173', DEVELOPMENT_ORIGINS)).toBe(false);
  });

  it('should allow localhost origins by default outside production', () => {
    expect(defaultGatewayConfig().corsOrigins).toEqual(expect.arrayContaining(DEVELOPMENT_ORIGINS));
  });
});

describe('explorer: the handler on its own', () => {
  let dir: string;
  let server: Server | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovg-explorer-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>explorer</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(tmpdir(), 'ovg-explorer-secret.txt'), 'secret');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const serve = async (options: Partial<ExplorerOptions>): Promise<string> => {
    const handler = explorer({
      auth: developmentAuth({}, {}, ['DS-ACME']),
      schema: () => undefined,
      rules: () => new Map(),
      assetsDir: dir,
      nodeEnv: 'development',
      ...options,
    });
    server?.close();
    server = createServer((req, res) =>
      handler(req, res, () => {
        res.statusCode = 404;
        res.end('passed on');
      }),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const address = server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  };
  afterAll(() => {
    server?.close();
  });

  it('should serve the page with its Content-Security-Policy and the bundled assets', async () => {
    const url = await serve({});
    const page = await fetch(`${url}/explorer`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).toMatch(/script-src 'self';/);
    const asset = await fetch(`${url}/explorer/assets/app.js`);
    expect([asset.status, asset.headers.get('content-type'), await asset.text()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log(1)',
    ]);
  });

  it('should not serve a file outside its build folder', async () => {
    const url = await serve({});
    const res = await fetch(
      `${url}/explorer/..%2F..%2F${encodeURIComponent(join(tmpdir(), 'ovg-explorer-secret.txt'))}`,
    );
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('secret\n');
  });

  it('should answer 503 naming the build command while the page is not built', async () => {
    const url = await serve({ assetsDir: join(dir, 'missing') });
    const res = await fetch(`${url}/explorer`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });

  it('should pass every request on when NODE_ENV=production, so nothing hands out credentials', async () => {
    const url = await serve({ nodeEnv: 'production' });
    for (const [path, init] of [
      ['/explorer', {}],
      ['/explorer/api/setup', {}],
      [
        '/explorer/api/credential',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"consumer":"ops"}' },
      ],
    ] as const) {
      const res = await fetch(`${url}${path}`, init);
      expect([path, res.status, await res.text()]).toEqual([path, 404, 'passed on']);
    }
  });

  it("should serve the operations console's shell and assets in production too, and nothing of the explorer", async () => {
    await writeFile(join(dir, 'ops.html'), '<!doctype html><title>ops</title>');
    const url = await serve({ nodeEnv: 'production' });
    const ops = await fetch(`${url}/ops`);
    expect([ops.status, ops.headers.get('content-security-policy'), await ops.text()]).toEqual([
      200,
      EXPLORER_CSP,
      '<!doctype html><title>ops</title>',
    ]);
    expect((await fetch(`${url}/explorer/assets/app.js`)).status).toBe(200);
    expect((await fetch(`${url}/explorer`)).status).toBe(404);
  });

  it('should pass every request on when the gateway does not run on the development keys', async () => {
    const url = await serve({ auth: { ...developmentAuth({}, {}, []), development: false } });
    expect((await fetch(`${url}/explorer/api/setup`)).status).toBe(404);
  });
});
