import { gql, type TypedDocumentNode } from '@apollo/client';
import manifest from 'virtual:partner-operations';

/** The partner portal's operations, exactly as persisted in operations/manifest.json. */
export { manifest };

function document<TData, TVars>(name: string): TypedDocumentNode<TData, TVars> {
  const op = manifest.operations.find((o) => o.name === name);
  if (!op)
    throw new Error(
      `expected operation ${name} in the partner manifest; found ${manifest.operations.map((o) => o.name).join(', ')}`,
    );
  return gql(op.body) as TypedDocumentNode<TData, TVars>;
}

export interface FulfillmentOrder {
  id: string;
  node: { id: string; type: string; name: string };
  lines: { lineNumber: number; quantity: number }[];
  allocatedAt: string | null;
  warehouseStatus: string | null;
  pickedAt: string | null;
  packedAt: string | null;
}

export interface NodeOrder {
  id: string;
  number: string;
  placedAt: string;
  fulfillmentOrders: FulfillmentOrder[];
  shipments:
    | {
        id: string;
        fulfillmentOrder: { id: string };
        shippedAt: string;
        carrier: string | null;
        trackingNumber: string | null;
        trackingUrl: string | null;
        status: string | null;
      }[]
    | null;
}

export interface PartnerNodeOrdersData {
  orders: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: NodeOrder }[];
  };
}

export interface PartnerOrderFulfillmentData {
  order: null | {
    id: string;
    number: string;
    placedAt: string;
    lines: { lineNumber: number; sku: string; description: string | null; quantity: number }[];
    fulfillmentOrders: FulfillmentOrder[];
    shipments:
      | {
          id: string;
          fulfillmentOrder: { id: string };
          shippedAt: string;
          lines: { lineNumber: number; quantity: number }[];
          carrier: string | null;
          service: string | null;
          trackingNumber: string | null;
          trackingUrl: string | null;
          status: string | null;
          estimatedDeliveryAt: string | null;
          deliveredAt: string | null;
        }[]
      | null;
  };
}

export const PartnerNodeOrders = document<
  PartnerNodeOrdersData,
  { fulfillmentNodeId: string; first?: number; after?: string | null }
>('PartnerNodeOrders');
export const PartnerOrderFulfillment = document<PartnerOrderFulfillmentData, { orderId: string }>(
  'PartnerOrderFulfillment',
);
