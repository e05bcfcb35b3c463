/**
 * What the caching and shielding end-to-end suites share: signed webhooks, the native bodies they
 * send, gateway configurations with caching tuned per suite, and a second gateway replica over the
 * same subgraphs (as tests/e2e/distributed does).
 */
import { carrierCodesFor, type ShipmentStatus } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import type { EventBus } from '../../events/bus.js';
import type { OrderVersions } from '../../events/versions.js';
import type { CacheConfig } from '../../gateway/cache/config.js';
import { defaultGatewayConfig, type GatewayConfig, type SubgraphName } from '../../gateway/config.js';
import type { SystemName } from '../../canonical/systems.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import type { ShieldConfig } from '../../gateway/shield/config.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import type { GeneratedDemo } from '../../demo/index.js';

export const SECRET = 'caching-tests-secret-0123456789';

/** Sends a system's native webhook, signed, over real HTTP; resolves once it answered. */
export async function webhook(s: Stack, system: SystemName, body: object): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const res = await fetch(s.subgraphs[system].ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}

let seq = 0;
/** A unique native id per call (webhooks must not be taken for redeliveries). */
export const nextId = (what: string): string => `${what}-${process.pid}-${++seq}`;

/** A time `minutes` after a fixed instant later than anything in the demo data, so events are never stale. */
export const later = (minutes: number): string => new Date(Date.UTC(2030, 0, 1) + minutes * 60_000).toISOString();

/** An ERP hold notice: placed, or released (`HOLD_RELEASED`). */
export const erpHold = (
  orderId: string,
  at: string,
  eventType: 'HOLD_PLACED' | 'HOLD_RELEASED' = 'HOLD_PLACED',
  type = 'FRAUD',
) => ({
  notificationId: nextId('ERP'),
  eventType,
  postedAt: at,
  salesOrder: { orderRef: orderId },
  hold: { type, reason: 'velocity check' },
});

/** A carrier tracking webhook for one of the order's parcels, with one scan in `status`. */
export function carrierScan(demo: GeneratedDemo, orderId: string, status: ShipmentStatus, at: string) {
  const parcel = demo.data.carrier.shipments.find((p) => p.references.orderId === orderId);
  if (!parcel) throw new Error(`order ${orderId} has no parcel the carrier knows`);
  return {
    eventId: nextId('CAR'),
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    references: parcel.references,
    service: 'Ground',
    scans: [
      { code: carrierCodesFor(parcel.carrier, status)[0]!, occurredAt: at, description: status, location: 'Depot' },
    ],
  };
}

/** An OMS ORDER_CREATED for a new order of `customerId`. */
export function omsOrderCreated(demo: GeneratedDemo, orderId: string, customerId: string, at: string) {
  const customer = demo.data.oms.customers.find((c) => c.id === customerId)!;
  return {
    eventId: nextId('OMS'),
    eventType: 'ORDER_CREATED',
    eventTime: at,
    orderId,
    order: {
      number: `T${orderId.replace(/\W/g, '')}`,
      channel: 'WEB',
      placedAt: at,
      customer: { id: customer.id, name: customer.name, salesforceAccountId: customer.salesforceAccountId },
      lines: [{ lineNumber: 1, sku: 'SKU-TEST', quantity: 1 }],
    },
  };
}

/** An OMS ORDER_ALLOCATED: a new fulfillment order of line 1 at `nodeId`. */
export function omsAllocated(orderId: string, foId: string, nodeId: string, at: string) {
  return {
    eventId: nextId('OMS'),
    eventType: 'ORDER_ALLOCATED',
    eventTime: at,
    orderId,
    fulfillmentOrder: { id: foId, nodeId, lines: [{ lineNumber: 1, quantity: 1 }] },
  };
}

/** Gateway options with caching as the suite wants it (the rest default). */
export function gatewayOptions(
  opts: {
    cache?: Partial<Omit<CacheConfig, 'fetchTtlMs'>> & { fetchTtlMs?: Partial<CacheConfig['fetchTtlMs']> };
    shield?: Partial<Record<SubgraphName, Partial<ShieldConfig>>>;
    redis?: { url: string; prefix: string };
    quotas?: Partial<GatewayConfig['quotas']>;
  } = {},
): Partial<GatewayConfig> {
  const d = defaultGatewayConfig();
  const shield = { ...d.shield };
  for (const [name, c] of Object.entries(opts.shield ?? {}))
    shield[name as SubgraphName] = { ...d.shield[name as SubgraphName], ...c };
  return {
    cache: {
      ...d.cache,
      ...opts.cache,
      fetchTtlMs: { ...d.cache.fetchTtlMs, ...opts.cache?.fetchTtlMs },
      ...(opts.redis ? { redisUrl: opts.redis.url } : {}),
    },
    shield,
    quotas: { ...d.quotas, ...opts.quotas },
    ...(opts.redis ? { redisUrl: opts.redis.url, redisKeyPrefix: opts.redis.prefix } : {}),
  };
}

/**
 * Another gateway replica in front of the stack's subgraphs, with the same options. Without
 * `versions` it opens its own order versions on the options' Redis, as a distributed replica does.
 */
export function secondReplica(
  s: Stack,
  options: Partial<GatewayConfig>,
  deps: { bus?: EventBus; versions?: OrderVersions } = {},
): Promise<GatewayService> {
  const subgraphUrls = Object.fromEntries(Object.entries(s.subgraphs).map(([n, sg]) => [n, sg.service.url]));
  return startGateway(defaultGatewayConfig({ ...options, port: 0, subgraphUrls }), deps);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
