import type { HoldType } from '../../canonical/index.js';
import type { Money } from '../../canonical/index.js';
import type { ErpCreditMemo, ErpInvoice, ErpOrder, ErpPayment } from './records.js';
import type { ApplyResult } from '../common/ingest.js';

export type { ErpCreditMemo, ErpInvoice, ErpOrder, ErpPayment };

/**
 * The ERP (system of record for acceptance, holds and money), as the erp subgraph reaches it.
 * Batch-shaped: one call for many keys, one result per key in key order, null for no record.
 */
export interface ErpPort {
  ordersById(orderIds: readonly string[]): Promise<(ErpOrder | null)[]>;
  paymentsById(ids: readonly string[]): Promise<(ErpPayment | null)[]>;
}

/** A payment event as ingest applies it. Amounts are absolute (totals so far), so applying twice is harmless. */
export interface PaymentChange {
  paymentId: string;
  method: string | null;
  kind: 'authorized' | 'captured' | 'refunded' | 'failed' | 'voided';
  /** authorized / failed: the amount asked for. */
  amount: Money | null;
  /** captured: the total captured so far; refunded: the total refunded so far. */
  total: Money | null;
  at: string;
}

/** The write side ingest applies ERP notifications to (the memory simulator implements it). */
export interface ErpRecorder {
  /** Accepts the order (set once), creating the ERP's record when it had none (`totals` then required). */
  acceptOrder(a: {
    orderId: string;
    erpSalesOrderId: string | null;
    totals: ErpOrder['totals'] | null;
    at: string;
  }): ApplyResult;
  /** Places a hold; one active hold per type. */
  placeHold(orderId: string, hold: { type: HoldType; reason: string | null; at: string }): ApplyResult;
  /** Releases the active hold of `type`; `stale` when none is active. */
  releaseHold(orderId: string, type: HoldType, at: string): ApplyResult;
  postInvoice(orderId: string, invoice: ErpInvoice): ApplyResult;
  postCreditMemo(orderId: string, memo: ErpCreditMemo): ApplyResult;
  /** Moves a payment (created on authorization or failure); amounts never decrease, a voided or failed payment stays so. */
  recordPayment(orderId: string, change: PaymentChange): ApplyResult;
}
