import { describe, expect, it } from 'vitest';
import { deriveOrderStatus, STATUS_RULES, type StatusFact } from '../../canonical/status.js';
import {
  QUANTITY_KEYS,
  emptyQuantities,
  type FulfillmentFacts,
  type HoldFacts,
  type OmsLineFacts,
  type QuantityLine,
  type ReturnFacts,
  type ShipmentFacts,
  type StatusInputs,
} from '../../canonical/quantities.js';
import {
  RETURN_STATUSES,
  SHIPMENT_STATUSES,
  WAREHOUSE_STATUSES,
  type HoldType,
  type OrderStatus,
  type ReturnStatus,
  type ShipmentStatus,
  type SourceSystem,
  type WarehouseStatus,
} from '../../canonical/vocabularies.js';

// ---------------------------------------------------------------------------------------------
// The status table as written in CANONICAL_MODEL.md ("The derived status"), independent of the
// implementation's STATUS_RULES so that a reordering there fails here.
// ---------------------------------------------------------------------------------------------
const RULE_STATUS: Readonly<Record<number, OrderStatus>> = {
  1: 'CANCELLED',
  2: 'RETURNED',
  3: 'PARTIALLY_RETURNED',
  4: 'RETURN_INITIATED',
  5: 'ON_HOLD',
  6: 'DELIVERED',
  7: 'PARTIALLY_DELIVERED',
  8: 'SHIPPED',
  9: 'PARTIALLY_SHIPPED',
  10: 'IN_FULFILLMENT',
  11: 'ALLOCATED',
  12: 'PARTIALLY_ALLOCATED',
  13: 'BACKORDERED',
  14: 'ACCEPTED',
  15: 'PENDING',
};

// Every system's timestamp is distinct, so a fact carrying the wrong one is caught.
const T = {
  accepted: '2025-03-01T09:05:00.000Z',
  holdPlaced: '2025-03-01T09:10:00.000Z',
  otherHoldPlaced: '2025-03-01T09:20:00.000Z',
  holdReleased: '2025-03-01T12:00:00.000Z',
  allocated: '2025-03-01T10:00:00.000Z',
  allocatedLater: '2025-03-01T11:00:00.000Z',
  picked: '2025-03-02T08:00:00.000Z',
  shipped: '2025-03-02T15:00:00.000Z',
  shippedLater: '2025-03-02T17:00:00.000Z',
  scanned: '2025-03-03T07:00:00.000Z',
  delivered: '2025-03-04T13:30:00.000Z',
  deliveredLater: '2025-03-05T10:45:00.000Z',
  returnRequested: '2025-03-10T10:00:00.000Z',
  returnRequestedLater: '2025-03-11T10:00:00.000Z',
  returnReceived: '2025-03-14T16:00:00.000Z',
  returnReceivedLater: '2025-03-15T16:00:00.000Z',
} as const;

// ---------------------------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------------------------
const q = (lineNumber: number, quantity: number): QuantityLine => ({ lineNumber, quantity });

function line(
  lineNumber: number,
  ordered: number,
  extra: Partial<Omit<OmsLineFacts, 'lineNumber' | 'ordered'>> = {},
): OmsLineFacts {
  return { lineNumber, ordered, cancelled: 0, backordered: 0, ...extra };
}

const PICKED: ReadonlySet<WarehouseStatus> = new Set<WarehouseStatus>(['PICKED', 'PACKED', 'SHIPPED']);

function fo(
  warehouseStatus: WarehouseStatus,
  lines: QuantityLine[],
  extra: Partial<FulfillmentFacts> = {},
): FulfillmentFacts {
  return {
    warehouseStatus,
    lines,
    allocatedAt: T.allocated,
    pickedAt: PICKED.has(warehouseStatus) ? T.picked : null,
    ...extra,
  };
}

function shipment(
  id: string,
  status: ShipmentStatus,
  lines: QuantityLine[],
  extra: Partial<ShipmentFacts> = {},
): ShipmentFacts {
  return {
    id,
    status,
    lines,
    shippedAt: T.shipped,
    lastScanAt: T.scanned,
    deliveredAt: status === 'DELIVERED' ? T.delivered : null,
    ...extra,
  };
}

function ret(
  id: string,
  status: ReturnStatus,
  lines: QuantityLine[],
  receipt: QuantityLine[] | null = null,
  extra: Partial<ReturnFacts> = {},
): ReturnFacts {
  return {
    id,
    status,
    lines,
    requestedAt: T.returnRequested,
    receipt: receipt ? { receivedAt: T.returnReceived, lines: receipt } : null,
    ...extra,
  };
}

const activeHold = (type: HoldType = 'CREDIT', placedAt: string = T.holdPlaced): HoldFacts => ({
  type,
  placedAt,
  releasedAt: null,
});
const releasedHold = (type: HoldType = 'CREDIT', placedAt: string = T.holdPlaced): HoldFacts => ({
  type,
  placedAt,
  releasedAt: T.holdReleased,
});

/** An accepted single-line order (line 1, 2 units) with nothing else; override any part. */
function order(parts: Partial<StatusInputs> = {}): StatusInputs {
  return {
    lines: [line(1, 2)],
    fulfillmentOrders: [],
    acceptedAt: T.accepted,
    holds: [],
    shipments: [],
    returns: [],
    ...parts,
  };
}

/** Lines picked, packed, handed to the carrier in one shipment with the given carrier status. */
function shippedAs(
  id: string,
  status: ShipmentStatus,
  lines: QuantityLine[],
  extra: Partial<ShipmentFacts> = {},
): Pick<StatusInputs, 'fulfillmentOrders' | 'shipments'> {
  return { fulfillmentOrders: [fo('SHIPPED', lines)], shipments: [shipment(id, status, lines, extra)] };
}

/** Status and rule of one line. */
function lineOf(inputs: StatusInputs, lineNumber = 1): { status: OrderStatus; rule: number } {
  const found = deriveOrderStatus(inputs).lines.find((l) => l.lineNumber === lineNumber);
  if (!found) throw new Error(`line ${lineNumber} missing from the result`);
  return { status: found.status, rule: found.rule };
}

function expectFact(
  facts: readonly StatusFact[],
  source: SourceSystem,
  observedAt: string | null,
  fact?: string | RegExp,
): void {
  const shape: Record<string, unknown> = { source, observedAt };
  if (fact !== undefined) shape.fact = typeof fact === 'string' ? fact : expect.stringMatching(fact);
  expect(facts).toContainEqual(expect.objectContaining(shape));
}

// ---------------------------------------------------------------------------------------------
// LINE level: line 1 (2 units) is the line under test; line 2 (3 units, all backordered) is a
// neighbour in a different state that must not leak into line 1's status.
// ---------------------------------------------------------------------------------------------
interface LineCase {
  when: string;
  inputs: () => StatusInputs;
  rule: number;
}
interface LineRuleCases {
  rule: number;
  match: LineCase[];
  nearMiss: LineCase[];
}

const NEIGHBOUR = line(2, 3, { backordered: 3 });
const withNeighbour = (inputs: StatusInputs): StatusInputs => ({ ...inputs, lines: [...inputs.lines, NEIGHBOUR] });

