import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { type Stack, startStack } from '../../embedded/stack.js';
import { RedisEventBus } from '../../events/redis.js';
import { RedisOrderVersions } from '../../events/versions.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { openStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { projectRoot } from '../../runtime/project.js';
import { credential } from '../helpers/http.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sample } from '../helpers/metrics.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const SECRET = 'cluster-test-secret-0123456';

/**
 * One request on a connection of its own (no keep-alive), so that the cluster may hand it to any
 * worker: a POST with `body`, a GET without.
 */
function postOnce(
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          connection: 'close',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

await describePostgres('GATEWAY_WORKERS: one port, several gateway processes (node:cluster)', async () => {
  await describeRedis('GATEWAY_WORKERS: one port, several gateway processes (node:cluster)', () => {
    const prefix = uniquePrefix();
    const schema = uniqueSchema();
    let s: Stack | undefined;
    let child: ChildProcess | undefined;
    let output = '';
    const closers: (() => unknown)[] = [];
    afterAll(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      for (const c of closers.splice(0).reverse()) await c();
      await s?.stop();
      await cleanupPrefix(prefix);
      await dropSchema(schema);
    });
    const lines = (): Record<string, unknown>[] =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    it('should share the port between two workers, push changes from either, replace a dead worker and stop cleanly', {
      timeout: 180_000,
    }, async () => {
      // The subgraphs in this process, on the Redis bus and the PostgreSQL store the workers share.
      const bus = new RedisEventBus({
        url: redisUrl(),
        keyPrefix: prefix,
      });
      closers.push(() => bus.close());
      const store = await openStore({
        databaseUrl: databaseUrl(),
        dataDir: '',
        schema,
      });
      closers.push(() => store.close());
      // The versions ingest bumps, in the Redis the workers read them from: with versions of its
      // own the stack's ingest left the workers' caches (and so their trackers' reads) serving the
      // status a webhook had just replaced, and a worker's tracker could take that for "no change".
      const versions = new RedisOrderVersions({ url: redisUrl(), keyPrefix: prefix });
      closers.push(() => versions.close());
      const demo = generateDemo({ orders: 60 });
      s = await startStack({
        data: demo.data,
        bus,
        versions,
        statusStore: storeStatusStore(store),
        store,
        seedTracker: true,
        webhookSecret: SECRET,
      });
      await s.gateway.tracker!.whenSeeded();

      const env: NodeJS.ProcessEnv = {
        ...process.env,
        VITEST: '',
        LOG_LEVEL: 'info',
        PORT: '0',
        GATEWAY_WORKERS: '2',
        REDIS_URL: redisUrl(),
        REDIS_KEY_PREFIX: prefix,
        DATABASE_URL: databaseUrl(),
        STORE_SCHEMA: schema,
        ...Object.fromEntries(
          Object.entries(s.subgraphs).map(([name, sg]) => [`${name.toUpperCase()}_URL`, sg.service.url]),
        ),
      };
      child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'gateway/main.ts')], {
        cwd: projectRoot(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      await eventually(
        () => lines().some((l) => l.msg === 'all gateway workers listening'),
        90_000,
        `both workers listening; output:\n${output.slice(-2000)}`,
      );
      const port = lines().find((l) => l.msg === 'all gateway workers listening')!.port as number;
      const url = `http://127.0.0.1:${port}/graphql`;
      const workerPids = () =>
        new Set(
          lines()
            .filter((l) => l.msg === 'gateway worker listening')
            .map((l) => l.pid as number),
        );
      expect(workerPids().size).toBe(2);

      // Connections are spread over both workers: the access log of each request names its process.
      const auth = await credential('salesforce');
      const id = demo.scenarios.allocated[0]!;
      const query = JSON.stringify({
        query: `{ order(id: "${id}") { id status } }`,
      });
      const requestIds: string[] = [];
      for (let i = 0; i < 12; i++) {
        const requestId = `cluster-${Date.now()}-${i}`;
        requestIds.push(requestId);
        const r = await postOnce(url, query, {
          ...auth,
          'x-request-id': requestId,
        });
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body)).toEqual({
          data: { order: { id, status: 'ALLOCATED' } },
        });
      }
      const servedBy = () =>
        new Set(
          lines()
            .filter((l) => l.msg === 'request' && requestIds.includes(l.requestId as string))
            .map((l) => l.pid),
        );
      await eventually(() => servedBy().size === 2, 10_000, 'both workers answered');

      // A subscriber on whichever worker its socket landed on gets the change a webhook causes.
      const client = wsClient(url);
      closers.push(() => client.dispose());
      const live = collect(
        client,
        'subscription ($o: ID) { orderStatusChanged(orderId: $o) { status previousStatus } }',
        { o: id },
      );
      // Subscribed once the worker holding the socket counts it; each scrape lands on either worker,
      // so scrape until one does (a fixed pause lost the race on a loaded CI machine).
      const ops = await credential('ops');
      await eventually(
        async () =>
          sample(
            (await postOnce(`http://127.0.0.1:${port}/metrics`, undefined, ops)).body,
            'ovg_subscriptions_active',
          ) >= 1,
        30_000,
        'a worker running the subscription',
      );
      const raw = JSON.stringify({
        notificationId: `ERP-CLUSTER-${Date.now()}`,
        eventType: 'HOLD_PLACED',
        postedAt: new Date().toISOString(),
        salesOrder: { orderRef: id },
        hold: { type: 'CREDIT' },
      });
      const hook = await fetch(s.subgraphs.erp.ingestUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signWebhook(SECRET, raw),
        },
        body: raw,
      });
      expect(hook.status).toBe(200);
      // Read your write on either worker: their caches held ALLOCATED, and the shared versions retire it.
      for (let k = 0; k < 6; k++) {
        const r = await postOnce(url, query, auth);
        expect(JSON.parse(r.body)).toEqual({ data: { order: { id, status: 'ON_HOLD' } } });
      }
      const [change] = await live.waitFor(1, 20_000);
      expect(change!.data.orderStatusChanged).toEqual({
        status: 'ON_HOLD',
        previousStatus: 'ALLOCATED',
      });

      // A worker that dies is replaced; the port keeps answering meanwhile.
      const [victim] = [...workerPids()];
      process.kill(victim!, 'SIGKILL');
      await eventually(
        () => workerPids().size === 3,
        60_000,
        `a replacement worker listening; output:\n${output.slice(-2000)}`,
      );
      expect(lines().some((l) => l.msg === 'gateway worker exited; starting another' && l.signal === 'SIGKILL')).toBe(
        true,
      );
      const after = await postOnce(url, query, auth);
      expect(after.status).toBe(200);

      // SIGINT to the primary stops every worker cleanly, and the primary exits 0.
      await client.dispose();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(lines().filter((l) => l.msg === 'shutting down' && l.signal === 'primary')).toHaveLength(2);
    });
  });
});
