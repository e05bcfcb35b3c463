import { afterAll, afterEach, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { RedisEventBus } from '../../events/redis.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { openStore } from '../../store/index.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const SECRET = 'distributed-test-secret-0123';

await describePostgres('distributed mode: replicas sharing PostgreSQL', async () => {
  await describeRedis('distributed mode: replicas sharing Redis', () => {
    const prefix = uniquePrefix();
    const closers: (() => unknown)[] = [];
    let s: Stack | undefined;
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c();
      await s?.stop();
      s = undefined;
    });
    afterAll(() => cleanupPrefix(prefix));

    const busFor = () => {
      const bus = new RedisEventBus({ url: redisUrl(), keyPrefix: prefix });
      closers.push(() => bus.close());
      return bus;
    };
    // Every replica opens the visibility store on one PostgreSQL schema: the tracker's compare-and-set is on its order row.
    const schema = uniqueSchema();
    afterAll(() => dropSchema(schema));
    const storeFor = async () => {
      const store = await openStore({ databaseUrl: databaseUrl(), dataDir: '', schema });
      closers.push(() => store.close());
      return storeStatusStore(store);
    };

    it('should deliver a webhook ingested once to subscribers on every gateway replica, with one status change', async () => {
      const demo = generateDemo({ orders: 80 });
      s = await startStack({
        data: demo.data,
        bus: busFor(),
        statusStore: await storeFor(),
        seedTracker: true,
        webhookSecret: SECRET,
      });
      const second: GatewayService = await startGateway(
        defaultGatewayConfig({
          port: 0,
          subgraphUrls: Object.fromEntries(Object.entries(s.subgraphs).map(([n, sg]) => [n, sg.service.url])),
        }),
        { bus: busFor(), statusStore: await storeFor(), seedTracker: true },
      );
      closers.push(() => second.stop());
      await s.gateway.tracker!.whenSeeded();
      await second.tracker!.whenSeeded();

      const id = demo.scenarios.allocated[0]!;
      const subs = [s.gateway, second].map((g) => {
        const c = wsClient(g.url);
        closers.push(() => c.dispose());
        return collect(
          c,
          'subscription ($o: ID) { orderStatusChanged(orderId: $o) { status cause { id } order { status } } }',
          { o: id },
        );
      });
      await eventually(
        () => s!.gateway.subscriptions!.hub.size() === 1 && second.subscriptions!.hub.size() === 1,
        5000,
        'both subscribed',
      );

      const raw = JSON.stringify({
        notificationId: 'ERP-DIST-1',
        eventType: 'HOLD_PLACED',
        postedAt: '2026-11-20T10:00:00Z',
        salesOrder: { orderRef: id },
        hold: { type: 'CREDIT' },
      });
      const res = await fetch(s.subgraphs.erp.ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
        body: raw,
      });
      expect(res.status).toBe(200);

      for (const sub of subs) {
        const [m] = await sub.waitFor(1, 10_000);
        expect(m!.data.orderStatusChanged).toMatchObject({ status: 'ON_HOLD', order: { status: 'ON_HOLD' } });
      }
      await new Promise((r) => setTimeout(r, 300));
      for (const sub of subs) expect(sub.messages).toHaveLength(1);
      const reader = busFor();
      const changes = (await reader.read(Streams.VISIBILITY, { count: 1000 })).filter((e) => e.event.subject === id);
      expect(changes).toHaveLength(1);
      expect((s.gateway.tracker?.published ?? 0) + (second.tracker?.published ?? 0)).toBe(1);
    });
  });
});