const LINE_CASES: LineRuleCases[] = [
  {
    rule: 1,
    match: [
      {
        when: 'every unit of the line is cancelled',
        rule: 1,
        inputs: () => order({ lines: [line(1, 2, { cancelled: 2 })] }),
      },
      {
        when: 'every unit is cancelled even though a hold is active',
        rule: 1,
        inputs: () => order({ lines: [line(1, 2, { cancelled: 2 })], holds: [activeHold()] }),
      },
    ],
    nearMiss: [
      {
        when: 'one of two units is cancelled and the other came back (net = ordered − cancelled)',
        rule: 2,
        inputs: () =>
          order({
            lines: [line(1, 2, { cancelled: 1 })],
            ...shippedAs('S1', 'DELIVERED', [q(1, 1)]),
            returns: [ret('R1', 'RECEIVED', [q(1, 1)], [q(1, 1)])],
          }),
      },
    ],
  },
  {
    rule: 2,
    match: [
      {
        when: 'every net unit was received back',
        rule: 2,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'RECEIVED', [q(1, 2)], [q(1, 2)])] }),
      },
      {
        when: 'everything came back even though a hold is active (returned ≥ net beats a hold)',
        rule: 2,
        inputs: () =>
          order({
            holds: [activeHold()],
            ...shippedAs('S1', 'DELIVERED', [q(1, 2)]),
            returns: [ret('R1', 'REFUNDED', [q(1, 2)], [q(1, 2)])],
          }),
      },
    ],
    nearMiss: [
      {
        when: 'one unit fewer than net was received back',
        rule: 3,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'RECEIVED', [q(1, 2)], [q(1, 1)])] }),
      },
    ],
  },
  {
    rule: 3,
    match: [
      {
        when: 'some but not all units were received back',
        rule: 3,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'RECEIVED', [q(1, 2)], [q(1, 1)])] }),
      },
    ],
    nearMiss: [
      {
        when: 'the return has no warehouse receipt yet',
        rule: 4,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'IN_TRANSIT', [q(1, 2)])] }),
      },
    ],
  },
  {
    rule: 4,
    match: [
      {
        when: 'a return was requested and nothing is received',
        rule: 4,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'REQUESTED', [q(1, 1)])] }),
      },
      {
        when: 'a return was requested while a hold is active',
        rule: 4,
        inputs: () =>
          order({
            holds: [activeHold()],
            ...shippedAs('S1', 'DELIVERED', [q(1, 2)]),
            returns: [ret('R1', 'APPROVED', [q(1, 1)])],
          }),
      },
    ],
    nearMiss: [
      {
        when: 'the only return was REJECTED (not initiated)',
        rule: 6,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'REJECTED', [q(1, 1)])] }),
      },
      {
        when: 'the only return was CANCELLED (not initiated)',
        rule: 6,
        inputs: () =>
          order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'CANCELLED', [q(1, 2)])] }),
      },
    ],
  },
  {
    rule: 5,
    match: [
      {
        when: 'a hold is active and the picked line has not shipped',
        rule: 5,
        inputs: () => order({ holds: [activeHold()], fulfillmentOrders: [fo('PACKED', [q(1, 2)])] }),
      },
      {
        when: 'one of two holds is still active and nothing has shipped',
        rule: 5,
        inputs: () => order({ holds: [releasedHold('CREDIT'), activeHold('FRAUD')] }),
      },
    ],
    nearMiss: [
      {
        when: 'a hold is active but the line has shipped and been delivered',
        rule: 6,
        inputs: () => order({ holds: [activeHold()], ...shippedAs('S1', 'DELIVERED', [q(1, 2)]) }),
      },
      // Changed on purpose (status-truth issue, case E): a hold now shows while any net unit is
      // unshipped; the near miss is a hold over a line whose every unit is with the carrier.
      {
        when: 'a hold is active but every unit of the line has shipped',
        rule: 8,
        inputs: () => order({ holds: [activeHold()], ...shippedAs('S1', 'IN_TRANSIT', [q(1, 2)]) }),
      },
      {
        when: 'every hold is released',
        rule: 10,
        inputs: () => order({ holds: [releasedHold()], fulfillmentOrders: [fo('PACKED', [q(1, 2)])] }),
      },
    ],
  },
  {
    rule: 6,
    match: [
      {
        when: 'every net unit is in a DELIVERED shipment',
        rule: 6,
        inputs: () => order(shippedAs('S1', 'DELIVERED', [q(1, 2)])),
      },
      {
        when: 'the net units (after a cancellation) are delivered',
        rule: 6,
        inputs: () => order({ lines: [line(1, 2, { cancelled: 1 })], ...shippedAs('S1', 'DELIVERED', [q(1, 1)]) }),
      },
    ],
    nearMiss: [
      {
        when: 'one unit is delivered and the other still in transit',
        rule: 7,
        inputs: () =>
          order({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
            shipments: [shipment('S1', 'DELIVERED', [q(1, 1)]), shipment('S2', 'IN_TRANSIT', [q(1, 1)])],
          }),
      },
    ],
  },
  {
    rule: 7,
    match: [
      {
        when: 'some but not all units are delivered',
        rule: 7,
        inputs: () =>
          order({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
            shipments: [shipment('S1', 'DELIVERED', [q(1, 1)]), shipment('S2', 'IN_TRANSIT', [q(1, 1)])],
          }),
      },
    ],
    nearMiss: [
      {
        when: 'no shipment has carrier status DELIVERED (even with a deliveredAt)',
        rule: 8,
        inputs: () =>
          order({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
            shipments: [
              shipment('S1', 'OUT_FOR_DELIVERY', [q(1, 1)], { deliveredAt: T.delivered }),
              shipment('S2', 'DELIVERY_ATTEMPTED', [q(1, 1)], { deliveredAt: T.delivered }),
            ],
          }),
      },
    ],
  },
  {
    rule: 8,
    match: [
      {
        when: 'every net unit was handed to a carrier',
        rule: 8,
        inputs: () => order(shippedAs('S1', 'IN_TRANSIT', [q(1, 2)])),
      },
      {
        when: 'every unit shipped but the carrier does not know the shipment',
        rule: 8,
        inputs: () => order(shippedAs('S1', 'UNKNOWN', [q(1, 2)])),
      },
    ],
    nearMiss: [
      {
        when: 'one unit fewer than net was handed to a carrier',
        rule: 9,
        inputs: () =>
          order({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
            shipments: [shipment('S1', 'IN_TRANSIT', [q(1, 1)])],
          }),
      },
    ],
  },
  {
    rule: 9,
    match: [
      {
        when: 'some but not all units were handed to a carrier',
        rule: 9,
        inputs: () =>
          order({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
            shipments: [shipment('S1', 'LABEL_CREATED', [q(1, 1)])],
          }),
      },
    ],
    nearMiss: [
      {
        when: 'nothing has shipped but the line is picked',
        rule: 10,
        inputs: () => order({ fulfillmentOrders: [fo('PICKED', [q(1, 2)])] }),
      },
    ],
  },
  {
    rule: 10,
    match: [
      {
        when: 'the fulfillment order is PICKED',
        rule: 10,
        inputs: () => order({ fulfillmentOrders: [fo('PICKED', [q(1, 2)])] }),
      },
      {
        when: 'the fulfillment order is PACKED',
        rule: 10,
        inputs: () => order({ fulfillmentOrders: [fo('PACKED', [q(1, 2)])] }),
      },
      {
        when: 'the fulfillment order is SHIPPED but no shipment is known yet',
        rule: 10,
        inputs: () => order({ fulfillmentOrders: [fo('SHIPPED', [q(1, 1)])] }),
      },
    ],
    nearMiss: [
      {
        when: 'the fulfillment order is still PICKING',
        rule: 11,
        inputs: () => order({ fulfillmentOrders: [fo('PICKING', [q(1, 2)])] }),
      },
      {
        when: 'the fulfillment order is only RELEASED',
        rule: 11,
        inputs: () => order({ fulfillmentOrders: [fo('RELEASED', [q(1, 2)])] }),
      },
    ],
  },
  {
    rule: 11,
    match: [
      {
        when: 'every net unit is sourced to a node',
        rule: 11,
        inputs: () => order({ fulfillmentOrders: [fo('RELEASED', [q(1, 2)])] }),
      },
      {
        when: 'the units are split across two nodes',
        rule: 11,
        inputs: () => order({ fulfillmentOrders: [fo('RELEASED', [q(1, 1)]), fo('PICKING', [q(1, 1)])] }),
      },
    ],
    nearMiss: [
      {
        when: 'one unit fewer than net is sourced',
        rule: 12,
        inputs: () =>
          order({ lines: [line(1, 2, { backordered: 1 })], fulfillmentOrders: [fo('RELEASED', [q(1, 1)])] }),
      },
      {
        when: 'the second node cancelled its fulfillment order',
        rule: 12,
        inputs: () => order({ fulfillmentOrders: [fo('RELEASED', [q(1, 1)]), fo('CANCELLED', [q(1, 1)])] }),
      },
    ],
  },
  {
    rule: 12,
    match: [
      {
        when: 'some units are sourced and the rest backordered',
        rule: 12,
        inputs: () =>
          order({ lines: [line(1, 2, { backordered: 1 })], fulfillmentOrders: [fo('RELEASED', [q(1, 1)])] }),
      },
    ],
    nearMiss: [
      {
        when: 'the only fulfillment order is CANCELLED (not allocated)',
        rule: 13,
        inputs: () =>
          order({ lines: [line(1, 2, { backordered: 1 })], fulfillmentOrders: [fo('CANCELLED', [q(1, 1)])] }),
      },
    ],
  },
  {
    rule: 13,
    match: [
      { when: 'units wait for stock', rule: 13, inputs: () => order({ lines: [line(1, 2, { backordered: 2 })] }) },
      {
        when: 'units wait for stock on an order the ERP has not accepted',
        rule: 13,
        inputs: () => order({ acceptedAt: null, lines: [line(1, 2, { backordered: 1 })] }),
      },
    ],
    nearMiss: [
      { when: 'nothing is backordered', rule: 14, inputs: () => order({ lines: [line(1, 2, { backordered: 0 })] }) },
    ],
  },
  {
    rule: 14,
    match: [
      { when: 'the ERP accepted the order and nothing else happened', rule: 14, inputs: () => order() },
      {
        when: 'the ERP accepted the order and its only hold is released',
        rule: 14,
        inputs: () => order({ holds: [releasedHold()] }),
      },
    ],
    nearMiss: [{ when: 'the ERP has not accepted the order', rule: 15, inputs: () => order({ acceptedAt: null }) }],
  },
  {
    rule: 15,
    match: [
      { when: 'nothing is known beyond the OMS line', rule: 15, inputs: () => order({ acceptedAt: null }) },
      {
        when: 'the only hold is released and the ERP has not accepted',
        rule: 15,
        inputs: () => order({ acceptedAt: null, holds: [releasedHold()] }),
      },
    ],
    nearMiss: [
      // Rule 15 is the fallback: there is no rule after it, so its near miss is an earlier rule.
      {
        when: 'the unaccepted order has an active hold (ON_HOLD is checked first)',
        rule: 5,
        inputs: () => order({ acceptedAt: null, holds: [activeHold()] }),
      },
    ],
  },
];

