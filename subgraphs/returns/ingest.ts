/**
 * Returns-desk webhooks (docs/ingest.md, "returns"): one topic per step of a return —
 * requested, approved, rejected, shipped back, received, refund pending, refunded, closed,
 * cancelled — each with the return as the desk now sees it.
 */
import { CHANNELS, type Channel } from '../../canonical/index.js';
import type { Money } from '../../canonical/index.js';
import { EventType } from '../../canonical/eventTypes.js';
import type { FindingLine } from '../../canonical/index.js';
import { guarded, sourceEvent, type IngestSystem } from '../common/ingest.js';
import type { ShipmentLedger } from '../common/shipmentLedger.js';
import { Reader } from '../common/reader.js';
import type { ReturnChange, ReturnsRecorder } from './port.js';

export const RETURNS_TOPICS = [
  'return.requested',
  'return.approved',
  'return.rejected',
  'return.shipped',
  'return.received',
  'return.refund_pending',
  'return.refunded',
  'return.closed',
  'return.cancelled',
] as const;
export type ReturnsTopic = (typeof RETURNS_TOPICS)[number];

/** The desk's topic → the return's new status and the canonical event type. */
const TOPICS: Readonly<Record<ReturnsTopic, [ReturnChange['status'] | 'REQUESTED', string]>> = {
  'return.requested': ['REQUESTED', EventType.RETURN_REQUESTED],
  'return.approved': ['APPROVED', EventType.RETURN_APPROVED],
  'return.rejected': ['REJECTED', EventType.RETURN_REJECTED],
  'return.shipped': ['IN_TRANSIT', EventType.RETURN_IN_TRANSIT],
  'return.received': ['RECEIVED', EventType.RETURN_RECEIVED],
  'return.refund_pending': ['REFUND_PENDING', EventType.RETURN_REFUND_PENDING],
  'return.refunded': ['REFUNDED', EventType.REFUND_ISSUED],
  'return.closed': ['CLOSED', EventType.RETURN_CLOSED],
  'return.cancelled': ['CANCELLED', EventType.RETURN_CANCELLED],
};

/** One native returns-desk webhook. */
export interface ReturnsWebhook {
  /** The desk's id of this delivery; a redelivery repeats it. */
  webhookId: string;
  topic: ReturnsTopic;
  /** When the step happened at the desk. */
  createdAt: string;
  return: {
    id: string;
    orderId: string;
    rmaNumber?: string | null;
    /** return.requested: where the customer asked. */
    channel?: Channel;
    reason?: string | null;
    /** return.requested: what comes back. */
    lines?: { lineNumber: number; quantity: number; reason?: string | null }[];
    /** return.refund_pending, return.refunded. */
    refund?: { amount: Money; creditMemoNumber?: string | null } | null;
    /** Any topic: the replacement order of an exchange (its order id), once the desk created it. */
    exchangeOrderId?: string | null;
  };
}

/** Validates a returns webhook, naming the first bad field. */
export function validateReturnsWebhook(body: unknown): ReturnsWebhook {
  const r = Reader.root(body);
  const w: ReturnsWebhook = {
    webhookId: r.id('webhookId'),
    topic: r.oneOf('topic', RETURNS_TOPICS),
    createdAt: r.dateTime('createdAt'),
    return: { id: '', orderId: '' },
  };
  const ret = r.object('return');
  w.return = {
    id: ret.id('id'),
    orderId: ret.id('orderId'),
    rmaNumber: ret.optionalId('rmaNumber'),
    reason: ret.optionalString('reason', 200),
    exchangeOrderId: ret.optionalId('exchangeOrderId'),
  };
  if (w.topic === 'return.requested') {
    w.return.channel = ret.oneOf('channel', CHANNELS);
    ret.qtyLines('lines');
    w.return.lines = ret.list('lines', 1, 500).map((l) => ({
      lineNumber: l.int('lineNumber', 1, 10_000),
      quantity: l.int('quantity', 1, 100_000),
      reason: l.optionalString('reason', 200),
    }));
  }
  if (w.topic === 'return.refund_pending' || w.topic === 'return.refunded') {
    const f = ret.object('refund');
    w.return.refund = {
      amount: f.money('amount'),
      creditMemoNumber: w.topic === 'return.refunded' ? f.optionalId('creditMemoNumber') : null,
    };
  }
  return w;
}

/** Returns ingest over the desk's records: one event per webhook. */
export function returnsIngest(records: ReturnsRecorder, parcels?: ShipmentLedger): IngestSystem<ReturnsWebhook> {
  /** Marks (never refuses) a requested return naming units the carriers never delivered. */
  const marks = async (orderId: string, lines: readonly { lineNumber: number; quantity: number }[]) => {
    if (!parcels) return [];
    const returnable = await parcels.returnable(orderId);
    if (!returnable) return [];
    const over: FindingLine[] = lines
      .filter((l) => l.quantity > (returnable.get(l.lineNumber) ?? 0))
      .map((l) => ({ lineNumber: l.lineNumber, reported: l.quantity, applied: l.quantity }));
    return over.length
      ? [
          {
            kind: 'corrected' as const,
            reason: 'RETURN_WITHOUT_DELIVERY' as const,
            lines: over,
            message: `the return is recorded and shown, marked: ${over.map((l) => `line ${l.lineNumber} names ${l.reported} units, ${returnable.get(l.lineNumber) ?? 0} delivered`).join('; ')}`,
          },
        ]
      : [];
  };
  return {
    source: 'returns',
    validate: validateReturnsWebhook,
    plan(w) {
      const [status, type] = TOPICS[w.topic];
      const ret = w.return;
      const data: Record<string, unknown> = { returnId: ret.id, status };
      if (ret.rmaNumber) data.rmaNumber = ret.rmaNumber;
      if (ret.lines) data.lines = ret.lines.map(({ lineNumber, quantity }) => ({ lineNumber, quantity }));
      if (ret.refund) data.refundAmount = ret.refund.amount;
      if (ret.exchangeOrderId) data.exchangeOrderId = ret.exchangeOrderId;
      const event = sourceEvent('returns', w.webhookId, null, { type, subject: ret.orderId, time: w.createdAt, data });
      const apply = async () =>
        status === 'REQUESTED'
          ? guarded(
              await marks(ret.orderId, ret.lines!),
              records.openReturn({
                id: ret.id,
                orderId: ret.orderId,
                rmaNumber: ret.rmaNumber ?? null,
                status,
                channel: ret.channel!,
                requestedAt: w.createdAt,
                reason: ret.reason ?? null,
                lines: ret.lines!.map((l) => ({
                  lineNumber: l.lineNumber,
                  quantity: l.quantity,
                  reason: l.reason ?? null,
                })),
                refund: null,
                exchangeOrderId: ret.exchangeOrderId ?? null,
              }),
            )
          : records.advanceReturn({
              returnId: ret.id,
              orderId: ret.orderId,
              status,
              at: w.createdAt,
              rmaNumber: ret.rmaNumber ?? null,
              refund: ret.refund
                ? { amount: ret.refund.amount, creditMemoNumber: ret.refund.creditMemoNumber ?? null }
                : null,
              exchangeOrderId: ret.exchangeOrderId ?? null,
            });
      // A refund is a fact of its own: a late refund webhook still records the refund even when the
      // return has moved on (CLOSED), so it is its own monotonic entity.
      const entity = ret.refund ? `return:${ret.id}:refund` : `return:${ret.id}`;
      return [{ event, entity, apply }];
    },
  };
}
