/**
 * `npm run bench:salesforce [-- --quick]`: the Salesforce connector under load (issue "Salesforce,
 * for real", Performance). One process runs the Salesforce API emulator (real HTTP) and one
 * connector replica on the Redis Streams bus; a publisher (its own bus instance) appends
 * synthetic `order.status_changed` events at a fixed rate (tracker off):
 *   1. `--seconds` (60) at `--rate` (200/s) with the org up: lag from publish to record upserted;
 *   2. `--outage` (30) s with the org down (connection refused), publishing on;
 *   3. the org back, publishing stopped: time until every change has landed.
 * Reports lag p50/p95/p99 while up, API calls per 100 changes, and whether every order ended at its
 * newest version (none lost). Targets: p99 ≤ 2 s, ≤ 1.5 calls per 100 changes, 100% landed.
 * Order facts come from a deterministic in-process source (the graph is not under test here).
 *
 * Flags: --quick (3 s, 2 s outage), --rate N, --seconds N, --outage N, --orders N (2000),
 * --write-md (default on in full runs: the `## Salesforce connector` section of BENCHMARKS.md).
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); keys under a unique prefix, removed after.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { cloudEvent, ORDER_STATUS_CHANGED } from '../canonical/index.js';
import { Streams } from '../events/bus.js';
import { RedisEventBus } from '../events/redis.js';
import { defaultSalesforceConfig } from '../connectors/salesforce/config.js';
import { SalesforceConnector } from '../connectors/salesforce/connector.js';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/server.js';
import type { OrderFactsSource } from '../connectors/salesforce/facts.js';
import { RedisVersionClaims } from '../connectors/salesforce/versionClaims.js';
import { createLogger } from '../runtime/logger.js';
import { replaceBenchmarksSection } from './common.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    outage: { type: 'string' },
    orders: { type: 'string' },
    'write-md': { type: 'boolean' },
    'no-write-md': { type: 'boolean' },
  },
});
const quick = values.quick ?? false;
const num = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name}: expected a positive number; received ${JSON.stringify(v)}`);
  return n;
};
const opts = {
  rate: num(values.rate, 200, 'rate'),
  seconds: num(values.seconds, quick ? 3 : 60, 'seconds'),
  outage: num(values.outage, quick ? 2 : 30, 'outage'),
  orders: num(values.orders, 2000, 'orders'),
  writeMd: values['no-write-md'] ? false : (values['write-md'] ?? !quick),
};
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const keyPrefix = `bench:salesforce:${process.pid}-${Date.now().toString(36)}:`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const facts: OrderFactsSource = async (ids) =>
  new Map(
    ids.map((id) => {
      const n = Number(id.replace(/\D/g, ''));
      return [
        id,
        {
          number: `SO-${n}`,
          placedAt: '2026-11-01T10:00:00.000Z',
          salesforceAccountId: `0015e00000${String(n % 100000).padStart(5, '0')}AAA`,
        },
      ];
    }),
  );

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const emulator = await startSalesforceEmulator();
  const publisherBus = new RedisEventBus({ url: redisUrl, keyPrefix });
  const connectorBus = new RedisEventBus({ url: redisUrl, keyPrefix });
  const versions = new RedisVersionClaims({ url: redisUrl, keyPrefix: `${keyPrefix}sf-version:` });
  const connector = new SalesforceConnector({
    bus: connectorBus,
    versions,
    facts,
    logger: createLogger('bench-salesforce', 'error'),
    config: defaultSalesforceConfig({
      loginUrl: emulator.url,
      auth: { flow: 'client_credentials', clientId: 'ovg-connector', clientSecret: 'dev-secret' },
      consumer: 'bench',
    }),
  });
  await connector.start();

  const published = new Map<string, number>(); // `${orderId}#${version}` → publish time
  const lastVersion = new Map<string, number>();
  let phase: 'up' | 'outage' | 'recovery' = 'up';
  const lags: number[] = [];
  emulator.org.onWrite = (object, fields, at) => {
    if (object !== 'Order' || phase !== 'up') return;
    const t = published.get(
      `${String(fields['Order_Visibility_Id__c'])}#${String(fields['Order_Visibility_Version__c'])}`,
    );
    if (t !== undefined) lags.push(at - t);
  };

  let count = 0;
  const publishFor = async (seconds: number): Promise<void> => {
    const perTick = Math.max(1, Math.round(opts.rate / 20));
    const ticks = Math.round((seconds * opts.rate) / perTick);
    const start = Date.now();
    for (let t = 0; t < ticks; t++) {
      const due = start + (t * perTick * 1000) / opts.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      await Promise.all(
        Array.from({ length: perTick }, () => {
          const orderId = `ORD-${String(count++ % opts.orders).padStart(6, '0')}`;
          const version = (lastVersion.get(orderId) ?? 0) + 1;
          lastVersion.set(orderId, version);
          published.set(`${orderId}#${version}`, Date.now());
          return publisherBus.publish(
            Streams.VISIBILITY,
            cloudEvent({
              id: `${orderId}:v${version}`,
              source: 'visibility',
              type: ORDER_STATUS_CHANGED,
              subject: orderId,
              time: new Date().toISOString(),
              data: {
                orderId,
                customerId: null,
                previousStatus: null,
                status: version % 2 ? 'ALLOCATED' : 'SHIPPED',
                version,
              },
            }),
          );
        }),
      );
    }
  };

  const started = Date.now();
  const loadBefore = loadavg();
  await publishFor(opts.seconds);
  const upPublished = count;
  // Every change of the up phase lands (and is timed) before the outage begins: a fixed pause would
  // leave the slowest out of the lag figures. Bounded, in case the connector cannot keep up.
  const handled = (): number => connector.counters.written + connector.counters.stale + connector.counters.superseded;
  for (const until = Date.now() + 30_000; handled() < upPublished && Date.now() < until; ) await sleep(20);
  const callsUp = emulator.org.stats.apiCalls;
  phase = 'outage';
  await emulator.down();
  await publishFor(opts.outage);
  phase = 'recovery';
  const recoveredAt = Date.now();
  await emulator.up();
  const deadline = Date.now() + 300_000;
  while (handled() < count && Date.now() < deadline) await sleep(100);
  const drainMs = Date.now() - recoveredAt;
  let landed = 0;
  for (const [orderId, v] of lastVersion)
    if (emulator.org.find('Order', 'Order_Visibility_Id__c', orderId)?.['Order_Visibility_Version__c'] === v) landed++;

  lags.sort((a, b) => a - b);
  const result = {
    at: new Date().toISOString(),
    quick,
    ...opts,
    redisUrl: redisUrl.replace(/\/\/[^@]*@/, '//***@'),
    published: count,
    publishedWhileUp: upPublished,
    orders: lastVersion.size,
    lagMs: {
      samples: lags.length,
      p50: percentile(lags, 50),
      p95: percentile(lags, 95),
      p99: percentile(lags, 99),
      max: lags.at(-1) ?? NaN,
    },
    apiCalls: {
      whileUp: callsUp,
      total: emulator.org.stats.apiCalls,
      per100WhileUp: (callsUp / upPublished) * 100,
      per100Total: (emulator.org.stats.apiCalls / count) * 100,
    },
    afterOutage: {
      drainMs,
      handled: handled(),
      landedOrders: landed,
      lostOrders: lastVersion.size - landed,
      retries: connector.counters.retries,
      deadLettered: connector.counters.deadLettered,
    },
    counters: connector.counters,
    wallMs: Date.now() - started,
    machine: {
      cores: cpus().length,
      loadavg1Before: loadBefore[0]!,
      loadavg1After: loadavg()[0]!,
      note: 'the emulator, the connector and the publisher share one process; other sessions share the machine',
    },
  };
  await connector.stop();
  await emulator.stop();
  await Promise.all([publisherBus.close(), connectorBus.close(), versions.close()]);
  const r = new Redis(redisUrl);
  for (let cursor = '0'; ; ) {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    if (keys.length) await r.del(...keys);
    if ((cursor = next) === '0') break;
  }
  r.disconnect();

  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `salesforce-${result.at.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const table = [
    '| measure | target | measured |',
    '|---|---|---|',
    `| lag publish → record upserted, p50 / p95 / p99 (org up) | p99 ≤ 2,000 ms | ${f(result.lagMs.p50)} / ${f(result.lagMs.p95)} / ${f(result.lagMs.p99)} ms (${result.lagMs.samples} of ${upPublished} changes timed) |`,
    `| API calls per 100 changes (org up) | ≤ 1.5 | ${f(result.apiCalls.per100WhileUp, 2)} (${result.apiCalls.whileUp} calls for ${upPublished} changes) |`,
    `| API calls per 100 changes (whole run, with the outage) | — | ${f(result.apiCalls.per100Total, 2)} |`,
    `| orders at their newest version after a ${opts.outage} s outage | 100% | ${landed} / ${lastVersion.size} (${f((landed / lastVersion.size) * 100, 1)}%), drained ${f(drainMs)} ms after recovery |`,
  ].join('\n');
  process.stdout.write(`\n${table}\n\nraw: ${file}\n`);
  if (opts.writeMd) {
    replaceBenchmarksSection(
      root,
      'Salesforce connector',
      [
        '## Salesforce connector',
        '',
        `\`npm run bench:salesforce\` (${result.at}): ${opts.rate} synthetic \`order.status_changed\`/s onto the Redis bus for ${opts.seconds} s over ${opts.orders} orders, then the emulated org down ${opts.outage} s (publishing on), then back. One connector replica, jsforce over HTTP to the emulator in the same process. The machine (${result.machine.cores} cores) was shared with other sessions' work: 1-minute load average ${f(result.machine.loadavg1Before, 2)} before, ${f(result.machine.loadavg1After, 2)} after.`,
        '',
        table,
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:salesforce failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
