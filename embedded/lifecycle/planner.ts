/** The lifecycle simulator's step planner: each order's next natural step, as each system's native webhook bodies. */
import {
  carrierCodesFor,
  fromCents,
  normalizeCarrierStatus,
  toCents,
  type ShipmentStatus,
} from '../../canonical/index.js';
import {
  CARRIER_SERVICES,
  CARRIERS_BY_NODE_TYPE,
  CHANNEL_LETTER,
  CHANNELS_WEIGHTED,
  DCS,
  DISPOSITIONS_WEIGHTED,
  HOLD_REASONS,
  HUBS,
  NODES,
  PAYMENT_METHODS,
  RELEASED_HOLD_TYPES,
  RETURN_REASONS,
  SCAN_DESCRIPTIONS,
  SKUS,
  STORES,
} from '../../demo/catalogue.js';
import { DEMO_EPOCH, type Rng } from '../../demo/index.js';
import type {
  CarrierShipment,
  DemoData,
  ErpOrder,
  ErpPayment,
  OmsFulfillmentOrder,
  OmsOrder,
  ReturnRecord,
  SystemName,
  WmsFulfillmentOrder,
  WmsShipment,
} from '../../demo/records.js';
import type { CarrierTrackingWebhook } from '../../subgraphs/carrier/ingest.js';
import type { ErpNotification } from '../../subgraphs/erp/ingest.js';
import type { OmsNotification } from '../../subgraphs/oms/ingest.js';
import type { ReturnsTopic, ReturnsWebhook } from '../../subgraphs/returns/ingest.js';
import type { WmsMessage } from '../../subgraphs/wms/ingest.js';
import type { View } from './view.js';

/** One webhook to POST: the system whose ingest receives it, and its native body. */
export type Webhook = { system: SystemName; body: object };
/** Who requests a return through the graph: the order's customer on the storefront, or an agent in Salesforce. */
export type Requester = { consumer: 'storefront'; customerId: string } | { consumer: 'salesforce'; actingUser: string };
/** A `requestReturn` mutation through the gateway (docs/returns.md), as `as` would send it. */
export type ReturnRequest = {
  action: 'requestReturn';
  as: Requester;
  input: {
    orderId: string;
    idempotencyKey: string;
    channel: string;
    lines: { lineNumber: number; quantity: number; reasonCode: string }[];
  };
};
/** One step the runner sends: a system's webhook, or an action through the graph. */
export type Send = Webhook | ReturnRequest;
/** The reason codes of `requestReturn` (the schema's ReturnReasonCode) the simulated customers give. */
const ACTION_REASONS = [
  'SIZE_FIT',
  'CHANGED_MIND',
  'DAMAGED',
  'NOT_AS_DESCRIBED',
  'DEFECTIVE',
  'ARRIVED_LATE',
] as const;
/** The simulated agents of the call center (Salesforce user ids). */
const AGENTS = ['005Hs00000Lif01', '005Hs00000Lif02', '005Hs00000Lif03'] as const;
const PRICE = new Map(SKUS.map((s) => [s.sku, s]));
const NODE = new Map(NODES.map((n) => [n.id, n]));
const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((n, x) => n + f(x), 0);
const price = (o: OmsOrder, lineNumber: number): number =>
  PRICE.get(o.lines.find((l) => l.lineNumber === lineNumber)?.sku ?? '')?.cents ?? 2500;
const NEXT_PICK: Partial<Record<WmsFulfillmentOrder['status'], WmsMessage['messageType']>> = {
  RELEASED: 'PICK_START',
  PICKING: 'PICK_CONFIRM',
  PICKED: 'PACK_CONFIRM',
};

/** Plans each change; every choice comes from the one {@link Rng} the runner shares, in the order it is made. */
export class Planner {
  private readonly tag = Date.now().toString(36).toUpperCase();
  /** Orders that already had their one chance of a hold, a cancellation, a backorder, a return. */
  private readonly decided = new Set<string>();
  private lastTime = 0;
  private counter = 0;
  private created = 0;

