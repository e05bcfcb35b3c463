import type { ReturnStatus } from '../../../canonical/index.js';
import type { ReturnsSlice } from '../records.js';
import { byTime, pushTo } from '../../common/collections.js';
import { RecordConflictError, type ApplyResult } from '../../common/ingest.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { ReturnChange, ReturnRecord, ReturnsPort, ReturnsRecorder } from '../port.js';

/** How far a return has come. */
const RANK: Readonly<Record<ReturnStatus, number>> = {
  REQUESTED: 0,
  APPROVED: 1,
  IN_TRANSIT: 2,
  RECEIVED: 3,
  REFUND_PENDING: 4,
  REFUNDED: 5,
  CLOSED: 6,
  REJECTED: 7,
  CANCELLED: 7,
};
const FINAL: ReadonlySet<ReturnStatus> = new Set(['CLOSED', 'REJECTED', 'CANCELLED']);
/** The furthest status from which a return may still be rejected (after inspection) or cancelled (before it ships back). */
const LAST_BEFORE: Readonly<Partial<Record<ReturnStatus, number>>> = {
  REJECTED: RANK.RECEIVED,
  CANCELLED: RANK.APPROVED,
};

/**
 * A seeded in-memory returns desk with fault knobs; the embedded default. Ingest changes its
 * records in place and appends new ones to the slice it was given.
 */
export class MemoryReturns implements ReturnsPort, ReturnsRecorder {
  readonly sim: SystemSimulator;
  private readonly returns = new Map<string, ReturnRecord>();
  private readonly byOrder = new Map<string, ReturnRecord[]>();
  private readonly byExchangeOrder = new Map<string, ReturnRecord>();

  constructor(
    private readonly slice: ReturnsSlice,
    faults: Partial<FaultKnobs> = {},
  ) {
    this.sim = new SystemSimulator('returns', faults);
    for (const r of [...slice.returns].sort(byTime((x) => x.requestedAt))) {
      this.returns.set(r.id, r);
      pushTo(this.byOrder, r.orderId, r);
      if (r.exchangeOrderId) this.byExchangeOrder.set(r.exchangeOrderId, r);
    }
  }

  returnsByOrderIds(orderIds: readonly string[]) {
    return this.sim.call('returnsByOrderIds', () => orderIds.map((id) => this.byOrder.get(id) ?? []));
  }

  returnsByExchangeOrderIds(orderIds: readonly string[]) {
    return this.sim.call('returnsByExchangeOrderIds', () => orderIds.map((id) => this.byExchangeOrder.get(id) ?? null));
  }

  returnsById(ids: readonly string[]) {
    return this.sim.call('returnsById', () => ids.map((id) => this.returns.get(id) ?? null));
  }

  private existing(id: string, orderId: string): ReturnRecord | undefined {
    const r = this.returns.get(id);
    if (r && r.orderId !== orderId)
      throw new RecordConflictError(`return ${id} belongs to order ${r.orderId}, not ${orderId}`);
    return r;
  }

  /** Links a return to its exchange's replacement order; a different one than already named is a contradiction. */
  private linkExchange(r: ReturnRecord, exchangeOrderId: string | null | undefined): void {
    if (!exchangeOrderId || r.exchangeOrderId === exchangeOrderId) return;
    if (r.exchangeOrderId)
      throw new RecordConflictError(
        `return ${r.id} already names exchange order ${r.exchangeOrderId}; the webhook says ${exchangeOrderId}`,
      );
    const other = this.byExchangeOrder.get(exchangeOrderId);
    if (other && other.id !== r.id)
      throw new RecordConflictError(`order ${exchangeOrderId} is already the exchange order of return ${other.id}`);
    if (exchangeOrderId === r.orderId)
      throw new RecordConflictError(`return ${r.id} cannot name its own order ${r.orderId} as its exchange order`);
    r.exchangeOrderId = exchangeOrderId;
    this.byExchangeOrder.set(exchangeOrderId, r);
  }

  openReturn(record: ReturnRecord): ApplyResult {
    const known = this.existing(record.id, record.orderId);
    if (known) {
      this.linkExchange(known, record.exchangeOrderId);
      return 'applied';
    }
    const exchange = record.exchangeOrderId;
    record.exchangeOrderId = null;
    this.linkExchange(record, exchange);
    this.returns.set(record.id, record);
    this.slice.returns.push(record);
    const list = this.byOrder.get(record.orderId) ?? [];
    const at = list.findIndex((x) => x.requestedAt > record.requestedAt);
    list.splice(at < 0 ? list.length : at, 0, record);
    this.byOrder.set(record.orderId, list);
    return 'applied';
  }

  advanceReturn(c: ReturnChange): ApplyResult {
    const r = this.existing(c.returnId, c.orderId);
    if (!r)
      throw new RecordConflictError(`return ${c.returnId} is unknown to the returns desk; its request must come first`);
    this.linkExchange(r, c.exchangeOrderId);
    if (c.rmaNumber) r.rmaNumber ??= c.rmaNumber;
    // The refund is recorded whatever order the steps arrive in (a refund that happened stays
    // happened); an issued refund is never replaced by a pending one.
    let refunded = false;
    if (c.refund && !(r.refund?.refundedAt && c.status !== 'REFUNDED')) {
      const before = JSON.stringify(r.refund);
      r.refund = {
        amount: c.refund.amount,
        creditMemoNumber: c.refund.creditMemoNumber ?? r.refund?.creditMemoNumber ?? null,
        refundedAt: c.status === 'REFUNDED' ? (r.refund?.refundedAt ?? c.at) : (r.refund?.refundedAt ?? null),
      };
      refunded = JSON.stringify(r.refund) !== before;
    }
    if (r.status === c.status) return 'applied';
    const limit = LAST_BEFORE[c.status];
    if (FINAL.has(r.status) || (limit !== undefined ? RANK[r.status] > limit : RANK[c.status] < RANK[r.status]))
      return refunded ? 'applied' : 'stale';
    r.status = c.status;
    return 'applied';
  }
}
