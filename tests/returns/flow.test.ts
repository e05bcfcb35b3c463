import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credential, gql } from '../helpers/http.js';
import { collect, wsClient } from '../helpers/ws.js';
import { returnsStack, type ReturnsStack } from './harness.js';

// What happens after a request (docs/returns.md): cancellations of partly shipped lines, the
// systems' webhooks moving a requested return to its refund with a subscriber following each step,
// and the audit trail of every request and decision.

let s: ReturnsStack;
beforeAll(async () => {
  s = await returnsStack();
});
afterAll(async () => {
  await s?.stop();
});

const CANCEL = `mutation ($input: RequestCancellationInput!) { requestCancellation(input: $input) {
  result lines { lineNumber requested cancelled notCancelled reason } userErrors { code message field lineNumber expected received }
  order { id lineStatuses { lineNumber quantities { ordered cancelled shipped } } }
} }`;
const REQUEST = `mutation ($input: RequestReturnInput!) { requestReturn(input: $input) { result userErrors { code } return { id status } } }`;
const usd = (amount: string) => ({ amount, currency: 'USD' });

describe('requestCancellation', () => {
  it('should cancel only the unshipped units of partly shipped lines and say what it could not cancel', async () => {
    const id = 'ORD-930001';
    await s.placed(id, 'CUST-930001', [
      { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 3 },
      { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1 },
    ]);
    await s.shipped(
      id,
      1,
      [
        { lineNumber: 1, quantity: 1 },
        { lineNumber: 2, quantity: 1 },
      ],
      false,
    );
    const input = {
      orderId: id,
      idempotencyKey: 'cancel-1',
      channel: 'WEB',
      reasonCode: 'CUSTOMER_REQUEST',
      lines: [
        { lineNumber: 1, quantity: 3 },
        { lineNumber: 2, quantity: 1 },
      ],
    };
    const r = await s.as({ consumer: 'storefront', customerId: 'CUST-930001' }, CANCEL, { input });
    expect(r.body.errors).toBeUndefined();
    const answer = r.body.data.requestCancellation;
    expect(answer.result).toBe('PARTIAL');
    expect(answer.lines).toEqual([
      {
        lineNumber: 1,
        requested: 3,
        cancelled: 2,
        notCancelled: 1,
        reason:
          '1 of 3 units could not be cancelled: ordered 3, already cancelled 0, handed to a carrier 1; at most 2 cancellable',
      },
      {
        lineNumber: 2,
        requested: 1,
        cancelled: 0,
        notCancelled: 1,
        reason: expect.stringContaining('handed to a carrier 1'),
      },
    ]);
    expect(answer.order.lineStatuses.map((l: { quantities: unknown }) => l.quantities)).toEqual([
      { ordered: 3, cancelled: 2, shipped: 1 },
      { ordered: 1, cancelled: 0, shipped: 1 },
    ]);
    // A retry changes nothing; a new request for what is left cancels nothing and says why.
    const again = await s.as({ consumer: 'storefront', customerId: 'CUST-930001' }, CANCEL, { input });
    expect(again.body.data.requestCancellation).toEqual(answer);
    const more = await s.as('salesforce', CANCEL, {
      input: { ...input, idempotencyKey: 'cancel-2', lines: [{ lineNumber: 1, quantity: 1 }] },
    });
    expect(more.body.data.requestCancellation).toMatchObject({
      result: 'REJECTED',
      userErrors: [{ code: 'NOTHING_CANCELLABLE', lineNumber: 1, received: '1 units' }],
    });
  });

  it('should answer another customer\u2019s order like an unknown one, and refuse a bad quantity naming what arrived', async () => {
    await s.placed('ORD-930002', 'CUST-930002', [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 1 }]);
    const input = (orderId: string, key: string) => ({
      orderId,
      idempotencyKey: key,
      channel: 'WEB',
      reasonCode: 'OTHER',
      lines: [{ lineNumber: 1, quantity: 1 }],
    });
    const stranger = { consumer: 'storefront' as const, customerId: 'CUST-000404' };
    const theirs = await s.as(stranger, CANCEL, { input: input('ORD-930002', 'a') });
    const none = await s.as(stranger, CANCEL, { input: input('ORD-930009', 'b') });
    expect(JSON.stringify(theirs.body).replaceAll('ORD-930002', 'X')).toBe(
      JSON.stringify(none.body).replaceAll('ORD-930009', 'X'),
    );
    expect(theirs.body.data.requestCancellation.userErrors).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_ORDER' }),
    ]);
    const zero = await s.as('salesforce', CANCEL, {
      input: { ...input('ORD-930002', 'c'), lines: [{ lineNumber: 1, quantity: 0 }] },
    });
    expect(zero.body.data.requestCancellation.userErrors).toEqual([
      expect.objectContaining({
        code: 'INVALID_QUANTITY',
        expected: 'at least 1',
        received: '0',
        field: ['lines', '0', 'quantity'],
      }),
    ]);
  });
});

