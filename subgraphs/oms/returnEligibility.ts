import {
  DEFAULT_RETURN_WINDOW_DAYS,
  ErrorCode,
  evaluateReturnEligibility,
  type ReturnRuleFailure,
} from '../../canonical/index.js';
import { graphqlError } from '../common/errors.js';
import { derive, type OrderWithSlices } from './derived.js';
import type { OmsContext } from './loaders.js';

type Maybe<T> = T | null | undefined;

/** The ERP's invoices as `@requires` hands them to oms (the ERP's marker `erpAsOf` covers them). */
export interface OrderWithInvoices extends OrderWithSlices {
  invoices?: Maybe<Maybe<{ lines: { lineNumber: number; quantity: number }[] }>[]>;
}

/** One line's answer (schema: `LineReturnEligibility`). */
export interface LineReturnEligibility {
  lineNumber: number;
  eligible: boolean;
  returnableQuantity: number;
  failures: ReturnRuleFailure[];
  delivered: number;
  invoiced: number;
  returnInitiated: number;
  finalSale: boolean;
  lastDeliveredAt: string | null;
  windowDays: number;
  windowClosesAt: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Every line's return eligibility by the one policy (canonical/returnPolicy.ts), asked for one unit
 * at the request's clock: delivered and returnInitiated from the canonical line quantities (the
 * same reconciliation as `status`), the last delivery from the carrier's delivered shipments,
 * invoiced from the ERP's invoices, final sale from the OMS line.
 */
export async function returnEligibility(order: OrderWithInvoices, ctx: OmsContext): Promise<LineReturnEligibility[]> {
  const derived = await derive(order, ctx);
  if (!Array.isArray(order.invoices) || order.invoices.some((i) => i == null)) {
    // derive() already refused a missing ERP slice; a present slice with a null invoice list is unavailable too.
    throw graphqlError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'return eligibility needs invoices from erp, which are unavailable; it is null rather than a guess',
      { serviceName: 'erp' },
    );
  }
  const invoiced = new Map<number, number>();
  for (const inv of order.invoices)
    for (const l of inv!.lines) invoiced.set(l.lineNumber, (invoiced.get(l.lineNumber) ?? 0) + l.quantity);
  const lastDelivery = new Map<number, string>();
  for (const s of order.shipments ?? []) {
    if (s?.status !== 'DELIVERED' || !s.deliveredAt) continue;
    for (const l of s.lines) {
      const prev = lastDelivery.get(l.lineNumber);
      if (l.quantity > 0 && (!prev || Date.parse(s.deliveredAt) > Date.parse(prev)))
        lastDelivery.set(l.lineNumber, s.deliveredAt);
    }
  }
  const windowDays = ctx.returnWindowDays ?? DEFAULT_RETURN_WINDOW_DAYS;
  const requestedAt = new Date(ctx.now()).toISOString();
  const quantities = new Map(derived.lines.map((l) => [l.lineNumber, l.quantities]));
  return order.lines.map((line) => {
    const q = quantities.get(line.lineNumber);
    const lastDeliveredAt = lastDelivery.get(line.lineNumber) ?? null;
    const facts = {
      requestedAt,
      finalSale: line.finalSale,
      windowDays,
      lastDeliveredAt,
      delivered: q?.delivered ?? 0,
      invoiced: invoiced.get(line.lineNumber) ?? 0,
      returnInitiated: q?.returnInitiated ?? 0,
    };
    const preview = evaluateReturnEligibility({ ...facts, quantity: 1 });
    return {
      lineNumber: line.lineNumber,
      eligible: preview.eligible,
      returnableQuantity: preview.returnableQuantity,
      failures: preview.failures,
      delivered: facts.delivered,
      invoiced: facts.invoiced,
      returnInitiated: facts.returnInitiated,
      finalSale: line.finalSale,
      lastDeliveredAt,
      windowDays,
      windowClosesAt: lastDeliveredAt
        ? new Date(Date.parse(lastDeliveredAt) + windowDays * DAY_MS).toISOString()
        : null,
    };
  });
}
