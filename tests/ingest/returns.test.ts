import { afterEach, describe, expect, it } from 'vitest';
import type { ReturnsTopic, ReturnsWebhook } from '../../subgraphs/returns/ingest.js';
import { after, harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const RETURN =
  'query ($id: ID!) { return(id: $id) { id rmaNumber status channel requestedAt lines { lineNumber quantity reason } refund { amount { amount } creditMemoNumber refundedAt } order { id } } }';
const ret = async (h: Harness, id = 'RET-900001-1') => (await h.query(RETURN, { id })).body.data.return;
const ORDERS = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { returns { id status } } } }';

const hook = (
  webhookId: string,
  topic: ReturnsTopic,
  minutes: number,
  extra: Partial<ReturnsWebhook['return']> = {},
): ReturnsWebhook => ({
  webhookId,
  topic,
  createdAt: after(minutes),
  return: { id: 'RET-900001-1', orderId: 'ORD-900001', ...extra },
});
const requested = hook('w-0', 'return.requested', 1, {
  channel: 'WEB',
  reason: 'Too small',
  lines: [{ lineNumber: 1, quantity: 1, reason: 'Too small' }],
});
const refund = { amount: { amount: '24.00', currency: 'USD' } };

describe('returns ingest', () => {
  it('should walk a return through every step to CLOSED, as the returns subgraph shows it', async () => {
    h = await harness('returns');
    expect((await h.post(requested)).body).toEqual({ status: 'applied', events: ['returns:w-0'] });
    expect(await ret(h)).toMatchObject({
      status: 'REQUESTED',
      channel: 'WEB',
      requestedAt: after(1),
      lines: [{ lineNumber: 1, quantity: 1, reason: 'Too small' }],
      order: { id: 'ORD-900001' },
    });
    const steps: [ReturnsTopic, string, Partial<ReturnsWebhook['return']>][] = [
      ['return.approved', 'APPROVED', { rmaNumber: 'RMA-900001-1' }],
      ['return.shipped', 'IN_TRANSIT', {}],
      ['return.received', 'RECEIVED', {}],
      ['return.refund_pending', 'REFUND_PENDING', { refund }],
      ['return.refunded', 'REFUNDED', { refund: { ...refund, creditMemoNumber: 'CM-900001-1' } }],
      ['return.closed', 'CLOSED', {}],
    ];
    for (const [i, [topic, status, extra]] of steps.entries()) {
      expect((await h.post(hook(`w-${i + 1}`, topic, 10 * (i + 1), extra))).body.status).toBe('applied');
      expect((await ret(h)).status).toBe(status);
    }
    expect(await ret(h)).toMatchObject({
      rmaNumber: 'RMA-900001-1',
      refund: { amount: { amount: '24.00' }, creditMemoNumber: 'CM-900001-1', refundedAt: after(50) },
    });
    const byOrder = await h.query(ORDERS, { r: [{ __typename: 'Order', id: 'ORD-900001' }] });
    expect(byOrder.body.data._entities[0].returns).toEqual([{ id: 'RET-900001-1', status: 'CLOSED' }]);
    expect((await h.published()).map((e) => e.type)).toEqual([
      'return.requested',
      'return.approved',
      'return.in_transit',
      'return.received',
      'return.refund_pending',
      'refund.issued',
      'return.closed',
    ]);
  });

  it('should never move a return back: a late approval after receipt, or a rejection after refund, is stale', async () => {
    h = await harness('returns');
    await h.post(requested);
    await h.post(hook('w-2', 'return.received', 20));
    expect((await h.post(hook('w-1', 'return.approved', 30, { rmaNumber: 'RMA-1' }))).body.status).toBe('stale');
    expect((await h.post(hook('w-3', 'return.cancelled', 31))).body.status).toBe('stale');
    expect((await ret(h)).status).toBe('RECEIVED');
    await h.post(hook('w-4', 'return.refunded', 40, { refund }));
    expect((await h.post(hook('w-5', 'return.rejected', 50))).body.status).toBe('stale');
    expect((await ret(h)).status).toBe('REFUNDED');
  });

  it('should reject a requested return and cancel an approved one', async () => {
    h = await harness('returns');
    await h.post(requested);
    expect((await h.post(hook('w-1', 'return.rejected', 5, { reason: 'Outside the window' }))).body.status).toBe(
      'applied',
    );
    expect((await ret(h)).status).toBe('REJECTED');
    await h.post({ ...requested, webhookId: 'w-2', return: { ...requested.return, id: 'RET-900001-2' } });
    await h.post(hook('w-3', 'return.approved', 6, { id: 'RET-900001-2', rmaNumber: 'RMA-2' }));
    expect((await h.post(hook('w-4', 'return.cancelled', 7, { id: 'RET-900001-2' }))).body.status).toBe('applied');
    expect((await ret(h, 'RET-900001-2')).status).toBe('CANCELLED');
  });

  it('should refuse a step for an unknown return (409) and a request without lines (400)', async () => {
    h = await harness('returns');
    const unknown = await h.post(hook('w-1', 'return.approved', 5));
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.message).toMatch(/return RET-900001-1 is unknown to the returns desk/);
    const { lines: _, ...noLines } = requested.return;
    const bad = await h.post({ ...requested, return: noLines });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('return.lines must be an array of 1 to 500 objects; received nothing');
    const noRefund = await h.post(hook('w-2', 'return.refunded', 5));
    expect(noRefund.body.error.message).toBe('return.refund must be an object; received nothing');
    expect(await h.published()).toEqual([]);
  });
});
