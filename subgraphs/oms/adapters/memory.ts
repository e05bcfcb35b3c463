import type { OmsSlice } from '../../../demo/records.js';
import { pushTo } from '../../common/collections.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { OmsCustomer, OmsFulfillmentOrder, OmsNode, OmsOrder, OmsPort, OrderPage, OrderQuery } from '../port.js';

const newestFirst = (a: OmsOrder, b: OmsOrder): number =>
  a.placedAt === b.placedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.placedAt < b.placedAt ? 1 : -1;

/** A seeded in-memory OMS with fault knobs; the embedded default. */
export class MemoryOms implements OmsPort {
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

  constructor(slice: OmsSlice, faults: Partial<FaultKnobs> = {}) {
    this.sim = new SystemSimulator('oms', faults);
    for (const c of slice.customers) {
      this.customers.set(c.id, c);
      if (c.salesforceAccountId) pushTo(this.customersBySalesforce, c.salesforceAccountId, c.id);
    }
    for (const n of slice.nodes) this.nodes.set(n.id, n);
    for (const fo of slice.fulfillmentOrders) this.fulfillmentOrders.set(fo.id, fo);
    for (const o of slice.orders) {
      this.orders.set(o.id, o);
      this.byNumber.set(o.number, o);
    }
    this.reindex();
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
        (q.channel === undefined || o.channel === q.channel) &&
        (q.placedFrom === undefined || o.placedAt >= q.placedFrom) &&
        (q.placedTo === undefined || o.placedAt <= q.placedTo) &&
        (q.fulfillmentNodeId === undefined || o.fulfillmentOrderIds.some((f) => this.fulfillmentOrders.get(f)?.nodeId === q.fulfillmentNodeId));
      const after = q.after;
      const isAfter = (o: OmsOrder): boolean => !after || o.placedAt < after.placedAt || (o.placedAt === after.placedAt && o.id < after.id);
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
      const lists = (this.customersBySalesforce.get(q.salesforceAccountId) ?? []).map((c) => this.byCustomer.get(c) ?? []);
      return lists.length <= 1 ? lists : [lists.flat().sort(newestFirst)];
    }
    if (q.fulfillmentNodeId !== undefined) return [this.byNode.get(q.fulfillmentNodeId) ?? []];
    return [this.sorted];
  }
}
