import { deriveOrderStatus, type LineQuantities, type OrderStatus, type StatusInputs } from '../../canonical/index.js';

/** Every slice of an order, from all five subgraphs: what an LWC order-detail page asks for. */
export const FULL_ORDER = /* GraphQL */ `
  fragment FullOrder on Order {
    id number channel placedAt
    customer { id name email salesforceAccountId }
    lines { lineNumber sku description finalSale quantity }
    fulfillmentOrders { id allocatedAt node { id type name } lines { lineNumber quantity } warehouseStatus pickedAt packedAt }
    erpSalesOrderId acceptedAt
    holds { type reason placedAt releasedAt }
    invoices { number postedAt amount { amount currency } lines { lineNumber quantity amount { amount currency } } }
    payments { id method status amount { amount currency } capturedAmount { amount currency } refundedAmount { amount currency } authorizedAt capturedAt }
    paymentStatus
    creditMemos { number postedAt amount { amount currency } returnId }
    totals { subtotal { amount currency } tax { amount currency } shipping { amount currency } total { amount currency } }
    shipments {
      id shippedAt lines { lineNumber quantity } fulfillmentOrder { id }
      carrier service trackingNumber trackingUrl status carrierStatusCode estimatedDeliveryAt deliveredAt lastScanAt
      events { occurredAt status carrierCode description location }
    }
    returns {
      id rmaNumber status channel requestedAt reason lines { lineNumber quantity reason }
      refund { amount { amount currency } creditMemoNumber refundedAt }
      receipt { receivedAt lines { lineNumber quantity disposition } }
    }
    status
    statusDetail { status rule reason facts { source fact observedAt } }
    lineStatuses { lineNumber status quantities { ordered cancelled allocated backordered picked shipped delivered returnInitiated returned } }
  }
`;

/**
 * Recomputes an order's status from the slices in a response, independently of the oms resolver:
 * the OMS-only quantities (cancelled, backordered) come from lineStatuses, everything else from
 * the owners' slices as the client received them.
 */
export function recomputeFromResponse(order: any): { status: OrderStatus; lines: Map<number, LineQuantities> } {
  const oms = new Map<number, any>(order.lineStatuses.map((l: any) => [l.lineNumber, l.quantities]));
  const inputs: StatusInputs = {
    lines: order.lines.map((l: any) => ({
      lineNumber: l.lineNumber,
      ordered: l.quantity,
      cancelled: oms.get(l.lineNumber).cancelled,
      backordered: oms.get(l.lineNumber).backordered,
    })),
    fulfillmentOrders: order.fulfillmentOrders.map((f: any) => ({
      lines: f.lines,
      warehouseStatus: f.warehouseStatus,
      pickedAt: f.pickedAt,
      allocatedAt: f.allocatedAt,
    })),
    acceptedAt: order.acceptedAt,
    holds: order.holds,
    shipments: order.shipments,
    returns: order.returns,
  };
  const result = deriveOrderStatus(inputs);
  return { status: result.explanation.status, lines: new Map(result.lines.map((l) => [l.lineNumber, l.quantities])) };
}
