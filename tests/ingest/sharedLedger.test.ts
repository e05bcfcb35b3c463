import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import type { RunningService } from '../../runtime/http.js';
import { busRedeliverer, openStore, replayDeadLetters, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import type { ErpNotification } from '../../subgraphs/erp/ingest.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';
import { after, freshDemo, post, SECRET } from './harness.js';

const ORDER_ID = 'ORD-900001';
const usd = (amount: string) => ({ amount, currency: 'USD' });
const accepted: ErpNotification = {
  notificationId: 'n-acc',
  eventType: 'SALES_ORDER_ACCEPTED',
  postedAt: after(1),
  salesOrder: { orderRef: ORDER_ID, salesOrderId: 'SO-900001' },
  totals: { subtotal: usd('100.00'), tax: usd('8.00'), shipping: usd('5.95'), total: usd('113.95') },
};
const hold: ErpNotification = {
  notificationId: 'n-hold',
  eventType: 'HOLD_PLACED',
  postedAt: after(5),
  salesOrder: { orderRef: ORDER_ID },
  hold: { type: 'FRAUD', reason: 'check' },
};

/** Two handles on one store: the same object (PGlite, one process) or two connections (PostgreSQL). */
type OpenPair = () => Promise<[VisibilityStore, VisibilityStore]>;

function sharedLedgerSuite(engine: string, openPair: OpenPair): void {
  describe(`ingest on the shared store's ledger (${engine})`, () => {
    const closers: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c();
    });

    const replica = async (store: VisibilityStore, bus: MemoryEventBus): Promise<RunningService> => {
      const service = await startErp({
        port: 0,
        bus,
        webhookSecret: SECRET,
        system: new MemoryErp(freshDemo(20).data.erp),
        ledger: store.ledger,
        keepRefused: async (l) => void (await store.deadLetters.recordIngest(l)),
      });
      closers.push(() => service.stop());
      return service;
    };
    const setup = async () => {
      const [a, b] = await openPair();
      const bus = new MemoryEventBus();
      closers.push(() => bus.close());
      return {
        a,
        b,
        bus,
        published: async () => (await bus.read(Streams.SOURCE, { count: 1000 })).map((e) => e.event.id),
      };
    };

    it('should answer duplicate and publish nothing when the same bytes are re-sent after a subgraph restart', async () => {
      const { a, b, bus, published } = await setup();
      const first = await replica(a, bus);
      expect((await post(`${first.origin}/ingest`, accepted)).body).toEqual({
        status: 'applied',
        events: ['erp:n-acc'],
      });
      await first.stop();
      const restarted = await replica(b, bus);
      const again = await post(`${restarted.origin}/ingest`, accepted);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'duplicate', events: [], duplicates: ['erp:n-acc'] });
      expect(await published()).toEqual(['erp:n-acc']);
    });

    it('should apply and publish one change when the same webhook reaches two replicas sharing the store', async () => {
      const { a, b, bus, published } = await setup();
      const [r1, r2] = [await replica(a, bus), await replica(b, bus)];
      const answers = await Promise.all([post(`${r1.origin}/ingest`, accepted), post(`${r2.origin}/ingest`, accepted)]);
      expect(answers.filter((x) => x.status === 200 && x.body.status === 'applied')).toHaveLength(1);
      // The other one saw it done (duplicate) or still in progress (503: retry), never applied twice.
      for (const x of answers.filter((y) => y.body.status !== 'applied')) {
        expect(x.status === 200 ? x.body.status : x.status).toBe(x.status === 200 ? 'duplicate' : 503);
      }
      for (const r of [r1, r2]) expect((await post(`${r.origin}/ingest`, accepted)).body.status).toBe('duplicate');
      expect(await published()).toEqual(['erp:n-acc']);
    });

    it('should keep a webhook refused with 409 as an ingest letter and, once it can apply, replay it exactly once', async () => {
      const { a, bus, published } = await setup();
      const erp = await replica(a, bus);
      const refused = await post(`${erp.origin}/ingest`, hold, { headers: { authorization: 'Bearer sender-token' } });
      expect(refused.status).toBe(409);
      const [letter] = (await a.deadLetters.list({ kind: 'ingest', state: 'open' }, 10)).nodes;
      // It names the order and the event it was planned into, so the order's DEAD_LETTER exception opens and the console links it.
      expect(letter).toMatchObject({
        kind: 'ingest',
        system: 'erp',
        orderId: ORDER_ID,
        eventId: 'erp:n-hold',
        rawBody: JSON.stringify(hold),
        error: expect.stringMatching(/^409: .*unknown to the ERP/),
      });
      expect(letter!.headers).not.toHaveProperty('authorization');
      expect(await published()).toEqual([]);

      expect((await post(`${erp.origin}/ingest`, accepted)).body.status).toBe('applied');
      const redeliver = busRedeliverer({
        bus,
        ingestUrl: (s) => (s === 'erp' ? `${erp.origin}/ingest` : undefined),
        sign: (_s, raw) => signWebhook(SECRET, raw),
      });
      const who = { actor: 'ops-bob', reason: 'the order exists now' };
      const outcomes = (
        await Promise.all([1, 2].map(() => replayDeadLetters(a, redeliver, { id: letter!.id }, who)))
      ).flat();
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['noop', 'replayed']);
      expect(await published()).toEqual(['erp:n-acc', 'erp:n-hold']);
      expect((await post(`${erp.origin}/ingest`, hold)).body.status).toBe('duplicate');
      expect(await published()).toEqual(['erp:n-acc', 'erp:n-hold']);
      expect(await a.deadLetters.depth()).toEqual({ consumer: 0, ingest: 0 });
    });
  });
}

sharedLedgerSuite('PGlite, one store in process', async () => {
  const s = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
  return [s, s];
});

await describePostgres('shared ledger on PostgreSQL', () => {
  const schemas: string[] = [];
  const opened: VisibilityStore[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    for (const s of schemas) await dropSchema(s);
  });
  sharedLedgerSuite('PostgreSQL, two connections', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const a = await openStore({ databaseUrl: databaseUrl(), dataDir: '', schema });
    const b = await openStore({ databaseUrl: databaseUrl(), dataDir: '', schema });
    opened.push(a, b);
    return [a, b];
  });
});
