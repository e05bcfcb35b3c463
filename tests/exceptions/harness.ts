import { carrierCodesFor, type ShipmentStatus } from '../../canonical/index.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import type { RunningService } from '../../runtime/http.js';
import { drainDeadLetters, ExceptionEngine, FakeClock, openStore, type VisibilityStore } from '../../store/index.js';
import type { SystemName } from '../../demo/records.js';
import { freshDemo, post, startSubgraph } from '../ingest/harness.js';
import { waitFor } from '../events/harness.js';

/** The five subgraphs with ingest on one bus, the store (PGlite) and the exception engine on a fake clock. */
export interface ExceptionsHarness {
  bus: MemoryEventBus;
  store: VisibilityStore;
  engine: ExceptionEngine;
  clock: FakeClock;
  /** An ISO time `minutes` after the fake clock's now. */
  at(minutes: number): string;
  /** POSTs a signed webhook to `system`'s /ingest; throws unless 200. */
  send(system: SystemName, body: unknown): Promise<void>;
  /** Waits until the engine has handled every event published so far. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function exceptionsHarness(): Promise<ExceptionsHarness> {
  const { data } = freshDemo(20);
  const bus = new MemoryEventBus({ onError: () => undefined });
  const clock = new FakeClock(Date.parse('2026-11-01T00:00:00.000Z'));
  const store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' }, { now: clock.now });
  const engine = new ExceptionEngine({ bus, store, consumer: 'test', sweepTimer: false });
  await engine.start();
  const drain = drainDeadLetters({ bus, store, consumer: 'test', onLetter: (l) => engine.onDeadLetter(l) });
  await drain.ready;
  const services = {} as Record<SystemName, RunningService>;
  for (const name of ['erp', 'oms', 'wms', 'carrier', 'returns'] as const)
    services[name] = await startSubgraph(name, data, bus);
  const count = async (): Promise<number> => {
    const [src, vis] = await Promise.all([
      bus.read(Streams.SOURCE, { count: 100_000 }),
      bus.read(Streams.VISIBILITY, { count: 100_000 }),
    ]);
    return src.length + vis.length;
  };
  return {
    bus,
    store,
    engine,
    clock,
    at: (minutes) => new Date(clock.now() + minutes * 60_000).toISOString(),
    send: async (system, body) => {
      const r = await post(`${services[system].origin}/ingest`, body);
      if (r.status !== 200) throw new Error(`${system} ingest answered ${r.status}: ${JSON.stringify(r.body)}`);
    },
    settle: async () => {
      const n = await count();
      await waitFor('the engine to handle every event', () => engine.handled >= n, 10_000);
    },
    stop: async () => {
      await Promise.all(Object.values(services).map((s) => s.stop()));
      await drain.close();
      await engine.stop();
      await bus.close();
      await store.close();
    },
  };
}

/** Native webhook bodies, one builder per system message used by the tests. */
export const hooks = {
  omsCreated: (id: string, orderId: string, time: string) => ({
    eventId: id,
    eventType: 'ORDER_CREATED',
    eventTime: time,
    orderId,
    order: {
      number: `W${orderId.slice(4)}`,
      channel: 'WEB',
      customer: {
        id: 'CUST-91001',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        salesforceAccountId: '001900000000001AAA',
      },
      lines: [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', description: 'Organic cotton tee', quantity: 2 }],
    },
  }),
  omsCancelled: (id: string, orderId: string, time: string) => ({
    eventId: id,
    eventType: 'ORDER_CANCELLED',
    eventTime: time,
    orderId,
    reasonCode: 'CUSTOMER_REQUEST',
  }),
  wms: (id: string, type: string, orderId: string, time: string, extra: Record<string, unknown> = {}) => ({
    messageId: id,
    messageType: type,
    occurredAt: time,
    nodeId: 'DC-EAST',
    orderId,
    fulfillmentOrderId: `FO-${orderId.slice(4)}-1`,
    ...extra,
  }),
  parcel: (shipmentId: string, quantity = 1) => ({
    shipmentId,
    carrier: 'UPS',
    trackingNumber: `1Z${shipmentId.replace(/\W/g, '')}`,
    lines: [{ lineNumber: 1, quantity }],
  }),
  receipt: (id: string, orderId: string, returnId: string, time: string, quantity = 1) => ({
    messageId: id,
    messageType: 'RETURN_RECEIPT',
    occurredAt: time,
    nodeId: 'DC-EAST',
    orderId,
    returnId,
    lines: [{ lineNumber: 1, quantity, disposition: 'RESTOCK' }],
  }),
  scan: (
    id: string,
    orderId: string,
    shipmentId: string,
    status: ShipmentStatus,
    time: string,
    estimatedDeliveryAt?: string,
  ) => ({
    eventId: id,
    carrier: 'UPS',
    trackingNumber: `1Z${shipmentId.replace(/\W/g, '')}`,
    references: { shipmentId, orderId },
    service: 'Ground',
    scans: [{ code: carrierCodesFor('UPS', status)[0]!, occurredAt: time, description: status, location: null }],
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
  }),
  erp: (id: string, type: string, orderId: string, time: string, extra: Record<string, unknown> = {}) => ({
    notificationId: id,
    eventType: type,
    postedAt: time,
    salesOrder: { orderRef: orderId, salesOrderId: `SO-${orderId.slice(4)}` },
    ...extra,
  }),
  erpAccepted: (id: string, orderId: string, time: string) =>
    hooks.erp(id, 'SALES_ORDER_ACCEPTED', orderId, time, {
      totals: { subtotal: usd('100.00'), tax: usd('8.00'), shipping: usd('5.95'), total: usd('113.95') },
    }),
  ret: (
    id: string,
    topic: string,
    orderId: string,
    returnId: string,
    time: string,
    extra: Record<string, unknown> = {},
  ) => ({
    webhookId: id,
    topic,
    createdAt: time,
    return: { id: returnId, orderId, ...extra },
  }),
};

export const usd = (amount: string) => ({ amount, currency: 'USD' });
