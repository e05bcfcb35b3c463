/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ShopperOrderHistory($customerId: ID!, $after: String) {\n  orders(filter: {customerId: $customerId}, first: 20, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        number\n        placedAt\n        status\n        totals {\n          total {\n            amount\n            currency\n          }\n        }\n      }\n    }\n  }\n}": typeof types.ShopperOrderHistoryDocument,
    "query ShopperOrderStatus($orderId: ID!) {\n  order(id: $orderId) {\n    id\n    number\n    placedAt\n    channel\n    status\n    statusDetail {\n      status\n      reason\n    }\n    lines {\n      lineNumber\n      sku\n      description\n      finalSale\n      quantity\n    }\n    lineStatuses {\n      lineNumber\n      status\n      quantities {\n        ordered\n        cancelled\n        shipped\n        delivered\n        returnInitiated\n        returned\n      }\n    }\n    totals {\n      subtotal {\n        amount\n        currency\n      }\n      tax {\n        amount\n        currency\n      }\n      shipping {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    shipments {\n      id\n      shippedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      carrier\n      service\n      trackingNumber\n      trackingUrl\n      status\n      estimatedDeliveryAt\n      deliveredAt\n      events {\n        occurredAt\n        status\n        description\n        location\n      }\n    }\n    returns {\n      id\n      rmaNumber\n      status\n      requestedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      refund {\n        amount {\n          amount\n          currency\n        }\n        refundedAt\n      }\n    }\n  }\n}": typeof types.ShopperOrderStatusDocument,
    "subscription ShopperOrderStatusChanged($orderId: ID!, $customerId: ID!, $after: String) {\n  orderStatusChanged(orderId: $orderId, customerId: $customerId, after: $after) {\n    cursor\n    orderId\n    previousStatus\n    status\n    changedAt\n    order {\n      id\n      status\n      shipments {\n        id\n        trackingNumber\n        trackingUrl\n        status\n        estimatedDeliveryAt\n      }\n    }\n  }\n}": typeof types.ShopperOrderStatusChangedDocument,
};
const documents: Documents = {
    "query ShopperOrderHistory($customerId: ID!, $after: String) {\n  orders(filter: {customerId: $customerId}, first: 20, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        number\n        placedAt\n        status\n        totals {\n          total {\n            amount\n            currency\n          }\n        }\n      }\n    }\n  }\n}": types.ShopperOrderHistoryDocument,
    "query ShopperOrderStatus($orderId: ID!) {\n  order(id: $orderId) {\n    id\n    number\n    placedAt\n    channel\n    status\n    statusDetail {\n      status\n      reason\n    }\n    lines {\n      lineNumber\n      sku\n      description\n      finalSale\n      quantity\n    }\n    lineStatuses {\n      lineNumber\n      status\n      quantities {\n        ordered\n        cancelled\n        shipped\n        delivered\n        returnInitiated\n        returned\n      }\n    }\n    totals {\n      subtotal {\n        amount\n        currency\n      }\n      tax {\n        amount\n        currency\n      }\n      shipping {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    shipments {\n      id\n      shippedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      carrier\n      service\n      trackingNumber\n      trackingUrl\n      status\n      estimatedDeliveryAt\n      deliveredAt\n      events {\n        occurredAt\n        status\n        description\n        location\n      }\n    }\n    returns {\n      id\n      rmaNumber\n      status\n      requestedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      refund {\n        amount {\n          amount\n          currency\n        }\n        refundedAt\n      }\n    }\n  }\n}": types.ShopperOrderStatusDocument,
    "subscription ShopperOrderStatusChanged($orderId: ID!, $customerId: ID!, $after: String) {\n  orderStatusChanged(orderId: $orderId, customerId: $customerId, after: $after) {\n    cursor\n    orderId\n    previousStatus\n    status\n    changedAt\n    order {\n      id\n      status\n      shipments {\n        id\n        trackingNumber\n        trackingUrl\n        status\n        estimatedDeliveryAt\n      }\n    }\n  }\n}": types.ShopperOrderStatusChangedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ShopperOrderHistory($customerId: ID!, $after: String) {\n  orders(filter: {customerId: $customerId}, first: 20, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        number\n        placedAt\n        status\n        totals {\n          total {\n            amount\n            currency\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query ShopperOrderHistory($customerId: ID!, $after: String) {\n  orders(filter: {customerId: $customerId}, first: 20, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        number\n        placedAt\n        status\n        totals {\n          total {\n            amount\n            currency\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ShopperOrderStatus($orderId: ID!) {\n  order(id: $orderId) {\n    id\n    number\n    placedAt\n    channel\n    status\n    statusDetail {\n      status\n      reason\n    }\n    lines {\n      lineNumber\n      sku\n      description\n      finalSale\n      quantity\n    }\n    lineStatuses {\n      lineNumber\n      status\n      quantities {\n        ordered\n        cancelled\n        shipped\n        delivered\n        returnInitiated\n        returned\n      }\n    }\n    totals {\n      subtotal {\n        amount\n        currency\n      }\n      tax {\n        amount\n        currency\n      }\n      shipping {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    shipments {\n      id\n      shippedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      carrier\n      service\n      trackingNumber\n      trackingUrl\n      status\n      estimatedDeliveryAt\n      deliveredAt\n      events {\n        occurredAt\n        status\n        description\n        location\n      }\n    }\n    returns {\n      id\n      rmaNumber\n      status\n      requestedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      refund {\n        amount {\n          amount\n          currency\n        }\n        refundedAt\n      }\n    }\n  }\n}"): (typeof documents)["query ShopperOrderStatus($orderId: ID!) {\n  order(id: $orderId) {\n    id\n    number\n    placedAt\n    channel\n    status\n    statusDetail {\n      status\n      reason\n    }\n    lines {\n      lineNumber\n      sku\n      description\n      finalSale\n      quantity\n    }\n    lineStatuses {\n      lineNumber\n      status\n      quantities {\n        ordered\n        cancelled\n        shipped\n        delivered\n        returnInitiated\n        returned\n      }\n    }\n    totals {\n      subtotal {\n        amount\n        currency\n      }\n      tax {\n        amount\n        currency\n      }\n      shipping {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    shipments {\n      id\n      shippedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      carrier\n      service\n      trackingNumber\n      trackingUrl\n      status\n      estimatedDeliveryAt\n      deliveredAt\n      events {\n        occurredAt\n        status\n        description\n        location\n      }\n    }\n    returns {\n      id\n      rmaNumber\n      status\n      requestedAt\n      lines {\n        lineNumber\n        quantity\n      }\n      refund {\n        amount {\n          amount\n          currency\n        }\n        refundedAt\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ShopperOrderStatusChanged($orderId: ID!, $customerId: ID!, $after: String) {\n  orderStatusChanged(orderId: $orderId, customerId: $customerId, after: $after) {\n    cursor\n    orderId\n    previousStatus\n    status\n    changedAt\n    order {\n      id\n      status\n      shipments {\n        id\n        trackingNumber\n        trackingUrl\n        status\n        estimatedDeliveryAt\n      }\n    }\n  }\n}"): (typeof documents)["subscription ShopperOrderStatusChanged($orderId: ID!, $customerId: ID!, $after: String) {\n  orderStatusChanged(orderId: $orderId, customerId: $customerId, after: $after) {\n    cursor\n    orderId\n    previousStatus\n    status\n    changedAt\n    order {\n      id\n      status\n      shipments {\n        id\n        trackingNumber\n        trackingUrl\n        status\n        estimatedDeliveryAt\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;