/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** The outcome of an action. */
export type ActionResult =
  /** Done as asked. */
  | 'ACCEPTED'
  /** Done in part; the answer says what was not. */
  | 'PARTIAL'
  /** Nothing was done; see userErrors. */
  | 'REJECTED';

/** Codes of cancellation user errors. */
export type CancellationErrorCode =
  /** A line is listed more than once. */
  | 'DUPLICATE_LINE'
  /** The idempotency key was used before for another request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** Quantity below 1. */
  | 'INVALID_QUANTITY'
  /** Nothing of the line can be cancelled any more (all shipped or cancelled). */
  | 'NOTHING_CANCELLABLE'
  /** The order has no such line. */
  | 'UNKNOWN_LINE'
  /** No order with this id that the caller may act on. */
  | 'UNKNOWN_ORDER';

/** Units of one line to cancel. */
export type CancellationLineInput = {
  /** The order line. */
  lineNumber: number;
  /** Units to cancel, at least 1. */
  quantity: number;
};

/** Why a cancellation is requested. */
export type CancellationReasonCode =
  /** The customer changed their mind. */
  | 'CUSTOMER_REQUEST'
  /** It would arrive too late. */
  | 'DELIVERY_TOO_SLOW'
  /** Suspected fraud (agents). */
  | 'FRAUD'
  /** Ordered by mistake (duplicate, wrong item or size). */
  | 'ORDERED_BY_MISTAKE'
  /** Anything else. */
  | 'OTHER'
  /** Found a better price. */
  | 'PRICE';

/** The channel an order or return was placed on. */
export type Channel =
  /** By a service agent in the call center. */
  | 'CALL_CENTER'
  /** A third-party marketplace. */
  | 'MARKETPLACE'
  /** The retailer's mobile app. */
  | 'MOBILE_APP'
  /** In a physical store (clienteling or point of sale). */
  | 'STORE'
  /** The retailer's website. */
  | 'WEB';

/** The SKU to send instead of a returned line. */
export type ExchangeLineInput = {
  /** A line of the request's `lines`. */
  lineNumber: number;
  /** The replacement SKU. */
  sku: string;
};

/** The one status of an order or line, derived at read time from every owner's data by the canonical 15-rule table. */
export type OrderStatus =
  /** Accepted by the ERP; nothing allocated yet. */
  | 'ACCEPTED'
  /** Every net unit is sourced to a fulfillment node. */
  | 'ALLOCATED'
  /** Waiting for stock; nothing allocated. */
  | 'BACKORDERED'
  /** Every ordered unit was cancelled. */
  | 'CANCELLED'
  /** The carrier delivered every net unit. */
  | 'DELIVERED'
  /** A node has picked units; nothing shipped yet. */
  | 'IN_FULFILLMENT'
  /** An ERP hold (credit, payment review, fraud, inventory, address) is active and nothing has shipped. */
  | 'ON_HOLD'
  /** Some units are sourced to a fulfillment node, not all. */
  | 'PARTIALLY_ALLOCATED'
  /** The carrier delivered some units, not all. */
  | 'PARTIALLY_DELIVERED'
  /** Some units were received back by a warehouse, not all. */
  | 'PARTIALLY_RETURNED'
  /** Some units were handed to a carrier, not all. */
  | 'PARTIALLY_SHIPPED'
  /** Received, not yet accepted by the ERP. */
  | 'PENDING'
  /** Every net unit was received back by a warehouse. */
  | 'RETURNED'
  /** A return was requested for units not yet received back. */
  | 'RETURN_INITIATED'
  /** Every net unit was handed to a carrier. */
  | 'SHIPPED';

/** A cancellation request. */
export type RequestCancellationInput = {
  /** Where the customer asked. */
  channel: Channel;
  /** The caller's key for this request (1-128 characters): a retry with the same key returns the first answer and cancels nothing more. */
  idempotencyKey: string;
  /** Lines and units to cancel (1-500 lines, each line once). */
  lines: Array<CancellationLineInput>;
  /** The order. */
  orderId: string | number;
  /** Why. */
  reasonCode: CancellationReasonCode;
};

/** A return request. */
export type RequestReturnInput = {
  /** Where the customer asked. */
  channel: Channel;
  /** Exchange instead of refund: per returned line, the SKU to send instead (same quantity). Creates a linked replacement order. */
  exchange?: Array<ExchangeLineInput> | null | undefined;
  /** The caller's key for this request (1-128 characters): a retry with the same key returns the first answer and creates nothing. */
  idempotencyKey: string;
  /** Units of which lines come back, each with its reason (1-500 lines, each line once). */
  lines: Array<ReturnLineInput>;
  /** The order the units come from. */
  orderId: string | number;
};