  /**
   * @param returnShare chance a delivered order gets a return
   * @param actionShare share of those requested through the graph's `requestReturn` rather than the desk's `return.requested` webhook
   * @param troubleShare share of orders that, once shipped, run into trouble once (a business
   * exception the operators see: see {@link Planner.trouble}).
   */
  constructor(
    private readonly data: DemoData,
    private readonly view: View,
    private readonly rng: Rng,
    private readonly t0: number,
    private readonly returnShare = 0.3,
    private readonly actionShare = 0,
    private readonly troubleShare = 0.1,
  ) {}

  private clock(): string {
    const now = Date.now();
    this.lastTime = Math.max(now, Date.parse(DEMO_EPOCH) + (performance.now() - this.t0), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  private nextId(prefix: string): string {
    return `${prefix}-${this.tag}-${++this.counter}`;
  }

  /** The next natural step of one order, or null when it is at rest. */
  plan(o: OmsOrder): Send[] | null {
    const v = this.view;
    const key = o.id.replace(/^ORD-/, '');
    const open = o.fulfillmentOrderIds
      .map((f) => v.fos.get(f))
      .filter((f): f is WmsFulfillmentOrder => !!f && f.status !== 'SHIPPED' && f.status !== 'CANCELLED');
    const net = sum(o.lines, (l) => l.quantity - l.cancelledQuantity);
    if (net === 0)
      return open.length ? open.map((f) => this.wms(f, 'CANCEL', { reasonCode: 'ORDER_CANCELLED' })) : null;
    const erp = v.erp.get(o.id);
    if (!erp?.acceptedAt) return [this.accept(o, key, erp)];
    const hold = erp.holds.find((h) => h.releasedAt == null);
    if (hold) return [this.erp(o, 'HOLD_RELEASED', { hold: { type: hold.type } })];
    const payment = [...erp.paymentIds]
      .reverse()
      .map((p) => v.payments.get(p))
      .find((p) => p && p.status !== 'FAILED' && p.status !== 'VOIDED');
    if (!payment || payment.status === 'PENDING') {
      const paymentId = payment?.id ?? `PAY-${key}-${erp.paymentIds.length + 1}`;
      const kind = this.rng.chance(0.05) ? 'PAYMENT_FAILED' : 'PAYMENT_AUTHORIZED';
      return [
        this.erp(o, kind, {
          payment: { paymentId, method: this.rng.weighted(PAYMENT_METHODS), amount: erp.totals.total },
        }),
      ];
    }
    const shipments = v.shipments.get(o.id) ?? [];
    if (shipments.length === 0 && !this.decided.has(`hold:${o.id}`)) {
      this.decided.add(`hold:${o.id}`);
      const type = this.rng.weighted(RELEASED_HOLD_TYPES);
      if (this.rng.chance(0.06))
        return [this.erp(o, 'HOLD_PLACED', { hold: { type, reason: this.rng.pick(HOLD_REASONS[type]) } })];
      if (this.rng.chance(0.03)) return this.cancel(o, open, payment);
    }
    if (shipments.length > 0 && !this.decided.has(`trouble:${o.id}`)) {
      this.decided.add(`trouble:${o.id}`);
      if (this.rng.chance(this.troubleShare)) {
        const trouble = this.trouble(o, key, shipments);
        if (trouble) return trouble;
      }
    }
    const sourcing = this.source(o, key);
    if (sourcing) return sourcing;
    const unreleased = o.fulfillmentOrderIds.map((f) => v.omsFos.get(f)).find((f) => f && !v.fos.has(f.id));
    if (unreleased) return [this.wms({ id: unreleased.id, orderId: o.id, nodeId: unreleased.nodeId }, 'RELEASE')];
    const steps: (() => Send[] | null)[] = [];
    for (const f of open) steps.push(() => this.fulfil(o, key, f));
    if (shipments.length > erp.invoices.length) steps.push(() => this.invoice(o, key, erp, payment, shipments, net));
    for (const s of shipments) {
      const t = v.tracking.get(s.id);
      const last = t?.scans.at(-1);
      const status = last ? normalizeCarrierStatus(t!.carrier, last.code) : null;
      if (!status || !['DELIVERED', 'RETURNED_TO_SENDER', 'CANCELLED', 'UNKNOWN'].includes(status))
        steps.push(() => [this.scan(s, this.nextScan(status, t))]);
    }
    for (const r of v.returns.get(o.id) ?? []) steps.push(() => this.returnStep(o, r, payment));
    while (steps.length) {
      const sends = steps.splice(this.rng.int(0, steps.length - 1), 1)[0]!();
      if (sends) return sends;
    }
    return this.requestReturn(o, key);
  }

  private erp(o: OmsOrder, eventType: ErpNotification['eventType'], extra: Partial<ErpNotification> = {}): Send {
    const body: ErpNotification = {
      notificationId: this.nextId('ERP'),
      eventType,
      postedAt: this.clock(),
      salesOrder: { orderRef: o.id },
      ...extra,
    };
    return { system: 'erp', body };
  }

  private accept(o: OmsOrder, key: string, erp: ErpOrder | undefined): Send {
    if (erp)
      return this.erp(o, 'SALES_ORDER_ACCEPTED', { salesOrder: { orderRef: o.id, salesOrderId: erp.erpSalesOrderId } });
    const subtotal = sum(o.lines, (l) => l.quantity * price(o, l.lineNumber));
    const tax = Math.round(subtotal * 0.08);
    const shipping = subtotal >= 7500 ? 0 : 595;
    const totals = {
      subtotal: fromCents(subtotal),
      tax: fromCents(tax),
      shipping: fromCents(shipping),
      total: fromCents(subtotal + tax + shipping),
    };
    return this.erp(o, 'SALES_ORDER_ACCEPTED', { salesOrder: { orderRef: o.id, salesOrderId: `SO-${key}` }, totals });
  }

  private oms(o: OmsOrder, eventType: OmsNotification['eventType'], extra: Partial<OmsNotification> = {}): Send {
    const body: OmsNotification = {
      eventId: this.nextId('OMS'),
      eventType,
      eventTime: this.clock(),
      orderId: o.id,
      ...extra,
    };
    return { system: 'oms', body };
  }

  private wms(
    f: Pick<WmsFulfillmentOrder, 'id' | 'orderId' | 'nodeId'>,
    messageType: WmsMessage['messageType'],
    extra: Partial<WmsMessage> = {},
  ): Send {
    const body: WmsMessage = {
      messageId: this.nextId('WMS'),
      messageType,
      occurredAt: this.clock(),
      nodeId: f.nodeId,
      orderId: f.orderId,
      fulfillmentOrderId: f.id,
      ...extra,
    };
    return { system: 'wms', body };
  }

  private returns(
    r: Pick<ReturnRecord, 'id' | 'orderId'>,
    topic: ReturnsTopic,
    extra: Partial<ReturnsWebhook['return']> = {},
  ): Send {
    const body: ReturnsWebhook = {
      webhookId: this.nextId('RET'),
      topic,
      createdAt: this.clock(),
      return: { id: r.id, orderId: r.orderId, ...extra },
    };
    return { system: 'returns', body };
  }

  private cancel(o: OmsOrder, open: WmsFulfillmentOrder[], payment: ErpPayment): Send[] {
    const sends = [
      this.oms(o, 'ORDER_CANCELLED', { reasonCode: 'CUSTOMER_REQUEST' }),
      ...open.map((f) => this.wms(f, 'CANCEL', { reasonCode: 'ORDER_CANCELLED' })),
    ];
    if (toCents(payment.capturedAmount) === 0)
      sends.push(this.erp(o, 'PAYMENT_VOIDED', { payment: { paymentId: payment.id } }));
    return sends;
  }

  /** Units not yet sourced (fulfillment orders the node cancelled no longer hold theirs): backorder, cancel or allocate them. */
  private source(o: OmsOrder, key: string): Send[] | null {
    const live = o.fulfillmentOrderIds
      .map((f) => this.view.omsFos.get(f))
      .filter((f): f is OmsFulfillmentOrder => !!f && this.view.fos.get(f.id)?.status !== 'CANCELLED');
    const short = o.lines
      .map((l) => ({
        l,
        left:
          l.quantity -
          l.cancelledQuantity -
          sum(live, (f) =>
            sum(
              f.lines.filter((x) => x.lineNumber === l.lineNumber),
              (x) => x.quantity,
            ),
          ),
      }))
      .filter((x) => x.left > 0);
    if (short.length === 0) return null;
    if (!this.decided.has(`source:${o.id}`)) {
      this.decided.add(`source:${o.id}`);
      if (this.rng.chance(0.1))
        return [
          this.oms(o, 'ORDER_BACKORDERED', {
            backorders: short.map((x) => ({ lineNumber: x.l.lineNumber, backorderedQuantity: x.left })),
          }),
        ];
      if (this.rng.chance(0.04))
        return [
          this.oms(o, 'ORDER_LINE_CANCELLED', {
            line: {
              lineNumber: short[0]!.l.lineNumber,
              cancelledQuantity: short[0]!.l.cancelledQuantity + short[0]!.left,
            },
            reasonCode: 'CUSTOMER_REQUEST',
          }),
        ];
    }
    const partner = (sku: string): string | null => PRICE.get(sku)?.dropShip ?? null;
    const target =
      partner(short[0]!.l.sku) ?? (this.rng.chance(0.12) ? this.rng.pick(STORES) : this.rng.weighted(DCS)).id;
    const lines = short
      .filter((x) => (partner(x.l.sku) ?? target) === target)
      .map((x) => ({ lineNumber: x.l.lineNumber, quantity: x.left }));
    const id = `FO-${key}-${o.fulfillmentOrderIds.length + 1}`;
    const allocated = this.oms(o, 'ORDER_ALLOCATED', { fulfillmentOrder: { id, nodeId: target, lines } });
    // The node's WMS hears of the release before the OMS lists the fulfillment order: the graph never
    // shows an order whose fulfillment order the WMS does not know (its derived status would be null).
    return [this.wms({ id, orderId: o.id, nodeId: target }, 'RELEASE'), allocated];
  }

  /** One step at the node; packed (or any drop-ship) parcels ship with a label scan from the carrier. */
  private fulfil(o: OmsOrder, key: string, f: WmsFulfillmentOrder): Send[] {
    const type = NODE.get(f.nodeId)?.type ?? 'DC';
    if (f.status === 'RELEASED' && type !== 'DROP_SHIP' && this.rng.chance(0.03))
      return [this.wms(f, 'CANCEL', { reasonCode: 'SHORT_PICK' })];
    const next = type === 'DROP_SHIP' || f.status === 'PACKED' ? null : NEXT_PICK[f.status];
    if (next) return [this.wms(f, next)];
    const carrier = this.rng.weighted(CARRIERS_BY_NODE_TYPE[type]);
    const shipment: WmsShipment = {
      id: `SHP-${key}-${(this.view.shipments.get(o.id)?.length ?? 0) + 1}`,
      orderId: o.id,
      fulfillmentOrderId: f.id,
      shippedAt: '',
      carrier,
      trackingNumber: `${carrier.slice(0, 2)}LC${this.tag}${String(++this.counter).padStart(7, '0')}`,
      lines: this.view.omsFos.get(f.id)?.lines ?? [],
    };
    const ship = this.wms(f, type === 'DROP_SHIP' ? 'ASN' : 'SHIP_CONFIRM', {
      shipments: [{ shipmentId: shipment.id, carrier, trackingNumber: shipment.trackingNumber, lines: shipment.lines }],
    });
    return [ship, this.scan(shipment, 'LABEL_CREATED')];
  }

  /**
   * Once per shipped order, for a `troubleShare` of them, one of the things that go wrong after a
   * shipment, sent as the systems would report it (every one is accepted, 2xx):
   * - a hold placed after the parcel left (HOLD_AFTER_PARTIAL_FULFILLMENT; the next step releases it);
   * - the customer cancels while a parcel is on its way (the OMS cancels what did not ship and
   *   refuses the rest: CANCEL_AFTER_SHIPMENT, and DEAD_LETTER for the refused part);
   * - the DC receives a return before the carrier delivered (RETURN_WITHOUT_DELIVERY, closed by the
   *   delivery scan), now and then one unit more than shipped (OVER_RECEIPT).
   * Null when the order has nothing on its way.
   */
  private trouble(o: OmsOrder, key: string, shipments: WmsShipment[]): Send[] | null {
    const moving = shipments.filter((s) => {
      const t = this.view.tracking.get(s.id);
      const last = t?.scans.at(-1);
      const status = last ? normalizeCarrierStatus(t!.carrier, last.code) : null;
      return status === null || !['DELIVERED', 'RETURNED_TO_SENDER', 'CANCELLED'].includes(status);
    });
    if (moving.length === 0) return null;
    const s = this.rng.pick(moving);
    switch (this.rng.int(1, 3)) {
      case 1: {
        const type = this.rng.weighted(RELEASED_HOLD_TYPES);
        return [this.erp(o, 'HOLD_PLACED', { hold: { type, reason: this.rng.pick(HOLD_REASONS[type]) } })];
      }
      case 2:
        return [this.oms(o, 'ORDER_CANCELLED', { reasonCode: 'CUSTOMER_REQUEST' })];
      default: {
        const extra = this.rng.chance(0.3) ? 1 : 0;
        const lines = s.lines.map((l, i) => ({
          lineNumber: l.lineNumber,
          quantity: l.quantity + (i === 0 ? extra : 0),
          disposition: this.rng.weighted(DISPOSITIONS_WEIGHTED),
        }));
        const receipt: WmsMessage = {
          messageId: this.nextId('WMS'),
          messageType: 'RETURN_RECEIPT',
          occurredAt: this.clock(),
          nodeId: this.rng.weighted(DCS).id,
          orderId: o.id,
          returnId: `RET-${key}-R${shipments.indexOf(s) + 1}`,
          lines,
        };
        return [{ system: 'wms', body: receipt }];
      }
    }
  }

  private invoice(
    o: OmsOrder,
    key: string,
    erp: ErpOrder,
    payment: ErpPayment,
    shipments: WmsShipment[],
    net: number,
  ): Send[] {
    const s = shipments[erp.invoices.length]!;
    const authorized = toCents(payment.amount);
    const invoiced = sum(erp.invoices, (i) => toCents(i.amount));
    const last =
      erp.invoices.length + 1 === shipments.length && sum(shipments, (x) => sum(x.lines, (l) => l.quantity)) >= net;
    const amount = Math.max(
      0,
      last
        ? authorized - invoiced
        : Math.min(authorized - invoiced, Math.round((authorized * sum(s.lines, (l) => l.quantity)) / net)),
    );
    const lines = s.lines.map((l) => ({
      lineNumber: l.lineNumber,
      quantity: l.quantity,
      amount: fromCents(l.quantity * price(o, l.lineNumber)),
    }));
    const capturedTotal = fromCents(Math.min(authorized, toCents(payment.capturedAmount) + amount));
    return [
      this.erp(o, 'INVOICE_POSTED', {
        invoice: { number: `INV-${key}-${erp.invoices.length + 1}`, amount: fromCents(amount), lines },
      }),
      this.erp(o, 'PAYMENT_CAPTURED', { payment: { paymentId: payment.id, capturedTotal } }),
    ];
  }

  private nextScan(status: ShipmentStatus | null, t: CarrierShipment | undefined): ShipmentStatus {
    const r = this.rng;
    switch (status) {
      case null:
        return 'LABEL_CREATED';
      case 'LABEL_CREATED':
        return 'IN_TRANSIT';
      case 'IN_TRANSIT':
        return r.chance(0.05)
          ? 'EXCEPTION'
          : (t?.scans.length ?? 0) < 4 && r.chance(0.4)
            ? 'IN_TRANSIT'
            : 'OUT_FOR_DELIVERY';
      case 'EXCEPTION':
        return r.chance(0.1) ? 'RETURNED_TO_SENDER' : 'IN_TRANSIT';
      case 'OUT_FOR_DELIVERY':
        return r.chance(0.08) ? 'DELIVERY_ATTEMPTED' : r.chance(0.04) ? 'AVAILABLE_FOR_PICKUP' : 'DELIVERED';
      case 'DELIVERY_ATTEMPTED':
        return 'OUT_FOR_DELIVERY';
      default:
        return 'DELIVERED';
    }
  }

  private scan(s: WmsShipment, status: ShipmentStatus): Send {
    const body: CarrierTrackingWebhook = {
      eventId: this.nextId('TRK'),
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      references: { shipmentId: s.id, orderId: s.orderId },
      service: CARRIER_SERVICES[s.carrier]?.[0]?.name ?? null,
      scans: [
        {
          code: this.rng.pick(carrierCodesFor(s.carrier, status)),
          occurredAt: this.clock(),
          description: SCAN_DESCRIPTIONS[status],
          location: this.rng.pick(HUBS),
        },
      ],
    };
    return { system: 'carrier', body };
  }

  private returnStep(o: OmsOrder, r: ReturnRecord, payment: ErpPayment): Send[] | null {
    const amount = fromCents(sum(r.lines, (l) => l.quantity * price(o, l.lineNumber)));
    const memo = `CM-${r.id.replace(/^RET-/, '')}`;
    switch (r.status) {
      case 'REQUESTED':
        return [
          this.rng.chance(0.1)
            ? this.returns(r, 'return.rejected')
            : this.returns(r, 'return.approved', { rmaNumber: `RMA-${r.id.replace(/^RET-/, '')}` }),
        ];
      case 'APPROVED':
        return [this.returns(r, this.rng.chance(0.05) ? 'return.cancelled' : 'return.shipped')];
      case 'IN_TRANSIT': {
        const lines = r.lines.map((l) => ({
          lineNumber: l.lineNumber,
          quantity: l.quantity,
          disposition: this.rng.weighted(DISPOSITIONS_WEIGHTED),
        }));
        const receipt: WmsMessage = {
          messageId: this.nextId('WMS'),
          messageType: 'RETURN_RECEIPT',
          occurredAt: this.clock(),
          nodeId: this.rng.weighted(DCS).id,
          orderId: o.id,
          returnId: r.id,
          lines,
        };
        return [
          ...(this.view.receipts.has(r.id) ? [] : [{ system: 'wms' as const, body: receipt }]),
          this.returns(r, 'return.received'),
        ];
      }
      case 'RECEIVED':
        return [this.returns(r, 'return.refund_pending', { refund: { amount } })];
      case 'REFUND_PENDING': {
        const refundedTotal = fromCents(
          Math.min(toCents(payment.capturedAmount), toCents(payment.refundedAmount) + toCents(amount)),
        );
        return [
          this.erp(o, 'CREDIT_MEMO_POSTED', { creditMemo: { number: memo, amount, returnRef: r.id } }),
          ...(toCents(payment.capturedAmount) > 0
            ? [this.erp(o, 'PAYMENT_REFUNDED', { payment: { paymentId: payment.id, refundedTotal } })]
            : []),
          this.returns(r, 'return.refunded', { refund: { amount, creditMemoNumber: memo } }),
        ];
      }
      case 'REFUNDED':
        return [this.returns(r, 'return.closed')];
      default:
        return null;
    }
  }

  /** Once per order, after delivery: sometimes the customer returns a line's delivered units. */
  private requestReturn(o: OmsOrder, key: string): Send[] | null {
    if (this.decided.has(`return:${o.id}`)) return null;
    this.decided.add(`return:${o.id}`);
    const returns = this.view.returns.get(o.id) ?? [];
    const delivered = (n: number) =>
      sum(this.view.shipments.get(o.id) ?? [], (s) => {
        const t = this.view.tracking.get(s.id);
        const last = t?.scans.at(-1);
        return last && normalizeCarrierStatus(t!.carrier, last.code) === 'DELIVERED'
          ? sum(
              s.lines.filter((l) => l.lineNumber === n),
              (l) => l.quantity,
            )
          : 0;
      });
    const initiated = (n: number) =>
      sum(
        returns.filter((r) => r.status !== 'REJECTED' && r.status !== 'CANCELLED'),
        (r) =>
          sum(
            r.lines.filter((l) => l.lineNumber === n),
            (l) => l.quantity,
          ),
      );
    const candidates = o.lines.filter((l) => !l.finalSale && delivered(l.lineNumber) > initiated(l.lineNumber));
    if (candidates.length === 0 || !this.rng.chance(this.returnShare)) return null;
    const line = this.rng.pick(candidates);
    // Through the graph (the shopper, or an agent for them), like the storefront and the agent console do.
    if (this.actionShare > 0 && this.rng.chance(this.actionShare)) {
      const agent = this.rng.chance(0.5);
      return [
        {
          action: 'requestReturn',
          as: agent
            ? { consumer: 'salesforce', actingUser: this.rng.pick(AGENTS) }
            : { consumer: 'storefront', customerId: o.customerId },
          input: {
            orderId: o.id,
            idempotencyKey: this.nextId('LIFE'),
            channel: agent ? 'CALL_CENTER' : o.channel,
            lines: [
              {
                lineNumber: line.lineNumber,
                quantity: delivered(line.lineNumber) - initiated(line.lineNumber),
                reasonCode: this.rng.pick(ACTION_REASONS),
              },
            ],
          },
        },
      ];
    }
    const reason = this.rng.pick(RETURN_REASONS);
    const lines = [
      { lineNumber: line.lineNumber, quantity: delivered(line.lineNumber) - initiated(line.lineNumber), reason },
    ];
    return [
      this.returns({ id: `RET-${key}-${returns.length + 1}`, orderId: o.id }, 'return.requested', {
        channel: o.channel,
        reason,
        lines,
      }),
    ];
  }

  /** A brand-new order placed through the OMS, or null when the world has no customers. */
  newOrder(): { id: string; sends: Webhook[] } | null {
    const customers = this.data.oms.customers;
    if (customers.length === 0) return null;
    let id: string;
    do id = `ORD-L${String(++this.created).padStart(6, '0')}`;
    while (this.view.orders.has(id));
    const c = this.rng.pick(customers);
    const channel = this.rng.weighted(CHANNELS_WEIGHTED);
    const skus = new Set<string>();
    for (let i = this.rng.int(1, 3); i > 0; i--) skus.add(this.rng.pick(SKUS).sku);
    const lines = [...skus].map((sku, i) => ({
      lineNumber: i + 1,
      sku,
      description: PRICE.get(sku)!.description,
      finalSale: PRICE.get(sku)!.finalSale,
      quantity: this.rng.int(1, 2),
    }));
    const order = {
      number: `${CHANNEL_LETTER[channel]}${9_000_000 + this.created}`,
      channel,
      customer: { id: c.id, name: c.name, email: c.email, salesforceAccountId: c.salesforceAccountId },
      lines,
    };
    const body: OmsNotification = {
      eventId: this.nextId('OMS'),
      eventType: 'ORDER_CREATED',
      eventTime: this.clock(),
      orderId: id,
      order,
    };
    return { id, sends: [{ system: 'oms', body }] };
  }
}
