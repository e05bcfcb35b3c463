/**
 * Measures the demo generator: generation time and retained heap per order, all five systems.
 *
 *   node --expose-gc --import tsx scripts/demo-memory.ts [orders ...]   (default: 100000)
 *
 * Each size runs in a fresh heap state: collect, generate, collect again with the result still
 * referenced, and report (heap after − heap before) / orders.
 */
import { generateDemo } from '../demo/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('demo-memory: run with `node --expose-gc --import tsx scripts/demo-memory.ts [orders ...]`');
  process.exit(2);
}

const sizes = process.argv.slice(2).map(Number);
for (const orders of sizes.length > 0 ? sizes : [100_000]) {
  if (!Number.isSafeInteger(orders) || orders <= 0) {
    console.error(`demo-memory: order counts must be positive integers; received ${String(orders)}`);
    process.exit(2);
  }
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const demo = generateDemo({ orders });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  gc();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  const { oms, erp, wms, carrier, returns } = demo.data;
  console.log(
    JSON.stringify({
      orders,
      generateMs: Math.round(ms),
      retainedMB: Math.round(retained / 2 ** 20),
      bytesPerOrder: Math.round(retained / orders),
      records: {
        customers: oms.customers.length,
        omsFulfillmentOrders: oms.fulfillmentOrders.length,
        payments: erp.payments.length,
        shipments: wms.shipments.length,
        carrierShipments: carrier.shipments.length,
        scans: carrier.shipments.reduce((n, c) => n + c.scans.length, 0),
        returns: returns.returns.length,
      },
    }),
  );
}
