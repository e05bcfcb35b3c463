import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import type { RunningService } from '../../runtime/http.js';
import { createLogger } from '../../runtime/logger.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../../subgraphs/carrier/server.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { start as startOms } from '../../subgraphs/oms/server.js';
import { MemoryReturns } from '../../subgraphs/returns/adapters/memory.js';
import { start as startReturns } from '../../subgraphs/returns/server.js';
import { MemoryWms } from '../../subgraphs/wms/adapters/memory.js';
import { start as startWms } from '../../subgraphs/wms/server.js';
import { gql } from '../helpers/http.js';
import { bodyDigest, IDENTITY_HEADER, signIdentity, verifyIdentity } from '../../canonical/index.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';

// Item 7 of the status-truth issue: routers differ on null fields in the @requires payload
// (Apollo Gateway sends `"receipt": null`, Hive Gateway's router runtime drops it). oms reads each
// owner's non-null slice marker instead, so a representation with every null field stripped must
// derive exactly what the untouched one derives. A proxy in front of oms strips them, as Hive does.

/** Removes every null-valued property, recursively (list items are kept, as the routers keep them). */
function stripNulls(value: unknown, removed: { count: number }): unknown {
  if (Array.isArray(value)) return value.map((v) => stripNulls(v, removed));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) removed.count++;
    else out[k] = stripNulls(v, removed);
  }
  return out;
}

/** An HTTP proxy to `target` that strips null fields from `_entities` representations. */
async function strippingProxy(target: string, removed: { count: number }): Promise<Server> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      variables?: { representations?: unknown };
    };
    if (body.variables?.representations)
      body.variables.representations = stripNulls(body.variables.representations, removed);
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => !['host', 'content-length', 'connection'].includes(k))
        .map(([k, v]) => [k, String(v)]),
    );
    const sent = req.method === 'POST' ? JSON.stringify(body) : undefined;
    // The identity is bound to the exact body: a router that rewrites the body signs what it sends.
    const identity = verifyIdentity(headers[IDENTITY_HEADER], DEV_IDENTITY_SECRET);
    if (identity && sent !== undefined) {
      headers[IDENTITY_HEADER] = signIdentity(identity, DEV_IDENTITY_SECRET, Date.now(), {
        subgraph: 'oms',
        requestId: `proxy-${Math.random().toString(36).slice(2)}`,
        bodySha256: bodyDigest(sent),
        singleUse: true,
      });
    }
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: sent });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      ...(upstream.headers.get('cache-control') ? { 'cache-control': upstream.headers.get('cache-control')! } : {}),
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const NOW = Date.parse('2026-11-01T00:00:00.000Z');
let services: Record<SystemName, RunningService>;
let direct: GatewayService;
let stripped: GatewayService;
let proxy: Server;
const removed = { count: 0 };

beforeAll(async () => {
  const { data } = generateDemo({ orders: 80 });
  services = {
    erp: await startErp({ port: 0, system: new MemoryErp(data.erp, { rateLimitPerSecond: 0 }) }),
    oms: await startOms({ port: 0, system: new MemoryOms(data.oms), now: () => NOW }),
    wms: await startWms({ port: 0, system: new MemoryWms(data.wms) }),
    carrier: await startCarrier({ port: 0, system: new MemoryCarrier(data.carrier) }),
    returns: await startReturns({ port: 0, system: new MemoryReturns(data.returns) }),
  };
  proxy = await strippingProxy(services.oms.origin, removed);
  const urls = Object.fromEntries(SYSTEM_NAMES.map((n) => [n, services[n].url]));
  const logger = createLogger('gateway', 'silent');
  direct = await startGateway(defaultGatewayConfig({ port: 0, subgraphUrls: urls }), { logger });
  stripped = await startGateway(
    defaultGatewayConfig({
      port: 0,
      subgraphUrls: { ...urls, oms: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql` },
    }),
    { logger },
  );
});
afterAll(async () => {
  await direct?.stop();
  await stripped?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
});

const DERIVED = `query { orders(first: 80) { edges { node {
  id status fulfillmentState financialState returnState deliveryOverdue
  statusDetail { rule reason facts { source fact observedAt } }
  refundSummary { state reason returnsDeskAmount creditMemoAmount paymentRefundedAmount }
  lineStatuses { lineNumber status fulfillmentState financialState returnState quantities { ordered cancelled allocated backordered picked shipped delivered returnInitiated returned } }
} } } }`;

describe('portable @requires: slice markers instead of null-vs-missing', () => {
  it('should derive the same answer for every order when the router strips null fields from the representation', async () => {
    const a = await gql(direct.url, DERIVED);
    const b = await gql(stripped.url, DERIVED);
    expect(a.body.errors, JSON.stringify(a.body.errors)).toBeUndefined();
    expect(b.body.errors, JSON.stringify(b.body.errors)).toBeUndefined();
    // The proxy really stripped nulls (acceptedAt of pending orders, receipts not yet received,
    // deliveredAt, pickedAt, cancelReason…), so the comparison below can fail.
    expect(removed.count).toBeGreaterThan(50);
    const statuses = new Set(a.body.data.orders.edges.map((e: { node: { status: string } }) => e.node.status));
    expect(statuses.size).toBeGreaterThan(8);
    expect(b.body.data).toEqual(a.body.data);
  });

  it('should still refuse to guess when a slice marker is missing (the owner did not answer)', async () => {
    const r = await gql(
      services.oms.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { status } } }',
      {
        r: [
          {
            __typename: 'Order',
            id: 'ORD-000001',
            wmsAsOf: '2026-11-01T00:00:00.000Z',
            returnsAsOf: '2026-11-01T00:00:00.000Z',
            holds: [],
            payments: [],
            creditMemos: [],
            shipments: [],
            returns: [],
            fulfillmentOrders: [],
          },
        ],
      },
    );
    expect(r.body.data._entities[0].status).toBeNull();
    expect(r.body.errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', serviceName: 'erp' } });
    expect(r.body.errors?.[0]?.message).toBe(
      'the derived status needs acceptance, holds and payments from erp, which is unavailable; it is null rather than a guess',
    );
  });
});
