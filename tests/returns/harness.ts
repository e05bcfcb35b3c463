import { generateDemo } from '../../demo/index.js';
import type { SystemName } from '../../canonical/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryOrderVersions } from '../../events/versions.js';
import type { VisibilityStore } from '../../store/index.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { createLogger } from '../../runtime/logger.js';
import { credential, gql, type GqlResponse } from '../helpers/http.js';
import { after, post, SECRET, type Answer } from '../ingest/harness.js';

/**
 * The whole graph with ingest on one bus, the status tracker, and an injected clock (the oms's
 * derived fields and the actions judge the return window against it), for the returns tests.
 */
export async function returnsStack(opts: { store?: VisibilityStore } = {}): Promise<ReturnsStack> {
  const bus = new MemoryEventBus();
  const versions = new MemoryOrderVersions();
  // The clock follows the webhooks (half a minute after the latest) unless a test sets it.
  let minute = 0;
  const clock: { now: number | null } = { now: null };
  const now = () => clock.now ?? Date.parse(after(minute + 0.5));
  const stack = await startStack({
    data: generateDemo({ orders: 20 }).data,
    bus,
    webhookSecret: SECRET,
    statusStore: new MemoryStatusStore(),
    versions,
    ...(opts.store ? { store: opts.store } : {}),
    now,
    logger: createLogger('returns-tests', 'silent'),
  });
  const send = async (system: SystemName, body: Record<string, unknown>): Promise<Answer> => {
    const r = await post(stack.subgraphs[system].ingestUrl, body);
    if (r.status !== 200) throw new Error(`${system} ingest answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };
  const usd = (amount: string) => ({ amount, currency: 'USD' });
  const s: ReturnsStack = {
    stack,
    bus,
    versions,
    clock,
    url: stack.gateway.url,
    now,
    at: (m) => after(m),
    tick: () => ++minute,
    oms: (orderId, eventType, extra = {}) =>
      send('oms', { eventId: `o${++minute}`, eventType, eventTime: after(minute), orderId, ...extra }),
    erp: (orderId, eventType, extra = {}) =>
      send('erp', {
        notificationId: `e${++minute}`,
        eventType,
        postedAt: after(minute),
        salesOrder: { orderRef: orderId, salesOrderId: `SO-${orderId}` },
        ...extra,
      }),
    wms: (orderId, body) => send('wms', { messageId: `w${++minute}`, occurredAt: after(minute), orderId, ...body }),
    returns: (orderId, id, topic, extra = {}) =>
      send('returns', {
        webhookId: `r${++minute}`,
        topic,
        createdAt: after(minute),
        return: { id, orderId, ...extra },
      }),
    async placed(orderId, customerId, lines) {
      await s.oms(orderId, 'ORDER_CREATED', {
        order: {
          number: `W${orderId.replace(/\D/g, '')}`,
          channel: 'WEB',
          customer: { id: customerId, name: 'Test Customer' },
          lines,
        },
      });
      await s.erp(orderId, 'SALES_ORDER_ACCEPTED', {
        totals: { subtotal: usd('80.00'), tax: usd('0.00'), shipping: usd('0.00'), total: usd('80.00') },
      });
      await s.erp(orderId, 'PAYMENT_AUTHORIZED', { payment: { paymentId: `PAY-${orderId}`, amount: usd('80.00') } });
      await s.erp(orderId, 'PAYMENT_CAPTURED', {
        payment: { paymentId: `PAY-${orderId}`, capturedTotal: usd('80.00') },
      });
    },
    async shipped(orderId, n, lines, deliver) {
      const fo = `FO-${orderId}-${n}`;
      const shipment = `SHP-${orderId}-${n}`;
      await s.wms(orderId, { messageType: 'RELEASE', nodeId: 'DC-EAST', fulfillmentOrderId: fo });
      await s.oms(orderId, 'ORDER_ALLOCATED', { fulfillmentOrder: { id: fo, nodeId: 'DC-EAST', lines } });
      for (const messageType of ['PICK_CONFIRM', 'PACK_CONFIRM'])
        await s.wms(orderId, { messageType, nodeId: 'DC-EAST', fulfillmentOrderId: fo });
      await s.wms(orderId, {
        messageType: 'SHIP_CONFIRM',
        nodeId: 'DC-EAST',
        fulfillmentOrderId: fo,
        shipments: [{ shipmentId: shipment, carrier: 'UPS', trackingNumber: `1Z${shipment}`, lines }],
      });
      const m = ++minute;
      await send('carrier', {
        eventId: `c${m}`,
        carrier: 'UPS',
        trackingNumber: `1Z${shipment}`,
        references: { shipmentId: shipment, orderId },
        scans: ['M', 'I', ...(deliver ? ['D'] : [])].map((code, i) => ({
          code,
          occurredAt: after(m + i / 10),
          description: code,
        })),
      });
      return deliver ? after(m + 0.2) : null;
    },
    invoiced: (orderId, lines) =>
      s.erp(orderId, 'INVOICE_POSTED', {
        invoice: {
          number: `INV-${orderId}-${minute}`,
          amount: usd('80.00'),
          lines: lines.map((l) => ({ ...l, amount: usd('40.00') })),
        },
      }),
    async as(who, query, variables) {
      const headers =
        who === 'salesforce'
          ? {}
          : who.consumer === 'storefront'
            ? await credential('storefront', { customerId: who.customerId })
            : who.consumer === 'partner'
              ? await credential('partner', { partnerNodeId: who.partnerNodeId })
              : await credential('ops');
      return gql(stack.gateway.url, query, variables, headers);
    },
    stop: async () => {
      await stack.stop();
      await bus.close();
    },
  };
  return s;
}

export type Caller =
  | 'salesforce'
  | { consumer: 'storefront'; customerId: string }
  | { consumer: 'partner'; partnerNodeId: string }
  | { consumer: 'ops' };

export interface ReturnsStack {
  stack: Stack;
  bus: MemoryEventBus;
  /** The order versions ingest bumps and the gateway's caches check (a second gateway or replica shares them). */
  versions: MemoryOrderVersions;
  /** The clock the stack's actions judge by, ms. */
  now(): number;
  /** The injected clock, ms: set it to test the window; null follows the webhooks. */
  clock: { now: number | null };
  url: string;
  at(minutes: number): string;
  tick(): number;
  oms(orderId: string, eventType: string, extra?: object): Promise<Answer>;
  erp(orderId: string, eventType: string, extra?: object): Promise<Answer>;
  wms(orderId: string, body: object): Promise<Answer>;
  returns(orderId: string, id: string, topic: string, extra?: object): Promise<Answer>;
  /** Creates, accepts and pays an order of `customerId`. */
  placed(
    orderId: string,
    customerId: string,
    lines: { lineNumber: number; sku: string; quantity: number; finalSale?: boolean }[],
  ): Promise<void>;
  /** Allocates, ships (and with `deliver`, delivers) `lines` as fulfillment order and shipment `n`; the delivery time. */
  shipped(
    orderId: string,
    n: number,
    lines: { lineNumber: number; quantity: number }[],
    deliver: boolean,
  ): Promise<string | null>;
  invoiced(orderId: string, lines: { lineNumber: number; quantity: number }[]): Promise<Answer>;
  as(who: Caller, query: string, variables?: Record<string, unknown>): Promise<GqlResponse>;
  stop(): Promise<void>;
}
