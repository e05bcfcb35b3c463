/**
 * The canonical event types the systems' ingest emits (CANONICAL_MODEL.md, "Events"), with
 * `fulfillment.released` and `payment.voided` / `payment.failed` added so that every value of every
 * vocabulary is reachable by some event. The derived `order.status_changed` is the tracker's.
 */
export const EventType = {
  ORDER_PLACED: 'order.placed',
  ORDER_ACCEPTED: 'order.accepted',
  ORDER_HOLD_PLACED: 'order.hold_placed',
  ORDER_HOLD_RELEASED: 'order.hold_released',
  ORDER_CANCELLED: 'order.cancelled',
  ORDER_LINE_CANCELLED: 'order.line_cancelled',
  INVENTORY_ALLOCATED: 'inventory.allocated',
  INVENTORY_BACKORDERED: 'inventory.backordered',
  FULFILLMENT_RELEASED: 'fulfillment.released',
  FULFILLMENT_PICKING: 'fulfillment.picking',
  FULFILLMENT_PICKED: 'fulfillment.picked',
  FULFILLMENT_PACKED: 'fulfillment.packed',
  FULFILLMENT_CANCELLED: 'fulfillment.cancelled',
  SHIPMENT_SHIPPED: 'shipment.shipped',
  SHIPMENT_TRACKING_UPDATED: 'shipment.tracking_updated',
  SHIPMENT_DELIVERED: 'shipment.delivered',
  INVOICE_POSTED: 'invoice.posted',
  PAYMENT_AUTHORIZED: 'payment.authorized',
  PAYMENT_CAPTURED: 'payment.captured',
  PAYMENT_REFUNDED: 'payment.refunded',
  PAYMENT_FAILED: 'payment.failed',
  PAYMENT_VOIDED: 'payment.voided',
  RETURN_REQUESTED: 'return.requested',
  RETURN_APPROVED: 'return.approved',
  RETURN_REJECTED: 'return.rejected',
  RETURN_IN_TRANSIT: 'return.in_transit',
  RETURN_RECEIVED: 'return.received',
  RETURN_REFUND_PENDING: 'return.refund_pending',
  REFUND_ISSUED: 'refund.issued',
  RETURN_CLOSED: 'return.closed',
  RETURN_CANCELLED: 'return.cancelled',
  /** Ingest refused a notification, whole or in part (data: IngestFindingData, canonical/ingestFindings.ts). */
  INGEST_REFUSED: 'ingest.refused',
  /** Ingest applied a notification with corrected values, or marked it (data: IngestFindingData). */
  INGEST_CORRECTED: 'ingest.corrected',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The derived event the status tracker publishes (source `visibility`). */
export const ORDER_STATUS_CHANGED = 'order.status_changed';

/**
 * A derived event (source `visibility`) the status tracker queues for itself, one per order, when
 * the bus lost its streams (issue 16 #2): "read this order's status again". It goes to the
 * tracker's own redelivery stream only — no other consumer sees it — and becomes the `cause` of a
 * change it finds. data: `{ reason: 'bus-reset', reset: 'start' | 'lost', since }`.
 */
export const VISIBILITY_RECONCILE = 'visibility.reconcile';