describe('the flow after a return request', () => {
  it('should move the order through request, approval, transit, receipt with disposition, credit memo and refund, with a subscriber seeing each step', async () => {
    const id = 'ORD-930011';
    await s.placed(id, 'CUST-930011', [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 }]);
    await s.shipped(id, 1, [{ lineNumber: 1, quantity: 2 }], true);
    await s.invoiced(id, [{ lineNumber: 1, quantity: 2 }]);
    const client = wsClient(s.url);
    const events = collect(client, 'subscription ($id: ID!) { orderEvents(orderId: $id) { type source } }', { id });
    const statuses = collect(
      client,
      'subscription ($id: ID!) { orderStatusChanged(orderId: $id) { status order { returnState financialState } } }',
      { id },
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      const read = async () =>
        (
          await s.as(
            'salesforce',
            `{ order(id: "${id}") { status fulfillmentState financialState returnState returns { id status rmaNumber refund { creditMemoNumber refundedAt } } } }`,
          )
        ).body.data.order;

      const requested = await s.as({ consumer: 'storefront', customerId: 'CUST-930011' }, REQUEST, {
        input: {
          orderId: id,
          idempotencyKey: 'flow',
          channel: 'WEB',
          lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'DEFECTIVE' }],
        },
      });
      const returnId = requested.body.data.requestReturn.return.id as string;
      expect(await read()).toMatchObject({
        status: 'RETURN_INITIATED',
        fulfillmentState: 'DELIVERED',
        returnState: 'REQUESTED',
        financialState: 'PAID',
      });

      await s.returns(id, returnId, 'return.approved', { rmaNumber: 'RMA-930011' });
      expect(await read()).toMatchObject({
        returnState: 'APPROVED',
        returns: [{ status: 'APPROVED', rmaNumber: 'RMA-930011' }],
      });
      await s.returns(id, returnId, 'return.shipped');
      expect(await read()).toMatchObject({ returnState: 'IN_TRANSIT' });
      await s.wms(id, {
        messageType: 'RETURN_RECEIPT',
        nodeId: 'DC-EAST',
        returnId,
        lines: [{ lineNumber: 1, quantity: 1, disposition: 'REFURBISH' }],
      });
      await s.returns(id, returnId, 'return.received');
      expect(await read()).toMatchObject({ status: 'PARTIALLY_RETURNED', returnState: 'RECEIVED' });
      await s.returns(id, returnId, 'return.refund_pending', { refund: { amount: usd('40.00') } });
      await s.erp(id, 'CREDIT_MEMO_POSTED', {
        creditMemo: { number: 'CM-930011', amount: usd('40.00'), returnRef: returnId },
      });
      await s.erp(id, 'PAYMENT_REFUNDED', { payment: { paymentId: `PAY-${id}`, refundedTotal: usd('40.00') } });
      await s.returns(id, returnId, 'return.refunded', {
        refund: { amount: usd('40.00'), creditMemoNumber: 'CM-930011' },
      });
      const done = await read();
      expect(done).toMatchObject({
        status: 'PARTIALLY_RETURNED',
        financialState: 'PARTIALLY_REFUNDED',
        returns: [{ status: 'REFUNDED', refund: { creditMemoNumber: 'CM-930011' } }],
      });

      const seen = await events.waitFor(9);
      // In order, with their sources: the desk's steps, the WMS receipt, the ERP credit memo and payment refund, the desk's refund.
      expect(seen.map((m) => `${m.data?.orderEvents.source} ${m.data?.orderEvents.type}`)).toEqual([
        'RETURNS return.requested',
        'RETURNS return.approved',
        'RETURNS return.in_transit',
        'WMS return.received',
        'RETURNS return.received',
        'RETURNS return.refund_pending',
        'ERP refund.issued',
        'ERP payment.refunded',
        'RETURNS refund.issued',
      ]);
      await statuses.waitFor(1);
      expect(statuses.messages.map((m) => m.data?.orderStatusChanged.status)).toContain('PARTIALLY_RETURNED');
    } finally {
      events.stop();
      statuses.stop();
      await client.dispose();
    }
  });
});

