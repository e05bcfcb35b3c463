import type { ShipmentStatus } from './vocabularies.js';

/**
 * Raw carrier tracking codes → canonical ShipmentStatus. Each carrier speaks its own code set
 * (UPS activity status types, FedEx scan event codes, USPS event codes, DHL status codes); the raw
 * code is always kept beside the normalized status (`carrierStatusCode`).
 */
const CARRIER_CODES: Readonly<Record<string, Readonly<Record<string, ShipmentStatus>>>> = {
  UPS: {
    M: 'LABEL_CREATED',
    MV: 'CANCELLED',
    P: 'IN_TRANSIT',
    I: 'IN_TRANSIT',
    O: 'OUT_FOR_DELIVERY',
    D: 'DELIVERED',
    X: 'EXCEPTION',
    RS: 'RETURNED_TO_SENDER',
    DO: 'DELIVERY_ATTEMPTED',
    AP: 'AVAILABLE_FOR_PICKUP',
  },
  FEDEX: {
    OC: 'LABEL_CREATED',
    PU: 'IN_TRANSIT',
    IT: 'IN_TRANSIT',
    AR: 'IN_TRANSIT',
    DP: 'IN_TRANSIT',
    OD: 'OUT_FOR_DELIVERY',
    DL: 'DELIVERED',
    DE: 'EXCEPTION',
    SE: 'EXCEPTION',
    HL: 'AVAILABLE_FOR_PICKUP',
    DY: 'DELIVERY_ATTEMPTED',
    RS: 'RETURNED_TO_SENDER',
    CA: 'CANCELLED',
  },
  USPS: {
    GX: 'LABEL_CREATED',
    '03': 'IN_TRANSIT',
    '10': 'IN_TRANSIT',
    OA: 'IN_TRANSIT',
    OF: 'OUT_FOR_DELIVERY',
    '01': 'DELIVERED',
    '02': 'DELIVERY_ATTEMPTED',
    '07': 'AVAILABLE_FOR_PICKUP',
    '04': 'EXCEPTION',
    '09': 'RETURNED_TO_SENDER',
    '31': 'CANCELLED',
  },
  DHL: {
    'pre-transit': 'LABEL_CREATED',
    transit: 'IN_TRANSIT',
    'out-for-delivery': 'OUT_FOR_DELIVERY',
    delivered: 'DELIVERED',
    failure: 'DELIVERY_ATTEMPTED',
    'ready-for-pickup': 'AVAILABLE_FOR_PICKUP',
    exception: 'EXCEPTION',
    returned: 'RETURNED_TO_SENDER',
    cancelled: 'CANCELLED',
  },
};

/** The carriers whose codes {@link normalizeCarrierStatus} understands. */
export const KNOWN_CARRIERS: readonly string[] = Object.keys(CARRIER_CODES);

/**
 * Normalizes one carrier's raw tracking code. An unknown carrier or code yields `UNKNOWN`
 * (never a guess); the caller keeps the raw code for diagnosis.
 */
export function normalizeCarrierStatus(carrier: string, rawCode: string): ShipmentStatus {
  // Own properties only: a code such as "toString" or "__proto__" must not reach Object.prototype.
  const codes = Object.hasOwn(CARRIER_CODES, carrier.toUpperCase()) ? CARRIER_CODES[carrier.toUpperCase()] : undefined;
  return codes && Object.hasOwn(codes, rawCode) ? codes[rawCode]! : 'UNKNOWN';
}

/** Every raw code of a carrier mapping to `status` (used by simulators to speak native codes). */
export function carrierCodesFor(carrier: string, status: ShipmentStatus): string[] {
  return Object.entries(CARRIER_CODES[carrier.toUpperCase()] ?? {})
    .filter(([, s]) => s === status)
    .map(([c]) => c);
}
