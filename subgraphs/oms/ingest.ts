/**
 * OMS order events (docs/ingest.md, "oms"): an order created with its lines and customer, a line
 * or the whole order cancelled, units sourced to a node (a new fulfillment order) or backordered.
 * Quantities are totals per line, never increments, so a replay cannot double them.
 */
import { CHANNELS, type Channel } from '../../canonical/index.js';
import type { QtyLine } from '../../canonical/index.js';
import { EventType } from '../../canonical/eventTypes.js';
import { sourceEvent, type ApplyResult, type GuardedApply, type IngestSystem } from '../common/ingest.js';
import type { ShipmentLedger } from '../common/shipmentLedger.js';
import { Reader } from '../common/reader.js';
import type { OmsCustomer, OmsOrder, OmsRecorder } from './port.js';

export const OMS_EVENT_TYPES = [
  'ORDER_CREATED',
  'ORDER_LINE_CANCELLED',
  'ORDER_CANCELLED',
  'ORDER_ALLOCATED',
  'ORDER_BACKORDERED',
] as const;
export type OmsEventType = (typeof OMS_EVENT_TYPES)[number];

/** The order of an ORDER_CREATED event. */
export interface OmsCreatedOrder {
  number: string;
  channel: Channel;
  /** @default the event time */
  placedAt?: string | null;
  customer: { id: string; name: string; email?: string | null; salesforceAccountId?: string | null };
  lines: { lineNumber: number; sku: string; description?: string | null; finalSale?: boolean; quantity: number }[];
}

/** One native OMS event. Which optional part is required depends on `eventType`. */
export interface OmsNotification {
  /** The OMS's id of this event; a redelivery repeats it. */
  eventId: string;
  eventType: OmsEventType;
  eventTime: string;
  orderId: string;
  /** ORDER_CREATED. */
  order?: OmsCreatedOrder;
  /** ORDER_LINE_CANCELLED: the line's cancelled units in total after this event. */
  line?: { lineNumber: number; cancelledQuantity: number };
  /** ORDER_CANCELLED, ORDER_LINE_CANCELLED: why, e.g. `CUSTOMER_REQUEST`. */
  reasonCode?: string | null;
  /** ORDER_ALLOCATED: the new fulfillment order. */
  fulfillmentOrder?: { id: string; nodeId: string; lines: QtyLine[] };
  /** ORDER_BACKORDERED: each line's backordered units in total. */
  backorders?: { lineNumber: number; backorderedQuantity: number }[];
}

function readOrder(r: Reader): OmsCreatedOrder {
  const c = r.object('customer');
  r.qtyLines('lines');
  return {
    number: r.id('number'),
    channel: r.oneOf('channel', CHANNELS),
    placedAt: r.optionalDateTime('placedAt'),
    customer: {
      id: c.id('id'),
      name: c.string('name', 120),
      email: c.optionalString('email', 200),
      salesforceAccountId: c.optionalId('salesforceAccountId'),
    },
    lines: r.list('lines', 1, 500).map((l) => ({
      lineNumber: l.int('lineNumber', 1, 10_000),
      sku: l.id('sku'),
      description: l.optionalString('description', 200),
      finalSale: l.bool('finalSale', false),
      quantity: l.int('quantity', 1, 100_000),
    })),
  };
}

/** Validates an OMS event, naming the first bad field. */
export function validateOmsNotification(body: unknown): OmsNotification {
  const r = Reader.root(body);
  const n: OmsNotification = {
    eventId: r.id('eventId'),
    eventType: r.oneOf('eventType', OMS_EVENT_TYPES),
    eventTime: r.dateTime('eventTime'),
    orderId: r.id('orderId'),
  };
  switch (n.eventType) {
    case 'ORDER_CREATED':
      n.order = readOrder(r.object('order'));
      break;
    case 'ORDER_LINE_CANCELLED': {
      const l = r.object('line');
      n.line = {
        lineNumber: l.int('lineNumber', 1, 10_000),
        cancelledQuantity: l.int('cancelledQuantity', 1, 100_000),
      };
      n.reasonCode = r.optionalString('reasonCode', 40);
      break;
    }
    case 'ORDER_CANCELLED':
      n.reasonCode = r.optionalString('reasonCode', 40);
      break;
    case 'ORDER_ALLOCATED': {
      const fo = r.object('fulfillmentOrder');
      n.fulfillmentOrder = {
        id: fo.id('id'),
        nodeId: fo.id('nodeId'),
        lines: fo
          .qtyLines('lines')
          .map((l) => ({ lineNumber: l.int('lineNumber', 1, 10_000), quantity: l.int('quantity', 1, 100_000) })),
      };
      break;
    }
    case 'ORDER_BACKORDERED': {
      const seen = new Set<number>();
      n.backorders = r.list('backorders', 1, 500).map((l) => {
        const lineNumber = l.int('lineNumber', 1, 10_000);
        if (seen.has(lineNumber)) l.fail('lineNumber', 'a line number not already listed');
        seen.add(lineNumber);
        return { lineNumber, backorderedQuantity: l.int('backorderedQuantity', 0, 100_000) };
      });
      break;
    }
  }
  return n;
}

