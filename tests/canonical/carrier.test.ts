import { describe, expect, it } from 'vitest';
import { KNOWN_CARRIERS, carrierCodesFor, normalizeCarrierStatus } from '../../canonical/carrier.js';
import { SHIPMENT_STATUSES, type ShipmentStatus } from '../../canonical/vocabularies.js';

/**
 * Each carrier's native codes, written out independently of the implementation: a code moved to
 * another status, or dropped, fails here.
 */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, ShipmentStatus>>>> = {
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

const CARRIERS = Object.keys(EXPECTED);
const REAL_STATUSES = SHIPMENT_STATUSES.filter((s) => s !== 'UNKNOWN');

describe('normalizeCarrierStatus', () => {
  it('should know exactly UPS, FEDEX, USPS and DHL', () => {
    expect([...KNOWN_CARRIERS].sort()).toEqual([...CARRIERS].sort());
  });

  for (const carrier of CARRIERS) {
    const codes = EXPECTED[carrier]!;

    describe(carrier, () => {
      for (const [code, status] of Object.entries(codes)) {
        it(`should map ${carrier} code "${code}" to ${status}`, () => {
          expect(normalizeCarrierStatus(carrier, code)).toBe(status);
        });
      }

      it(`should cover every ShipmentStatus except UNKNOWN with some ${carrier} code`, () => {
        const covered = new Set(Object.values(codes));
        expect([...covered].sort()).toEqual([...REAL_STATUSES].sort());
        for (const status of REAL_STATUSES) {
          expect(Object.keys(codes).some((code) => normalizeCarrierStatus(carrier, code) === status)).toBe(true);
        }
      });

      it(`should never map a ${carrier} code to UNKNOWN`, () => {
        for (const code of Object.keys(codes)) expect(normalizeCarrierStatus(carrier, code)).not.toBe('UNKNOWN');
      });

      it(`should answer UNKNOWN for a code ${carrier} does not use`, () => {
        expect(normalizeCarrierStatus(carrier, 'ZZ-NOT-A-CODE')).toBe('UNKNOWN');
        expect(normalizeCarrierStatus(carrier, '')).toBe('UNKNOWN');
      });
    });
  }

  it('should read the carrier name case-insensitively', () => {
    expect(normalizeCarrierStatus('ups', 'D')).toBe('DELIVERED');
    expect(normalizeCarrierStatus('Ups', 'O')).toBe('OUT_FOR_DELIVERY');
    expect(normalizeCarrierStatus('FedEx', 'DL')).toBe('DELIVERED');
    expect(normalizeCarrierStatus('fedex', 'HL')).toBe('AVAILABLE_FOR_PICKUP');
    expect(normalizeCarrierStatus('usps', '09')).toBe('RETURNED_TO_SENDER');
    expect(normalizeCarrierStatus('dhl', 'delivered')).toBe('DELIVERED');
    expect(normalizeCarrierStatus('Dhl', 'pre-transit')).toBe('LABEL_CREATED');
  });

  it('should keep each carrier to its own code set', () => {
    // "D" is UPS for delivered; FedEx's delivered is "DL"; USPS's is "01".
    expect(normalizeCarrierStatus('FEDEX', 'D')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('USPS', 'DL')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('DHL', '01')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('UPS', 'delivered')).toBe('UNKNOWN');
    // RS means returned to sender for both UPS and FedEx.
    expect(normalizeCarrierStatus('UPS', 'RS')).toBe('RETURNED_TO_SENDER');
    expect(normalizeCarrierStatus('FEDEX', 'RS')).toBe('RETURNED_TO_SENDER');
  });

  it('should answer UNKNOWN for an unknown carrier, whatever the code', () => {
    expect(normalizeCarrierStatus('ONTRAC', 'D')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('', 'D')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('ACME', 'delivered')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('UPS ', 'D')).toBe('UNKNOWN');
  });

  it('should answer UNKNOWN, never a non-status value, for codes that name Object properties', () => {
    // Raw codes arrive from carrier webhooks; a code spelled like an inherited property must not
    // resolve to that property.
    for (const code of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      for (const carrier of CARRIERS) {
        expect(normalizeCarrierStatus(carrier, code)).toBe('UNKNOWN');
      }
    }
    expect(normalizeCarrierStatus('constructor', 'D')).toBe('UNKNOWN');
    expect(normalizeCarrierStatus('__proto__', 'toString')).toBe('UNKNOWN');
  });

  it('should only ever answer a ShipmentStatus', () => {
    const probes = ['D', 'd', 'DL', '01', 'delivered', 'DELIVERED', 'x', '', ' ', 'toString'];
    for (const carrier of [...CARRIERS, 'ups', 'nobody']) {
      for (const code of probes) expect(SHIPMENT_STATUSES).toContain(normalizeCarrierStatus(carrier, code));
    }
  });
});

describe('carrierCodesFor', () => {
  for (const carrier of CARRIERS) {
    it(`should round-trip every ${carrier} status through its native codes`, () => {
      for (const status of REAL_STATUSES) {
        const codes = carrierCodesFor(carrier, status);
        expect(codes.length).toBeGreaterThan(0);
        for (const code of codes) expect(normalizeCarrierStatus(carrier, code)).toBe(status);
      }
    });

    it(`should list exactly the ${carrier} codes of each status`, () => {
      for (const status of SHIPMENT_STATUSES) {
        const expected = Object.entries(EXPECTED[carrier]!)
          .filter(([, s]) => s === status)
          .map(([c]) => c);
        expect(carrierCodesFor(carrier, status).sort()).toEqual(expected.sort());
      }
    });
  }

  it('should list every IN_TRANSIT code of a carrier with several', () => {
    expect(carrierCodesFor('FEDEX', 'IN_TRANSIT').sort()).toEqual(['AR', 'DP', 'IT', 'PU']);
    expect(carrierCodesFor('USPS', 'IN_TRANSIT').sort()).toEqual(['03', '10', 'OA']);
    expect(carrierCodesFor('UPS', 'IN_TRANSIT').sort()).toEqual(['I', 'P']);
  });

  it('should give no code for UNKNOWN', () => {
    for (const carrier of CARRIERS) expect(carrierCodesFor(carrier, 'UNKNOWN')).toEqual([]);
  });

  it('should read the carrier name case-insensitively', () => {
    expect(carrierCodesFor('ups', 'DELIVERED')).toEqual(['D']);
    expect(carrierCodesFor('FedEx', 'DELIVERED')).toEqual(['DL']);
    expect(carrierCodesFor('dhl', 'DELIVERED')).toEqual(['delivered']);
  });

  it('should give no code for an unknown carrier', () => {
    expect(carrierCodesFor('ONTRAC', 'DELIVERED')).toEqual([]);
    expect(carrierCodesFor('', 'IN_TRANSIT')).toEqual([]);
  });
});
