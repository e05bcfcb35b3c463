import type { OmsSlice } from '../records.js';
import { pushTo } from '../../common/collections.js';
import type { FindingLine, IngestFinding } from '../../../canonical/index.js';
import {
  guarded,
  GuardRefusal,
  RecordConflictError,
  type ApplyResult,
  type GuardedApply,
} from '../../common/ingest.js';
import type { UnitsByLine } from '../../common/shipmentLedger.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type {
  OmsCustomer,
  OmsFulfillmentOrder,
  OmsNode,
  OmsOrder,
  OmsPort,
  OmsRecorder,
  OrderPage,
  OrderQuery,
} from '../port.js';

const newestFirst = (a: OmsOrder, b: OmsOrder): number =>
  a.placedAt === b.placedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.placedAt < b.placedAt ? 1 : -1;

/** Inserts `o` into a newest-first list at its place (binary search), unless it is there already. */
function insertSorted(list: OmsOrder[], o: OmsOrder): OmsOrder[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newestFirst(list[mid]!, o) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== o) list.splice(lo, 0, o);
  return list;
}

/**
 * A seeded in-memory OMS with fault knobs; the embedded default. Ingest changes its records in
 * place, appends new ones to the slice it was given and keeps the paging indexes current.
 */
export class MemoryOms implements OmsPort, OmsRecorder {
  readonly sim: SystemSimulator;
  private readonly orders = new Map<string, OmsOrder>();
  private readonly byNumber = new Map<string, OmsOrder>();
  private readonly customers = new Map<string, OmsCustomer>();
  private readonly customersBySalesforce = new Map<string, string[]>();
  private readonly fulfillmentOrders = new Map<string, OmsFulfillmentOrder>();
  private readonly nodes = new Map<string, OmsNode>();
  /** Newest first, overall and per customer / per node: a page is a walk, not a sort. */
  private sorted: OmsOrder[] = [];
  private readonly byCustomer = new Map<string, OmsOrder[]>();
  private readonly byNode = new Map<string, OmsOrder[]>();

  constructor(
    private readonly slice: OmsSlice,
    faults: Partial<FaultKnobs> = {},
  ) {
    this.sim = new SystemSimulator('oms', faults);
    for (const c of slice.customers) this.addCustomer(c);
    for (const n of slice.nodes) this.nodes.set(n.id, n);
    for (const fo of slice.fulfillmentOrders) this.fulfillmentOrders.set(fo.id, fo);
    for (const o of slice.orders) {
      this.orders.set(o.id, o);
      this.byNumber.set(o.number, o);
    }
    this.reindex();
  }

  private addCustomer(c: OmsCustomer): void {
    this.customers.set(c.id, c);
    if (c.salesforceAccountId) pushTo(this.customersBySalesforce, c.salesforceAccountId, c.id);
  }

  private reindex(): void {
    this.sorted = [...this.orders.values()].sort(newestFirst);
    this.byCustomer.clear();
    this.byNode.clear();
    for (const o of this.sorted) {
      pushTo(this.byCustomer, o.customerId, o);
      const seen = new Set<string>();
      for (const foId of o.fulfillmentOrderIds) {
        const nodeId = this.fulfillmentOrders.get(foId)?.nodeId;
        if (nodeId && !seen.has(nodeId)) {
          seen.add(nodeId);
          pushTo(this.byNode, nodeId, o);
        }
      }
    }
  }

  ordersById(ids: readonly string[]) {
    return this.sim.call('ordersById', () => ids.map((id) => this.orders.get(id) ?? null));
  }

  ordersByNumber(numbers: readonly string[]) {
    return this.sim.call('ordersByNumber', () => numbers.map((n) => this.byNumber.get(n) ?? null));
  }

  customersById(ids: readonly string[]) {
    return this.sim.call('customersById', () => ids.map((id) => this.customers.get(id) ?? null));
  }

  fulfillmentOrdersById(ids: readonly string[]) {
    return this.sim.call('fulfillmentOrdersById', () => ids.map((id) => this.fulfillmentOrders.get(id) ?? null));
  }

  nodesById(ids: readonly string[]) {
    return this.sim.call('nodesById', () => ids.map((id) => this.nodes.get(id) ?? null));
  }