function toRecords(orderId: string, at: string, o: OmsCreatedOrder): { order: OmsOrder; customer: OmsCustomer } {
  const c = o.customer;
  return {
    customer: { id: c.id, name: c.name, email: c.email ?? null, salesforceAccountId: c.salesforceAccountId ?? null },
    order: {
      id: orderId,
      number: o.number,
      channel: o.channel,
      placedAt: o.placedAt ?? at,
      customerId: c.id,
      fulfillmentOrderIds: [],
      lines: o.lines.map((l) => ({
        lineNumber: l.lineNumber,
        sku: l.sku,
        description: l.description ?? null,
        finalSale: l.finalSale ?? false,
        quantity: l.quantity,
        cancelledQuantity: 0,
        backorderedQuantity: 0,
      })),
    },
  };
}

/** OMS ingest over the OMS's records: one event per notification. */
export function omsIngest(records: OmsRecorder, parcels?: ShipmentLedger): IngestSystem<OmsNotification> {
  const dispatched = async (orderId: string) => (parcels ? parcels.dispatched(orderId) : new Map<number, number>());
  return {
    source: 'oms',
    validate: validateOmsNotification,
    plan(n) {
      const { orderId, eventTime: at } = n;
      const one = (
        type: string,
        entity: string,
        data: Record<string, unknown>,
        apply: () => ApplyResult | GuardedApply | Promise<ApplyResult | GuardedApply>,
      ) => [{ event: sourceEvent('oms', n.eventId, null, { type, subject: orderId, time: at, data }), entity, apply }];
      const reason = n.reasonCode ? { reasonCode: n.reasonCode } : {};
      switch (n.eventType) {
        case 'ORDER_CREATED': {
          const { order, customer } = toRecords(orderId, at, n.order!);
          const lines = order.lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity }));
          return one(
            EventType.ORDER_PLACED,
            `order:${orderId}`,
            {
              number: order.number,
              channel: order.channel,
              customerId: customer.id,
              salesforceAccountId: customer.salesforceAccountId,
              placedAt: order.placedAt,
              lines,
            },
            () => records.placeOrder(order, customer),
          );
        }
        case 'ORDER_LINE_CANCELLED': {
          const { lineNumber, cancelledQuantity } = n.line!;
          // Each kind of total is its own monotonic entity: a late cancellation is never made stale by a newer backorder.
          return one(
            EventType.ORDER_LINE_CANCELLED,
            `order:${orderId}:line:${lineNumber}:cancelled`,
            { lineNumber, cancelledQuantity, ...reason },
            async () =>
              records.cancelLine(
                orderId,
                lineNumber,
                cancelledQuantity,
                (await dispatched(orderId)).get(lineNumber) ?? 0,
              ),
          );
        }
        case 'ORDER_CANCELLED':
          return one(EventType.ORDER_CANCELLED, `order:${orderId}:cancelled`, { ...reason }, async () =>
            records.cancelOrder(orderId, await dispatched(orderId)),
          );
        case 'ORDER_ALLOCATED': {
          const fo = n.fulfillmentOrder!;
          return one(
            EventType.INVENTORY_ALLOCATED,
            `fulfillmentOrder:${fo.id}`,
            { fulfillmentOrderId: fo.id, nodeId: fo.nodeId, lines: fo.lines },
            () => records.allocate({ id: fo.id, orderId, nodeId: fo.nodeId, allocatedAt: at, lines: fo.lines }),
          );
        }
        case 'ORDER_BACKORDERED':
          return one(EventType.INVENTORY_BACKORDERED, `order:${orderId}:backordered`, { lines: n.backorders! }, () =>
            records.backorder(orderId, n.backorders!),
          );
      }
    },
  };
}
