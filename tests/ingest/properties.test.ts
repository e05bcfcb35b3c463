import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveOrderStatus,
  headlineContradiction,
  reconcileLines,
  SHIPMENT_STATUSES,
  type OrderStatusResult,
  type ReturnStatus,
  type ShipmentStatus,
  type StatusInputs,
} from '../../canonical/index.js';
import { carrierCodesFor } from '../../canonical/carrier.js';
import { DEMO_NODES, statusInputsFor, type DemoData } from '../../demo/index.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { carrierIngest } from '../../subgraphs/carrier/ingest.js';
import { RecordConflictError, type IngestSystem } from '../../subgraphs/common/ingest.js';
import { MemoryIngestLedger } from '../../subgraphs/common/ingestLedger.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { erpIngest } from '../../subgraphs/erp/ingest.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { omsIngest } from '../../subgraphs/oms/ingest.js';
import { MemoryReturns } from '../../subgraphs/returns/adapters/memory.js';
import { returnsIngest } from '../../subgraphs/returns/ingest.js';
import { MemoryWms } from '../../subgraphs/wms/adapters/memory.js';
import { wmsIngest } from '../../subgraphs/wms/ingest.js';

// Random sequences of the five systems' own notifications for one order — delivered in order,
// shuffled, with duplicates and late events — applied through each system's real ingest (its
// validator, normalizer and memory records, with the ingest kit's idempotency and monotonicity
// ledger). After every step the derived answer keeps its invariants and its headline agrees with
// its dimensions; once every event arrived, the answer is the same whatever the arrival order.

const ORDER = 'ORD-777001';
/** Runs per property: `STATUS_PROPERTY_RUNS` (.ci/run raises it), else 100. */
const RUNS = Number(process.env.STATUS_PROPERTY_RUNS ?? 100);
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const at = (minute: number): string => new Date(T0 + minute * 60_000).toISOString();
const usd = (amount: string) => ({ amount, currency: 'USD' });

type System = 'oms' | 'erp' | 'wms' | 'carrier' | 'returns';
interface Notification {
  system: System;
  body: Record<string, unknown>;
}

/** One order's story, as the generator draws it. */
interface Story {
  lines: number[];
  split: boolean;
  declineSecond: boolean;
  backorder: boolean;
  hold: 'none' | 'active' | 'released';
  cancel: { line: number; quantity: number } | 'order' | null;
  carrier: ShipmentStatus[];
  ret: { status: ReturnStatus; line: number; quantity: number; received: number } | null;
}

const storyArb: fc.Arbitrary<Story> = fc.record({
  lines: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  split: fc.boolean(),
  declineSecond: fc.boolean(),
  backorder: fc.boolean(),
  hold: fc.constantFrom('none', 'active', 'released'),
  cancel: fc.option(
    fc.oneof(
      fc.constant<'order'>('order'),
      fc.record({ line: fc.integer({ min: 1, max: 3 }), quantity: fc.integer({ min: 1, max: 3 }) }),
    ),
    { nil: null },
  ),
  carrier: fc.array(fc.constantFrom(...SHIPMENT_STATUSES.filter((s) => s !== 'UNKNOWN')), {
    minLength: 2,
    maxLength: 2,
  }),
  ret: fc.option(
    fc.record({
      status: fc.constantFrom<ReturnStatus>(
        'REQUESTED',
        'APPROVED',
        'IN_TRANSIT',
        'RECEIVED',
        'REFUND_PENDING',
        'REFUNDED',
        'CLOSED',
        'REJECTED',
        'CANCELLED',
      ),
      line: fc.integer({ min: 1, max: 3 }),
      quantity: fc.integer({ min: 1, max: 5 }),
      received: fc.integer({ min: 0, max: 6 }),
    }),
    { nil: null },
  ),
});