describe('Order.auditTrail', () => {
  it('should record each request and decision with time, channel, actor, reason and result, readable by salesforce and ops only', async () => {
    const id = 'ORD-930021';
    await s.placed(id, 'CUST-930021', [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 1 }]);
    await s.shipped(id, 1, [{ lineNumber: 1, quantity: 1 }], true);
    await s.invoiced(id, [{ lineNumber: 1, quantity: 1 }]);
    await s.as({ consumer: 'storefront', customerId: 'CUST-930021' }, REQUEST, {
      input: {
        orderId: id,
        idempotencyKey: 'a1',
        channel: 'MOBILE_APP',
        lines: [{ lineNumber: 1, quantity: 2, reasonCode: 'SIZE_FIT' }],
      },
    });
    await s.as('salesforce', REQUEST, {
      input: {
        orderId: id,
        idempotencyKey: 'a2',
        channel: 'CALL_CENTER',
        lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'DAMAGED' }],
      },
    });
    const TRAIL = `{ order(id: "${id}") { auditTrail { at action channel actor { kind consumer id asserted } reasonCodes result detail } } }`;
    const agent = await s.as('salesforce', TRAIL);
    expect(agent.body.errors).toBeUndefined();
    expect(agent.body.data.order.auditTrail).toEqual([
      {
        at: expect.any(String),
        action: 'requestReturn',
        channel: 'MOBILE_APP',
        actor: { kind: 'CUSTOMER', consumer: 'storefront', id: 'CUST-930021', asserted: false },
        reasonCodes: ['SIZE_FIT'],
        result: 'REJECTED',
        detail: 'QUANTITY_ABOVE_RETURNABLE (line 1)',
      },
      {
        at: expect.any(String),
        action: 'requestReturn',
        channel: 'CALL_CENTER',
        actor: { kind: 'AGENT', consumer: 'salesforce', id: 'salesforce-named-credential', asserted: false },
        reasonCodes: ['DAMAGED'],
        result: 'ACCEPTED',
        detail: expect.stringMatching(/^return RET-ORD-930021-1 requested: line 1 × 1$/),
      },
    ]);
    const ops = await s.as({ consumer: 'ops' }, TRAIL);
    expect(ops.body.data.order.auditTrail).toEqual(agent.body.data.order.auditTrail);
    const shopper = await s.as({ consumer: 'storefront', customerId: 'CUST-930021' }, TRAIL);
    expect(shopper.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(shopper.body.data?.order?.auditTrail ?? null).toBeNull();
  });

  it('should record the agent a salesforce caller names in x-acting-user as asserted by salesforce, and ignore the header from a shopper', async () => {
    const id = 'ORD-930031';
    const agent = '005Hs00000AbCdEAAZ';
    await s.placed(id, 'CUST-930031', [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 }]);
    await s.shipped(id, 1, [{ lineNumber: 1, quantity: 2 }], true);
    await s.invoiced(id, [{ lineNumber: 1, quantity: 2 }]);
    const input = (key: string, channel: string) => ({
      orderId: id,
      idempotencyKey: key,
      channel,
      lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'DAMAGED' }],
    });
    // The salesforce consumer's token (gql's default credential) with the agent's user id, over HTTP.
    const byAgent = await gql(s.url, REQUEST, { input: input('agent-1', 'CALL_CENTER') }, { 'x-acting-user': agent });
    expect(byAgent.body.data.requestReturn.result).toBe('ACCEPTED');
    const byShopper = await gql(
      s.url,
      REQUEST,
      { input: input('shopper-1', 'WEB') },
      { ...(await credential('storefront', { customerId: 'CUST-930031' })), 'x-acting-user': '005Hs00000ZzZzZAAZ' },
    );
    expect(byShopper.body.data.requestReturn.result).toBe('ACCEPTED');
    const trail = await s.as(
      'salesforce',
      `{ order(id: "${id}") { auditTrail { action channel actor { kind consumer id asserted assertedBy } result } } }`,
    );
    expect(trail.body.errors).toBeUndefined();
    expect(trail.body.data.order.auditTrail).toEqual([
      {
        action: 'requestReturn',
        channel: 'CALL_CENTER',
        actor: { kind: 'AGENT', consumer: 'salesforce', id: agent, asserted: true, assertedBy: 'salesforce' },
        result: 'ACCEPTED',
      },
      {
        action: 'requestReturn',
        channel: 'WEB',
        actor: { kind: 'CUSTOMER', consumer: 'storefront', id: 'CUST-930031', asserted: false, assertedBy: null },
        result: 'ACCEPTED',
      },
    ]);
  });
});
