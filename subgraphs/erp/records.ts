/**
 * The native records the ERP (acceptance, holds, invoices, payments, credit memos, totals) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
import type { HoldType, PaymentStatus } from '../../canonical/index.js';
import type { Money } from '../../canonical/money.js';
import type { QtyLine } from '../../canonical/quantities.js';

export type { Money };

export interface ErpHold {
  type: HoldType;
  reason: string | null;
  placedAt: string;
  releasedAt: string | null;
}
export interface ErpInvoice {
  number: string;
  postedAt: string;
  amount: Money;
  lines: (QtyLine & { amount: Money })[];
}
export interface ErpPayment {
  id: string;
  orderId: string;
  method: string | null;
  status: PaymentStatus;
  amount: Money;
  capturedAmount: Money;
  refundedAmount: Money;
  authorizedAt: string | null;
  capturedAt: string | null;
}
export interface ErpCreditMemo {
  number: string;
  postedAt: string;
  amount: Money;
  returnId: string | null;
}
export interface ErpOrder {
  orderId: string;
  erpSalesOrderId: string;
  acceptedAt: string | null;
  holds: ErpHold[];
  invoices: ErpInvoice[];
  paymentIds: string[];
  paymentStatus: PaymentStatus;
  creditMemos: ErpCreditMemo[];
  totals: { subtotal: Money; tax: Money; shipping: Money; total: Money };
}
export interface ErpSlice {
  orders: ErpOrder[];
  payments: ErpPayment[];
}