const RETURN_TOPIC: Partial<Record<ReturnStatus, string>> = {
  APPROVED: 'return.approved',
  IN_TRANSIT: 'return.shipped',
  RECEIVED: 'return.received',
  REFUND_PENDING: 'return.refund_pending',
  REFUNDED: 'return.refunded',
  CLOSED: 'return.closed',
  REJECTED: 'return.rejected',
  CANCELLED: 'return.cancelled',
};
const RETURN_PATH: readonly ReturnStatus[] = [
  'APPROVED',
  'IN_TRANSIT',
  'RECEIVED',
  'REFUND_PENDING',
  'REFUNDED',
  'CLOSED',
];

/** The systems' notifications of a story, in the order they happened (each with its own time). */
function notifications(s: Story): Notification[] {
  let m = 0;
  const out: Notification[] = [];
  const oms = (eventType: string, extra: object) =>
    out.push({ system: 'oms', body: { eventId: `o${m}`, eventType, eventTime: at(++m), orderId: ORDER, ...extra } });
  const erp = (eventType: string, extra: object) =>
    out.push({
      system: 'erp',
      body: {
        notificationId: `e${m}`,
        eventType,
        postedAt: at(++m),
        salesOrder: { orderRef: ORDER, salesOrderId: 'SO-777001' },
        ...extra,
      },
    });
  const wms = (messageType: string, fo: string, extra: object = {}) =>
    out.push({
      system: 'wms',
      body: {
        messageId: `w${m}`,
        messageType,
        occurredAt: at(++m),
        nodeId: fo.endsWith('2') ? 'DC-WEST' : 'DC-EAST',
        orderId: ORDER,
        fulfillmentOrderId: fo,
        ...extra,
      },
    });
  const lines = s.lines.map((quantity, i) => ({ lineNumber: i + 1, quantity }));
  oms('ORDER_CREATED', {
    order: {
      number: 'W777001',
      channel: 'WEB',
      customer: { id: 'CUST-777', name: 'Grace Hopper' },
      lines: lines.map((l) => ({ ...l, sku: `SKU-${l.lineNumber}` })),
    },
  });
  erp('SALES_ORDER_ACCEPTED', {
    totals: { subtotal: usd('10.00'), tax: usd('0.00'), shipping: usd('0.00'), total: usd('10.00') },
  });
  if (s.hold !== 'none') erp('HOLD_PLACED', { hold: { type: 'CREDIT' } });
  if (s.backorder)
    oms('ORDER_BACKORDERED', {
      backorders: lines.map((l) => ({ lineNumber: l.lineNumber, backorderedQuantity: l.quantity })),
    });
  const groups = s.split && lines.length > 1 ? [lines.slice(0, 1), lines.slice(1)] : [lines];
  groups.forEach((g, i) => {
    oms('ORDER_ALLOCATED', {
      fulfillmentOrder: { id: `FO-777001-${i + 1}`, nodeId: i === 0 ? 'DC-EAST' : 'DC-WEST', lines: g },
    });
  });
  if (s.hold === 'released') erp('HOLD_RELEASED', { hold: { type: 'CREDIT' } });
  if (s.cancel === 'order') oms('ORDER_CANCELLED', {});
  groups.forEach((g, i) => {
    const fo = `FO-777001-${i + 1}`;
    wms('RELEASE', fo);
    if (i === 1 && s.declineSecond) {
      wms('CANCEL', fo, { reasonCode: 'NO_STOCK' });
      return;
    }
    wms('PICK_CONFIRM', fo);
    wms('SHIP_CONFIRM', fo, {
      shipments: [{ shipmentId: `SHP-777001-${i + 1}`, carrier: 'UPS', trackingNumber: `1Z777001${i + 1}`, lines: g }],
    });
    const status = s.carrier[i]!;
    const codes =
      status === 'LABEL_CREATED'
        ? carrierCodesFor('UPS', 'LABEL_CREATED')
        : [...carrierCodesFor('UPS', 'LABEL_CREATED'), ...carrierCodesFor('UPS', status)];
    out.push({
      system: 'carrier',
      body: {
        eventId: `c${m}`,
        carrier: 'UPS',
        trackingNumber: `1Z777001${i + 1}`,
        references: { shipmentId: `SHP-777001-${i + 1}`, orderId: ORDER },
        scans: codes
          .slice(0, 1)
          .concat(status === 'LABEL_CREATED' ? [] : [codes.at(-1)!])
          .map((code, k) => ({ code, occurredAt: at(++m + k), description: code })),
      },
    });
  });
  if (s.cancel && s.cancel !== 'order' && s.cancel.line <= lines.length) {
    oms('ORDER_LINE_CANCELLED', {
      line: {
        lineNumber: s.cancel.line,
        cancelledQuantity: Math.min(s.cancel.quantity, lines[s.cancel.line - 1]!.quantity),
      },
    });
  }
  if (s.ret && s.ret.line <= lines.length) {
    const r = s.ret;
    const ret = (topic: string, extra: object = {}) =>
      out.push({
        system: 'returns',
        body: {
          webhookId: `r${m}`,
          topic,
          createdAt: at(++m),
          return: { id: 'RET-777001-1', orderId: ORDER, ...extra },
        },
      });
    ret('return.requested', { channel: 'WEB', lines: [{ lineNumber: r.line, quantity: r.quantity }] });
    const steps =
      r.status === 'REJECTED' || r.status === 'CANCELLED'
        ? [r.status]
        : RETURN_PATH.slice(0, RETURN_PATH.indexOf(r.status) + 1);
    for (const step of steps) {
      if (step === 'RECEIVED' && r.received > 0)
        out.push({
          system: 'wms',
          body: {
            messageId: `w${m}`,
            messageType: 'RETURN_RECEIPT',
            occurredAt: at(++m),
            nodeId: 'DC-EAST',
            orderId: ORDER,
            returnId: 'RET-777001-1',
            lines: [{ lineNumber: r.line, quantity: r.received, disposition: 'RESTOCK' }],
          },
        });
      const refund = step === 'REFUND_PENDING' || step === 'REFUNDED' ? { refund: { amount: usd('5.00') } } : {};
      ret(RETURN_TOPIC[step]!, refund);
    }
  }
  return out;
}

