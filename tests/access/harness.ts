import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, SubscribePayload } from 'graphql-ws';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import type { Consumer, Identity } from '../../canonical/index.js';
import type { GeneratedDemo } from '../../demo/index.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { devToken } from '../../gateway/auth/devCredentials.js';
import type { AuditLog } from '../../subgraphs/common/auditLog.js';
import type { GatewayConfig } from '../../gateway/config.js';
import { DEV_ISSUER, DEV_KEY_ID, DEV_PRIVATE_JWK } from '../../gateway/auth/dev-keys/development.js';
import { sha256Hex, type PersistedQueryManifest } from '../../gateway/governance/manifest.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { projectRoot } from '../../runtime/project.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { credential, gatewaySignature, type GqlResponse } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';
import { wsClient } from '../helpers/ws.js';

/**
 * Shared harness of the governed-access suite (CANONICAL_MODEL.md, "Consumers"): one demo world,
 * the callers (customer A, customer B, a partner node) picked from it, and requests sent exactly
 * as a client would — only the headers given, nothing added (no salesforce credential, no
 * gateway signature).
 */

/** Orders of the demo world these tests run over: enough for customers with several orders and every node. */
export const ORDERS = 200;
export const WEBHOOK_SECRET = 'access-suite-webhook-secret-0123';

export const world = (): GeneratedDemo => demo(ORDERS);

/** Starts the graph over {@link world}; with `live`, also the bus, the tracker and signed ingest. */
export async function accessStack(
  opts: { live?: boolean; gateway?: Partial<GatewayConfig>; audit?: AuditLog } = {},
): Promise<{ s: Stack; bus?: MemoryEventBus }> {
  // These suites list a shopper's orders page by page many times within seconds: a minute of the
  // storefront's cost budget at once, as the quotas' own tests do (tests/caching/quotas.test.ts).
  const gateway: Partial<GatewayConfig> = { quotaBurstSeconds: 60, ...opts.gateway };
  if (!opts.live) return { s: await stack({ orders: ORDERS, gateway, audit: opts.audit }) };
  const bus = new MemoryEventBus();
  const s = await stack({
    orders: ORDERS,
    bus,
    statusStore: new MemoryStatusStore(),
    seedTracker: true,
    webhookSecret: WEBHOOK_SECRET,
    gateway,
  });
  await s.gateway.tracker!.whenSeeded();
  return { s, bus };
}

/** The callers and rows the suite uses, derived from the demo world (deterministic seed). */
export interface Fixtures {
  /** Customer A: the caller. Has several orders, one of them ALLOCATED (a hold changes its status). */
  customerA: string;
  ordersOfA: string[];
  /** A's ALLOCATED order. */
  orderA: string;
  /** Customer B: the victim. Another customer with an ALLOCATED order. */
  customerB: string;
  orderB: string;
  orderNumberB: string;
  salesforceAccountB: string;
  /** B's rows in the other systems, for the root lookups. */
  paymentB: string;
  shipmentB: string;
  trackingB: string;
  returnB: string;
  /** A partner node (drop-ship) and its orders; an order with no fulfillment order there. */
  partnerNode: string;
  ordersOfPartner: string[];
  orderElsewhere: string;
}