/** Codes of return user errors: the policy's rules (docs/returns.md) and the request's own mistakes. */
export type ReturnErrorCode =
  /** A line is listed more than once. */
  | 'DUPLICATE_LINE'
  /** Sold as final sale. */
  | 'FINAL_SALE'
  /** The idempotency key was used before for another request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** An exchange line names a line that is not returned, or a SKU that cannot be valid. */
  | 'INVALID_EXCHANGE'
  /** Quantity below 1. */
  | 'INVALID_QUANTITY'
  /** Nothing of the line was delivered. */
  | 'NOT_DELIVERED'
  /** Nothing of the line was invoiced. */
  | 'NOT_INVOICED'
  /** More units than are returnable. */
  | 'QUANTITY_ABOVE_RETURNABLE'
  /** The order has no such line. */
  | 'UNKNOWN_LINE'
  /** No order with this id that the caller may act on. */
  | 'UNKNOWN_ORDER'
  /** The return window has closed. */
  | 'WINDOW_CLOSED';

/** Units of one line to return. */
export type ReturnLineInput = {
  /** The order line. */
  lineNumber: number;
  /** Units, at least 1 and at most the line's returnable quantity. */
  quantity: number;
  /** Why. */
  reasonCode: ReturnReasonCode;
};

/** Why units are returned (the codes Salesforce Order Management, Manhattan and Shopify share). */
export type ReturnReasonCode =
  /** Arrived too late. */
  | 'ARRIVED_LATE'
  /** The customer no longer wants it. */
  | 'CHANGED_MIND'
  /** Arrived damaged. */
  | 'DAMAGED'
  /** Does not work. */
  | 'DEFECTIVE'
  /** Not as described or pictured. */
  | 'NOT_AS_DESCRIBED'
  /** Anything else. */
  | 'OTHER'
  /** Size or fit. */
  | 'SIZE_FIT'
  /** Not the item ordered. */
  | 'WRONG_ITEM';

/** The outcome of a return request. */
export type ReturnRequestResult =
  /** The return was requested. */
  | 'ACCEPTED'
  /** Nothing was requested; see userErrors. */
  | 'REJECTED';

/** The rules of the one returns policy (canonical/returnPolicy.ts). */
export type ReturnRule =
  /** The line was sold as final sale. */
  | 'FINAL_SALE'
  /** The request itself is malformed (quantity, date). */
  | 'INVALID_REQUEST'
  /** Nothing of the line was delivered. */
  | 'NOT_DELIVERED'
  /** Nothing of the line was invoiced. */
  | 'NOT_INVOICED'
  /** More units than are returnable. */
  | 'QUANTITY_ABOVE_RETURNABLE'
  /** The window after the last delivery has closed. */
  | 'WINDOW_CLOSED';

/** The status of a return. */
export type ReturnStatus =
  /** The returns desk approved it; a label was issued. */
  | 'APPROVED'
  /** The customer withdrew it. */
  | 'CANCELLED'
  /** Nothing more will happen. */
  | 'CLOSED'
  /** The parcel is on its way back. */
  | 'IN_TRANSIT'
  /** A warehouse received the units. */
  | 'RECEIVED'
  /** The refund was issued. */
  | 'REFUNDED'
  /** The refund is being issued. */
  | 'REFUND_PENDING'
  /** The returns desk refused it. */
  | 'REJECTED'
  /** The customer asked to return units. */
  | 'REQUESTED';

/** A shipment's status normalized from the carrier's own codes. */
export type ShipmentStatus =
  /** Waiting at a pickup point. */
  | 'AVAILABLE_FOR_PICKUP'
  /** The label was voided. */
  | 'CANCELLED'
  /** Delivered. */
  | 'DELIVERED'
  /** A delivery attempt failed; another follows. */
  | 'DELIVERY_ATTEMPTED'
  /** A problem stops the parcel (damage, address, customs…). */
  | 'EXCEPTION'
  /** The carrier has the parcel and it is moving. */
  | 'IN_TRANSIT'
  /** A label exists; the carrier has not scanned the parcel. */
  | 'LABEL_CREATED'
  /** On the vehicle for delivery today. */
  | 'OUT_FOR_DELIVERY'
  /** On its way back to the shipper. */
  | 'RETURNED_TO_SENDER'
  /** The carrier has no record of this shipment (yet). */
  | 'UNKNOWN';

export type ShopperOrderHistoryQueryVariables = Exact<{
  customerId: string | number;
  after?: string | null | undefined;
}>;


export type ShopperOrderHistoryQuery = { orders: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, number: string, placedAt: string, status: OrderStatus | null, totals: { total: { amount: string, currency: string } } | null } }> } };

export type ShopperOrderStatusQueryVariables = Exact<{
  orderId: string | number;
}>;