/** The five systems' records and their ingest, with the ingest kit's ledger per system. */
function world() {
  const data: DemoData = {
    oms: {
      customers: [],
      nodes: DEMO_NODES.map((n) => ({ id: n.id, type: n.type, name: n.name })),
      orders: [],
      fulfillmentOrders: [],
    },
    erp: { orders: [], payments: [] },
    wms: { fulfillmentOrders: [], shipments: [], receipts: [] },
    carrier: { shipments: [] },
    returns: { returns: [] },
  };
  const systems: Record<System, IngestSystem<any>> = {
    oms: omsIngest(new MemoryOms(data.oms)),
    erp: erpIngest(new MemoryErp(data.erp, { rateLimitPerSecond: 0 })),
    wms: wmsIngest(new MemoryWms(data.wms)),
    carrier: carrierIngest(new MemoryCarrier(data.carrier)),
    returns: returnsIngest(new MemoryReturns(data.returns)),
  };
  const ledgers = Object.fromEntries(Object.keys(systems).map((k) => [k, new MemoryIngestLedger()])) as Record<
    System,
    MemoryIngestLedger
  >;
  /** Delivers one webhook as /ingest would: false when the system answers 409 (the sender retries later). */
  async function deliver(n: Notification): Promise<boolean> {
    const system = systems[n.system];
    const ledger = ledgers[n.system];
    for (const p of system.plan(system.validate(n.body))) {
      if ((await ledger.claim(p.event.id, 'properties')) === 'done') continue;
      const entity = `${n.system}|${p.entity}`;
      if (await ledger.isStale(entity, p.event.time)) continue;
      try {
        const outcome = await p.apply();
        if ((typeof outcome === 'string' ? outcome : outcome.result) === 'stale') continue;
      } catch (err) {
        if (err instanceof RecordConflictError) return false;
        throw err;
      }
      await ledger.advance(entity, p.event.time);
      await ledger.complete(p.event.id, 'properties');
    }
    return true;
  }
  // statusInputsFor indexes a DemoData object once; a fresh object per read sees the records as they are now.
  const inputs = (): StatusInputs => statusInputsFor({ ...data }, ORDER);
  const derive = (): OrderStatusResult | null => (data.oms.orders.length ? deriveOrderStatus(inputs()) : null);
  return { deliver, derive, inputs };
}