describe('deriveOrderStatus: every rule at LINE level', () => {
  it('should cover each of the 15 rules with a match and a near miss', () => {
    expect(LINE_CASES.map((c) => c.rule)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    for (const c of LINE_CASES) {
      expect(c.match.length).toBeGreaterThan(0);
      expect(c.nearMiss.length).toBeGreaterThan(0);
      for (const m of c.match) expect(m.rule).toBe(c.rule);
      for (const n of c.nearMiss) expect(n.rule).not.toBe(c.rule);
    }
  });

  for (const c of LINE_CASES) {
    describe(`rule ${c.rule} (${RULE_STATUS[c.rule]})`, () => {
      for (const m of c.match) {
        it(`should give line 1 rule ${c.rule} ${RULE_STATUS[c.rule]} when ${m.when}`, () => {
          expect(lineOf(withNeighbour(m.inputs()))).toEqual({ status: RULE_STATUS[c.rule], rule: c.rule });
        });
      }
      for (const n of c.nearMiss) {
        it(`should not give rule ${c.rule} but rule ${n.rule} ${RULE_STATUS[n.rule]} when ${n.when}`, () => {
          expect(lineOf(withNeighbour(n.inputs()))).toEqual({ status: RULE_STATUS[n.rule], rule: n.rule });
        });
      }
    });
  }

  it('should derive the neighbour line from its own quantities, not from line 1', () => {
    const result = deriveOrderStatus(withNeighbour(order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]) })));
    expect(result.lines.map((l) => [l.lineNumber, l.status, l.rule])).toEqual([
      [1, 'DELIVERED', 6],
      [2, 'BACKORDERED', 13],
    ]);
  });

  it('should give each line the status of rule 5 only when that line has not shipped', () => {
    const result = deriveOrderStatus(
      order({
        lines: [line(1, 2), line(2, 1)],
        holds: [activeHold()],
        ...shippedAs('S1', 'IN_TRANSIT', [q(1, 2)]),
      }),
    );
    expect(result.lines.map((l) => [l.lineNumber, l.status, l.rule])).toEqual([
      [1, 'SHIPPED', 8],
      [2, 'ON_HOLD', 5],
    ]);
  });

  it('should report the line quantities the status was derived from', () => {
    const result = deriveOrderStatus(
      order({
        lines: [line(1, 5, { cancelled: 1, backordered: 1 })],
        fulfillmentOrders: [fo('SHIPPED', [q(1, 3)]), fo('PICKING', [q(1, 1)]), fo('CANCELLED', [q(1, 1)])],
        shipments: [shipment('S1', 'DELIVERED', [q(1, 2)]), shipment('S2', 'IN_TRANSIT', [q(1, 1)])],
        returns: [
          ret('R1', 'RECEIVED', [q(1, 1)], [q(1, 1)]),
          ret('R2', 'REQUESTED', [q(1, 1)]),
          ret('R3', 'REJECTED', [q(1, 1)]),
        ],
      }),
    );
    // Changed on purpose (status-truth issue): backordered is capped at the open units (net 4 −
    // allocated 4 = 0), and return states take the headline only once every net unit is delivered.
    expect(result.lines[0]?.quantities).toEqual({
      ordered: 5,
      cancelled: 1,
      allocated: 4,
      backordered: 0,
      picked: 3,
      shipped: 3,
      delivered: 2,
      returnInitiated: 2,
      returned: 1,
    });
    expect(result.lines[0]).toMatchObject({ status: 'PARTIALLY_DELIVERED', rule: 7, returnState: 'REQUESTED' });
    expect(result.corrections).toEqual([{ kind: 'BACKORDER_EXCEEDS_OPEN', lineNumber: 1, reported: 1, applied: 0 }]);
  });
});