export type ShopperOrderStatusQuery = { order: { id: string, number: string, placedAt: string, channel: Channel, status: OrderStatus | null, statusDetail: { status: OrderStatus, reason: string } | null, lines: Array<{ lineNumber: number, sku: string, description: string | null, finalSale: boolean, quantity: number }>, lineStatuses: Array<{ lineNumber: number, status: OrderStatus, quantities: { ordered: number, cancelled: number, shipped: number, delivered: number, returnInitiated: number, returned: number } }> | null, totals: { subtotal: { amount: string, currency: string }, tax: { amount: string, currency: string }, shipping: { amount: string, currency: string }, total: { amount: string, currency: string } } | null, shipments: Array<{ id: string, shippedAt: string, carrier: string | null, service: string | null, trackingNumber: string | null, trackingUrl: string | null, status: ShipmentStatus | null, estimatedDeliveryAt: string | null, deliveredAt: string | null, lines: Array<{ lineNumber: number, quantity: number }>, events: Array<{ occurredAt: string, status: ShipmentStatus, description: string, location: string | null }> | null }> | null, returns: Array<{ id: string, rmaNumber: string | null, status: ReturnStatus, requestedAt: string, lines: Array<{ lineNumber: number, quantity: number }>, refund: { refundedAt: string | null, amount: { amount: string, currency: string } } | null }> | null } | null };

export type ShopperOrderStatusChangedSubscriptionVariables = Exact<{
  orderId: string | number;
  customerId: string | number;
  after?: string | null | undefined;
}>;


export type ShopperOrderStatusChangedSubscription = { orderStatusChanged: { cursor: string, orderId: string, previousStatus: OrderStatus | null, status: OrderStatus, changedAt: string, order: { id: string, status: OrderStatus | null, shipments: Array<{ id: string, trackingNumber: string | null, trackingUrl: string | null, status: ShipmentStatus | null, estimatedDeliveryAt: string | null }> | null } | null } };

export type ShopperRequestCancellationMutationVariables = Exact<{
  input: RequestCancellationInput;
}>;


export type ShopperRequestCancellationMutation = { requestCancellation: { result: ActionResult, lines: Array<{ lineNumber: number, requested: number, cancelled: number, notCancelled: number, reason: string | null }>, userErrors: Array<{ code: CancellationErrorCode, message: string, field: Array<string>, lineNumber: number | null, expected: string | null, received: string | null }>, order: { id: string, status: OrderStatus | null } | null } };

export type ShopperRequestReturnMutationVariables = Exact<{
  input: RequestReturnInput;
}>;


export type ShopperRequestReturnMutation = { requestReturn: { result: ReturnRequestResult, userErrors: Array<{ code: ReturnErrorCode, message: string, field: Array<string>, lineNumber: number | null, expected: string | null, received: string | null, closedAt: string | null }>, return: { id: string, status: ReturnStatus, requestedAt: string, lines: Array<{ lineNumber: number, quantity: number, reason: string | null }>, exchangeOrder: { id: string, number: string } | null } | null } };

export type ShopperReturnEligibilityQueryVariables = Exact<{
  orderId: string | number;
}>;


export type ShopperReturnEligibilityQuery = { order: { id: string, number: string, lines: Array<{ lineNumber: number, sku: string, description: string | null, finalSale: boolean, quantity: number }>, returnEligibility: Array<{ lineNumber: number, eligible: boolean, returnableQuantity: number, windowClosesAt: string | null, failures: Array<{ rule: ReturnRule, message: string, closedAt: string | null, returnable: number | null }> }> | null } | null };


export const ShopperOrderHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperOrderHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderHistoryQuery, ShopperOrderHistoryQueryVariables>;
export const ShopperOrderStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperOrderStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusDetail"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"finalSale"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineStatuses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"quantities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ordered"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"shipped"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"returnInitiated"}},{"kind":"Field","name":{"kind":"Name","value":"returned"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipping"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"trackingUrl"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedDeliveryAt"}},{"kind":"Field","name":{"kind":"Name","value":"deliveredAt"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"location"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"returns"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rmaNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"requestedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refund"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refundedAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderStatusQuery, ShopperOrderStatusQueryVariables>;
export const ShopperOrderStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ShopperOrderStatusChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}},{"kind":"Argument","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"changedAt"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"trackingUrl"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedDeliveryAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderStatusChangedSubscription, ShopperOrderStatusChangedSubscriptionVariables>;
export const ShopperRequestCancellationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ShopperRequestCancellation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestCancellationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestCancellation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"requested"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"notCancelled"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"expected"}},{"kind":"Field","name":{"kind":"Name","value":"received"}}]}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<ShopperRequestCancellationMutation, ShopperRequestCancellationMutationVariables>;
export const ShopperRequestReturnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ShopperRequestReturn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestReturnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestReturn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"expected"}},{"kind":"Field","name":{"kind":"Name","value":"received"}},{"kind":"Field","name":{"kind":"Name","value":"closedAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"return"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"requestedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"exchangeOrder"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperRequestReturnMutation, ShopperRequestReturnMutationVariables>;
export const ShopperReturnEligibilityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperReturnEligibility"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"finalSale"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"returnEligibility"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"eligible"}},{"kind":"Field","name":{"kind":"Name","value":"returnableQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rule"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"closedAt"}},{"kind":"Field","name":{"kind":"Name","value":"returnable"}}]}},{"kind":"Field","name":{"kind":"Name","value":"windowClosesAt"}}]}}]}}]}}]} as unknown as DocumentNode<ShopperReturnEligibilityQuery, ShopperReturnEligibilityQueryVariables>;