/** Every invariant of docs/status.md, on one derivation. */
function checkInvariants(r: OrderStatusResult, inputs: StatusInputs): void {
  const ledgers = reconcileLines(inputs);
  for (const l of r.lines) {
    const q = l.quantities;
    const net = q.ordered - q.cancelled;
    const ledger = ledgers.get(l.lineNumber)!;
    expect(
      q.cancelled + (q.allocated - q.shipped) + q.backordered + q.shipped,
      `line ${l.lineNumber} ${JSON.stringify(q)}`,
    ).toBeLessThanOrEqual(q.ordered);
    expect(q.allocated + q.backordered).toBeLessThanOrEqual(net);
    expect(q.shipped).toBeLessThanOrEqual(q.allocated);
    expect(q.picked).toBeLessThanOrEqual(q.allocated);
    expect(q.delivered).toBeLessThanOrEqual(q.shipped);
    expect(q.returned).toBeLessThanOrEqual(q.delivered + ledger.returningToSender);
    expect(Math.min(...Object.values(q))).toBeGreaterThanOrEqual(0);
    expect(headlineContradiction(l.status, l.fulfillmentState, l.returnState), `line ${l.lineNumber}`).toBeNull();
  }
  expect(headlineContradiction(r.explanation.status, r.fulfillmentState, r.returnState)).toBeNull();
}

/** Delivers `sequence` (retrying 409s as a sender would) and checks the invariants after each step. */
async function run(sequence: readonly Notification[]): Promise<OrderStatusResult> {
  const w = world();
  let pending = [...sequence];
  while (pending.length) {
    const refused: Notification[] = [];
    for (const n of pending) {
      if (!(await w.deliver(n))) refused.push(n);
      const r = w.derive();
      if (r) checkInvariants(r, w.inputs());
    }
    if (refused.length === pending.length) break; // nothing more can apply
    pending = refused;
  }
  return w.derive()!;
}

const answer = (r: OrderStatusResult) => ({
  status: r.explanation.status,
  rule: r.explanation.rule,
  quantities: r.quantities,
  fulfillmentState: r.fulfillmentState,
  financialState: r.financialState,
  returnState: r.returnState,
  lines: r.lines.map((l) => [l.lineNumber, l.status, l.fulfillmentState, l.returnState, l.quantities]),
});

describe('status truth over random event sequences (fast-check)', () => {
  it('should keep every invariant after every event, delivered in order with duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(storyArb, fc.array(fc.nat(), { maxLength: 6 }), async (story, dupes) => {
        const events = notifications(story);
        const withDupes = [...events];
        for (const d of dupes) withDupes.splice(d % (withDupes.length + 1), 0, events[d % events.length]!);
        await run(withDupes);
      }),
      { numRuns: RUNS },
    );
  });

  it('should derive the same answer whatever the arrival order, once every event arrived (reorders, late events, duplicates)', async () => {
    await fc.assert(
      fc.asyncProperty(
        storyArb.chain((story) => {
          const events = notifications(story);
          return fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
            fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 4 }),
          );
        }),
        async ([events, shuffled, dupes]) => {
          const inOrder = await run(events);
          const arrived = [...shuffled, ...dupes.map((i) => events[i]!)];
          const reordered = await run(arrived);
          expect(answer(reordered)).toEqual(answer(inOrder));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