export function fixtures(d: GeneratedDemo = world()): Fixtures {
  const { oms, erp, wms, carrier, returns } = d.data;
  const orderById = new Map(oms.orders.map((o) => [o.id, o]));
  const ordersOf = (customerId: string): string[] =>
    oms.orders.filter((o) => o.customerId === customerId).map((o) => o.id);
  const allocated = d.scenarios.allocated.map((id) => orderById.get(id)!);
  const a = allocated.find((o) => ordersOf(o.customerId).length >= 3 && ordersOf(o.customerId).length <= 20)!;
  // B's rows in the lookup systems come from any of B's orders (an allocated order has no shipment yet).
  const rowsOf = (customerId: string) => {
    const mine = new Set(ordersOf(customerId));
    const shipment = wms.shipments.find(
      (x) => mine.has(x.orderId) && carrier.shipments.some((c) => c.trackingNumber === x.trackingNumber),
    );
    return {
      payment: erp.payments.find((p) => mine.has(p.orderId)),
      shipment,
      ret: returns.returns.find((r) => mine.has(r.orderId)),
      account: oms.customers.find((c) => c.id === customerId)?.salesforceAccountId ?? null,
    };
  };
  const b = allocated.find((o) => {
    const r = rowsOf(o.customerId);
    return o.customerId !== a.customerId && r.payment && r.shipment && r.ret && r.account;
  });
  if (!b)
    throw new Error(
      'the demo world changed: no second customer with an ALLOCATED order, a payment, a shipment, a return and a Salesforce account',
    );
  const { payment, shipment, ret, account } = rowsOf(b.customerId);
  const partnerNode = 'DS-ACME';
  const atNode = new Set(oms.fulfillmentOrders.filter((f) => f.nodeId === partnerNode).map((f) => f.orderId));
  const elsewhere = oms.orders.find((o) => !atNode.has(o.id))!;
  return {
    customerA: a.customerId,
    ordersOfA: ordersOf(a.customerId),
    orderA: a.id,
    customerB: b.customerId,
    orderB: b.id,
    orderNumberB: b.number,
    salesforceAccountB: account!,
    paymentB: payment!.id,
    shipmentB: shipment!.id,
    trackingB: shipment!.trackingNumber,
    returnB: ret!.id,
    partnerNode,
    ordersOfPartner: [...atNode].sort(),
    orderElsewhere: elsewhere.id,
  };
}

/** An id of the right shape that names no row anywhere. */
export const MISSING_ORDER = 'ORD-999999';

/** Credential headers of each caller (development keys). */
export const as = {
  salesforce: () => credential('salesforce'),
  ops: () => credential('ops'),
  customer: (customerId: string) => credential('storefront', { customerId }),
  partner: (nodeId: string) => credential('partner', { partnerNodeId: nodeId }),
};

/** A raw HTTP answer: status, headers, the body as text and (when it is JSON) parsed. */
export interface RawResponse extends GqlResponse {
  text: string;
}

/**
 * POSTs `body` (JSON-encoded unless a string) to `url` with exactly `headers` plus a JSON content
 * type: nothing else is added, unlike tests/helpers/http.ts.
 */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return raw(res);
}

/**
 * POSTs `body` to a subgraph at `url` as the gateway would for `who`: the identity header bound
 * to this subgraph and these exact bytes (tests/helpers/http.ts `gatewaySignature`).
 */
export async function postAs(
  url: string,
  body: unknown,
  who: Identity,
  opts: { singleUse?: boolean } = {},
): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return post(url, text, await gatewaySignature(url, text, who, opts));
}

/** GETs `url` with exactly `headers`. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(await fetch(url, { headers }));
}

async function raw(res: Response): Promise<RawResponse> {
  const text = await res.text();
  let body: GqlResponse['body'] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON; tests that expect JSON assert on `body` and fail there.
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** One GraphQL operation as `headers`' caller. */
export const query = (
  url: string,
  headers: Record<string, string>,
  q: string,
  variables?: Record<string, unknown>,
): Promise<RawResponse> => post(url, { query: q, variables }, headers);

/** The persisted-operation manifest (operations/manifest.json). */
export const manifest = (): PersistedQueryManifest =>
  JSON.parse(readFileSync(join(projectRoot(), 'operations', 'manifest.json'), 'utf8')) as PersistedQueryManifest;

/** The manifest operation named `name`: its hash (id) and body. */
export function manifestOp(name: string): { id: string; body: string; clientName: string } {
  const op = manifest().operations.find((o) => o.name === name);
  if (!op) throw new Error(`operations/manifest.json has no operation ${name}`);
  return op;
}

/** A request body running a persisted operation by hash alone (Apollo's APQ extension shape). */
export const byHash = (
  sha256Hash: string,
  variables?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash } }, ...extra });

export { sha256Hex };

/** The error codes of a response, in order. */
export const codesOf = (r: GqlResponse): string[] => (r.body.errors ?? []).map((e) => String(e.extensions?.code));

/** The identity the gateway establishes for each caller, for in-process execution (`gateway.execute`). */
export const identity = {
  customer: (customerId: string): Identity => ({
    consumer: 'storefront',
    subject: customerId,
    customerId,
    scopes: ['orders:read:own'],
  }),
  partner: (nodeId: string): Identity => ({
    consumer: 'partner',
    subject: `dev-${nodeId}`,
    partnerNodeId: nodeId,
    scopes: [],
  }),
  of: (consumer: Consumer, subject: string): Identity => ({ consumer, subject, scopes: [] }),
};

