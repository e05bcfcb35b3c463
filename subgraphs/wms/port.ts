import type { WarehouseStatus } from '../../canonical/index.js';
import type { WmsFulfillmentOrder, WmsReturnReceipt, WmsShipment } from './records.js';
import type { ApplyResult, GuardedApply } from '../common/ingest.js';

export type { WmsFulfillmentOrder, WmsReturnReceipt, WmsShipment };

/**
 * The warehouse system of every node (DC, store, drop-ship partner), as the wms subgraph reaches
 * it. Batch-shaped: one call for many keys, one result per key in key order.
 */
export interface WmsPort {
  /** Each order's shipments, oldest first ([] when none). */
  shipmentsByOrderIds(orderIds: readonly string[]): Promise<WmsShipment[][]>;
  shipmentsById(ids: readonly string[]): Promise<(WmsShipment | null)[]>;
  fulfillmentOrdersById(ids: readonly string[]): Promise<(WmsFulfillmentOrder | null)[]>;
  /** Each return's receipt, or null when nothing was received yet. */
  receiptsByReturnIds(returnIds: readonly string[]): Promise<(WmsReturnReceipt | null)[]>;
}

/** A fulfillment order moving at its node (shipping goes through {@link WmsRecorder.confirmShipment}). */
export interface FulfillmentChange {
  fulfillmentOrderId: string;
  orderId: string;
  nodeId: string;
  status: Exclude<WarehouseStatus, 'SHIPPED'>;
  /** When it happened at the node. */
  at: string;
  /** CANCEL: why the node declined it, e.g. `NO_STOCK`. */
  reasonCode?: string | null;
}

/** The write side ingest applies WMS messages to (the memory simulator implements it). */
export interface WmsRecorder {
  /**
   * Moves a fulfillment order forward (RELEASED → PICKING → PICKED → PACKED), or cancels it;
   * creates it when the WMS had no record. `stale` when it already stands further (or is
   * shipped or cancelled): a status never moves back.
   */
  advanceFulfillment(change: FulfillmentChange): ApplyResult;
  /** Records a parcel handed to a carrier and marks its fulfillment order SHIPPED. `stale` for a cancelled one. */
  confirmShipment(shipment: WmsShipment, nodeId: string): ApplyResult;
  /**
   * Records what the warehouse physically received for a return, as reported; units beyond what
   * was shipped of each line (less other receipts of the order) are recorded as `excess` and
   * reported as an `OVER_RECEIPT` correction. The derived quantities never count them as returned.
   */
  receiveReturn(receipt: WmsReturnReceipt): ApplyResult | GuardedApply;
}
