import type { ReturnStatus } from '../../canonical/index.js';
import type { Money } from '../../canonical/index.js';
import type { ReturnRecord } from './records.js';
import type { ApplyResult } from '../common/ingest.js';

export type { ReturnRecord };

/** The returns desk, as the returns subgraph reaches it. Batch-shaped. */
export interface ReturnsPort {
  /** Each order's returns, oldest first ([] when none). */
  returnsByOrderIds(orderIds: readonly string[]): Promise<ReturnRecord[][]>;
  returnsById(ids: readonly string[]): Promise<(ReturnRecord | null)[]>;
  /** The return each order is the exchange replacement of (null when none). */
  returnsByExchangeOrderIds(orderIds: readonly string[]): Promise<(ReturnRecord | null)[]>;
}

/** A return moving through the desk, as ingest applies it. */
export interface ReturnChange {
  returnId: string;
  orderId: string;
  status: Exclude<ReturnStatus, 'REQUESTED'>;
  at: string;
  /** Issued at approval; kept once set. */
  rmaNumber: string | null;
  /** REFUND_PENDING and REFUNDED: the amount, and the credit memo once refunded. */
  refund: { amount: Money; creditMemoNumber: string | null } | null;
  /** The replacement order of an exchange, when this webhook names one. */
  exchangeOrderId?: string | null;
}

/** The write side ingest applies returns webhooks to (the memory simulator implements it). */
export interface ReturnsRecorder {
  /** Records a requested return; one that exists already is left as it is. */
  openReturn(record: ReturnRecord): ApplyResult;
  /**
   * Moves a return forward (REQUESTED → APPROVED → IN_TRANSIT → RECEIVED → REFUND_PENDING →
   * REFUNDED → CLOSED), or rejects or cancels it. `stale` when it already stands further or is
   * closed, rejected or cancelled: a status never moves back.
   * @throws RecordConflictError for a return the desk does not know.
   */
  advanceReturn(change: ReturnChange): ApplyResult;
}
