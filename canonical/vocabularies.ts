/**
 * The closed vocabularies of the order graph (CANONICAL_MODEL.md, "Vocabularies").
 * Each is a readonly tuple so code can iterate it and a type can be derived from it.
 */

/** Order and line status, derived at read time by {@link deriveStatus}. */
export const ORDER_STATUSES = [
  'PENDING',
  'ACCEPTED',
  'ON_HOLD',
  'BACKORDERED',
  'PARTIALLY_ALLOCATED',
  'ALLOCATED',
  'IN_FULFILLMENT',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'PARTIALLY_DELIVERED',
  'DELIVERED',
  'RETURN_INITIATED',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Normalized shipment status; the carrier's raw code is kept beside it. */
export const SHIPMENT_STATUSES = [
  'LABEL_CREATED',
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'AVAILABLE_FOR_PICKUP',
  'DELIVERY_ATTEMPTED',
  'DELIVERED',
  'EXCEPTION',
  'RETURNED_TO_SENDER',
  'CANCELLED',
  'UNKNOWN',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const RETURN_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'REJECTED',
  'IN_TRANSIT',
  'RECEIVED',
  'REFUND_PENDING',
  'REFUNDED',
  'CLOSED',
  'CANCELLED',
] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const PAYMENT_STATUSES = [
  'PENDING',
  'AUTHORIZED',
  'PARTIALLY_PAID',
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'VOIDED',
  'FAILED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const HOLD_TYPES = ['CREDIT', 'PAYMENT_REVIEW', 'FRAUD', 'INVENTORY', 'ADDRESS'] as const;
export type HoldType = (typeof HOLD_TYPES)[number];

export const DISPOSITIONS = ['RESTOCK', 'REFURBISH', 'DAMAGED', 'VENDOR_RETURN', 'SCRAP'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const CHANNELS = ['WEB', 'MOBILE_APP', 'STORE', 'CALL_CENTER', 'MARKETPLACE'] as const;
export type Channel = (typeof CHANNELS)[number];

export const NODE_TYPES = ['DC', 'STORE', 'DROP_SHIP'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const WAREHOUSE_STATUSES = ['RELEASED', 'PICKING', 'PICKED', 'PACKED', 'SHIPPED', 'CANCELLED'] as const;
export type WarehouseStatus = (typeof WAREHOUSE_STATUSES)[number];

/** The system that is the source of truth for a fact; VISIBILITY is this product (derived facts). */
export const SOURCE_SYSTEMS = ['ERP', 'OMS', 'WMS', 'CARRIER', 'RETURNS', 'VISIBILITY'] as const;
export type SourceSystem = (typeof SOURCE_SYSTEMS)[number];

/** Return statuses that no longer count as initiated (CANONICAL_MODEL.md, line quantities). */
export const VOID_RETURN_STATUSES: ReadonlySet<ReturnStatus> = new Set(['REJECTED', 'CANCELLED']);

/** Warehouse statuses at which a fulfillment order's lines count as picked. */
export const PICKED_WAREHOUSE_STATUSES: ReadonlySet<WarehouseStatus> = new Set(['PICKED', 'PACKED', 'SHIPPED']);

/** A fulfillment order's lines count as picked (null = not yet received by its node: not picked). */
export const isPicked = (status: WarehouseStatus | null): boolean =>
  status !== null && PICKED_WAREHOUSE_STATUSES.has(status);

/**
 * The fulfillment dimension of an order or line (docs/status.md, "fulfillmentState"): how far the
 * net units have come toward the customer, and any active problem on the way. A problem only
 * counts while it affects units that are not delivered yet; the first value in
 * {@link FULFILLMENT_STATE_PRECEDENCE} that holds wins.
 */
export const FULFILLMENT_STATES = [
  'UNFULFILLED',
  'BACKORDERED',
  'PARTIALLY_ALLOCATED',
  'ALLOCATED',
  'IN_FULFILLMENT',
  'AWAITING_CARRIER_SCAN',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'AVAILABLE_FOR_PICKUP',
  'PARTIALLY_DELIVERED',
  'DELIVERED',
  'FULFILLMENT_DECLINED',
  'LABEL_VOIDED',
  'DELIVERY_ATTEMPTED',
  'DELIVERY_OVERDUE',
  'DELIVERY_EXCEPTION',
  'RETURNING_TO_SENDER',
  'UNCONFIRMED_SHIPMENT',
  'CANCELLED',
] as const;
export type FulfillmentState = (typeof FULFILLMENT_STATES)[number];

/** Problems first (worst first), then progress (furthest first): the first that holds wins. */
export const FULFILLMENT_STATE_PRECEDENCE: readonly FulfillmentState[] = [
  'CANCELLED',
  'RETURNING_TO_SENDER',
  'DELIVERY_EXCEPTION',
  'FULFILLMENT_DECLINED',
  'LABEL_VOIDED',
  'UNCONFIRMED_SHIPMENT',
  'DELIVERY_ATTEMPTED',
  'DELIVERY_OVERDUE',
  'DELIVERED',
  'PARTIALLY_DELIVERED',
  'AVAILABLE_FOR_PICKUP',
  'SHIPPED',
  'AWAITING_CARRIER_SCAN',
  'PARTIALLY_SHIPPED',
  'IN_FULFILLMENT',
  'ALLOCATED',
  'PARTIALLY_ALLOCATED',
  'BACKORDERED',
  'UNFULFILLED',
];

/**
 * The financial dimension (docs/status.md, "financialState"): authorization, capture and refunds.
 * `REFUND_MISMATCH` says the returns desk, the ERP's credit memos and the payment refunds disagree.
 */
export const FINANCIAL_STATES = [
  'PENDING',
  'AUTHORIZED',
  'PARTIALLY_PAID',
  'PAID',
  'REFUND_PENDING',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'REFUND_MISMATCH',
  'VOIDED',
  'FAILED',
] as const;
export type FinancialState = (typeof FINANCIAL_STATES)[number];

/** The return dimension (docs/status.md, "returnState"). */
export const RETURN_STATES = [
  'NONE',
  'REQUESTED',
  'APPROVED',
  'IN_TRANSIT',
  'RECEIVED',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'REFUNDED_WITHOUT_RETURN',
  'REJECTED',
  'CLOSED',
] as const;
export type ReturnState = (typeof RETURN_STATES)[number];

/** Where the three refund records (returns desk, ERP credit memos, payment refunds) stand together. */
export const REFUND_STATES = ['NONE', 'PENDING', 'AGREED', 'MISMATCH'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

/** Return statuses at which the returns desk has finished with a return. */
export const FINISHED_RETURN_STATUSES: ReadonlySet<ReturnStatus> = new Set(['REFUNDED', 'CLOSED']);

/** Return statuses still on their way back (the desk has not received or finished them). */
export const OPEN_RETURN_STATUSES: ReadonlySet<ReturnStatus> = new Set(['REQUESTED', 'APPROVED', 'IN_TRANSIT']);

/** Carrier statuses at which the parcel is not (or no longer) travelling to the customer. */
export const NOT_SHIPPED_SHIPMENT_STATUSES: ReadonlySet<ShipmentStatus> = new Set(['CANCELLED', 'RETURNED_TO_SENDER']);