/** Sends an ERP webhook (native shape), signed, to the stack's ingest endpoint. */
export async function erpWebhook(s: Stack, body: object): Promise<number> {
  const text = JSON.stringify(body);
  const res = await fetch(s.subgraphs.erp.ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, text) },
    body: text,
  });
  await res.arrayBuffer();
  return res.status;
}

/** An ERP hold notice: it moves an ALLOCATED order to ON_HOLD. */
export const holdPlaced = (notificationId: string, orderId: string, postedAt = new Date().toISOString()) => ({
  notificationId,
  eventType: 'HOLD_PLACED',
  postedAt,
  salesOrder: { orderRef: orderId },
  hold: { type: 'FRAUD', reason: 'velocity check' },
});

/** Waits `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A subscription whose messages (and end: complete or error) are collected as they arrive. */
export interface Subscription {
  messages: { data?: any; errors?: any[] }[];
  /** Set when the server ended it: 'complete', or the error (a GraphQL error list, a close event). */
  ended?: unknown;
  waitFor(n: number, timeoutMs?: number): Promise<Subscription['messages']>;
  waitEnded(timeoutMs?: number): Promise<unknown>;
  stop(): void;
}

/** Subscribes with any payload (e.g. `extensions.persistedQuery` and an empty query). */
export function subscribe(client: Client, payload: SubscribePayload): Subscription {
  const sub: Subscription = {
    messages: [],
    stop: () => {},
    async waitFor(n, timeoutMs = 5000) {
      await until(
        () => sub.messages.length >= n,
        timeoutMs,
        () => `expected ${n} messages, got ${JSON.stringify(sub.messages).slice(0, 400)}`,
      );
      return sub.messages;
    },
    async waitEnded(timeoutMs = 5000) {
      await until(
        () => sub.ended !== undefined,
        timeoutMs,
        () => `expected the subscription to end; it has ${sub.messages.length} messages`,
      );
      return sub.ended;
    },
  };
  sub.stop = client.subscribe(payload, {
    next: (m) => sub.messages.push(m as Subscription['messages'][number]),
    error: (e) => {
      sub.ended = e;
    },
    complete: () => {
      sub.ended ??= 'complete';
    },
  });
  return sub;
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what: () => string = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what()} (within ${timeoutMs} ms)`);
    await sleep(10);
  }
}

/** A graphql-ws client sending `connectionParams` in connection_init; its close code is recorded. */
export function socket(
  httpUrl: string,
  connectionParams: Record<string, unknown>,
  headers?: Record<string, string>,
): { client: Client; closed: { code?: number; reason?: string } } {
  const closed: { code?: number; reason?: string } = {};
  const client = wsClient(httpUrl, {
    connectionParams,
    headers,
    onClose: (code, reason) => {
      closed.code ??= code;
      closed.reason ??= reason;
    },
  });
  return { client, closed };
}

/**
 * Tokens the gateway must refuse, each otherwise a valid storefront token of `customerId`:
 * signed by a key pair of our own under the development kid (forged), expired an hour ago (well
 * past the 30 s clock tolerance), for an audience that is no consumer, from another issuer.
 */
export async function badTokens(
  customerId: string,
): Promise<Record<'forged' | 'expired' | 'wrongAudience' | 'wrongIssuer', string>> {
  const devKey = await importJWK({ ...DEV_PRIVATE_JWK }, 'ES256');
  const { privateKey: attackerKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0] = devKey) =>
    new SignJWT({
      iss: DEV_ISSUER,
      aud: 'storefront',
      sub: customerId,
      scope: 'orders:read:own',
      iat: now,
      exp: now + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: DEV_KEY_ID, typ: 'JWT' })
      .sign(key);
  return {
    forged: await sign({}, attackerKey),
    expired: await devToken('storefront', { customerId, now: Date.now() - 2 * 3600_000, ttlSeconds: 3600 }),
    wrongAudience: await sign({ aud: 'billing' }),
    wrongIssuer: await sign({ iss: 'https://idp.attacker.example' }),
  };
}