// ---------------------------------------------------------------------------------------------
// What each quantity counts (CANONICAL_MODEL.md, "Line quantities")
// ---------------------------------------------------------------------------------------------
describe('line quantities behind the rules', () => {
  for (const status of RETURN_STATUSES) {
    const counts = status !== 'REJECTED' && status !== 'CANCELLED';
    it(`should ${counts ? '' : 'not '}count a ${status} return as initiated`, () => {
      const result = deriveOrderStatus(
        order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', status, [q(1, 1)])] }),
      );
      expect(result.lines[0]?.quantities.returnInitiated).toBe(counts ? 1 : 0);
      // Changed on purpose (case D): a return the desk finished (REFUNDED, CLOSED) without a receipt
      // is no longer "on its way back": the order reads DELIVERED, returnState says how it ended.
      const onItsWay = counts && status !== 'REFUNDED' && status !== 'CLOSED';
      expect(result.explanation.status).toBe(onItsWay ? 'RETURN_INITIATED' : 'DELIVERED');
    });
  }

  // Changed on purpose (case K): a receipt on a return that was voided (REJECTED, CANCELLED) goes
  // back to the customer; it does not count as returned.
  it('should not count a receipt as returned when its return is CANCELLED or REJECTED', () => {
    const result = deriveOrderStatus(
      order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'CANCELLED', [q(1, 1)], [q(1, 1)])] }),
    );
    expect(result.quantities).toMatchObject({ returnInitiated: 0, returned: 0 });
    expect(result.explanation).toMatchObject({ status: 'DELIVERED', rule: 6 });
  });

  for (const status of WAREHOUSE_STATUSES) {
    const picked = PICKED.has(status);
    const allocated = status !== 'CANCELLED';
    it(`should count a ${status} fulfillment order as ${picked ? 'picked' : 'not picked'} and ${allocated ? 'allocated' : 'not allocated'}`, () => {
      const result = deriveOrderStatus(order({ fulfillmentOrders: [fo(status, [q(1, 2)])] }));
      expect(result.lines[0]?.quantities).toMatchObject({ picked: picked ? 2 : 0, allocated: allocated ? 2 : 0 });
      expect(result.explanation.status).toBe(picked ? 'IN_FULFILLMENT' : allocated ? 'ALLOCATED' : 'ACCEPTED');
    });
  }

  for (const status of SHIPMENT_STATUSES) {
    const delivered = status === 'DELIVERED';
    // Changed on purpose (case G): a voided label (CANCELLED) or a parcel coming back
    // (RETURNED_TO_SENDER) counts as neither shipped nor delivered.
    const shipped = status !== 'CANCELLED' && status !== 'RETURNED_TO_SENDER';
    it(`should count a ${status} shipment as ${shipped ? '' : 'not '}shipped and ${delivered ? '' : 'not '}delivered`, () => {
      const result = deriveOrderStatus(order(shippedAs('S1', status, [q(1, 2)], { deliveredAt: T.delivered })));
      expect(result.lines[0]?.quantities).toMatchObject({ shipped: shipped ? 2 : 0, delivered: delivered ? 2 : 0 });
      expect(result.explanation.status).toBe(delivered ? 'DELIVERED' : shipped ? 'SHIPPED' : 'IN_FULFILLMENT');
    });
  }

  it('should ignore quantities reported for line numbers the order does not have', () => {
    const result = deriveOrderStatus(
      order({
        lines: [line(1, 2)],
        fulfillmentOrders: [fo('SHIPPED', [q(7, 2)]), fo('RELEASED', [q(8, 1)])],
        shipments: [shipment('S1', 'DELIVERED', [q(7, 2)])],
        returns: [ret('R1', 'RECEIVED', [q(7, 2)], [q(7, 2)])],
      }),
    );
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatchObject({ lineNumber: 1, status: 'ACCEPTED', rule: 14 });
    expect(result.lines[0]?.quantities).toEqual({ ...emptyQuantities(), ordered: 2 });
    expect(result.quantities).toEqual({ ...emptyQuantities(), ordered: 2 });
    expect(result.explanation).toMatchObject({ status: 'ACCEPTED', rule: 14 });
  });

  it('should only count the known lines of a document that also names unknown ones', () => {
    const result = deriveOrderStatus(
      order({
        ...shippedAs('S1', 'DELIVERED', [q(1, 2), q(99, 5)]),
      }),
    );
    expect(result.quantities).toMatchObject({ shipped: 2, delivered: 2, picked: 2, allocated: 2 });
    expect(result.explanation).toMatchObject({ status: 'DELIVERED', rule: 6 });
  });

  it('should list the lines in the order of the OMS lines', () => {
    const result = deriveOrderStatus(order({ lines: [line(3, 1), line(1, 1), line(2, 1)] }));
    expect(result.lines.map((l) => l.lineNumber)).toEqual([3, 1, 2]);
  });
});

// ---------------------------------------------------------------------------------------------
// ORDER level: sums over lines. Line 1 has 2 units and line 2 has 1 (net 3 when nothing is
// cancelled). Each case also states the line statuses, which may differ from the order's.
// ---------------------------------------------------------------------------------------------
interface OrderCase {
  when: string;
  inputs: () => StatusInputs;
  rule: number;
  lines: OrderStatus[];
  facts?: (facts: readonly StatusFact[]) => void;
}
interface OrderRuleCases {
  rule: number;
  match: OrderCase[];
  nearMiss: OrderCase[];
}

const twoLines = (l1: Partial<OmsLineFacts> = {}, l2: Partial<OmsLineFacts> = {}): OmsLineFacts[] => [
  line(1, 2, l1),
  line(2, 1, l2),
];
const twoLineOrder = (parts: Partial<StatusInputs> = {}): StatusInputs => order({ lines: twoLines(), ...parts });

/** Both lines delivered in shipments S1 (line 1) and S2 (line 2). */
const bothDelivered = (): Pick<StatusInputs, 'fulfillmentOrders' | 'shipments'> => ({
  fulfillmentOrders: [fo('SHIPPED', [q(1, 2)]), fo('SHIPPED', [q(2, 1)])],
  shipments: [
    shipment('S1', 'DELIVERED', [q(1, 2)]),
    shipment('S2', 'DELIVERED', [q(2, 1)], { deliveredAt: T.deliveredLater }),
  ],
});

