/** The business exceptions (issue 11; docs/operations.md says what each means and who acts). The GraphQL enum mirrors it. */
export const ExceptionType = {
  /** WMS shipped and no carrier scan within the SLA; or a carrier scan with no WMS shipment (drop-ship without an ASN). */
  UNCONFIRMED_SHIPMENT: 'UNCONFIRMED_SHIPMENT',
  /** An open order's source silent past its SLA. */
  DELAYED_UPDATE: 'DELAYED_UPDATE',
  /** The carrier's estimated delivery passed without delivery. */
  DELIVERY_OVERDUE: 'DELIVERY_OVERDUE',
  /** Carrier exception, returned to sender, voided label. */
  DELIVERY_PROBLEM: 'DELIVERY_PROBLEM',
  /** A return in one state past its SLA. */
  STUCK_RETURN: 'STUCK_RETURN',
  /** Returns refund vs ERP credit memo vs payment refund disagree after the SLA. */
  REFUND_MISMATCH: 'REFUND_MISMATCH',
  /** The order was cancelled after a shipment left. */
  CANCEL_AFTER_SHIPMENT: 'CANCEL_AFTER_SHIPMENT',
  /** More was received back than was shipped. */
  OVER_RECEIPT: 'OVER_RECEIPT',
  /** A return was received for an order with no delivery. */
  RETURN_WITHOUT_DELIVERY: 'RETURN_WITHOUT_DELIVERY',
  /** A fulfillment node declined (cancelled) its fulfillment order while the order is still open. */
  FULFILLMENT_DECLINED: 'FULFILLMENT_DECLINED',
  /** A hold was placed after part of the order had shipped. */
  HOLD_AFTER_PARTIAL_FULFILLMENT: 'HOLD_AFTER_PARTIAL_FULFILLMENT',
  /** An event or webhook for the order is dead-lettered. */
  DEAD_LETTER: 'DEAD_LETTER',
} as const;
export type ExceptionType = (typeof ExceptionType)[keyof typeof ExceptionType];

export const EXCEPTION_TYPES: readonly ExceptionType[] = Object.values(ExceptionType);

/** Who should act on an exception. */
export const Actor = {
  WAREHOUSE: 'WAREHOUSE',
  CARRIER_DESK: 'CARRIER_DESK',
  CUSTOMER_SERVICE: 'CUSTOMER_SERVICE',
  RETURNS_DESK: 'RETURNS_DESK',
  FINANCE: 'FINANCE',
  INTEGRATION_OPS: 'INTEGRATION_OPS',
} as const;
export type Actor = (typeof Actor)[keyof typeof Actor];

/** Who acts on each type. */
export const ACTOR_OF: Readonly<Record<ExceptionType, Actor>> = {
  UNCONFIRMED_SHIPMENT: Actor.WAREHOUSE,
  DELAYED_UPDATE: Actor.INTEGRATION_OPS,
  DELIVERY_OVERDUE: Actor.CARRIER_DESK,
  DELIVERY_PROBLEM: Actor.CARRIER_DESK,
  STUCK_RETURN: Actor.RETURNS_DESK,
  REFUND_MISMATCH: Actor.FINANCE,
  CANCEL_AFTER_SHIPMENT: Actor.CUSTOMER_SERVICE,
  OVER_RECEIPT: Actor.RETURNS_DESK,
  RETURN_WITHOUT_DELIVERY: Actor.RETURNS_DESK,
  FULFILLMENT_DECLINED: Actor.CUSTOMER_SERVICE,
  HOLD_AFTER_PARTIAL_FULFILLMENT: Actor.CUSTOMER_SERVICE,
  DEAD_LETTER: Actor.INTEGRATION_OPS,
};

export function isExceptionType(v: string): v is ExceptionType {
  return (EXCEPTION_TYPES as readonly string[]).includes(v);
}
