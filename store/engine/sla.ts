/**
 * The exception SLAs (issue 11): how long a condition may hold before it is an exception. Typed,
 * validated at start-up, overridable per variable (`SLA_<NAME>_MINUTES`). Conditions that are
 * wrong at once (a cancel after shipment, an over-receipt…) have no SLA.
 */
export interface ExceptionSlas {
  /** WMS shipped → first carrier scan; also carrier scan → WMS shipment (drop-ship without ASN). @default 24 h */
  unconfirmedShipmentMs: number;
  /** An open order's newest event (any source) → silence that is an exception. @default 48 h */
  delayedUpdateMs: number;
  /** Estimated delivery passed by this much without a delivery. @default 12 h */
  deliveryOverdueMs: number;
  /** A return in one non-final state (REQUESTED, APPROVED, IN_TRANSIT, RECEIVED, REFUND_PENDING) this long. @default 7 days */
  stuckReturnMs: number;
  /** First refund of any kind → returns refund, ERP credit memos and payment refunds must agree. @default 24 h */
  refundMismatchMs: number;
  /** How often the engine re-evaluates time-based conditions. @default 60 s */
  sweepIntervalMs: number;
}

const H = 3600_000;

export const DEFAULT_SLAS: Readonly<ExceptionSlas> = {
  unconfirmedShipmentMs: 24 * H,
  delayedUpdateMs: 48 * H,
  deliveryOverdueMs: 12 * H,
  stuckReturnMs: 7 * 24 * H,
  refundMismatchMs: 24 * H,
  sweepIntervalMs: 60_000,
};

const ENV: Record<keyof ExceptionSlas, string> = {
  unconfirmedShipmentMs: 'SLA_UNCONFIRMED_SHIPMENT_MINUTES',
  delayedUpdateMs: 'SLA_DELAYED_UPDATE_MINUTES',
  deliveryOverdueMs: 'SLA_DELIVERY_OVERDUE_MINUTES',
  stuckReturnMs: 'SLA_STUCK_RETURN_MINUTES',
  refundMismatchMs: 'SLA_REFUND_MISMATCH_MINUTES',
  sweepIntervalMs: 'EXCEPTION_SWEEP_SECONDS',
};

/** The SLAs: defaults, then `overrides`, then the environment; each a positive number or start-up fails naming it. */
export function loadSlas(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ExceptionSlas> = {},
): ExceptionSlas {
  const out: ExceptionSlas = { ...DEFAULT_SLAS, ...overrides };
  for (const key of Object.keys(ENV) as Array<keyof ExceptionSlas>) {
    const raw = env[ENV[key]]?.trim();
    if (raw) {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0)
        throw new TypeError(`${ENV[key]}: expected a positive number, got ${JSON.stringify(raw)}`);
      out[key] = n * (key === 'sweepIntervalMs' ? 1000 : 60_000);
    }
    if (!Number.isFinite(out[key]) || out[key] <= 0)
      throw new TypeError(`exception SLA ${key}: expected a positive number of ms, got ${JSON.stringify(out[key])}`);
  }
  return out;
}

/** The variable that sets each SLA (docs/operations.md lists them). */
export const SLA_ENV: Readonly<Record<keyof ExceptionSlas, string>> = ENV;
