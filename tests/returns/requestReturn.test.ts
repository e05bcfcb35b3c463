import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/project.js';
import { credential } from '../helpers/http.js';
import { returnsStack, type Caller, type ReturnsStack } from './harness.js';

// requestReturn and Order.returnEligibility end to end (docs/returns.md): real subgraphs with
// ingest on one bus, the gateway in front, every fact arriving as a system's signed webhook, every
// request made through the gateway with a real credential.

let s: ReturnsStack;
beforeAll(async () => {
  s = await returnsStack();
});
afterAll(async () => {
  await s?.stop();
});

const DAY = 86_400_000;
const ELIGIBILITY = `query ($id: ID!) { order(id: $id) { returnEligibility {
  lineNumber eligible returnableQuantity failures { rule message closedAt returnable }
  delivered invoiced returnInitiated finalSale lastDeliveredAt windowDays windowClosesAt } } }`;
const REQUEST = `mutation ($input: RequestReturnInput!) { requestReturn(input: $input) {
  result userErrors { code message field lineNumber expected received closedAt }
  return { id status channel lines { lineNumber quantity reason } order { id } exchangeOrder { id number lines { lineNumber sku quantity } exchangeFor { id } } }
} }`;
const SHOPPER = (customerId: string): Caller => ({ consumer: 'storefront', customerId });

let keys = 0;
const request = (
  who: Caller,
  orderId: string,
  lines: { lineNumber: number; quantity: number; reasonCode?: string }[],
  extra: object = {},
) =>
  s.as(who, REQUEST, {
    input: {
      orderId,
      idempotencyKey: `k-${++keys}`,
      channel: 'WEB',
      lines: lines.map((l) => ({ reasonCode: 'SIZE_FIT', ...l })),
      ...extra,
    },
  });

/** An order of `customer` with line 1 (2 units) and line 2 (1 unit, final sale when asked), delivered and invoiced as asked. */
async function order(
  id: string,
  customer: string,
  o: { deliver?: boolean; ship?: boolean; invoice?: boolean; finalSale?: boolean } = {},
): Promise<string | null> {
  await s.placed(id, customer, [
    { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 },
    { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1, finalSale: o.finalSale ?? false },
  ]);
  let deliveredAt: string | null = null;
  if (o.ship !== false)
    deliveredAt = await s.shipped(
      id,
      1,
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      o.deliver !== false,
    );
  if (o.invoice !== false)
    await s.invoiced(id, [
      { lineNumber: 1, quantity: 2 },
      { lineNumber: 2, quantity: 1 },
    ]);
  return deliveredAt;
}