  findOrders(q: OrderQuery): Promise<OrderPage> {
    return this.sim.call('findOrders', () => {
      const candidates = this.candidates(q);
      const matches = (o: OmsOrder): boolean =>
        (q.customerId === undefined || o.customerId === q.customerId) &&
        // Checked here too: with customerId also given (a storefront caller's row rule adds it), the candidates are that customer's.
        (q.salesforceAccountId === undefined ||
          this.customers.get(o.customerId)?.salesforceAccountId === q.salesforceAccountId) &&
        (q.channel === undefined || o.channel === q.channel) &&
        (q.placedFrom === undefined || o.placedAt >= q.placedFrom) &&
        (q.placedTo === undefined || o.placedAt <= q.placedTo) &&
        (q.fulfillmentNodeId === undefined ||
          o.fulfillmentOrderIds.some((f) => this.fulfillmentOrders.get(f)?.nodeId === q.fulfillmentNodeId));
      const after = q.after;
      const isAfter = (o: OmsOrder): boolean =>
        !after || o.placedAt < after.placedAt || (o.placedAt === after.placedAt && o.id < after.id);
      const orders: OmsOrder[] = [];
      let totalCount = 0;
      let hasNextPage = false;
      for (const list of candidates) {
        for (const o of list) {
          if (!matches(o)) continue;
          totalCount++;
          if (!isAfter(o)) continue;
          if (orders.length < q.first) orders.push(o);
          else hasNextPage = true;
        }
      }
      return { orders, totalCount, hasNextPage };
    });
  }

  /** The smallest pre-sorted list(s) that can hold every match. */
  private candidates(q: OrderQuery): OmsOrder[][] {
    if (q.customerId !== undefined) return [this.byCustomer.get(q.customerId) ?? []];
    if (q.salesforceAccountId !== undefined) {
      const lists = (this.customersBySalesforce.get(q.salesforceAccountId) ?? []).map(
        (c) => this.byCustomer.get(c) ?? [],
      );
      return lists.length <= 1 ? lists : [lists.flat().sort(newestFirst)];
    }
    if (q.fulfillmentNodeId !== undefined) return [this.byNode.get(q.fulfillmentNodeId) ?? []];
    return [this.sorted];
  }

  placeOrder(order: OmsOrder, customer: OmsCustomer): ApplyResult {
    const existing = this.orders.get(order.id);
    if (existing) {
      const differs = contradiction(existing, order);
      if (differs)
        throw new GuardRefusal(
          'ORDER_CONTRADICTS_RECORD',
          `order ${order.id} exists with ${differs.field} ${JSON.stringify(differs.recorded)}; ORDER_CREATED says ${JSON.stringify(differs.reported)}`,
          { reported: { [differs.field]: differs.reported }, applied: { [differs.field]: differs.recorded } },
        );
      return 'applied';
    }
    const sameNumber = this.byNumber.get(order.number);
    if (sameNumber)
      throw new RecordConflictError(`order number ${order.number} already belongs to order ${sameNumber.id}`);
    if (!this.customers.has(customer.id)) {
      this.addCustomer(customer);
      this.slice.customers.push(customer);
    }
    this.orders.set(order.id, order);
    this.byNumber.set(order.number, order);
    this.slice.orders.push(order);
    insertSorted(this.sorted, order);
    this.byCustomer.set(order.customerId, insertSorted(this.byCustomer.get(order.customerId) ?? [], order));
    for (const foId of order.fulfillmentOrderIds) this.indexNode(order, foId);
    return 'applied';
  }

  private indexNode(order: OmsOrder, foId: string): void {
    const nodeId = this.fulfillmentOrders.get(foId)?.nodeId;
    if (nodeId) this.byNode.set(nodeId, insertSorted(this.byNode.get(nodeId) ?? [], order));
  }

  private order(orderId: string): OmsOrder {
    const o = this.orders.get(orderId);
    if (!o) throw new RecordConflictError(`order ${orderId} is unknown to the OMS; its ORDER_CREATED must come first`);
    return o;
  }

  private line(order: OmsOrder, lineNumber: number) {
    const line = order.lines.find((l) => l.lineNumber === lineNumber);
    if (!line)
      throw new RecordConflictError(
        `order ${order.id} has no line ${lineNumber}; its lines are ${order.lines.map((l) => l.lineNumber).join(', ')}`,
      );
    return line;
  }

  /** Units of a line sourced to nodes, as the OMS knows them. */
  private allocatedOf(order: OmsOrder, lineNumber: number): number {
    let n = 0;
    for (const id of order.fulfillmentOrderIds)
      for (const l of this.fulfillmentOrders.get(id)?.lines ?? []) if (l.lineNumber === lineNumber) n += l.quantity;
    return n;
  }

  /** Sets a line's cancelled units to at most what has not shipped; returns the refused part. */
  private cancelUnits(
    order: OmsOrder,
    line: OmsOrder['lines'][number],
    requested: number,
    dispatched: number,
  ): FindingLine | null {
    const applied = Math.max(line.cancelledQuantity, Math.min(requested, line.quantity - dispatched));
    line.cancelledQuantity = applied;
    const net = line.quantity - applied;
    line.backorderedQuantity = Math.max(
      0,
      Math.min(line.backorderedQuantity, net - this.allocatedOf(order, line.lineNumber)),
    );
    return applied < requested ? { lineNumber: line.lineNumber, reported: requested, applied } : null;
  }

