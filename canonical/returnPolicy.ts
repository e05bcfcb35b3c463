/** Default return window, in days after the line's most recent delivery (UTC). */
export const DEFAULT_RETURN_WINDOW_DAYS = 30;

/** What the returns policy needs to know about one line and one request. */
export interface ReturnRequestFacts {
  /** When the customer asks (ISO-8601). */
  requestedAt: string;
  /** Units the customer wants to return. */
  quantity: number;
  /** The SKU is sold final-sale (never returnable). */
  finalSale: boolean;
  /** Line quantities delivered (carrier), invoiced (erp) and already return-initiated (returns). */
  delivered: number;
  invoiced: number;
  returnInitiated: number;
  /** When the line was most recently delivered, or null if never. */
  lastDeliveredAt: string | null;
  /** @default 30 */
  windowDays?: number;
}

export type ReturnRuleFailure =
  | { rule: 'NOT_DELIVERED'; message: string }
  | { rule: 'NOT_INVOICED'; message: string }
  | { rule: 'WINDOW_CLOSED'; message: string; closedAt: string }
  | { rule: 'FINAL_SALE'; message: string }
  | { rule: 'QUANTITY_ABOVE_RETURNABLE'; message: string; returnable: number }
  | { rule: 'INVALID_REQUEST'; message: string };

export interface ReturnEligibility {
  eligible: boolean;
  /** min(delivered, invoiced) − returnInitiated, never below 0. */
  returnableQuantity: number;
  /** Every rule the request fails, not only the first. */
  failures: ReturnRuleFailure[];
}

const DAY_MS = 86_400_000;

/**
 * The one returns policy every channel shares (CANONICAL_MODEL.md, "Returns policy"): within the
 * window after the most recent delivery, not final sale, and quantity ≤ min(delivered, invoiced) −
 * returnInitiated. Lists every failed rule.
 */
export function evaluateReturnEligibility(r: ReturnRequestFacts): ReturnEligibility {
  const failures: ReturnRuleFailure[] = [];
  if (!Number.isInteger(r.quantity) || r.quantity < 1)
    failures.push({
      rule: 'INVALID_REQUEST',
      message: `quantity must be a whole number of at least 1; received ${r.quantity}`,
    });
  if (Number.isNaN(Date.parse(r.requestedAt)))
    failures.push({ rule: 'INVALID_REQUEST', message: 'requestedAt must be an ISO-8601 date-time' });
  const returnable = Math.max(0, Math.min(r.delivered, r.invoiced) - r.returnInitiated);
  if (r.delivered <= 0 || r.lastDeliveredAt == null)
    failures.push({ rule: 'NOT_DELIVERED', message: 'the line has not been delivered' });
  if (r.invoiced <= 0) failures.push({ rule: 'NOT_INVOICED', message: 'the line has not been invoiced' });
  if (r.lastDeliveredAt != null) {
    const closes = new Date(Date.parse(r.lastDeliveredAt) + (r.windowDays ?? DEFAULT_RETURN_WINDOW_DAYS) * DAY_MS);
    if (Date.parse(r.requestedAt) > closes.getTime()) {
      const closedAt = closes.toISOString();
      failures.push({
        rule: 'WINDOW_CLOSED',
        message: `the return window closed on ${closedAt.slice(0, 10)}`,
        closedAt,
      });
    }
  }
  if (r.finalSale) failures.push({ rule: 'FINAL_SALE', message: 'the item was sold as final sale' });
  if (r.quantity > returnable) {
    failures.push({
      rule: 'QUANTITY_ABOVE_RETURNABLE',
      message: `requested ${r.quantity}, at most ${returnable} returnable`,
      returnable,
    });
  }
  return { eligible: failures.length === 0, returnableQuantity: returnable, failures };
}
