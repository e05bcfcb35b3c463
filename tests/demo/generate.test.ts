import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  deriveOrderStatus,
  DISPOSITIONS,
  headlineContradiction,
  HOLD_TYPES,
  MAX_ID_LENGTH,
  NODE_TYPES,
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  RETURN_STATUSES,
  WAREHOUSE_STATUSES,
  type OrderStatus,
} from '../../canonical/index.js';
import {
  DEMO_CATALOGUE,
  DEMO_SCENARIOS,
  demoOptionsFromEnv,
  generateDemo,
  SCENARIO_STATUSES,
  statusInputsFor,
  type DemoData,
} from '../../demo/index.js';

const demo = generateDemo();
const { data, scenarios } = demo;

const statusOf = (d: DemoData, id: string): OrderStatus => deriveOrderStatus(statusInputsFor(d, id)).explanation.status;
const distinct = <T>(xs: readonly T[]): Set<T> => new Set(xs);

describe('generateDemo', () => {
  it('should produce deep-equal data for the same options', () => {
    expect(generateDemo()).toEqual(demo);
  });

  it('should produce different data for a different seed', () => {
    const other = generateDemo({ seed: 43, orders: 300 });
    const same = generateDemo({ seed: 42, orders: 300 });
    expect(other.data.oms.orders).not.toEqual(same.data.oms.orders);
    expect(other.data.carrier).not.toEqual(same.data.carrier);
  });

  it('should keep the random stream when only some systems are requested', () => {
    const erpOnly = generateDemo({ systems: ['erp'] });
    expect(erpOnly.data.erp).toEqual(data.erp);
    expect(erpOnly.scenarios).toEqual(scenarios);
    expect(erpOnly.data.oms).toEqual({ customers: [], nodes: [], orders: [], fulfillmentOrders: [] });
    expect(erpOnly.data.wms.shipments).toEqual([]);
    expect(erpOnly.data.carrier.shipments).toEqual([]);
    expect(erpOnly.data.returns.returns).toEqual([]);
    const two = generateDemo({ systems: ['carrier', 'returns'] });
    expect(two.data.carrier).toEqual(data.carrier);
    expect(two.data.returns).toEqual(data.returns);
    expect(two.data.erp.orders).toEqual([]);
  });

  it('should include every scenario in the first orders, even for 25 orders', () => {
    const small = generateDemo({ orders: 25 });
    for (const s of DEMO_SCENARIOS) expect(small.scenarios[s].length, s).toBeGreaterThan(0);
    expect(small.data.oms.orders).toHaveLength(25);
    expect(small.data.oms.customers).toHaveLength(10);
  });

  it('should give CUST-00001 at least 60 orders and spread the others unevenly', () => {
    const perCustomer = new Map<string, number>();
    for (const o of data.oms.orders) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
    expect(perCustomer.get('CUST-00001')).toBeGreaterThanOrEqual(60);
    const counts = [...perCustomer.values()];
    expect(Math.max(...counts.slice(1))).toBeGreaterThan(3 * Math.min(...counts));
    expect(data.oms.customers).toHaveLength(400);
    for (const c of data.oms.customers) {
      if (c.salesforceAccountId !== null) expect(c.salesforceAccountId).toMatch(/^001[0-9A-Za-z]{12}[A-Z0-5]{3}$/);
      expect(c.name).not.toBe('');
      expect(c.email).toMatch(/^[a-z.0-9]+@[a-z.]+$/);
    }
    expect(data.oms.customers.some((c) => c.salesforceAccountId === null)).toBe(true);
  });

  it('should draw 1-4 lines of 1-3 units each from a catalogue of about 40 SKUs', () => {
    const lines = data.oms.orders.map((o) => o.lines);
    expect(distinct(lines.map((l) => l.length))).toEqual(new Set([1, 2, 3, 4]));
    expect(distinct(lines.flat().map((l) => l.quantity))).toEqual(new Set([1, 2, 3]));
    expect(lines.filter((ls) => ls.some((l, i) => l.lineNumber !== i + 1))).toEqual([]);
    expect(lines.filter((ls) => distinct(ls.map((l) => l.sku)).size !== ls.length)).toEqual([]);
    expect(DEMO_CATALOGUE.length).toBeGreaterThanOrEqual(35);
    expect(DEMO_CATALOGUE.every((s) => /^\d+\.\d{2}$/.test(s.unitPrice) && s.description !== '')).toBe(true);
    expect(distinct(lines.flat().map((l) => l.finalSale))).toEqual(new Set([true, false]));
  });

  it('should give unique, well-formed ids of at most 64 characters', () => {
    const check = (ids: string[], pattern: RegExp): void => {
      expect(distinct(ids).size).toBe(ids.length);
      expect(ids.filter((id) => !pattern.test(id) || id.length > MAX_ID_LENGTH)).toEqual([]);
    };
    check(
      data.oms.orders.map((o) => o.id),
      /^ORD-\d{6}$/,
    );
    check(
      data.oms.orders.map((o) => o.number),
      /^[WMSCK]\d{6}$/,
    );
    check(
      data.oms.customers.map((c) => c.id),
      /^CUST-\d{5}$/,
    );
    check(
      data.oms.fulfillmentOrders.map((f) => f.id),
      /^FO-\d{6}-\d$/,
    );
    check(
      data.wms.shipments.map((s) => s.id),
      /^SHP-\d{6}-\d$/,
    );
    check(
      data.wms.shipments.map((s) => s.trackingNumber),
      /^[0-9A-Z]{10,22}$/,
    );
    check(
      data.returns.returns.map((r) => r.id),
      /^RET-\d{6}-\d$/,
    );
    check(
      data.returns.returns.flatMap((r) => (r.rmaNumber ? [r.rmaNumber] : [])),
      /^RMA-\d{6}-\d$/,
    );
    check(
      data.erp.payments.map((p) => p.id),
      /^PAY-\d{6}-\d$/,
    );
    check(
      data.erp.orders.map((o) => o.erpSalesOrderId),
      /^SO-\d{6}$/,
    );
    check(
      data.erp.orders.flatMap((o) => o.invoices.map((i) => i.number)),
      /^INV-\d{6}-\d$/,
    );
    check(
      data.erp.orders.flatMap((o) => o.creditMemos.map((c) => c.number)),
      /^CM-\d{6}-\d$/,
    );
    check(
      data.oms.customers.flatMap((c) => (c.salesforceAccountId ? [c.salesforceAccountId] : [])),
      /^001/,
    );
  });

  it('should carry the order id on every record', () => {
    const orderIds = distinct(data.oms.orders.map((o) => o.id));
    const carriers = [
      ...data.oms.fulfillmentOrders,
      ...data.erp.orders,
      ...data.erp.payments,
      ...data.wms.fulfillmentOrders,
      ...data.wms.shipments,
      ...data.wms.receipts,
      ...data.returns.returns,
      ...data.carrier.shipments.map((c) => c.references),
    ];
    expect(carriers.filter((r) => !orderIds.has(r.orderId))).toEqual([]);
    expect(data.erp.orders).toHaveLength(data.oms.orders.length);
  });

  it('should reference existing orders, fulfillment orders, lines and shipments', () => {
    const problems: string[] = [];
    const ok = (cond: boolean, what: string): void => {
      if (!cond) problems.push(what);
    };
    const orders = new Map(data.oms.orders.map((o) => [o.id, o]));
    const omsFos = new Map(data.oms.fulfillmentOrders.map((f) => [f.id, f]));
    const wmsFos = new Map(data.wms.fulfillmentOrders.map((f) => [f.id, f]));
    const nodes = distinct(data.oms.nodes.map((n) => n.id));
    const customers = distinct(data.oms.customers.map((c) => c.id));
    const lineQty = (orderId: string, lineNumber: number): number =>
      orders.get(orderId)?.lines.find((l) => l.lineNumber === lineNumber)?.quantity ?? -1;
    for (const o of data.oms.orders) {
      ok(customers.has(o.customerId), `${o.id} customer`);
      for (const id of o.fulfillmentOrderIds) ok(omsFos.get(id)?.orderId === o.id, `${o.id} fo ${id}`);
    }
    ok(wmsFos.size === omsFos.size, 'every oms fulfillment order has a wms one');
    for (const fo of data.oms.fulfillmentOrders) {
      const w = wmsFos.get(fo.id);
      ok(nodes.has(fo.nodeId), `${fo.id} node`);
      ok(orders.get(fo.orderId)?.fulfillmentOrderIds.includes(fo.id) === true, `${fo.id} listed on its order`);
      ok(w?.orderId === fo.orderId && w.nodeId === fo.nodeId, `${fo.id} wms order and node`);
      for (const l of fo.lines)
        ok(l.quantity > 0 && l.quantity <= lineQty(fo.orderId, l.lineNumber), `${fo.id} line ${l.lineNumber}`);
    }
    const payments = new Map(data.erp.payments.map((p) => [p.id, p]));
    for (const e of data.erp.orders)
      for (const id of e.paymentIds) ok(payments.get(id)?.orderId === e.orderId, `${e.orderId} ${id}`);
    const shipments = new Map(data.wms.shipments.map((s) => [s.id, s]));
    for (const s of data.wms.shipments) {
      const fo = omsFos.get(s.fulfillmentOrderId);
      ok(fo?.orderId === s.orderId, `${s.id} fulfillment order`);
      ok(wmsFos.get(s.fulfillmentOrderId)?.status === 'SHIPPED', `${s.id} from a SHIPPED fulfillment order`);
      for (const l of s.lines) {
        const foLine = fo?.lines.find((x) => x.lineNumber === l.lineNumber);
        ok(
          foLine !== undefined && l.quantity > 0 && l.quantity <= foLine.quantity,
          `${s.id} line ${l.lineNumber} ⊆ its fulfillment order`,
        );
      }
      ok(['UPS', 'FEDEX', 'USPS', 'DHL'].includes(s.carrier), `${s.id} carrier`);
    }
    for (const c of data.carrier.shipments) {
      const s = shipments.get(c.references.shipmentId);
      ok(
        s?.orderId === c.references.orderId && s.trackingNumber === c.trackingNumber && s.carrier === c.carrier,
        `${c.trackingNumber} references`,
      );
    }
    ok(
      distinct(data.carrier.shipments.map((c) => c.trackingNumber)).size === data.carrier.shipments.length,
      'one carrier record per tracking number',
    );
    const returns = new Map(data.returns.returns.map((r) => [r.id, r]));
    for (const rc of data.wms.receipts) {
      const r = returns.get(rc.returnId);
      ok(r?.orderId === rc.orderId, `${rc.returnId} receipt order`);
      ok(
        JSON.stringify(rc.lines.map((l) => [l.lineNumber, l.quantity])) ===
          JSON.stringify(r?.lines.map((l) => [l.lineNumber, l.quantity])),
        `${rc.returnId} receipt lines`,
      );
    }
    for (const r of data.returns.returns)
      for (const l of r.lines) ok(lineQty(r.orderId, l.lineNumber) >= l.quantity, `${r.id} line ${l.lineNumber}`);
    expect(problems).toEqual([]);
  });

  it('should make every order status occur in the default 2000 orders', () => {
    const seen = distinct(data.oms.orders.map((o) => statusOf(data, o.id)));
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('should derive the expected status for every order of every scenario', () => {
    for (const s of DEMO_SCENARIOS) {
      expect(scenarios[s].length, s).toBeGreaterThan(0);
      for (const id of scenarios[s]) expect(SCENARIO_STATUSES[s], `${s} ${id}`).toContain(statusOf(data, id));
    }
    const total = DEMO_SCENARIOS.reduce((n, s) => n + scenarios[s].length, 0);
    expect(total).toBe(data.oms.orders.length);
  });

  it('should show the status-truth cases through the dimensions, and no headline contradicts them', () => {
    const dims = (id: string) => deriveOrderStatus(statusInputsFor(data, id));
    for (const id of scenarios['fulfillment-declined']) {
      expect(dims(id).fulfillmentState, id).toBe('FULFILLMENT_DECLINED');
      expect(
        dims(id).explanation.facts.some(
          (f) => f.source === 'WMS' && /declined \(\w+\): \d+ units need re-sourcing/.test(f.fact),
        ),
        id,
      ).toBe(true);
    }
    for (const id of scenarios['returned-to-sender']) expect(dims(id).fulfillmentState, id).toBe('RETURNING_TO_SENDER');
    for (const id of scenarios['refunded-without-return']) {
      expect(dims(id).returnState, id).toBe('REFUNDED_WITHOUT_RETURN');
      expect(dims(id).refund.state, id).toBe('AGREED');
    }
    for (const o of data.oms.orders) {
      const r = dims(o.id);
      expect(headlineContradiction(r.explanation.status, r.fulfillmentState, r.returnState), o.id).toBeNull();
      expect(r.financialState === 'REFUND_MISMATCH', `${o.id}: the demo's refunds agree`).toBe(false);
    }
  });

  it('should make every return, payment, warehouse, channel, hold, node and disposition value occur', () => {
    const sorted = (xs: Iterable<string>): string[] => [...distinct([...xs])].sort();
    expect(sorted(data.returns.returns.map((r) => r.status))).toEqual([...RETURN_STATUSES].sort());
    expect(sorted(data.erp.payments.map((p) => p.status))).toEqual([...PAYMENT_STATUSES].sort());
    expect(sorted(data.erp.orders.map((o) => o.paymentStatus))).toEqual([...PAYMENT_STATUSES].sort());
    expect(sorted(data.wms.fulfillmentOrders.map((f) => f.status))).toEqual([...WAREHOUSE_STATUSES].sort());
    expect(sorted(data.oms.orders.map((o) => o.channel))).toEqual([...CHANNELS].sort());
    expect(sorted(data.returns.returns.map((r) => r.channel))).toEqual([...CHANNELS].sort());
    expect(sorted(data.erp.orders.flatMap((o) => o.holds.map((h) => h.type)))).toEqual([...HOLD_TYPES].sort());
    expect(sorted(data.oms.nodes.map((n) => n.type))).toEqual([...NODE_TYPES].sort());
    expect(sorted(data.wms.receipts.flatMap((r) => r.lines.map((l) => l.disposition)))).toEqual(
      [...DISPOSITIONS].sort(),
    );
    const nodeType = new Map(data.oms.nodes.map((n) => [n.id, n.type]));
    expect(sorted(data.wms.fulfillmentOrders.map((f) => nodeType.get(f.nodeId)!))).toEqual([...NODE_TYPES].sort());
  });

  it('should reject invalid options', () => {
    expect(() => generateDemo({ orders: -1 })).toThrow(/orders must be an integer ≥ 0; received -1/);
    expect(() => generateDemo({ orders: 1.5 })).toThrow(/orders/);
    expect(() => generateDemo({ customers: 0 })).toThrow(/customers/);
    expect(() => generateDemo({ systems: ['crm' as 'oms'] })).toThrow(
      /systems must list only erp, oms, wms, carrier, returns; received "crm"/,
    );
    expect(generateDemo({ orders: 0 }).data.oms.orders).toEqual([]);
  });
});

describe('demoOptionsFromEnv', () => {
  it('should read DEMO_SEED and DEMO_ORDERS and leave unset or blank ones to the defaults', () => {
    expect(demoOptionsFromEnv({ DEMO_SEED: '7', DEMO_ORDERS: '1000000' })).toEqual({ seed: 7, orders: 1_000_000 });
    expect(demoOptionsFromEnv({})).toEqual({});
    expect(demoOptionsFromEnv({ DEMO_ORDERS: ' ' })).toEqual({});
  });

  it('should name the variable, the expectation and the received value when invalid', () => {
    for (const bad of ['0', '-3', '1.5', 'abc', '1e3', '1000001']) {
      expect(() => demoOptionsFromEnv({ DEMO_ORDERS: bad })).toThrow(
        `DEMO_ORDERS must be a positive integer up to 1000000; received ${JSON.stringify(bad)}`,
      );
    }
    expect(() => demoOptionsFromEnv({ DEMO_SEED: 'x' })).toThrow(
      /^DEMO_SEED must be a positive integer up to 1000000; received "x"$/,
    );
  });
});

describe('the demo sources', () => {
  it('should never read the clock or Math.random', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../demo');
    const generator = [
      'rng',
      'catalogue',
      'customers',
      'scenarios',
      'plan',
      'lifecycle',
      'fulfilment',
      'returnsPlan',
      'materialize',
      'generate',
      'statusInputs',
    ];
    const files = readdirSync(dir).filter((x) => generator.includes(x.replace(/\.ts$/, '')));
    expect(files).toHaveLength(generator.length);
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/Math\.random\(|Date\.now\(|new Date\(\)|performance\.now\(/);
    }
  });
});