const ORDER_CASES: OrderRuleCases[] = [
  {
    rule: 1,
    match: [
      {
        when: 'every unit of every line is cancelled, even with an active hold',
        inputs: () => order({ lines: twoLines({ cancelled: 2 }, { cancelled: 1 }), holds: [activeHold()] }),
        rule: 1,
        lines: ['CANCELLED', 'CANCELLED'],
        // Every active hold and every return is now named beside the headline (status-truth issue): the headline's own facts are unchanged.
        facts: (facts) =>
          expect(facts.filter((f) => !f.fact.endsWith('hold active') && f.source !== 'RETURNS')).toEqual([
            { source: 'OMS', fact: '3 units ordered, 3 cancelled (net 0)', observedAt: null },
            { source: 'ERP', fact: 'accepted by the ERP', observedAt: T.accepted },
          ]),
      },
    ],
    nearMiss: [
      {
        when: 'line 1 is cancelled and line 2 was delivered and received back',
        inputs: () =>
          order({
            lines: twoLines({ cancelled: 2 }),
            ...shippedAs('S1', 'DELIVERED', [q(2, 1)]),
            returns: [ret('R1', 'RECEIVED', [q(2, 1)], [q(2, 1)])],
          }),
        rule: 2,
        lines: ['CANCELLED', 'RETURNED'],
      },
    ],
  },
  {
    rule: 2,
    match: [
      {
        when: 'both lines were received back in two returns, even with an active hold',
        inputs: () =>
          twoLineOrder({
            holds: [activeHold()],
            ...bothDelivered(),
            returns: [
              ret('R1', 'REFUNDED', [q(1, 2)], [q(1, 2)]),
              ret('R2', 'RECEIVED', [q(2, 1)], [q(2, 1)], {
                receipt: { receivedAt: T.returnReceivedLater, lines: [q(2, 1)] },
              }),
            ],
          }),
        rule: 2,
        lines: ['RETURNED', 'RETURNED'],
        facts: (facts) => {
          expectFact(facts, 'WMS', T.returnReceived, 'return R1 received: 2 units');
          expectFact(facts, 'WMS', T.returnReceivedLater, 'return R2 received: 1 units');
          // Changed on purpose (status-truth issue): an active hold is always named, even when the
          // headline (RETURNED) does not show it.
          expect(facts.some((f) => f.source === 'ERP' && f.fact === 'CREDIT hold active')).toBe(true);
        },
      },
    ],
    nearMiss: [
      {
        when: 'only line 1 was received back (returned 2 < net 3)',
        inputs: () => twoLineOrder({ ...bothDelivered(), returns: [ret('R1', 'RECEIVED', [q(1, 2)], [q(1, 2)])] }),
        rule: 3,
        lines: ['RETURNED', 'DELIVERED'],
      },
    ],
  },
  {
    rule: 3,
    match: [
      {
        when: 'only line 1 was received back',
        inputs: () =>
          twoLineOrder({
            ...bothDelivered(),
            returns: [ret('R1', 'RECEIVED', [q(1, 2)], [q(1, 2)]), ret('R2', 'REQUESTED', [q(2, 1)])],
          }),
        rule: 3,
        lines: ['RETURNED', 'RETURN_INITIATED'],
        facts: (facts) => {
          expectFact(facts, 'WMS', T.returnReceived, 'return R1 received: 2 units');
          expect(facts.filter((f) => f.source === 'WMS')).toHaveLength(1);
        },
      },
    ],
    nearMiss: [
      {
        when: 'both lines have returns in transit and nothing is received',
        inputs: () => twoLineOrder({ ...bothDelivered(), returns: [ret('R1', 'IN_TRANSIT', [q(1, 2), q(2, 1)])] }),
        rule: 4,
        lines: ['RETURN_INITIATED', 'RETURN_INITIATED'],
      },
    ],
  },
  {
    rule: 4,
    match: [
      {
        when: 'a return was approved for one unit of line 1 and another was rejected',
        inputs: () =>
          twoLineOrder({
            ...bothDelivered(),
            returns: [
              ret('R1', 'APPROVED', [q(1, 1)]),
              ret('R2', 'REJECTED', [q(2, 1)], null, { requestedAt: T.returnRequestedLater }),
            ],
          }),
        rule: 4,
        lines: ['RETURN_INITIATED', 'DELIVERED'],
        facts: (facts) => {
          expectFact(facts, 'RETURNS', T.returnRequested, 'return R1 APPROVED: 1 units');
          expect(facts.filter((f) => f.source === 'RETURNS')).toHaveLength(1);
        },
      },
    ],
    nearMiss: [
      {
        when: 'the returns were REJECTED and CANCELLED',
        inputs: () =>
          twoLineOrder({
            ...bothDelivered(),
            returns: [ret('R1', 'REJECTED', [q(1, 1)]), ret('R2', 'CANCELLED', [q(2, 1)])],
          }),
        rule: 6,
        lines: ['DELIVERED', 'DELIVERED'],
      },
    ],
  },
  {
    rule: 5,
    match: [
      {
        when: 'a FRAUD hold is active, line 1 is packed and line 2 backordered, nothing shipped',
        inputs: () =>
          order({
            lines: twoLines({}, { backordered: 1 }),
            holds: [releasedHold('CREDIT', T.otherHoldPlaced), activeHold('FRAUD', T.holdPlaced)],
            fulfillmentOrders: [fo('PACKED', [q(1, 2)])],
          }),
        rule: 5,
        lines: ['ON_HOLD', 'ON_HOLD'],
        facts: (facts) => {
          expectFact(facts, 'ERP', T.holdPlaced, 'FRAUD hold active');
          expectFact(facts, 'WMS', null, 'no shipment handed to a carrier');
          expectFact(facts, 'ERP', T.accepted, 'accepted by the ERP');
          expect(facts.some((f) => f.fact.includes('CREDIT'))).toBe(false);
          expect(facts.some((f) => f.observedAt === T.otherHoldPlaced)).toBe(false);
        },
      },
    ],
    nearMiss: [
      {
        // Changed on purpose (case E): a hold shows while any net unit is unshipped, so the near
        // miss is a hold over an order whose every unit is with the carrier.
        when: 'a hold is active but every unit has shipped (shipped = net)',
        inputs: () =>
          order({
            lines: twoLines(),
            holds: [activeHold('FRAUD')],
            ...shippedAs('S1', 'IN_TRANSIT', [q(1, 2), q(2, 1)]),
          }),
        rule: 8,
        lines: ['SHIPPED', 'SHIPPED'],
      },
      {
        when: 'the only hold has been released',
        inputs: () =>
          order({
            lines: twoLines({}, { backordered: 1 }),
            holds: [releasedHold('FRAUD')],
            fulfillmentOrders: [fo('PACKED', [q(1, 2)])],
          }),
        rule: 10,
        lines: ['IN_FULFILLMENT', 'BACKORDERED'],
      },
    ],
  },
  {
    rule: 6,
    match: [
      {
        when: 'both lines are delivered in two shipments',
        inputs: () => twoLineOrder(bothDelivered()),
        rule: 6,
        lines: ['DELIVERED', 'DELIVERED'],
        facts: (facts) => {
          expectFact(facts, 'CARRIER', T.delivered, 'shipment S1 delivered: 2 units');
          expectFact(facts, 'CARRIER', T.deliveredLater, 'shipment S2 delivered: 1 units');
        },
      },
    ],
    nearMiss: [
      {
        when: 'line 2 is still out for delivery',
        inputs: () =>
          twoLineOrder({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2), q(2, 1)])],
            shipments: [shipment('S1', 'DELIVERED', [q(1, 2)]), shipment('S2', 'OUT_FOR_DELIVERY', [q(2, 1)])],
          }),
        rule: 7,
        lines: ['DELIVERED', 'SHIPPED'],
      },
    ],
  },
  {
    rule: 7,
    match: [
      {
        when: 'line 1 is delivered and line 2 is backordered',
        inputs: () => order({ lines: twoLines({}, { backordered: 1 }), ...shippedAs('S1', 'DELIVERED', [q(1, 2)]) }),
        rule: 7,
        lines: ['DELIVERED', 'BACKORDERED'],
        facts: (facts) => {
          expectFact(facts, 'CARRIER', T.delivered, 'shipment S1 delivered: 2 units');
          expectFact(facts, 'OMS', null, '3 units ordered, 0 cancelled (net 3)');
        },
      },
    ],
    nearMiss: [
      {
        when: 'both lines shipped but no shipment is DELIVERED',
        inputs: () =>
          twoLineOrder({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2), q(2, 1)])],
            shipments: [
              shipment('S1', 'DELIVERY_ATTEMPTED', [q(1, 2)], { deliveredAt: T.delivered }),
              shipment('S2', 'EXCEPTION', [q(2, 1)]),
            ],
          }),
        rule: 8,
        lines: ['SHIPPED', 'SHIPPED'],
      },
    ],
  },
  {
    rule: 8,
    match: [
      {
        when: 'both lines are in one shipment in transit',
        inputs: () => twoLineOrder(shippedAs('S1', 'IN_TRANSIT', [q(1, 2), q(2, 1)])),
        rule: 8,
        lines: ['SHIPPED', 'SHIPPED'],
        facts: (facts) => {
          expectFact(facts, 'WMS', T.shipped, 'shipment S1 handed to carrier: 3 units');
          expectFact(facts, 'CARRIER', T.scanned, 'carrier status IN_TRANSIT');
        },
      },
    ],
    nearMiss: [
      {
        when: 'line 2 is picked but not shipped',
        inputs: () =>
          twoLineOrder({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)]), fo('PICKED', [q(2, 1)])],
            shipments: [shipment('S1', 'IN_TRANSIT', [q(1, 2)])],
          }),
        rule: 9,
        lines: ['SHIPPED', 'IN_FULFILLMENT'],
      },
    ],
  },
  {
    rule: 9,
    match: [
      {
        when: 'line 1 shipped from a store and line 2 is picked at the DC',
        inputs: () =>
          twoLineOrder({
            fulfillmentOrders: [fo('SHIPPED', [q(1, 2)]), fo('PICKED', [q(2, 1)])],
            shipments: [shipment('S1', 'LABEL_CREATED', [q(1, 2)], { shippedAt: T.shippedLater, lastScanAt: null })],
          }),
        rule: 9,
        lines: ['SHIPPED', 'IN_FULFILLMENT'],
        facts: (facts) => {
          expectFact(facts, 'WMS', T.shippedLater, 'shipment S1 handed to carrier: 2 units');
          expectFact(facts, 'CARRIER', null, 'carrier status LABEL_CREATED');
        },
      },
    ],
    nearMiss: [
      {
        when: 'nothing has shipped, line 1 is packed and line 2 only released',
        inputs: () => twoLineOrder({ fulfillmentOrders: [fo('PACKED', [q(1, 2)]), fo('RELEASED', [q(2, 1)])] }),
        rule: 10,
        lines: ['IN_FULFILLMENT', 'ALLOCATED'],
      },
    ],
  },
  {
    rule: 10,
    match: [
      {
        when: 'line 1 is packed and line 2 only released',
        inputs: () => twoLineOrder({ fulfillmentOrders: [fo('PACKED', [q(1, 2)]), fo('RELEASED', [q(2, 1)])] }),
        rule: 10,
        lines: ['IN_FULFILLMENT', 'ALLOCATED'],
        facts: (facts) => {
          expectFact(facts, 'WMS', T.picked, 'fulfillment order PACKED: 2 units');
          expect(facts.filter((f) => f.source === 'WMS')).toHaveLength(1);
        },
      },
    ],
    nearMiss: [
      {
        when: 'line 1 is still being picked',
        inputs: () => twoLineOrder({ fulfillmentOrders: [fo('PICKING', [q(1, 2)]), fo('RELEASED', [q(2, 1)])] }),
        rule: 11,
        lines: ['ALLOCATED', 'ALLOCATED'],
      },
    ],
  },
  {
    rule: 11,
    match: [
      {
        when: 'the lines are sourced to two nodes',
        inputs: () =>
          twoLineOrder({
            fulfillmentOrders: [fo('RELEASED', [q(1, 2)]), fo('PICKING', [q(2, 1)], { allocatedAt: T.allocatedLater })],
          }),
        rule: 11,
        lines: ['ALLOCATED', 'ALLOCATED'],
        facts: (facts) => {
          expectFact(facts, 'OMS', T.allocatedLater, '3 units sourced to 2 fulfillment order(s)');
        },
      },
    ],
    nearMiss: [
      {
        when: 'the node of line 2 cancelled its fulfillment order and line 2 is backordered',
        inputs: () =>
          order({
            lines: twoLines({}, { backordered: 1 }),
            fulfillmentOrders: [fo('RELEASED', [q(1, 2)]), fo('CANCELLED', [q(2, 1)])],
          }),
        rule: 12,
        lines: ['ALLOCATED', 'BACKORDERED'],
      },
    ],
  },
  {
    rule: 12,
    match: [
      {
        when: 'line 1 is sourced and line 2 is backordered',
        inputs: () =>
          order({ lines: twoLines({}, { backordered: 1 }), fulfillmentOrders: [fo('RELEASED', [q(1, 2)])] }),
        rule: 12,
        lines: ['ALLOCATED', 'BACKORDERED'],
        facts: (facts) => {
          expectFact(facts, 'OMS', T.allocated, '2 units sourced to 1 fulfillment order(s)');
          expectFact(facts, 'OMS', null, '1 units backordered');
        },
      },
    ],
    nearMiss: [
      {
        when: 'the only fulfillment order is CANCELLED',
        inputs: () =>
          order({ lines: twoLines({}, { backordered: 1 }), fulfillmentOrders: [fo('CANCELLED', [q(1, 2)])] }),
        rule: 13,
        lines: ['ACCEPTED', 'BACKORDERED'],
      },
    ],
  },
  {
    rule: 13,
    match: [
      {
        when: 'only line 2 waits for stock',
        inputs: () => order({ lines: twoLines({}, { backordered: 1 }) }),
        rule: 13,
        lines: ['ACCEPTED', 'BACKORDERED'],
        facts: (facts) => {
          expect(facts).toEqual([
            { source: 'OMS', fact: '3 units ordered, 0 cancelled (net 3)', observedAt: null },
            { source: 'OMS', fact: '1 units backordered', observedAt: null },
            { source: 'ERP', fact: 'accepted by the ERP', observedAt: T.accepted },
          ]);
        },
      },
    ],
    nearMiss: [
      {
        when: 'no line waits for stock',
        inputs: () => twoLineOrder(),
        rule: 14,
        lines: ['ACCEPTED', 'ACCEPTED'],
      },
    ],
  },
  {
    rule: 14,
    match: [
      {
        when: 'the ERP accepted the order and its hold was released',
        inputs: () => twoLineOrder({ holds: [releasedHold()] }),
        rule: 14,
        lines: ['ACCEPTED', 'ACCEPTED'],
        facts: (facts) => {
          expect(facts).toEqual([
            { source: 'OMS', fact: '3 units ordered, 0 cancelled (net 3)', observedAt: null },
            { source: 'ERP', fact: 'accepted by the ERP', observedAt: T.accepted },
          ]);
        },
      },
    ],
    nearMiss: [
      {
        when: 'the ERP has not accepted the order',
        inputs: () => twoLineOrder({ acceptedAt: null }),
        rule: 15,
        lines: ['PENDING', 'PENDING'],
      },
    ],
  },
  {
    rule: 15,
    match: [
      {
        when: 'the ERP has not accepted the order and nothing else is known',
        inputs: () => twoLineOrder({ acceptedAt: null }),
        rule: 15,
        lines: ['PENDING', 'PENDING'],
        facts: (facts) => {
          expect(facts).toEqual([
            { source: 'OMS', fact: '3 units ordered, 0 cancelled (net 3)', observedAt: null },
            { source: 'ERP', fact: 'not accepted by the ERP', observedAt: null },
          ]);
        },
      },
    ],
    nearMiss: [
      {
        // No rule follows 15; the near miss shows an unaccepted order with one line backordered is not PENDING.
        when: 'the unaccepted order has line 2 backordered',
        inputs: () => order({ acceptedAt: null, lines: twoLines({}, { backordered: 1 }) }),
        rule: 13,
        lines: ['PENDING', 'BACKORDERED'],
      },
    ],
  },
];

