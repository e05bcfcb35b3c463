/**
 * The native records the returns desk (RMAs, lines, refunds) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
import type { Channel, ReturnStatus } from '../../canonical/index.js';
import type { Money } from '../../canonical/money.js';

export type { Money };

export interface ReturnLineRecord {
  lineNumber: number;
  quantity: number;
  reason: string | null;
}
export interface ReturnRecord {
  id: string;
  orderId: string;
  rmaNumber: string | null;
  status: ReturnStatus;
  channel: Channel;
  requestedAt: string;
  reason: string | null;
  lines: ReturnLineRecord[];
  refund: { amount: Money; creditMemoNumber: string | null; refundedAt: string | null } | null;
  /** The replacement order of an exchange, when the desk named one. */
  exchangeOrderId?: string | null;
}
export interface ReturnsSlice {
  returns: ReturnRecord[];
}
