/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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


export const ShopperOrderHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperOrderHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderHistoryQuery, ShopperOrderHistoryQueryVariables>;
export const ShopperOrderStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperOrderStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusDetail"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"finalSale"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lineStatuses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"quantities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ordered"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"shipped"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"returnInitiated"}},{"kind":"Field","name":{"kind":"Name","value":"returned"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipping"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"trackingUrl"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedDeliveryAt"}},{"kind":"Field","name":{"kind":"Name","value":"deliveredAt"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"location"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"returns"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rmaNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"requestedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineNumber"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refund"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refundedAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderStatusQuery, ShopperOrderStatusQueryVariables>;
export const ShopperOrderStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ShopperOrderStatusChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}},{"kind":"Argument","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"changedAt"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"trackingUrl"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedDeliveryAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperOrderStatusChangedSubscription, ShopperOrderStatusChangedSubscriptionVariables>;