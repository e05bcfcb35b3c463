/**
 * What ingest refused or corrected of a system's notification (docs/ingest.md, "Guards"),
 * published on the source stream as `ingest.refused` / `ingest.corrected` CloudEvents. The systems
 * stay the truth of what they did; these events say where the graph would not add it up as sent.
 */

/** Why a notification (or part of it) was refused or corrected. */
export const INGEST_FINDING_REASONS = [
  /** oms: a cancellation named units already handed to a carrier; only unshipped units were cancelled. */
  'CANCEL_AFTER_SHIPMENT',
  /** oms: backordered units beyond the line's open units (net − allocated); capped. */
  'BACKORDER_EXCEEDS_OPEN',
  /** oms: ORDER_CREATED for an existing order id with a different customer, number, channel or lines. */
  'ORDER_CONTRADICTS_RECORD',
  /** wms: units received back beyond what was shipped of the line; capped, the excess recorded. */
  'OVER_RECEIPT',
  /** carrier: tracking for a parcel of an order whose shipment the WMS never confirmed; shown (Order.trackedShipments), marked. */
  'UNCONFIRMED_SHIPMENT',
  /** returns: a return names units of a line never delivered; shown, marked. */
  'RETURN_WITHOUT_DELIVERY',
  /** erp: an amount in another currency than the payment's or the order's. */
  'CURRENCY_MISMATCH',
  /** erp: a captured total above the authorized amount. */
  'CAPTURE_EXCEEDS_AUTHORIZATION',
  /** erp: a refunded total above the captured amount. */
  'REFUND_EXCEEDS_CAPTURE',
] as const;
export type IngestFindingReason = (typeof INGEST_FINDING_REASONS)[number];

/** Per line: what the system reported and what the graph applied. */
export interface FindingLine {
  lineNumber: number;
  reported: number;
  applied: number;
}

/**
 * The `data` of an `ingest.refused` or `ingest.corrected` event. The event's `source` is the
 * system whose notification it was, `subject` the order id, `time` when ingest decided.
 */
export interface IngestFindingData {
  reason: IngestFindingReason;
  /** In words: what was expected and what arrived. */
  message: string;
  /** The canonical event concerned: refused whole (`ingest.refused`, nothing applied) or applied as corrected. */
  eventId: string;
  eventType: string;
  /** When the source says it happened (the concerned event's `time`). */
  occurredAt: string;
  /** The entity it concerned, e.g. `order:ORD-1`, `return:RET-1`, `payment:PAY-1`. */
  entity: string;
  /** Per line, when the finding is about unit counts. */
  lines?: FindingLine[];
  /** What was reported, when not unit counts (amounts, the contradicting fields). */
  reported?: Record<string, unknown>;
  /** What the record holds instead. */
  applied?: Record<string, unknown>;
}

/** A finding of a guard, before ingest stamps it with the event it concerns. */
export interface IngestFinding {
  /** `refused`: not applied (whole or in part); `corrected`: applied with adjusted values, or marked. */
  kind: 'refused' | 'corrected';
  reason: IngestFindingReason;
  message: string;
  lines?: FindingLine[];
  reported?: Record<string, unknown>;
  applied?: Record<string, unknown>;
}
