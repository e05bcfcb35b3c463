/**
 * WMS messages (docs/ingest.md, "wms"): what a node's warehouse system reports about a
 * fulfillment order — released, pick started, picked, packed, shipped (ship confirm, or a drop-ship
 * partner's advance ship notice), cancelled — and return receipts.
 */
import { DISPOSITIONS, KNOWN_CARRIERS, type Disposition, type WarehouseStatus } from '../../canonical/index.js';
import type { QtyLine } from '../../canonical/index.js';
import { EventType } from '../../canonical/eventTypes.js';
import { sourceEvent, type IngestSystem, type PlannedEvent } from '../common/ingest.js';
import { Reader } from '../common/reader.js';
import type { WmsRecorder } from './port.js';

export const WMS_MESSAGE_TYPES = [
  'RELEASE',
  'PICK_START',
  'PICK_CONFIRM',
  'PACK_CONFIRM',
  'SHIP_CONFIRM',
  'ASN',
  'CANCEL',
  'RETURN_RECEIPT',
] as const;
export type WmsMessageType = (typeof WMS_MESSAGE_TYPES)[number];

/** A parcel in a ship confirm or advance ship notice. */
export interface WmsShippedParcel {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  lines: QtyLine[];
}

/** One native WMS message. Which optional fields are required depends on `messageType`. */
export interface WmsMessage {
  /** The WMS's id of this message; a redelivery repeats it. */
  messageId: string;
  messageType: WmsMessageType;
  /** When it happened at the node. */
  occurredAt: string;
  /** The reporting node: DC, store, or drop-ship partner (ASN). */
  nodeId: string;
  orderId: string;
  /** Every type but RETURN_RECEIPT. */
  fulfillmentOrderId?: string;
  /** CANCEL: why the node cannot fill it, e.g. `SHORT_PICK`. */
  reasonCode?: string | null;
  /** SHIP_CONFIRM and ASN: the parcels handed to carriers. */
  shipments?: WmsShippedParcel[];
  /** RETURN_RECEIPT: the return received, and what came back in what condition. */
  returnId?: string;
  lines?: (QtyLine & { disposition: Disposition })[];
}

/** Validates a WMS message, naming the first bad field. */
export function validateWmsMessage(body: unknown): WmsMessage {
  const r = Reader.root(body);
  const m: WmsMessage = {
    messageId: r.id('messageId'),
    messageType: r.oneOf('messageType', WMS_MESSAGE_TYPES),
    occurredAt: r.dateTime('occurredAt'),
    nodeId: r.id('nodeId'),
    orderId: r.id('orderId'),
  };
  if (m.messageType === 'RETURN_RECEIPT') {
    m.returnId = r.id('returnId');
    m.lines = r.qtyLines('lines').map((l) => ({
      lineNumber: l.int('lineNumber', 1, 10_000),
      quantity: l.int('quantity', 1, 100_000),
      disposition: l.oneOf('disposition', DISPOSITIONS),
    }));
    return m;
  }
  m.fulfillmentOrderId = r.id('fulfillmentOrderId');
  if (m.messageType === 'CANCEL') m.reasonCode = r.optionalString('reasonCode', 40);
  if (m.messageType === 'SHIP_CONFIRM' || m.messageType === 'ASN') {
    const ids = new Set<string>();
    m.shipments = r.list('shipments', 1, 50).map((s) => {
      const shipmentId = s.id('shipmentId');
      if (ids.has(shipmentId)) s.fail('shipmentId', 'a shipment id not already listed');
      ids.add(shipmentId);
      return {
        shipmentId,
        carrier: s.oneOf('carrier', KNOWN_CARRIERS),
        trackingNumber: s.id('trackingNumber'),
        lines: s
          .qtyLines('lines')
          .map((l) => ({ lineNumber: l.int('lineNumber', 1, 10_000), quantity: l.int('quantity', 1, 100_000) })),
      };
    });
  }
  return m;
}

const STEPS: Readonly<Partial<Record<WmsMessageType, { status: Exclude<WarehouseStatus, 'SHIPPED'>; type: string }>>> =
  {
    RELEASE: { status: 'RELEASED', type: EventType.FULFILLMENT_RELEASED },
    PICK_START: { status: 'PICKING', type: EventType.FULFILLMENT_PICKING },
    PICK_CONFIRM: { status: 'PICKED', type: EventType.FULFILLMENT_PICKED },
    PACK_CONFIRM: { status: 'PACKED', type: EventType.FULFILLMENT_PACKED },
    CANCEL: { status: 'CANCELLED', type: EventType.FULFILLMENT_CANCELLED },
  };

/** WMS ingest over the WMS's records. */
export function wmsIngest(records: WmsRecorder): IngestSystem<WmsMessage> {
  return {
    source: 'wms',
    validate: validateWmsMessage,
    plan(m): PlannedEvent[] {
      const base = { subject: m.orderId, time: m.occurredAt };
      if (m.messageType === 'RETURN_RECEIPT') {
        const receipt = { returnId: m.returnId!, orderId: m.orderId, receivedAt: m.occurredAt, lines: m.lines! };
        const event = sourceEvent('wms', m.messageId, null, {
          ...base,
          type: EventType.RETURN_RECEIVED,
          data: { returnId: receipt.returnId, nodeId: m.nodeId, lines: receipt.lines },
        });
        return [{ event, entity: `return:${receipt.returnId}`, apply: () => records.receiveReturn(receipt) }];
      }
      const foId = m.fulfillmentOrderId!;
      const step = STEPS[m.messageType];
      if (step) {
        const data = {
          fulfillmentOrderId: foId,
          nodeId: m.nodeId,
          warehouseStatus: step.status,
          ...(m.reasonCode ? { reasonCode: m.reasonCode } : {}),
        };
        const change = {
          fulfillmentOrderId: foId,
          orderId: m.orderId,
          nodeId: m.nodeId,
          status: step.status,
          at: m.occurredAt,
          reasonCode: m.reasonCode ?? null,
        };
        return [
          {
            event: sourceEvent('wms', m.messageId, null, { ...base, type: step.type, data }),
            entity: `fulfillmentOrder:${foId}`,
            apply: () => records.advanceFulfillment(change),
          },
        ];
      }
      // SHIP_CONFIRM / ASN: one shipment.shipped per parcel; each parcel is its own entity.
      return m.shipments!.map((p) => {
        const shipment = {
          id: p.shipmentId,
          orderId: m.orderId,
          fulfillmentOrderId: foId,
          shippedAt: m.occurredAt,
          lines: p.lines,
          carrier: p.carrier,
          trackingNumber: p.trackingNumber,
        };
        const data = {
          shipmentId: p.shipmentId,
          fulfillmentOrderId: foId,
          nodeId: m.nodeId,
          carrier: p.carrier,
          trackingNumber: p.trackingNumber,
          lines: p.lines,
          warehouseStatus: 'SHIPPED',
          advanceShipNotice: m.messageType === 'ASN',
        };
        const event = sourceEvent('wms', m.messageId, p.shipmentId, {
          ...base,
          type: EventType.SHIPMENT_SHIPPED,
          data,
        });
        return { event, entity: `shipment:${p.shipmentId}`, apply: () => records.confirmShipment(shipment, m.nodeId) };
      });
    },
  };
}
