/**
 * The lifecycle simulator's view of the shared demo records: every system's records of the orders
 * it keeps in view, indexed for choosing each order's next step.
 */
import type {
  CarrierShipment,
  DemoData,
  ErpOrder,
  ErpPayment,
  OmsFulfillmentOrder,
  OmsOrder,
  ReturnRecord,
  WmsFulfillmentOrder,
  WmsShipment,
} from '../../demo/records.js';
import { pushTo } from '../../subgraphs/common/collections.js';

/** Orders the simulator keeps in view; a bigger demo world is sampled evenly (new orders always join). */
export const VIEW_LIMIT = 5000;

/**
 * Every system's records of the orders in view, indexed from the shared demo data. Ingest only
 * appends records to the slices (and changes them in place), so a refresh indexes the new tails.
 */
export class View {
  readonly orders = new Map<string, OmsOrder>();
  readonly orderIds: string[] = [];
  readonly omsFos = new Map<string, OmsFulfillmentOrder>();
  readonly erp = new Map<string, ErpOrder>();
  readonly payments = new Map<string, ErpPayment>();
  readonly fos = new Map<string, WmsFulfillmentOrder>();
  readonly shipments = new Map<string, WmsShipment[]>();
  readonly receipts = new Set<string>();
  readonly tracking = new Map<string, CarrierShipment>();
  readonly returns = new Map<string, ReturnRecord[]>();
  private readonly tails = new Map<unknown[], number>();

  constructor(private readonly data: DemoData) {}

  private scan<T>(list: T[], orderId: (t: T) => string, add: (t: T) => void): void {
    for (let i = this.tails.get(list) ?? 0; i < list.length; i++) if (this.orders.has(orderId(list[i]!))) add(list[i]!);
    this.tails.set(list, list.length);
  }

  refresh(): void {
    const d = this.data;
    const from = this.tails.get(d.oms.orders) ?? 0;
    const stride = from === 0 ? Math.max(1, Math.ceil(d.oms.orders.length / VIEW_LIMIT)) : 1;
    for (let i = from; i < d.oms.orders.length; i += stride) {
      const o = d.oms.orders[i]!;
      this.orders.set(o.id, o);
      this.orderIds.push(o.id);
    }
    this.tails.set(d.oms.orders, d.oms.orders.length);
    this.scan(
      d.oms.fulfillmentOrders,
      (f) => f.orderId,
      (f) => this.omsFos.set(f.id, f),
    );
    this.scan(
      d.erp.orders,
      (o) => o.orderId,
      (o) => this.erp.set(o.orderId, o),
    );
    this.scan(
      d.erp.payments,
      (p) => p.orderId,
      (p) => this.payments.set(p.id, p),
    );
    this.scan(
      d.wms.fulfillmentOrders,
      (f) => f.orderId,
      (f) => this.fos.set(f.id, f),
    );
    this.scan(
      d.wms.shipments,
      (s) => s.orderId,
      (s) => pushTo(this.shipments, s.orderId, s),
    );
    this.scan(
      d.wms.receipts,
      (r) => r.orderId,
      (r) => this.receipts.add(r.returnId),
    );
    this.scan(
      d.carrier.shipments,
      (s) => s.references.orderId,
      (s) => this.tracking.set(s.references.shipmentId, s),
    );
    this.scan(
      d.returns.returns,
      (r) => r.orderId,
      (r) => pushTo(this.returns, r.orderId, r),
    );
  }
}