describe('deriveOrderStatus: every rule at ORDER level (sums over lines)', () => {
  it('should cover each of the 15 rules with a match (with facts) and a near miss', () => {
    expect(ORDER_CASES.map((c) => c.rule)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    for (const c of ORDER_CASES) {
      expect(c.match.length).toBeGreaterThan(0);
      expect(c.nearMiss.length).toBeGreaterThan(0);
      for (const m of c.match) {
        expect(m.rule).toBe(c.rule);
        expect(m.facts).toBeTypeOf('function');
      }
      for (const n of c.nearMiss) expect(n.rule).not.toBe(c.rule);
    }
  });

  const check = (c: OrderCase): void => {
    const result = deriveOrderStatus(c.inputs());
    expect(result.explanation.rule).toBe(c.rule);
    expect(result.explanation.status).toBe(RULE_STATUS[c.rule]);
    expect(result.explanation.reason).toBeTypeOf('string');
    expect(result.explanation.reason.length).toBeGreaterThan(0);
    expect(result.lines.map((l) => l.status)).toEqual(c.lines);
    // The first fact is always the OMS quantities behind net.
    expect(result.explanation.facts[0]).toMatchObject({ source: 'OMS', observedAt: null });
    // The order's quantities are the sums of its lines'.
    const sums = emptyQuantities();
    for (const l of result.lines) for (const k of QUANTITY_KEYS) sums[k] += l.quantities[k];
    expect(result.quantities).toEqual(sums);
    c.facts?.(result.explanation.facts);
  };

  for (const c of ORDER_CASES) {
    describe(`rule ${c.rule} (${RULE_STATUS[c.rule]})`, () => {
      for (const m of c.match) {
        it(`should give the order rule ${c.rule} ${RULE_STATUS[c.rule]} with its facts when ${m.when}`, () => check(m));
      }
      for (const n of c.nearMiss) {
        it(`should not give the order rule ${c.rule} but rule ${n.rule} ${RULE_STATUS[n.rule]} when ${n.when}`, () =>
          check(n));
      }
    });
  }

  it('should make a delivered line and a backordered line a PARTIALLY_DELIVERED order', () => {
    const result = deriveOrderStatus(
      order({
        lines: [line(1, 1), line(2, 4, { backordered: 4 })],
        ...shippedAs('S9', 'DELIVERED', [q(1, 1)]),
      }),
    );
    expect(result.explanation).toMatchObject({ status: 'PARTIALLY_DELIVERED', rule: 7 });
    expect(result.lines.map((l) => ({ lineNumber: l.lineNumber, status: l.status, rule: l.rule }))).toEqual([
      { lineNumber: 1, status: 'DELIVERED', rule: 6 },
      { lineNumber: 2, status: 'BACKORDERED', rule: 13 },
    ]);
    expect(result.quantities).toMatchObject({ ordered: 5, delivered: 1, backordered: 4 });
    expectFact(result.explanation.facts, 'CARRIER', T.delivered, 'shipment S9 delivered: 1 units');
  });

  it('should ignore a fully cancelled line when summing (net excludes it)', () => {
    const result = deriveOrderStatus(
      order({
        lines: [line(1, 2), line(2, 3, { cancelled: 3 })],
        ...shippedAs('S1', 'DELIVERED', [q(1, 2)]),
      }),
    );
    expect(result.explanation).toMatchObject({ status: 'DELIVERED', rule: 6 });
    expect(result.lines.map((l) => l.status)).toEqual(['DELIVERED', 'CANCELLED']);
  });

  it('should give an order with no lines rule 1 CANCELLED (net 0)', () => {
    const result = deriveOrderStatus(order({ lines: [] }));
    expect(result.lines).toEqual([]);
    expect(result.explanation).toMatchObject({ status: 'CANCELLED', rule: 1 });
  });

  it('should agree with the implementation table: STATUS_RULES[rule − 1] is the derived status', () => {
    expect(STATUS_RULES.map((r) => r.status)).toEqual(Object.values(RULE_STATUS));
    const inputs = [
      ...ORDER_CASES.flatMap((c) => [...c.match, ...c.nearMiss]),
      ...LINE_CASES.flatMap((c) => [...c.match, ...c.nearMiss]),
    ].map((c) => c.inputs());
    for (const i of inputs) {
      const result = deriveOrderStatus(i);
      expect(STATUS_RULES[result.explanation.rule - 1]?.status).toBe(result.explanation.status);
      for (const l of result.lines) expect(STATUS_RULES[l.rule - 1]?.status).toBe(l.status);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Facts: source systems and their timestamps
// ---------------------------------------------------------------------------------------------
describe('statusDetail facts', () => {
  it('should give ON_HOLD one ERP fact per active hold with its placedAt, and a WMS fact without a time', () => {
    const { explanation } = deriveOrderStatus(
      order({ holds: [activeHold('CREDIT', T.holdPlaced), activeHold('ADDRESS', T.otherHoldPlaced)] }),
    );
    expect(explanation).toMatchObject({ status: 'ON_HOLD', rule: 5 });
    expect(explanation.facts).toEqual([
      { source: 'OMS', fact: '2 units ordered, 0 cancelled (net 2)', observedAt: null },
      { source: 'ERP', fact: 'CREDIT hold active', observedAt: T.holdPlaced },
      { source: 'ERP', fact: 'ADDRESS hold active', observedAt: T.otherHoldPlaced },
      { source: 'WMS', fact: 'no shipment handed to a carrier', observedAt: null },
      { source: 'ERP', fact: 'accepted by the ERP', observedAt: T.accepted },
    ]);
  });

  it('should not claim ERP acceptance for an ON_HOLD order the ERP has not accepted', () => {
    const { explanation } = deriveOrderStatus(order({ acceptedAt: null, holds: [activeHold('PAYMENT_REVIEW')] }));
    expect(explanation).toMatchObject({ status: 'ON_HOLD', rule: 5 });
    expect(explanation.facts.filter((f) => f.source === 'ERP')).toEqual([
      { source: 'ERP', fact: 'PAYMENT_REVIEW hold active', observedAt: T.holdPlaced },
    ]);
  });

  it('should give DELIVERED a CARRIER fact with deliveredAt for each delivered shipment only', () => {
    const { explanation } = deriveOrderStatus(
      order({
        lines: [line(1, 2)],
        fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
        shipments: [shipment('S1', 'DELIVERED', [q(1, 2)]), shipment('S2', 'RETURNED_TO_SENDER', [q(99, 1)])],
      }),
    );
    expect(explanation).toMatchObject({ status: 'DELIVERED', rule: 6 });
    expect(explanation.facts.filter((f) => f.source === 'CARRIER')).toEqual([
      { source: 'CARRIER', fact: 'shipment S1 delivered: 2 units', observedAt: T.delivered },
    ]);
  });

  it('should fall back to the last scan for a DELIVERED shipment without deliveredAt', () => {
    const { explanation } = deriveOrderStatus(
      order(shippedAs('S1', 'DELIVERED', [q(1, 2)], { deliveredAt: null, lastScanAt: T.scanned })),
    );
    expectFact(explanation.facts, 'CARRIER', T.scanned, 'shipment S1 delivered: 2 units');
  });

  it('should give SHIPPED a WMS fact with shippedAt and a CARRIER fact with the last scan for each shipment', () => {
    const { explanation } = deriveOrderStatus(
      order({
        fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
        shipments: [
          shipment('S1', 'IN_TRANSIT', [q(1, 1)]),
          shipment('S2', 'UNKNOWN', [q(1, 1)], { shippedAt: T.shippedLater, lastScanAt: null }),
        ],
      }),
    );
    expect(explanation).toMatchObject({ status: 'SHIPPED', rule: 8 });
    expect(explanation.facts.slice(1, 5)).toEqual([
      { source: 'WMS', fact: 'shipment S1 handed to carrier: 1 units', observedAt: T.shipped },
      { source: 'CARRIER', fact: 'carrier status IN_TRANSIT', observedAt: T.scanned },
      { source: 'WMS', fact: 'shipment S2 handed to carrier: 1 units', observedAt: T.shippedLater },
      { source: 'CARRIER', fact: 'carrier status UNKNOWN', observedAt: null },
    ]);
  });

  it('should name a shipment or return without an id generically', () => {
    const shipped = deriveOrderStatus(
      order({
        fulfillmentOrders: [fo('SHIPPED', [q(1, 2)])],
        shipments: [{ shippedAt: T.shipped, lines: [q(1, 2)], status: 'IN_TRANSIT' }],
      }),
    );
    expectFact(shipped.explanation.facts, 'WMS', T.shipped, 'shipment handed to carrier: 2 units');
    expectFact(shipped.explanation.facts, 'CARRIER', null, 'carrier status IN_TRANSIT');
    const initiated = deriveOrderStatus(
      order({
        ...shippedAs('S1', 'DELIVERED', [q(1, 2)]),
        returns: [{ status: 'REQUESTED', lines: [q(1, 1)], receipt: null }],
      }),
    );
    expectFact(initiated.explanation.facts, 'RETURNS', null, 'return REQUESTED: 1 units');
  });

  it('should give IN_FULFILLMENT a WMS fact with pickedAt for each picked fulfillment order only', () => {
    const { explanation } = deriveOrderStatus(
      order({
        lines: [line(1, 4)],
        fulfillmentOrders: [
          fo('PICKED', [q(1, 1)]),
          fo('PICKING', [q(1, 1)]),
          fo('SHIPPED', [q(1, 1)], { pickedAt: null }),
          fo('CANCELLED', [q(1, 1)]),
        ],
      }),
    );
    expect(explanation).toMatchObject({ status: 'IN_FULFILLMENT', rule: 10 });
    expect(explanation.facts.filter((f) => f.source === 'WMS')).toEqual([
      { source: 'WMS', fact: 'fulfillment order PICKED: 1 units', observedAt: T.picked },
      { source: 'WMS', fact: 'fulfillment order SHIPPED: 1 units', observedAt: null },
      // Added on purpose (case H): the declined fulfillment order is named, its units need re-sourcing.
      { source: 'WMS', fact: 'a fulfillment order declined: 1 units need re-sourcing', observedAt: null },
    ]);
  });

  it('should give ALLOCATED an OMS fact with the latest allocatedAt and the count of live fulfillment orders', () => {
    const { explanation } = deriveOrderStatus(
      order({
        lines: [line(1, 2)],
        fulfillmentOrders: [
          fo('RELEASED', [q(1, 1)], { allocatedAt: T.allocatedLater }),
          fo('RELEASED', [q(1, 1)], { allocatedAt: T.allocated }),
        ],
      }),
    );
    expect(explanation).toMatchObject({ status: 'ALLOCATED', rule: 11 });
    expect(explanation.facts[1]).toEqual({
      source: 'OMS',
      fact: '2 units sourced to 2 fulfillment order(s)',
      observedAt: T.allocatedLater,
    });
  });

  it('should not date the allocation fact by a fulfillment order that was cancelled', () => {
    // The cancelled fulfillment order holds no units (it is excluded from the count in the
    // same fact), so its allocatedAt is not evidence of the allocation.
    const { explanation } = deriveOrderStatus(
      order({
        lines: [line(1, 2)],
        fulfillmentOrders: [
          fo('RELEASED', [q(1, 2)], { allocatedAt: T.allocated }),
          fo('CANCELLED', [q(1, 2)], { allocatedAt: T.allocatedLater }),
        ],
      }),
    );
    expect(explanation).toMatchObject({ status: 'ALLOCATED', rule: 11 });
    expect(explanation.facts[1]).toEqual({
      source: 'OMS',
      fact: '2 units sourced to 1 fulfillment order(s)',
      observedAt: T.allocated,
    });
  });

  it('should give RETURNED a WMS fact per receipt with receivedAt, and RETURN_INITIATED a RETURNS fact with requestedAt', () => {
    const returned = deriveOrderStatus(
      order({ ...shippedAs('S1', 'DELIVERED', [q(1, 2)]), returns: [ret('R1', 'CLOSED', [q(1, 2)], [q(1, 2)])] }),
    );
    expect(returned.explanation).toMatchObject({ status: 'RETURNED', rule: 2 });
    // RETURNS facts now also name each return beside the headline (status-truth issue).
    expect(returned.explanation.facts.filter((f) => f.source === 'WMS')).toEqual([
      { source: 'WMS', fact: 'return R1 received: 2 units', observedAt: T.returnReceived },
    ]);
    const initiated = deriveOrderStatus(
      order({
        ...shippedAs('S1', 'DELIVERED', [q(1, 2)]),
        returns: [
          ret('R1', 'REQUESTED', [q(1, 1)], null, { requestedAt: T.returnRequestedLater }),
          ret('R2', 'CANCELLED', [q(1, 1)]),
        ],
      }),
    );
    expect(initiated.explanation).toMatchObject({ status: 'RETURN_INITIATED', rule: 4 });
    expect(initiated.explanation.facts.filter((f) => f.source === 'RETURNS')).toEqual([
      { source: 'RETURNS', fact: 'return R1 REQUESTED: 1 units', observedAt: T.returnRequestedLater },
    ]);
  });

  it('should never give a fact a source outside the SourceSystem vocabulary', () => {
    const allowed: readonly SourceSystem[] = ['ERP', 'OMS', 'WMS', 'CARRIER', 'RETURNS', 'VISIBILITY'];
    for (const c of ORDER_CASES) {
      for (const m of [...c.match, ...c.nearMiss]) {
        for (const f of deriveOrderStatus(m.inputs()).explanation.facts) expect(allowed).toContain(f.source);
      }
    }
  });
});
