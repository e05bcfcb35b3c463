import { fromCents, toCents, type Money } from './money.js';
import type { StatusInputs } from './quantities.js';
import type { FinancialState, PaymentStatus, RefundState } from './vocabularies.js';

/**
 * The order's one refund story (docs/status.md, "Refunds"): what the returns desk refunded, what
 * the ERP credited and what the payments paid back, and whether they agree.
 */
export interface RefundStory {
  state: RefundState;
  /** Refunds the returns desk issued (returns REFUNDED, or CLOSED with an issued refund). */
  returnsDesk: Money;
  /** Refunds the returns desk has pending (REFUND_PENDING). */
  pending: Money;
  /** Credit memos the ERP posted. */
  creditMemos: Money;
  /** What the payments paid back (Σ refundedAmount). */
  payments: Money;
  /** In words: what agrees or what disagrees. */
  reason: string;
}

const sumIn = (amounts: readonly Money[], currency: string): { cents: number; foreign: boolean } => {
  let cents = 0;
  let foreign = false;
  for (const a of amounts) {
    if (a.currency !== currency) foreign = true;
    else cents += toCents(a);
  }
  return { cents, foreign };
};

/**
 * Puts the three refund records side by side. They agree when the ERP's credit memos equal what the
 * payments paid back and cover every refund the desk issued; a refund the desk issued without a
 * receipt ("keep it") is a valid end state when they agree.
 */
export function refundStory(inputs: StatusInputs): RefundStory {
  const payments = inputs.payments ?? [];
  const memos = inputs.creditMemos ?? [];
  const issued = inputs.returns.filter(
    (r) => r.refund && (r.status === 'REFUNDED' || (r.status === 'CLOSED' && r.refund.refundedAt)),
  );
  const pendingReturns = inputs.returns.filter((r) => r.refund && r.status === 'REFUND_PENDING');
  const currency =
    payments[0]?.amount.currency ??
    memos[0]?.amount.currency ??
    issued[0]?.refund?.amount.currency ??
    pendingReturns[0]?.refund?.amount.currency ??
    'USD';
  const desk = sumIn(
    issued.map((r) => r.refund!.amount),
    currency,
  );
  const pending = sumIn(
    pendingReturns.map((r) => r.refund!.amount),
    currency,
  );
  const credited = sumIn(
    memos.map((m) => m.amount),
    currency,
  );
  const paid = sumIn(
    payments.map((p) => p.refundedAmount),
    currency,
  );
  const story = (state: RefundState, reason: string): RefundStory => ({
    state,
    reason,
    returnsDesk: fromCents(desk.cents, currency),
    pending: fromCents(pending.cents, currency),
    creditMemos: fromCents(credited.cents, currency),
    payments: fromCents(paid.cents, currency),
  });
  const m = (c: number) => fromCents(c, currency).amount;
  if (desk.foreign || pending.foreign || credited.foreign || paid.foreign)
    return story('MISMATCH', `refund records are in more than one currency (expected ${currency})`);
  if (desk.cents === 0 && credited.cents === 0 && paid.cents === 0) {
    return pending.cents > 0
      ? story('PENDING', `the returns desk has ${m(pending.cents)} ${currency} pending; nothing issued yet`)
      : story('NONE', 'no refund');
  }
  if (credited.cents !== paid.cents)
    return story(
      'MISMATCH',
      `the ERP credited ${m(credited.cents)} ${currency} but the payments paid back ${m(paid.cents)} ${currency}`,
    );
  if (desk.cents > credited.cents)
    return story(
      'MISMATCH',
      `the returns desk refunded ${m(desk.cents)} ${currency} but the ERP credited only ${m(credited.cents)} ${currency}`,
    );
  if (pending.cents > 0)
    return story(
      'PENDING',
      `${m(paid.cents)} ${currency} refunded and agreed; ${m(pending.cents)} ${currency} more pending at the returns desk`,
    );
  return story('AGREED', `returns desk, credit memos and payments agree: ${m(paid.cents)} ${currency} refunded`);
}

const LATEST_PAYMENT: Readonly<Record<PaymentStatus, FinancialState>> = {
  PENDING: 'PENDING',
  AUTHORIZED: 'AUTHORIZED',
  PARTIALLY_PAID: 'PARTIALLY_PAID',
  PAID: 'PAID',
  PARTIALLY_REFUNDED: 'PARTIALLY_REFUNDED',
  REFUNDED: 'REFUNDED',
  VOIDED: 'VOIDED',
  FAILED: 'FAILED',
};

/**
 * The financial dimension: the refund story when any refund exists, else the state of the
 * payments (the newest payment decides, as the ERP's `paymentStatus`).
 */
export function financialStateOf(inputs: StatusInputs, story: RefundStory): FinancialState {
  switch (story.state) {
    case 'MISMATCH':
      return 'REFUND_MISMATCH';
    case 'PENDING':
      return 'REFUND_PENDING';
    case 'AGREED': {
      const captured = (inputs.payments ?? []).reduce((n, p) => n + toCents(p.capturedAmount), 0);
      return toCents(story.payments) >= captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    }
    case 'NONE': {
      const latest = inputs.payments?.at(-1);
      return latest ? LATEST_PAYMENT[latest.status] : 'PENDING';
    }
  }
}