  cancelLine(
    orderId: string,
    lineNumber: number,
    cancelledQuantity: number,
    dispatched = 0,
  ): ApplyResult | GuardedApply {
    const order = this.order(orderId);
    const line = this.line(order, lineNumber);
    if (cancelledQuantity > line.quantity)
      throw new RecordConflictError(
        `line ${lineNumber} of order ${orderId} has ${line.quantity} units; cannot cancel ${cancelledQuantity}`,
      );
    if (cancelledQuantity < line.cancelledQuantity) return 'stale';
    const refused = this.cancelUnits(order, line, cancelledQuantity, dispatched);
    return guarded(refused ? [cancelRefusal([refused])] : []);
  }

  cancelOrder(orderId: string, dispatched: UnitsByLine = new Map()): ApplyResult | GuardedApply {
    const order = this.order(orderId);
    const refused: FindingLine[] = [];
    for (const line of order.lines) {
      const r = this.cancelUnits(order, line, line.quantity, dispatched.get(line.lineNumber) ?? 0);
      if (r) refused.push(r);
    }
    return guarded(refused.length ? [cancelRefusal(refused)] : []);
  }

  allocate(fo: OmsFulfillmentOrder): ApplyResult {
    const existing = this.fulfillmentOrders.get(fo.id);
    if (existing) {
      if (existing.orderId !== fo.orderId)
        throw new RecordConflictError(
          `fulfillment order ${fo.id} belongs to order ${existing.orderId}, not ${fo.orderId}`,
        );
      return 'applied';
    }
    const order = this.order(fo.orderId);
    if (!this.nodes.has(fo.nodeId))
      throw new RecordConflictError(
        `node ${fo.nodeId} is unknown to the OMS; known nodes are ${[...this.nodes.keys()].join(', ')}`,
      );
    for (const l of fo.lines) {
      const line = this.line(order, l.lineNumber);
      line.backorderedQuantity = Math.max(0, line.backorderedQuantity - l.quantity);
    }
    this.fulfillmentOrders.set(fo.id, fo);
    this.slice.fulfillmentOrders.push(fo);
    order.fulfillmentOrderIds.push(fo.id);
    this.indexNode(order, fo.id);
    return 'applied';
  }

  backorder(
    orderId: string,
    lines: readonly { lineNumber: number; backorderedQuantity: number }[],
  ): ApplyResult | GuardedApply {
    const order = this.order(orderId);
    const targets = lines.map((l) => [this.line(order, l.lineNumber), l.backorderedQuantity] as const);
    const capped: FindingLine[] = [];
    for (const [line, quantity] of targets) {
      const open = Math.max(0, line.quantity - line.cancelledQuantity - this.allocatedOf(order, line.lineNumber));
      line.backorderedQuantity = Math.min(quantity, open);
      if (quantity > open)
        capped.push({ lineNumber: line.lineNumber, reported: quantity, applied: line.backorderedQuantity });
    }
    return guarded(
      capped.length
        ? [
            {
              kind: 'corrected',
              reason: 'BACKORDER_EXCEEDS_OPEN',
              lines: capped,
              message: `backordered units are capped at each line's open units (ordered − cancelled − allocated): ${capped.map((c) => `line ${c.lineNumber} ${c.reported} → ${c.applied}`).join(', ')}`,
            },
          ]
        : [],
    );
  }
}

/** The refusal of cancelling units already handed to a carrier. */
function cancelRefusal(lines: FindingLine[]): IngestFinding {
  return {
    kind: 'refused',
    reason: 'CANCEL_AFTER_SHIPMENT',
    lines,
    message: `a cancellation applies to unshipped units only: ${lines.map((l) => `line ${l.lineNumber} asked ${l.reported}, cancelled ${l.applied}`).join('; ')}`,
  };
}

/** The first field in which a re-sent ORDER_CREATED contradicts the recorded order, or null. */
function contradiction(
  recorded: OmsOrder,
  sent: OmsOrder,
): { field: string; recorded: unknown; reported: unknown } | null {
  if (recorded.customerId !== sent.customerId)
    return { field: 'customerId', recorded: recorded.customerId, reported: sent.customerId };
  if (recorded.number !== sent.number) return { field: 'number', recorded: recorded.number, reported: sent.number };
  if (recorded.channel !== sent.channel)
    return { field: 'channel', recorded: recorded.channel, reported: sent.channel };
  const shape = (o: OmsOrder) => o.lines.map((l) => `${l.lineNumber}:${l.sku}:${l.quantity}`).join(',');
  if (shape(recorded) !== shape(sent)) return { field: 'lines', recorded: shape(recorded), reported: shape(sent) };
  return null;
}
