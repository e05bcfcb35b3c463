import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETURN_WINDOW_DAYS,
  evaluateReturnEligibility,
  type ReturnRequestFacts,
} from '../../canonical/returnPolicy.js';

const DAY = 86_400_000;
const DELIVERED_AT = '2025-03-01T12:00:00.000Z';
const at = (ms: number): string => new Date(ms).toISOString();
const afterDelivery = (ms: number): string => at(Date.parse(DELIVERED_AT) + ms);

/** A line delivered and invoiced (2 units), nothing returned yet, asked for 1 unit 5 days later. */
function request(overrides: Partial<ReturnRequestFacts> = {}): ReturnRequestFacts {
  return {
    requestedAt: afterDelivery(5 * DAY),
    quantity: 1,
    finalSale: false,
    delivered: 2,
    invoiced: 2,
    returnInitiated: 0,
    lastDeliveredAt: DELIVERED_AT,
    ...overrides,
  };
}

const rules = (r: ReturnRequestFacts): string[] => evaluateReturnEligibility(r).failures.map((f) => f.rule);

describe('evaluateReturnEligibility', () => {
  it('should default the window to 30 days', () => {
    expect(DEFAULT_RETURN_WINDOW_DAYS).toBe(30);
  });

  it('should accept a delivered, invoiced, non-final-sale line within the window', () => {
    expect(evaluateReturnEligibility(request({ quantity: 2 }))).toEqual({
      eligible: true,
      returnableQuantity: 2,
      failures: [],
    });
  });

  it('should accept a request on the day of delivery', () => {
    expect(evaluateReturnEligibility(request({ requestedAt: DELIVERED_AT })).eligible).toBe(true);
  });

  describe('not delivered', () => {
    it('should refuse a line never delivered, with nothing returnable', () => {
      const result = evaluateReturnEligibility(request({ delivered: 0, lastDeliveredAt: null }));
      expect(result.eligible).toBe(false);
      expect(result.returnableQuantity).toBe(0);
      // Nothing delivered means nothing returnable, so the quantity rule fails with it.
      expect(result.failures.map((f) => f.rule)).toEqual(['NOT_DELIVERED', 'QUANTITY_ABOVE_RETURNABLE']);
      expect(result.failures[0]?.message).toMatch(/not been delivered/);
    });

    it('should refuse as not delivered alone when a delivered count has no delivery time', () => {
      const result = evaluateReturnEligibility(request({ delivered: 2, lastDeliveredAt: null }));
      expect(result.failures).toEqual([
        { rule: 'NOT_DELIVERED', message: expect.stringMatching(/not been delivered/) },
      ]);
      expect(result.eligible).toBe(false);
      expect(result.returnableQuantity).toBe(2);
    });

    it('should refuse as not delivered when a delivery time has no delivered units', () => {
      expect(rules(request({ delivered: 0 }))).toEqual(['NOT_DELIVERED', 'QUANTITY_ABOVE_RETURNABLE']);
    });
  });

  describe('not invoiced', () => {
    it('should refuse a line never invoiced, with nothing returnable', () => {
      const result = evaluateReturnEligibility(request({ invoiced: 0 }));
      expect(result.eligible).toBe(false);
      expect(result.returnableQuantity).toBe(0);
      expect(result.failures.map((f) => f.rule)).toEqual(['NOT_INVOICED', 'QUANTITY_ABOVE_RETURNABLE']);
      expect(result.failures[0]?.message).toMatch(/not been invoiced/);
    });
  });

  describe('window', () => {
    it('should keep the window open at exactly 30 days after delivery', () => {
      const result = evaluateReturnEligibility(request({ requestedAt: afterDelivery(30 * DAY) }));
      expect(result).toEqual({ eligible: true, returnableQuantity: 2, failures: [] });
    });

    it('should close the window one millisecond after 30 days, naming the date it closed', () => {
      const result = evaluateReturnEligibility(request({ requestedAt: afterDelivery(30 * DAY + 1) }));
      expect(result.eligible).toBe(false);
      expect(result.failures).toEqual([
        {
          rule: 'WINDOW_CLOSED',
          message: 'the return window closed on 2025-03-31',
          closedAt: '2025-03-31T12:00:00.000Z',
        },
      ]);
    });

    it('should compare instants in UTC whatever offset the request carries', () => {
      // 13:30 at +02:00 is 11:30Z, before the window closes at 12:00Z.
      expect(evaluateReturnEligibility(request({ requestedAt: '2025-03-31T13:30:00+02:00' })).eligible).toBe(true);
      // 07:30 at -05:00 is 12:30Z, after it closes.
      expect(rules(request({ requestedAt: '2025-03-31T07:30:00-05:00' }))).toEqual(['WINDOW_CLOSED']);
    });

    it('should date the close in UTC even when delivery was late in the UTC day', () => {
      const result = evaluateReturnEligibility(
        request({
          lastDeliveredAt: '2025-01-31T23:30:00.000Z',
          requestedAt: '2025-03-10T00:00:00.000Z',
        }),
      );
      expect(result.failures).toEqual([
        {
          rule: 'WINDOW_CLOSED',
          message: 'the return window closed on 2025-03-02',
          closedAt: '2025-03-02T23:30:00.000Z',
        },
      ]);
    });

    it('should count the window from the most recent delivery it is given', () => {
      // Delivered 40 days before the request would be closed; a later delivery 10 days before reopens it.
      const requestedAt = afterDelivery(40 * DAY);
      expect(rules(request({ requestedAt }))).toEqual(['WINDOW_CLOSED']);
      expect(rules(request({ requestedAt, lastDeliveredAt: afterDelivery(30 * DAY) }))).toEqual([]);
    });

    it('should honour a custom windowDays', () => {
      const requestedAt = afterDelivery(20 * DAY);
      expect(rules(request({ requestedAt }))).toEqual([]);
      const short = evaluateReturnEligibility(request({ requestedAt, windowDays: 14 }));
      expect(short.failures).toEqual([
        {
          rule: 'WINDOW_CLOSED',
          message: 'the return window closed on 2025-03-15',
          closedAt: '2025-03-15T12:00:00.000Z',
        },
      ]);
      expect(rules(request({ requestedAt: afterDelivery(14 * DAY), windowDays: 14 }))).toEqual([]);
      expect(rules(request({ requestedAt: afterDelivery(14 * DAY + 1), windowDays: 14 }))).toEqual(['WINDOW_CLOSED']);
      expect(rules(request({ requestedAt: afterDelivery(45 * DAY), windowDays: 60 }))).toEqual([]);
      expect(rules(request({ requestedAt: afterDelivery(60 * DAY + 1), windowDays: 60 }))).toEqual(['WINDOW_CLOSED']);
    });

    it('should not report a window for a line that was never delivered', () => {
      expect(
        rules(request({ delivered: 0, lastDeliveredAt: null, requestedAt: '2030-01-01T00:00:00Z' })),
      ).not.toContain('WINDOW_CLOSED');
    });
  });

  describe('final sale', () => {
    it('should refuse a final-sale SKU alone', () => {
      const result = evaluateReturnEligibility(request({ finalSale: true }));
      expect(result.eligible).toBe(false);
      expect(result.returnableQuantity).toBe(2);
      expect(result.failures).toEqual([{ rule: 'FINAL_SALE', message: expect.stringMatching(/final sale/) }]);
    });
  });

  describe('quantity', () => {
    it('should allow up to min(delivered, invoiced) − returnInitiated', () => {
      // delivered 3, invoiced 2, already initiated 1 → 1 returnable.
      const facts = { delivered: 3, invoiced: 2, returnInitiated: 1 };
      expect(evaluateReturnEligibility(request({ ...facts, quantity: 1 }))).toEqual({
        eligible: true,
        returnableQuantity: 1,
        failures: [],
      });
      const over = evaluateReturnEligibility(request({ ...facts, quantity: 2 }));
      expect(over.eligible).toBe(false);
      expect(over.returnableQuantity).toBe(1);
      expect(over.failures).toEqual([
        { rule: 'QUANTITY_ABOVE_RETURNABLE', message: 'requested 2, at most 1 returnable', returnable: 1 },
      ]);
    });

    it('should bound the returnable quantity by delivered when fewer were delivered than invoiced', () => {
      const facts = { delivered: 1, invoiced: 3, returnInitiated: 0 };
      expect(evaluateReturnEligibility(request({ ...facts, quantity: 1 })).eligible).toBe(true);
      expect(evaluateReturnEligibility(request({ ...facts, quantity: 2 })).failures).toEqual([
        { rule: 'QUANTITY_ABOVE_RETURNABLE', message: 'requested 2, at most 1 returnable', returnable: 1 },
      ]);
    });

    it('should never report a negative returnable quantity', () => {
      const result = evaluateReturnEligibility(request({ delivered: 2, invoiced: 2, returnInitiated: 3, quantity: 1 }));
      expect(result.returnableQuantity).toBe(0);
      expect(result.failures).toEqual([
        { rule: 'QUANTITY_ABOVE_RETURNABLE', message: 'requested 1, at most 0 returnable', returnable: 0 },
      ]);
    });

    it('should refuse once everything returnable is already initiated', () => {
      expect(rules(request({ delivered: 2, invoiced: 2, returnInitiated: 2, quantity: 1 }))).toEqual([
        'QUANTITY_ABOVE_RETURNABLE',
      ]);
    });
  });

  describe('several failures', () => {
    it('should list every failed rule, not only the first', () => {
      const result = evaluateReturnEligibility(
        request({
          delivered: 0,
          lastDeliveredAt: null,
          invoiced: 0,
          finalSale: true,
          quantity: 1,
        }),
      );
      expect(result.eligible).toBe(false);
      expect(result.failures.map((f) => f.rule)).toEqual([
        'NOT_DELIVERED',
        'NOT_INVOICED',
        'FINAL_SALE',
        'QUANTITY_ABOVE_RETURNABLE',
      ]);
    });

    it('should list a closed window, final sale and too many units together', () => {
      const result = evaluateReturnEligibility(
        request({
          requestedAt: afterDelivery(31 * DAY),
          finalSale: true,
          quantity: 5,
        }),
      );
      expect(result.failures).toEqual([
        {
          rule: 'WINDOW_CLOSED',
          message: 'the return window closed on 2025-03-31',
          closedAt: '2025-03-31T12:00:00.000Z',
        },
        { rule: 'FINAL_SALE', message: expect.stringMatching(/final sale/) },
        { rule: 'QUANTITY_ABOVE_RETURNABLE', message: 'requested 5, at most 2 returnable', returnable: 2 },
      ]);
    });

    it('should list not invoiced together with a closed window', () => {
      expect(rules(request({ invoiced: 0, requestedAt: afterDelivery(40 * DAY) }))).toEqual([
        'NOT_INVOICED',
        'WINDOW_CLOSED',
        'QUANTITY_ABOVE_RETURNABLE',
      ]);
    });
  });
});

describe('evaluateReturnEligibility request checks', () => {
  it('should refuse a quantity below 1 and an unreadable request time', () => {
    const r = evaluateReturnEligibility({
      requestedAt: 'not a date',
      quantity: 0,
      finalSale: false,
      delivered: 2,
      invoiced: 2,
      returnInitiated: 0,
      lastDeliveredAt: '2026-10-01T00:00:00.000Z',
    });
    expect(r.eligible).toBe(false);
    expect(r.failures.filter((f) => f.rule === 'INVALID_REQUEST').map((f) => f.message)).toEqual([
      'quantity must be a whole number of at least 1; received 0',
      'requestedAt must be an ISO-8601 date-time',
    ]);
  });
});