describe('Order.returnEligibility and requestReturn', () => {
  it('should give the storefront and salesforce the same eligibility and the same decision with the same reasons', async () => {
    await order('ORD-920001', 'CUST-920001', { finalSale: true });
    const shopper = await s.as(SHOPPER('CUST-920001'), ELIGIBILITY, { id: 'ORD-920001' });
    const agent = await s.as('salesforce', ELIGIBILITY, { id: 'ORD-920001' });
    expect(shopper.body.errors).toBeUndefined();
    expect(shopper.body.data).toEqual(agent.body.data);
    expect(agent.body.data.order.returnEligibility).toEqual([
      expect.objectContaining({
        lineNumber: 1,
        eligible: true,
        returnableQuantity: 2,
        failures: [],
        delivered: 2,
        invoiced: 2,
        returnInitiated: 0,
        windowDays: 30,
      }),
      expect.objectContaining({
        lineNumber: 2,
        eligible: false,
        finalSale: true,
        failures: [expect.objectContaining({ rule: 'FINAL_SALE' })],
      }),
    ]);
    const lines = [
      { lineNumber: 1, quantity: 3 },
      { lineNumber: 2, quantity: 1 },
    ];
    const a = await request(SHOPPER('CUST-920001'), 'ORD-920001', lines);
    const b = await request('salesforce', 'ORD-920001', lines);
    expect(a.body.data.requestReturn).toEqual(b.body.data.requestReturn);
    expect(a.body.data.requestReturn.result).toBe('REJECTED');
    expect(a.body.data.requestReturn.userErrors.map((e: { code: string }) => e.code)).toEqual([
      'QUANTITY_ABOVE_RETURNABLE',
      'FINAL_SALE',
    ]);
    expect(a.body.data.requestReturn.userErrors[0]).toMatchObject({
      lineNumber: 1,
      expected: 'at most 2',
      received: '3',
      field: ['lines', '0', 'quantity'],
    });
  });

  it('should reject by each eligibility rule alone, naming it', async () => {
    await order('ORD-920011', 'CUST-920011', { deliver: false });
    await order('ORD-920012', 'CUST-920012', { invoice: false });
    await order('ORD-920013', 'CUST-920013', { finalSale: true });
    await order('ORD-920014', 'CUST-920014');
    const only = async (orderId: string, line: number, quantity: number) =>
      (await request('salesforce', orderId, [{ lineNumber: line, quantity }])).body.data.requestReturn.userErrors.map(
        (e: { code: string }) => e.code,
      );
    expect(await only('ORD-920011', 1, 1)).toEqual(['NOT_DELIVERED', 'QUANTITY_ABOVE_RETURNABLE']);
    expect(await only('ORD-920012', 1, 1)).toEqual(['NOT_INVOICED', 'QUANTITY_ABOVE_RETURNABLE']);
    expect(await only('ORD-920013', 2, 1)).toEqual(['FINAL_SALE']);
    expect(await only('ORD-920014', 1, 3)).toEqual(['QUANTITY_ABOVE_RETURNABLE']);
    expect(await only('ORD-920014', 1, 0)).toEqual(['INVALID_QUANTITY']);
    expect(await only('ORD-920014', 9, 1)).toEqual(['UNKNOWN_LINE']);
    const saved = s.clock.now;
    s.clock.now = Date.now() + 60 * DAY;
    try {
      expect(await only('ORD-920014', 1, 1)).toEqual(['WINDOW_CLOSED']);
    } finally {
      s.clock.now = saved;
    }
    // Nothing was created by any of these.
    const o = await s.as('salesforce', '{ order(id: "ORD-920014") { returns { id } } }');
    expect(o.body.data.order.returns).toEqual([]);
  });

  it('should keep the window open through its last instant and closed from the next, in UTC', async () => {
    const deliveredAt = (await order('ORD-920021', 'CUST-920021'))!;
    const closes = Date.parse(deliveredAt) + 30 * DAY;
    const saved = s.clock.now;
    try {
      s.clock.now = closes + 1;
      const late = await request('salesforce', 'ORD-920021', [{ lineNumber: 1, quantity: 1 }]);
      expect(late.body.data.requestReturn.userErrors).toEqual([
        expect.objectContaining({
          code: 'WINDOW_CLOSED',
          closedAt: new Date(closes).toISOString(),
          expected: `by ${new Date(closes).toISOString()}`,
          received: new Date(closes + 1).toISOString(),
        }),
      ]);
      const preview = await s.as('salesforce', ELIGIBILITY, { id: 'ORD-920021' });
      expect(preview.body.data.order.returnEligibility[0]).toMatchObject({
        eligible: false,
        windowClosesAt: new Date(closes).toISOString(),
        failures: [{ rule: 'WINDOW_CLOSED' }],
      });
      s.clock.now = closes;
      const last = await request('salesforce', 'ORD-920021', [{ lineNumber: 1, quantity: 1 }]);
      expect(last.body.data.requestReturn).toMatchObject({
        result: 'ACCEPTED',
        userErrors: [],
        return: { status: 'REQUESTED' },
      });
    } finally {
      s.clock.now = saved;
    }
  });

  it('should answer a retry with the same key with the same result and create nothing more', async () => {
    await order('ORD-920031', 'CUST-920031');
    const input = {
      orderId: 'ORD-920031',
      idempotencyKey: 'retry-1',
      channel: 'MOBILE_APP',
      lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'DAMAGED' }],
    };
    const first = await s.as(SHOPPER('CUST-920031'), REQUEST, { input });
    const again = await s.as(SHOPPER('CUST-920031'), REQUEST, { input });
    expect(first.body.data.requestReturn.result).toBe('ACCEPTED');
    expect(again.body.data.requestReturn).toEqual(first.body.data.requestReturn);
    const o = await s.as('salesforce', '{ order(id: "ORD-920031") { returns { id lines { quantity reason } } } }');
    expect(o.body.data.order.returns).toEqual([
      { id: first.body.data.requestReturn.return.id, lines: [{ quantity: 1, reason: 'DAMAGED' }] },
    ]);
    const reused = await s.as(SHOPPER('CUST-920031'), REQUEST, {
      input: { ...input, lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'OTHER' }] },
    });
    expect(reused.body.data.requestReturn.userErrors).toEqual([
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', received: 'retry-1' }),
    ]);
  });

  it('should let only one of two concurrent requests for the same last unit succeed', async () => {
    await order('ORD-920041', 'CUST-920041');
    await request('salesforce', 'ORD-920041', [{ lineNumber: 1, quantity: 1 }]);
    const [a, b] = await Promise.all([
      request(SHOPPER('CUST-920041'), 'ORD-920041', [{ lineNumber: 1, quantity: 1 }]),
      request('salesforce', 'ORD-920041', [{ lineNumber: 1, quantity: 1 }]),
    ]);
    const results = [a, b].map((r) => r.body.data.requestReturn);
    expect(results.map((r) => r.result).sort()).toEqual(['ACCEPTED', 'REJECTED']);
    expect(results.find((r) => r.result === 'REJECTED').userErrors).toEqual([
      expect.objectContaining({ code: 'QUANTITY_ABOVE_RETURNABLE', expected: 'at most 0', received: '1' }),
    ]);
    const o = await s.as(
      'salesforce',
      '{ order(id: "ORD-920041") { returns { id } returnEligibility { returnableQuantity returnInitiated } } }',
    );
    expect(o.body.data.order.returns).toHaveLength(2);
    expect(o.body.data.order.returnEligibility[0]).toEqual({ returnableQuantity: 0, returnInitiated: 2 });
  });

  it('should create a linked replacement order for an exchange', async () => {
    await order('ORD-920051', 'CUST-920051');
    const r = await request(SHOPPER('CUST-920051'), 'ORD-920051', [{ lineNumber: 1, quantity: 1 }], {
      exchange: [{ lineNumber: 1, sku: 'APP-TEE-M-BLK' }],
    });
    const ret = r.body.data.requestReturn.return;
    expect(r.body.data.requestReturn.result).toBe('ACCEPTED');
    expect(ret.exchangeOrder).toMatchObject({
      id: `EXC-${ret.id}`,
      lines: [{ lineNumber: 1, sku: 'APP-TEE-M-BLK', quantity: 1 }],
      exchangeFor: { id: ret.id },
    });
    // The replacement is the shopper's own order, readable by them.
    const mine = await s.as(
      SHOPPER('CUST-920051'),
      '{ order(id: $id) { id customer { id } exchangeFor { id } } }'.replace('{ order', 'query ($id: ID!) { order'),
      { id: ret.exchangeOrder.id },
    );
    expect(mine.body.data.order).toEqual({
      id: ret.exchangeOrder.id,
      customer: { id: 'CUST-920051' },
      exchangeFor: { id: ret.id },
    });
  });

  it("should run the storefront's persisted ShopperRequestReturn by its hash alone", async () => {
    await order('ORD-920071', 'CUST-920071');
    const manifest = JSON.parse(readFileSync(join(projectRoot(), 'operations/manifest.json'), 'utf8')) as {
      operations: { id: string; name: string }[];
    };
    const op = manifest.operations.find((o) => o.name === 'ShopperRequestReturn')!;
    const res = await fetch(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await credential('storefront', { customerId: 'CUST-920071' })),
      },
      body: JSON.stringify({
        operationName: 'ShopperRequestReturn',
        extensions: { persistedQuery: { version: 1, sha256Hash: op.id } },
        variables: {
          input: {
            orderId: 'ORD-920071',
            idempotencyKey: 'persisted',
            channel: 'WEB',
            lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'CHANGED_MIND' }],
          },
        },
      }),
    });
    const body = (await res.json()) as {
      data?: { requestReturn: { result: string; return: { status: string } } };
      errors?: unknown[];
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.requestReturn).toMatchObject({ result: 'ACCEPTED', return: { status: 'REQUESTED' } });
  });

  it('should refuse a shopper acting on another customer’s order exactly as on an unknown one, and a partner at all', async () => {
    await order('ORD-920061', 'CUST-920061');
    const theirs = await request(SHOPPER('CUST-999999'), 'ORD-920061', [{ lineNumber: 1, quantity: 1 }]);
    const none = await request(SHOPPER('CUST-999999'), 'ORD-920069', [{ lineNumber: 1, quantity: 1 }]);
    const strip = (r: typeof theirs) =>
      JSON.stringify(r.body).replaceAll('ORD-920061', 'X').replaceAll('ORD-920069', 'X');
    expect(theirs.body.data.requestReturn.userErrors).toEqual([expect.objectContaining({ code: 'UNKNOWN_ORDER' })]);
    expect(strip(theirs)).toBe(strip(none));
    const partner = await request({ consumer: 'partner', partnerNodeId: 'DC-EAST' }, 'ORD-920061', [
      { lineNumber: 1, quantity: 1 },
    ]);
    expect(partner.body.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|PERSISTED_QUERY_NOT_ALLOWED/);
    const o = await s.as('salesforce', '{ order(id: "ORD-920061") { returns { id } } }');
    expect(o.body.data.order.returns).toEqual([]);
  });
});
