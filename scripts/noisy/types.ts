/** What `npm run noisy`'s runner and its two client processes say to each other (IPC). */

/** One well-behaved request: when it was due, how long it took from then, what came back. */
export interface PoliteSample {
  op: 'storefront' | 'agent' | 'partner';
  /** Epoch ms the open-loop schedule said to send it. */
  dueAt: number;
  /** From `dueAt` to the whole answer read, ms (so a late send counts). */
  ms: number;
  /** HTTP status, 0 for no answer. */
  status: number;
  /** The first error's `extensions.code`, when the answer had errors. */
  code?: string;
  /** The `x-cache` header (`hit` from the response cache). */
  cache?: string;
}

/** What the well-behaved subscribers saw during one phase. */
export interface PoliteSubscriptions {
  events: number;
  /** From the change's `changedAt` to the event read, ms. */
  lagsMs: number[];
  errors: Record<string, number>;
  closes: number;
}

export interface PoliteConfig {
  url: string;
  /** Requests per second over all well-behaved clients. */
  rate: number;
  shoppers: { authorization: string; orderId: string; customerId: string }[];
  agent: { authorization: string; orderIds: string[] };
  partners: { apiKey: string; orderId: string }[];
  partnerHash: string;
  /** Orders the agent subscribers watch (they change all along). */
  watchedOrderIds: string[];
  subscribers: number;
}

export interface AbuserConfig {
  url: string;
  authorization: string;
  orderId: string;
  customerId: string;
  /** Another of its orders, not changing: the cheap query (a cache hit) of the quota part. */
  quotaOrderId: string;
  /** Epoch ms of the phase's start and end. */
  startAt: number;
  endAt: number;
  /** Distinct operation names of the cache-filling part. */
  names: number;
  /** The page size of its queries: the largest (up to 100) whose cost the shopper may run ({@link fillQuery}). */
  fillFirst: number;
  /** Connections opened at once in the subscription part, each sending `perConnectionTry` subscribes. */
  connections: number;
  perConnectionTry: number;
  /** How many of those connections stop reading (paused) once subscribed. */
  paused: number;
  /** Requests in flight in the HTTP parts. */
  concurrency: number;
}

/** One part of the abuse, in turn. */
export interface AbusePart {
  name: 'subscriptions' | 'cache' | 'quota';
  startAt: number;
  endAt: number;
}

export interface AbuseConnection {
  /** `burst` (opened at the start) or `retry` (a later try). */
  kind: 'burst' | 'retry';
  openedAt: number;
  sent: number;
  /** Subscribes not refused (graphql-ws has no acknowledgement of a subscribe: sent minus refused, once settled). */
  accepted: number;
  refused: Record<string, number>;
  /** A refusal's message (the first one), to quote. */
  firstRefusal?: string;
  paused: boolean;
  /** Epoch ms it stopped reading. */
  pausedAt?: number;
  events: number;
  /** The close code the client saw (after resuming, for a paused one), or null if still open at the end. */
  closeCode: number | null;
  closeReason?: string;
}

export interface AbuseReport {
  parts: AbusePart[];
  /** HTTP answers by part: `status code` → count. */
  http: Record<string, Record<string, number>>;
  /** Requests (HTTP answered 2xx, and subscribes accepted) per quota window (epoch minute). */
  admittedPerMinute: Record<string, number>;
  /** The first 429's message, Retry-After and extensions. */
  firstRefusal?: { message: string; retryAfter: string | null; extensions: unknown };
  connections: AbuseConnection[];
  /** Cache-filling queries sent (distinct operation names). */
  namesSent: number;
}

/** The abuser's parts in turn over its phase: subscriptions a quarter, the cache fill to 60 %, then the quota. */
export function abuseParts(startAt: number, endAt: number): AbusePart[] {
  const at = (share: number) => startAt + Math.round((endAt - startAt) * share);
  return [
    { name: 'subscriptions', startAt, endAt: at(0.25) },
    { name: 'cache', startAt: at(0.25), endAt: at(0.6) },
    { name: 'quota', startAt: at(0.6), endAt },
  ];
}

/** The order fields a status page shows: what the cache-filling queries ask for of every order. */
const FILL_FIELDS =
  'id number placedAt channel status statusDetail { status reason } lines { lineNumber sku description finalSale quantity } ' +
  'lineStatuses { lineNumber status quantities { ordered cancelled shipped delivered returnInitiated returned } } ' +
  'totals { subtotal { amount currency } tax { amount currency } shipping { amount currency } total { amount currency } } ' +
  'shipments { id shippedAt carrier service trackingNumber trackingUrl status estimatedDeliveryAt deliveredAt events { occurredAt status description location } } ' +
  'returns { id rmaNumber status requestedAt lines { lineNumber quantity } refund { amount { amount currency } refundedAt } }';

/** The abuser's cache-filling query number `k`: a page of `first` orders with every status-page field (cost 1 + 62 × first). */
export const fillQuery = (k: number, first: number): string =>
  `query Fill${k} { orders(first: ${first}) { edges { node { ${FILL_FIELDS} } } } }`;
