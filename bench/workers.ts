/**
 * More than one core (issue 15, item 4): our gateway through its real entry, `gateway/main.ts`,
 * with GATEWAY_WORKERS=1 and then =2 (the node:cluster primary and its workers, runtime/cluster.ts),
 * in the distributed mode (REDIS_URL and DATABASE_URL), at a fixed arrival rate below saturation;
 * per answered request: the CPU of every gateway process and Redis commands, from which the 16-core
 * figure is estimated (per-core × cores, bounded by one Redis core).
 *
 *   npm run bench:workers                     # 100,000 orders, 50 req/s, 20 s per phase (~5 min)
 *   npm run bench:workers -- --quick          # 10,000 orders, 4 s per phase; JSON + printed table only
 *   npm run bench:workers -- --write-md       # also writes its section of BENCHMARKS.md
 *
 * Processes (none pinned: every one may run on any CPU of this machine): a private redis-server
 * (so that its command counts are ours alone), the five subgraphs and the visibility subgraph in one
 * child (bench/gateways/subgraphs.ts: trust mode, Redis bus, the visibility store on PostgreSQL), the
 * load generator (bench/gateways/load.ts: the gateways bench's workload and credentials, its
 * fixed-rate loop with latency from each request's scheduled time), and the gateway:
 * `node --import tsx gateway/main.ts` with the environment of the gateways bench's (c)/(d)
 * (bench/gateways/targets.ts, `oursEnv`) plus GATEWAY_WORKERS, DATABASE_URL and a STORE_SCHEMA of
 * its own (dropped at the end). GATEWAY_WORKERS=1 is one process (main.ts forks only for 2 or more).
 *
 * Per worker count, two phases, each on a freshly started gateway whose Redis cache entries were
 * deleted first: (c) caching off (CACHE_ENABLED=false), (d) the default configuration. Each phase:
 * a warm-up at the rate on the warm-up sequence, a quiet window (the idle stack's CPU and Redis
 * commands per second), then the measured window on the measured sequence from its start, then a
 * MONITOR sample at the same rate on the requests that follow (how many of the commands came from
 * clients and how many ran inside Lua scripts; MONITOR costs redis-server CPU, so it is kept out of
 * the measured window).
 *
 * Flags: --quick, --rate N (req/s, 50: below what this 2-core machine saturates at with both
 * workers), --duration S (20; quick 4), --warmup S (5; quick 2), --idle S (5; quick 2),
 * --monitor S (4; quick 2), --orders N (100,000; quick 10,000), --workers 1,2, --cores N (16),
 * --shield-rate N (2,000: the shielding run's offered load), --events-per-second N (0),
 * --seed N (1), --write-md / --no-write-md (off unless asked), --report FILE (no run: the table, and
 * with --write-md the section, from a results file of an earlier run, e.g. a run the machine's other
 * work disturbed less than the last).
 * Environment: DATABASE_URL (postgres://127.0.0.1:5432/test).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from './cli.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SubgraphName } from '../gateway/config.js';
import { pgConnection } from '../store/postgres.js';
import { currentAffinity, Proc, procCpuSeconds, procMemory, sleep, tasksetAvailable } from './gateways/proc.js';
import { startRedisServer } from './gateways/redisServer.js';
import { codeState, packageVersions } from './gateways/report.js';
import { freePort, oursEnv, type TargetContext, waitReady } from './gateways/targets.js';
import { credential } from './gateways/workload.js';
import {
  estimate,
  type Estimate,
  type PerRequest,
  perRequest,
  type Rates,
  rates,
  type Reading,
} from './workers/estimate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');

// ---- options ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const { flag, option, num, usage } = parseCli(
  'bench:workers',
  'npm run bench:workers -- [--quick] [--rate N] [--duration S] [--warmup S] [--idle S] [--monitor S] [--orders N] [--workers 1,2] [--cores N] [--shield-rate N] [--events-per-second N] [--seed N] [--write-md|--no-write-md] [--report results/workers-….json]',
  [
    'quick',
    'rate',
    'duration',
    'warmup',
    'idle',
    'monitor',
    'orders',
    'workers',
    'cores',
    'shield-rate',
    'events-per-second',
    'seed',
    'write-md',
    'no-write-md',
    'report',
  ],
  argv,
);
const quick = flag('quick');
const workerCounts = (option('workers') ?? '1,2').split(',').map((w) => {
  const n = Number(w.trim());
  if (!Number.isInteger(n) || n < 1 || n > 64) usage(`--workers: expected counts 1-64, got ${w}`);
  return n;
});
const opts = {
  quick,
  // 50: at 100 req/s the quick run had this 2-core machine 79-99% busy (gateway, subgraphs, load).
  rate: num('rate', 50, 1),
  durationS: num('duration', quick ? 4 : 20, 1, false),
  warmupS: num('warmup', quick ? 2 : 5, 0, false),
  idleS: num('idle', quick ? 2 : 5, 1, false),
  /** Seconds of the MONITOR sample after each measured window (client calls vs commands run inside scripts). */
  monitorS: num('monitor', quick ? 2 : 4, 1, false),
  orders: num('orders', quick ? 10_000 : 100_000, 100),
  workers: [...new Set(workerCounts)],
  cores: num('cores', 16, 1),
  shieldRate: num('shield-rate', 2000, 1),
  eventsPerSecond: num('events-per-second', 0, 0),
  seed: num('seed', 1, 1),
  writeMd: flag('write-md') && !flag('no-write-md'),
};
let command =
  process.env.npm_lifecycle_event === 'bench:workers'
    ? `npm run bench:workers${argv.length ? ` -- ${argv.join(' ')}` : ''}`
    : `node --import tsx bench/workers.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;
const databaseUrl = process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';

// ---- process bookkeeping ----------------------------------------------------------------------------
const started = performance.now();
const log = (msg: string): void =>
  void process.stderr.write(`[workers ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const procs: Proc[] = [];
let tmpDir = '';
let schema = '';
let failing = false;
async function dropSchema(): Promise<void> {
  if (!schema) return;
  const s = schema;
  schema = '';
  const c = new pg.Client(pgConnection(databaseUrl));
  try {
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } catch (err) {
    log(`WARNING: could not drop schema ${s}: ${(err as Error).message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}
function fail(why: string): never {
  if (!failing) {
    failing = true;
    process.stderr.write(`\nbench:workers FAILED: ${why}\n`);
    for (const p of procs) p.kill();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    void dropSchema().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 5000).unref();
  }
  // Wait for the schema to go; process.exit above ends it.
  throw new Error(why);
}
const budgetMs = (quick ? 5 : 30) * 60_000;
setTimeout(() => fail(`gave up after ${budgetMs / 60_000} min (run-time bound)`), budgetMs).unref();
process.on('SIGINT', () => fail('interrupted'));
// fail() throws to stop the caller; from an event handler that would end the process before the schema is dropped.
process.on('uncaughtException', (err) => {
  if (!failing) fail(err.stack ?? err.message);
});

const TSX = ['--import', 'tsx'];
/** Webhooks the lifecycle simulator sends per change (bench/gateways.ts). */
const WEBHOOKS_PER_CHANGE = 1.23;

// ---- /proc: the gateway's process tree --------------------------------------------------------------
/** pid and every descendant (node:cluster workers are children of the primary), from /proc/<pid>/task/<tid>/children. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tids: string[] = [];
    try {
      tids = execFileSync('ls', [`/proc/${p}/task`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(/\s+/))
          if (c && !out.includes(Number(c))) out.push(Number(c));
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

/** Jiffies of all CPUs: busy (everything but idle and iowait) and total, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((x, y) => x + y, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

// ---- Redis -----------------------------------------------------------------------------------------
function parseInfo(text: string): { total: number; calls: Record<string, number> } {
  const total = Number(/^total_commands_processed:(\d+)/m.exec(text)?.[1] ?? NaN);
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return { total, calls };
}

interface Ceiling {
  tool: string;
  placement: string;
  /** ops/s by test and pipelining depth, e.g. { 'GET P1': 80000 }. */
  results: Record<string, number>;
  /** The figure the ceiling uses: the lower of GET and SET without pipelining. */
  opsPerS: number;
}

/**
 * One Redis core's ops/s: `redis-benchmark` (GET and SET, 50 clients, without and with 16-deep
 * pipelining) against the private redis-server before anything else uses it (FLUSHALL after). With
 * taskset, redis-server on the last CPU and the benchmark client on CPU 0 for the duration.
 */
function redisCeiling(port: number, redisPid: number): Ceiling {
  const bin = spawnSync('sh', ['-c', 'command -v redis-benchmark'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) fail('redis-benchmark is not installed (apt-get install redis-tools)');
  const n = os.cpus().length;
  const pin = n >= 2 && tasksetAvailable();
  const all = `0-${n - 1}`;
  if (pin) execFileSync('taskset', ['-a', '-pc', String(n - 1), String(redisPid)], { stdio: 'ignore' });
  const results: Record<string, number> = {};
  const requests = quick ? 50_000 : 200_000;
  try {
    for (const p of [1, 16]) {
      const args = [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-t',
        'get,set',
        '-n',
        String(requests),
        '-c',
        '50',
        '-P',
        String(p),
        '--csv',
      ];
      const out = pin
        ? execFileSync('taskset', ['-c', '0', bin, ...args], { encoding: 'utf8' })
        : execFileSync(bin, args, { encoding: 'utf8' });
      for (const line of out.split('\n')) {
        const m = /^"(GET|SET)","([\d.]+)"/.exec(line);
        if (m) results[`${m[1]} P${p}`] = Number(m[2]);
      }
    }
  } finally {
    if (pin) execFileSync('taskset', ['-a', '-pc', all, String(redisPid)], { stdio: 'ignore' });
  }
  const opsPerS = Math.min(results['GET P1'] ?? NaN, results['SET P1'] ?? NaN);
  if (!Number.isFinite(opsPerS)) fail(`redis-benchmark gave no GET/SET figures: ${JSON.stringify(results)}`);
  return {
    tool: `redis-benchmark -t get,set -n ${requests} -c 50 -P 1 and -P 16 (${spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()})`,
    placement: pin
      ? `redis-server pinned to CPU ${n - 1}, redis-benchmark to CPU 0, for this measurement only`
      : 'not pinned',
    results,
    opsPerS,
  };
}

// ---- phases -----------------------------------------------------------------------------------------
type Config = 'c' | 'd';
const CONFIG_LABEL: Record<Config, string> = { c: '(c) caching off', d: '(d) default configuration' };

interface RateRun {
  offeredRps: number;
  requests: number;
  completed: number;
  connectionErrors: number;
  wallS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  classes: Record<
    'readBefore' | 'new',
    {
      ok: number;
      graphqlErrors: number;
      non200: number;
      unfinished: number;
      errorCodes: Record<string, number>;
      errorSamples: string[];
    }
  >;
  loadCpuSeconds: number;
}

interface PhaseResult {
  workers: number;
  config: Config;
  label: string;
  startMs: number;
  pids: { primary: number; all: number[]; esbuild: number[] };
  idle: Rates;
  measured: Rates;
  run: RateRun;
  answeredOk: number;
  perRequest: PerRequest;
  /** CPU ms per answered request of each gateway process (primary first), gross. */
  perProcessCpuMs: { pid: number; role: string; cpuMs: number }[];
  warmup: { requests: number; answeredOk: number; p99: number } | null;
  rssMB: number;
  /** The MONITOR sample after the measured window: client calls against commands scripts ran inside Redis. */
  monitorSample: {
    requests: number;
    answeredOk: number;
    clientCalls: number;
    luaCommands: number;
    clientShare: number;
    clientCallsPerRequest: number;
    luaCommandsPerRequest: number;
    byClientCommand: Record<string, number>;
  };
  /** Redis calls from clients per answered request (net commands × the client share of the MONITOR sample). */
  clientCalls: number;
  /** Over the measured window, % of one core (machine: % of all CPUs busy). */
  cpuPct: {
    subgraphsCpuPct: number;
    loadGeneratorCpuPct: number;
    machineBusyPct: number;
    gatewayCpuPct: number;
    redisCpuPct: number;
  };
}

async function main(): Promise<void> {
  const code = codeState(root);
  const loadStart = os.loadavg();
  log(`${command} — ${opts.rate} req/s for ${opts.durationS} s per phase, workers ${opts.workers.join(' and ')}`);
  tmpDir = mkdtempSync(join(os.tmpdir(), 'bench-workers-'));
  const secret = `bench-${randomBytes(16).toString('hex')}`;
  schema = `bench_workers_${randomBytes(4).toString('hex')}`;

  // PostgreSQL: the distributed mode needs it (the tracker's store, health reports, the visibility subgraph).
  {
    const c = new pg.Client(pgConnection(databaseUrl));
    try {
      await c.connect();
      await c.query('SELECT 1');
    } catch (err) {
      fail(`PostgreSQL at ${databaseUrl} is not reachable (${(err as Error).message}); set DATABASE_URL`);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  // A private redis-server: only our stack's commands are counted.
  const server = await startRedisServer({ cwd: tmpDir, onUnexpectedExit: fail }).catch((err: unknown) =>
    fail((err as Error).message),
  );
  if (!server) fail('no redis-server binary (apt-get install redis-server)');
  const redis = server.proc;
  procs.push(redis);
  const redisUrl = server.url;
  const info = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: false });
  info.on('error', () => undefined); // reported by the command that fails
  await info.connect(); // startRedisServer resolved once it listens
  log(`redis-server on ${redisUrl} (pid ${redis.pid}); measuring one Redis core with redis-benchmark`);
  const ceiling = redisCeiling(server.port, redis.pid);
  await info.flushall();
  log(`redis-benchmark: ${JSON.stringify(ceiling.results)}`);

  const subgraphs = new Proc({
    name: 'subgraphs',
    command: process.execPath,
    args: [...TSX, join(here, 'gateways', 'subgraphs.ts')],
    cwd: root,
    ipc: true,
    onUnexpectedExit: fail,
    env: {
      ...process.env,
      NODE_ENV: '',
      LOG_LEVEL: 'warn',
      BENCH_ORDERS: String(opts.orders),
      BENCH_SEED: String(opts.seed),
      BENCH_SECRET: secret,
      BENCH_REDIS_URL: redisUrl,
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_STORE_SCHEMA: schema,
    },
  });
  const load = new Proc({
    name: 'load generator',
    command: process.execPath,
    args: [...TSX, join(here, 'gateways', 'load.ts')],
    cwd: here,
    ipc: true,
    env: { ...process.env, NODE_ENV: 'production' },
    onUnexpectedExit: fail,
  });
  procs.push(subgraphs, load);
  const [sg] = await Promise.all([
    subgraphs.waitMessage<{ urls: Record<SubgraphName, string>; orders: number; generatedMs: number; bus: string }>(
      'ready',
      300_000,
    ),
    load.waitMessage('ready', 60_000),
  ]);
  log(`subgraphs up (pid ${subgraphs.pid}, ${sg.orders.toLocaleString('en-US')} orders, ${sg.bus} bus)`);
  if (opts.eventsPerSecond > 0)
    await subgraphs.rpc('lifecycle', { changesPerSecond: opts.eventsPerSecond / WEBHOOKS_PER_CHANGE });
  const perPhase = Math.ceil(opts.rate * opts.durationS) + 100;
  const monitorStart = perPhase;
  const workload = await load.rpc<Record<string, unknown>>(
    'prepare',
    {
      root,
      autocannon: false,
      maxRecorded: 0,
      workload: {
        orders: opts.orders,
        demoSeed: opts.seed,
        zipfS: 1,
        mainLength: Math.max(2000, perPhase + Math.ceil(opts.rate * opts.monitorS) + 100),
        warmLength: Math.max(1000, Math.ceil(opts.rate * opts.warmupS) + 100),
        hotKeys: 256,
        tokenTtlSeconds: 6 * 3600,
      },
    },
    600_000,
  );
  log(`workload: ${JSON.stringify(workload)}`);
  const probeAuthorization = await credential('salesforce', {}, 3600);

  const reading = async (
    pids: number[],
  ): Promise<
    Reading & { perPid: Record<number, number>; subgraphsCpuS: number; machine: { busy: number; total: number } }
  > => {
    const text = await info.info('all');
    const { total, calls } = parseInfo(text);
    const perPid = Object.fromEntries(pids.map((p) => [p, procCpuSeconds(p)]));
    return {
      at: Date.now(),
      gatewayCpuS: Object.values(perPid).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0),
      redisCpuS: procCpuSeconds(redis.pid),
      redisCommands: total,
      commandCalls: calls,
      perPid,
      subgraphsCpuS: procCpuSeconds(subgraphs.pid),
      machine: machineJiffies(),
    };
  };

  const results: PhaseResult[] = [];
  for (const workers of opts.workers) {
    for (const config of ['c', 'd'] as const) {
      // Every phase starts from the same cache: none (versions, the bus and the buckets stay).
      let deleted = 0;
      for (const pattern of ['ovg:cache:*', 'ovg:cache-tag:*', 'ovg:apq:*']) {
        let cursor = '0';
        do {
          const [next, keys] = await info.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length) deleted += await info.del(...keys);
        } while (cursor !== '0');
      }
      const port = await freePort();
      const ctx = { subgraphUrls: sg.urls, redisUrl } as unknown as TargetContext;
      const env: Record<string, string> = {
        ...oursEnv(config === 'c' ? 'ours-nocache' : 'ours', ctx, port, 'throughput'),
        GATEWAY_WORKERS: String(workers),
        DATABASE_URL: databaseUrl,
        STORE_SCHEMA: schema,
      };
      const base: NodeJS.ProcessEnv = { ...process.env };
      for (const k of [
        'REDIS_URL',
        'NODE_ENV',
        'PORT',
        'HOST',
        'CACHE_ENABLED',
        'SUPERGRAPH_PATH',
        'GATEWAY_WORKERS',
        'DATABASE_URL',
        'STORE_SCHEMA',
        'LOG_LEVEL',
      ])
        delete base[k];
      const t0 = performance.now();
      const gw = new Proc({
        name: `gateway ${workers}w ${config}`,
        command: process.execPath,
        args: [...TSX, join(root, 'gateway', 'main.ts')],
        cwd: root,
        env: { ...base, ...env },
        onUnexpectedExit: (why) => fail(why),
      });
      procs.push(gw);
      const url = `http://127.0.0.1:${port}/graphql`;
      // With GATEWAY_WORKERS ≥ 2 the primary also logs once every worker listens.
      await waitReady(
        gw,
        url,
        probeAuthorization,
        120_000,
        () => workers === 1 || gw.log.some((l) => l.includes('all gateway workers listening')),
      ).catch((err: Error) => fail(err.message));
      const startMs = Math.round(performance.now() - t0);
      // tsx's esbuild service is a child of every node process here (transforms at start-up only): not the gateway.
      const tree = processTree(gw.pid);
      const helpers = tree.filter((p) => procComm(p) === 'esbuild');
      const pids = tree.filter((p) => !helpers.includes(p));
      if (pids.length !== (workers > 1 ? workers + 1 : 1))
        fail(
          `expected ${workers > 1 ? `a primary and ${workers} workers` : 'one process'}, found pids ${pids.join(', ')}`,
        );
      log(
        `${CONFIG_LABEL[config]}, GATEWAY_WORKERS=${workers}: up in ${startMs} ms (pids ${pids.join(', ')}; ${deleted} cache keys deleted before)`,
      );

      let warmup: PhaseResult['warmup'] = null;
      if (opts.warmupS > 0) {
        const w = await load.rpc<RateRun>(
          'rate',
          { url, sequence: 'warm', rate: opts.rate, durationS: opts.warmupS, graceS: 5, maxSockets: 64 },
          (opts.warmupS + 30) * 1000,
        );
        warmup = {
          requests: w.requests,
          answeredOk: w.classes.readBefore.ok + w.classes.new.ok,
          p99: w.latencyMs.p99,
        };
      }
      await sleep(1000);
      const i0 = await reading(pids);
      await sleep(opts.idleS * 1000);
      const i1 = await reading(pids);
      const m0 = await reading(pids);
      const run = await load.rpc<RateRun>(
        'rate',
        { url, sequence: 'main', rate: opts.rate, durationS: opts.durationS, graceS: 5, maxSockets: 64, startAt: 0 },
        (opts.durationS + 60) * 1000,
      );
      const m1 = await reading(pids);
      // The MONITOR sample: the same rate, the requests that follow in the sequence, a MONITOR
      // connection open (it costs redis-server CPU, so it is not open in the measured window).
      // "lua" is the source of a command a script ran inside Redis; anything else came from a client.
      const monitor = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      monitor.on('error', () => undefined);
      const seen = { client: 0, lua: 0, byClientCommand: {} as Record<string, number> };
      const mon = await monitor.monitor();
      mon.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === 'lua') seen.lua++;
        else {
          seen.client++;
          const c = String(args[0] ?? '').toLowerCase();
          seen.byClientCommand[c] = (seen.byClientCommand[c] ?? 0) + 1;
        }
      });
      const sample = await load.rpc<RateRun>(
        'rate',
        {
          url,
          sequence: 'main',
          rate: opts.rate,
          durationS: opts.monitorS,
          graceS: 5,
          maxSockets: 64,
          startAt: monitorStart,
        },
        (opts.monitorS + 60) * 1000,
      );
      await sleep(200);
      mon.disconnect();
      monitor.disconnect();
      const sampleOk = sample.classes.readBefore.ok + sample.classes.new.ok;
      const monitorSample = {
        requests: sample.requests,
        answeredOk: sampleOk,
        clientCalls: seen.client,
        luaCommands: seen.lua,
        clientShare: seen.client / Math.max(1, seen.client + seen.lua),
        clientCallsPerRequest: seen.client / Math.max(1, sampleOk),
        luaCommandsPerRequest: seen.lua / Math.max(1, sampleOk),
        byClientCommand: Object.fromEntries(
          Object.entries(seen.byClientCommand)
            .map(([c, n]) => [c, n / Math.max(1, sampleOk)] as const)
            .sort((x, y) => y[1] - x[1]),
        ),
      };
      const windowS = (m1.at - m0.at) / 1000;
      const others = {
        subgraphsCpuPct: (100 * (m1.subgraphsCpuS - m0.subgraphsCpuS)) / windowS,
        loadGeneratorCpuPct: (100 * run.loadCpuSeconds) / windowS,
        machineBusyPct: (100 * (m1.machine.busy - m0.machine.busy)) / Math.max(1, m1.machine.total - m0.machine.total),
        gatewayCpuPct: (100 * (m1.gatewayCpuS - m0.gatewayCpuS)) / windowS,
        redisCpuPct: (100 * (m1.redisCpuS - m0.redisCpuS)) / windowS,
      };
      const idle = rates(i0, i1, 1);
      const measured = rates(m0, m1, 1);
      const answeredOk = run.classes.readBefore.ok + run.classes.new.ok;
      const per = perRequest(measured, idle, answeredOk);
      // Client calls per request: the measured commands per request × the client share of the MONITOR sample.
      const clientCalls = per.redisCommands * monitorSample.clientShare;
      const perProcessCpuMs = pids.map((pid, k) => ({
        pid,
        role: workers === 1 ? 'gateway' : k === 0 ? 'primary' : `worker ${k}`,
        cpuMs: (((m1.perPid[pid] ?? NaN) - (m0.perPid[pid] ?? NaN)) * 1000) / Math.max(1, answeredOk),
      }));
      const rssMB = pids.reduce((s, p) => s + procMemory(p).rss / 1_048_576, 0);
      results.push({
        workers,
        config,
        label: CONFIG_LABEL[config],
        startMs,
        pids: { primary: gw.pid, all: pids, esbuild: helpers },
        idle,
        measured,
        run,
        answeredOk,
        perRequest: per,
        perProcessCpuMs,
        warmup,
        rssMB,
        monitorSample,
        clientCalls,
        cpuPct: others,
      });
      log(
        `  answered OK ${answeredOk} / ${run.requests} offered; p50 ${run.latencyMs.p50.toFixed(1)} ms, p99 ${run.latencyMs.p99.toFixed(1)} ms from the scheduled time; gateway CPU ${per.gatewayCpuMs.toFixed(2)} ms/req (net of idle ${per.gatewayCpuMsNet.toFixed(2)}); Redis ${per.redisCommands.toFixed(2)} commands/req (gross ${per.redisCommandsGross.toFixed(2)}; ${clientCalls.toFixed(2)} client calls), machine ${others.machineBusyPct.toFixed(0)}% busy, subgraphs ${others.subgraphsCpuPct.toFixed(0)}%, ${per.redisCpuMs.toFixed(3)} ms Redis CPU/req; idle: ${idle.gatewayCpuMsPerS.toFixed(0)} gateway CPU ms/s, ${idle.redisCommandsPerS.toFixed(1)} commands/s`,
      );
      gw.stopping = true;
      await gw.stop(20_000);
      procs.splice(procs.indexOf(gw), 1);
    }
  }

  // ---- estimates ------------------------------------------------------------------------------------
  const estimates = results.map((r) => ({
    workers: r.workers,
    config: r.config,
    // (i) counts client calls: a script's inner commands run within its one call (their cost is in (ii)).
    ...summarize(
      estimate({ ...r.perRequest, redisCommands: r.clientCalls }, ceiling.opsPerS, opts.cores),
      opts.shieldRate,
    ),
  }));

  const loadEnd = os.loadavg();
  const cpus = os.cpus();
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    affinityAtStart: currentAffinity(),
    loadAverageStart: loadStart.map((x) => Math.round(x * 100) / 100),
    loadAverageEnd: loadEnd.map((x) => Math.round(x * 100) / 100),
  };
  const changedDuringRun = codeState(root).sourcesSha256 !== code.sourcesSha256;
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = join(resultsDir, `workers-${stamp}${quick ? '-quick' : ''}.json`);
  const report = {
    benchmark: 'workers',
    date: new Date().toISOString(),
    command,
    options: opts,
    machine,
    packages: packageVersions(root, here),
    code: { ...code, changedDuringRun },
    setup: {
      placement: `not pinned: the gateway's processes, the load generator, the subgraphs (one process), redis-server and the runner share the machine's ${cpus.length} CPUs`,
      gateway:
        'node --import tsx gateway/main.ts (the real entry: node:cluster primary + workers for GATEWAY_WORKERS ≥ 2, one process for 1), REDIS_URL = the private redis-server, DATABASE_URL with a schema of its own, env of the gateways bench (c)/(d) (quotas off, the ERP shield sized for an ERP without a limit, TRACKER_SEED=false)',
      subgraphs: `one child process (bench/gateways/subgraphs.ts): the five subgraphs on seeded simulators (generateDemo seed ${opts.seed}, ${sg.orders} orders) and the visibility subgraph on PostgreSQL, trust mode, Redis event bus, rate limits off`,
      events: `${opts.eventsPerSecond} signed webhooks/s`,
      loadGenerator:
        "bench/gateways/load.ts `rate`: fixed arrival rate, own keep-alive node:http loop (≤ 64 sockets), latency from each request's scheduled time; requests unanswered 5 s after the last was due count as unanswered",
      cache:
        'before each phase the Redis cache entries (ovg:cache:*, ovg:cache-tag:*, ovg:apq:*) are deleted and a new gateway started',
      idle: `a ${opts.idleS} s quiet window right before each measured window: the gateway processes' CPU, redis-server's CPU and Redis commands per second; "net" subtracts them over the measured window`,
      workload,
    },
    redisCeiling: ceiling,
    results,
    estimates,
  };
  writeFileSync(resultFile, `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(`\n${table(results, estimates, ceiling)}\nresults: ${relative(root, resultFile)}\n`);
  if (opts.writeMd) {
    if (changedDuringRun) log('NOT writing BENCHMARKS.md: the product sources changed during the run');
    else {
      writeSection(
        markdown({ results, estimates, ceiling, machine, code, resultFile: relative(root, resultFile), workload }),
      );
      log('BENCHMARKS.md: section written');
    }
  }

  await Promise.allSettled([subgraphs.stop(10_000), load.stop(5000)]);
  info.disconnect();
  await redis.stop(5000);
  await dropSchema();
  rmSync(tmpDir, { recursive: true, force: true });
}

function procComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function summarize(e: Estimate, shieldRate: number) {
  return {
    perCoreRps: e.perCoreRps,
    cores: e.cores,
    gatewayRps: e.gatewayRps,
    redisCeilingByOps: e.redisCeilingByOps,
    redisCeilingByCpu: e.redisCeilingByCpu,
    redisCeiling: e.redisCeiling,
    estimateRps: e.estimateRps,
    boundBy: e.boundBy,
    shieldRate,
    coresForShieldRate: e.coresFor(shieldRate),
  };
}
type Summary = ReturnType<typeof summarize> & { workers: number; config: Config };

// ---- report ------------------------------------------------------------------------------------------
const f0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');

function measuredTable(results: readonly PhaseResult[]): string {
  return [
    '| GATEWAY_WORKERS | configuration | answered OK / offered | p50 / p99 ms (from scheduled) | gateway CPU ms / req (net of idle) | split by process, ms / req | Redis commands / req, net (gross) | of which client calls | redis-server CPU ms / req, net | idle: gateway CPU ms/s, Redis commands/s | CPU %: gateway / subgraphs / redis / load; machine busy | RSS MB, all processes |',
    '|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.label} | ${f0(r.answeredOk)} / ${f0(r.run.requests)} | ${f1(r.run.latencyMs.p50)} / ${f1(r.run.latencyMs.p99)} | **${f2(r.perRequest.gatewayCpuMs)}** (${f2(r.perRequest.gatewayCpuMsNet)}) | ${r.perProcessCpuMs.map((p) => `${p.role} ${f2(p.cpuMs)}`).join(', ')} | **${f2(r.perRequest.redisCommands)}** (${f2(r.perRequest.redisCommandsGross)}) | ${f2(r.clientCalls)} | ${f3(r.perRequest.redisCpuMs)} | ${f0(r.idle.gatewayCpuMsPerS)}, ${f1(r.idle.redisCommandsPerS)} | ${f0(r.cpuPct.gatewayCpuPct)} / ${f0(r.cpuPct.subgraphsCpuPct)} / ${f0(r.cpuPct.redisCpuPct)} / ${f0(r.cpuPct.loadGeneratorCpuPct)}; ${f0(r.cpuPct.machineBusyPct)}% | ${f0(r.rssMB)} |`,
    ),
  ].join('\n');
}

function commandsTable(results: readonly PhaseResult[]): string {
  return results
    .map(
      (r) =>
        `- ${r.workers} worker${r.workers > 1 ? 's' : ''}, ${r.label}: ${r.perRequest.byCommand
          .slice(0, 8)
          .map(([c, x]) => `${c} ${f2(x)}`)
          .join(
            ', ',
          )}; client calls in the MONITOR sample (${f0(r.monitorSample.answeredOk)} requests): ${Object.entries(
          r.monitorSample.byClientCommand,
        )
          .slice(0, 6)
          .map(([c, x]) => `${c} ${f2(x)}`)
          .join(', ')}, and ${f2(r.monitorSample.luaCommandsPerRequest)} commands inside scripts`,
    )
    .join('\n');
}

function estimateTable(estimates: readonly Summary[]): string {
  return [
    `| from | per-core req/s (1000 ÷ CPU ms) | × ${estimates[0]?.cores ?? 16} cores (estimate) | Redis ceiling (i): ops/s ÷ client calls | Redis ceiling (ii): 1000 ÷ Redis CPU ms | **${estimates[0]?.cores ?? 16}-core estimate** | bound by | gateway cores for ${f0(estimates[0]?.shieldRate ?? 2000)} req/s |`,
    '|---|---:|---:|---:|---:|---:|---|---:|',
    ...estimates.map(
      (e) =>
        `| ${e.workers} worker${e.workers > 1 ? 's' : ''}, ${CONFIG_LABEL[e.config]} | ${f0(e.perCoreRps)} | ${f0(e.gatewayRps)} | ${f0(e.redisCeilingByOps)} | ${f0(e.redisCeilingByCpu)} | **${f0(e.estimateRps)}** | ${e.boundBy} | ${f1(e.coresForShieldRate)} |`,
    ),
  ].join('\n');
}

function table(results: readonly PhaseResult[], estimates: readonly Summary[], ceiling: Ceiling): string {
  return [
    measuredTable(results),
    '',
    'Redis commands per request, net of idle, by command:',
    commandsTable(results),
    '',
    `One Redis core: ${Object.entries(ceiling.results)
      .map(([k, v]) => `${k} ${f0(v)} ops/s`)
      .join(', ')} (${ceiling.placement}); the ceiling uses ${f0(ceiling.opsPerS)}.`,
    '',
    estimateTable(estimates),
  ].join('\n');
}

/** Item 4 is met when every phase answered what it was offered and the estimate is argued from per-request figures. */
function itemMet(results: readonly PhaseResult[], workers: readonly number[]): { met: boolean; why: string } {
  const missing = [1, 2].filter((w) => !workers.includes(w));
  if (missing.length) return { met: false, why: `GATEWAY_WORKERS ${missing.join(', ')} not measured` };
  const short = results.filter((r) => r.answeredOk < r.run.requests * 0.99);
  if (short.length)
    return {
      met: false,
      why: `answered < 99% of offered in ${short.map((r) => `${r.workers} workers ${r.config}`).join(', ')}: not below saturation, the CPU per request is not a per-request figure`,
    };
  return {
    met: true,
    why: 'every phase answered ≥ 99% of what it was offered; the estimate is per-core × cores, bounded by one Redis core',
  };
}

function markdown(a: {
  results: PhaseResult[];
  estimates: Summary[];
  ceiling: Ceiling;
  machine: Record<string, unknown> & { loadAverageStart: number[]; loadAverageEnd: number[] };
  code: ReturnType<typeof codeState>;
  resultFile: string;
  workload: Record<string, unknown>;
}): string {
  const { results, estimates, ceiling, machine, code } = a;
  const get = (w: number, c: Config) => results.find((r) => r.workers === w && r.config === c);
  const est = (w: number, c: Config) => estimates.find((e) => e.workers === w && e.config === c);
  const d2 = est(2, 'd');
  const d1e = est(1, 'd');
  const d1 = get(1, 'd');
  const d2r = get(2, 'd');
  const c1 = get(1, 'c');
  const c2r = get(2, 'c');
  const verdict = itemMet(results, opts.workers);
  const ratio = (x?: PhaseResult, y?: PhaseResult): string =>
    x && y ? `${f2(y.perRequest.gatewayCpuMs / x.perRequest.gatewayCpuMs)}×` : '–';
  const dirty = code.uncommittedProductFiles?.length
    ? `, uncommitted product files: ${code.uncommittedProductFiles.join(', ')}`
    : ', no uncommitted product changes';
  return `### More than one core: GATEWAY_WORKERS 1 vs 2 (item 4)

\`bench/workers.ts\`: our gateway through its real entry (\`node --import tsx gateway/main.ts\`, the
node:cluster primary and its workers for GATEWAY_WORKERS=2; one process for 1, since main.ts forks
only for 2 or more) in the distributed mode: REDIS_URL a private \`redis-server\` started by the
bench (its command counts are ours alone), DATABASE_URL PostgreSQL with a schema of its own (dropped
at the end), the subgraphs in one child process (the gateways bench's, the visibility subgraph on the
same PostgreSQL schema). The gateways bench's (c)/(d) environment (quotas off, the ERP shield sized
for an ERP without a limit, TRACKER_SEED=false), ${opts.eventsPerSecond} webhooks/s. The same
order-visibility mix and credentials as \`npm run bench\` (70% storefront status, 20% LWC detail, 10%
history; ${f0(opts.orders)} orders, Zipf s = 1), offered at a fixed **${opts.rate} req/s for
${opts.durationS} s** per phase after a ${opts.warmupS} s warm-up at the rate on another sequence,
each phase on a new gateway whose Redis cache entries were deleted first. Latency from each
request's scheduled time (open loop). CPU: \`/proc/<pid>/stat\` utime + stime summed over the
primary and every worker (the process tree from \`/proc/<pid>/task/*/children\`). Redis:
\`total_commands_processed\` and \`INFO commandstats\` deltas; **"net" subtracts what the idle
stack did** (gateway CPU, redis-server CPU, Redis commands per second over a ${opts.idleS} s quiet
window right before each measured window; the bench's own INFO calls are taken off too).

\`\`\`sh
${command}
\`\`\`

- Code: commit \`${(code.commit ?? 'unknown').slice(0, 12)}\`${dirty}.
- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, ${machine.platform}, Node ${machine.node}. Load average (1/5/15 min) at start ${machine.loadAverageStart.join(' / ')}, at end ${machine.loadAverageEnd.join(' / ')}.
- **Nothing is pinned: the gateway's processes, the load generator, the subgraphs, redis-server and
  the runner share the machine's ${machine.cpus} cores.** With 2 workers on 2 shared cores neither
  worker has a core of its own, so req/s and latency here do not say what a second core buys; what
  transfers to another machine is the cost per request — gateway CPU ms and Redis commands — and the
  estimate below is argued from those alone.
- Raw figures: \`${a.resultFile}\`.

${measuredTable(results)}

Redis commands per answered request, net of idle, by command (the largest eight):

${commandsTable(results)}

Per-request gateway CPU at 2 workers against 1: caching off ${ratio(c1, c2r)}, default configuration
${ratio(d1, d2r)}. The primary's own share (accepting each connection and handing it to a worker) is
${[c2r, d2r]
  .filter((r): r is PhaseResult => r !== undefined)
  .map((r) => `${f2(r.perProcessCpuMs[0]?.cpuMs ?? Number.NaN)} ms`)
  .join(' and ')} per request; the rest of any difference is in the workers, which here share the 2
cores with each other and with everything else (machine busy ${[c1, d1, c2r, d2r]
    .filter((r): r is PhaseResult => r !== undefined)
    .map((r) => `${f0(r.cpuPct.machineBusyPct)}%`)
    .join(', ')} in the four phases, in table order).

**The 16-core estimate (an estimate, not a measurement).** Per-core capacity = 1000 ÷ gateway CPU
ms per request (gross: the idle share at ${opts.rate} req/s included); × ${opts.cores} cores assumes
linear scaling with every core a gateway worker and nothing else on it (the subgraphs, Redis and the
load elsewhere). Redis is one single-threaded server, one core: its ceiling is the lower of (i)
\`redis-benchmark\` ops/s ÷ Redis calls from clients per request (the net commands × the share of
client calls among all commands in a MONITOR sample of ${opts.monitorS} s at the same rate right after
the measured window — \`total_commands_processed\` also counts the commands a Lua script runs inside
Redis, which cost no round trip) and (ii) 1000 ÷ redis-server CPU ms per request as measured here
(every command and script included, at this low rate: no batching, so conservative). One Redis core, ${ceiling.tool}, ${ceiling.placement}:
${Object.entries(ceiling.results)
  .map(([k, v]) => `${k} ${f0(v)} ops/s`)
  .join(', ')}; (i) uses the unpipelined ${f0(ceiling.opsPerS)} (the gateway's clients do not pipeline
16 deep; the pipelined figure is what batching could reach). The estimate is the lower of the
gateways' figure and the Redis ceiling. Two limits on reading it: the CPU ms are this machine's
(a shared virtual CPU; another CPU gives other ms, so per-core req/s moves with it, the Redis
commands per request do not), and (d) starts each phase with no cache entries and
${f0(Math.round(opts.rate * opts.warmupS))} warm-up requests, so its measured window is mostly first
reads of its orders: cache writes (the \`eval\`s) weigh more in its Redis cost than they would
with a warm cache.

${estimateTable(estimates)}

**The shielding run's offered load** (${f0(opts.shieldRate)} req/s; answered/offered and latency from
the scheduled time are in the gateways bench's "Shielding run" above) needs ${f0(opts.shieldRate)} ×
(d)'s CPU ms per request ÷ 1000 = ${[d1e, d2]
    .filter((e): e is Summary => e !== undefined)
    .map((e) => `**${f1(e.coresForShieldRate)} gateway cores** (from the ${e.workers}-worker figure)`)
    .join(' or ')}, many times the one core that run gives the gateway (it pins the gateway to CPU 0),
and at (d)'s Redis cost per request more than one Redis core serves (the ceilings above).

Item 4 (the figures exist at 1 and 2 workers, and the ${opts.cores}-core figure is argued from
per-core figures with the Redis ceiling that bounds it): **${verdict.met ? 'MET' : 'MISSED'}** — ${verdict.why}.
`;
}

/** Writes (or replaces) the section inside "## Performance, round two (issue 15)", before its "### Targets (issue 15)". */
function writeSection(section: string): void {
  const file = join(root, 'BENCHMARKS.md');
  const md = readFileSync(file, 'utf8');
  const heading = '### More than one core: GATEWAY_WORKERS 1 vs 2 (item 4)';
  let next: string;
  const at = md.indexOf(`${heading}\n`);
  if (at >= 0) {
    const rest = md.slice(at + heading.length);
    const end = rest.search(/^#{2,3} /m);
    next = `${md.slice(0, at)}${section.trimEnd()}\n\n${end >= 0 ? rest.slice(end) : ''}`;
  } else {
    const round = md.indexOf('## Performance, round two (issue 15)');
    const targets = md.indexOf('### Targets (issue 15)', round);
    if (round < 0 || targets < 0)
      fail('BENCHMARKS.md has no "### Targets (issue 15)" under "## Performance, round two (issue 15)"');
    next = `${md.slice(0, targets)}${section.trimEnd()}\n\n${md.slice(targets)}`;
  }
  writeFileSync(file, next);
}

/** --report FILE: the table and (--write-md) the section from an earlier run's results file. */
function reportFrom(file: string): void {
  const j = JSON.parse(readFileSync(file, 'utf8')) as {
    command: string;
    options: typeof opts;
    machine: Parameters<typeof markdown>[0]['machine'];
    code: ReturnType<typeof codeState>;
    redisCeiling: Ceiling;
    results: PhaseResult[];
    estimates: Summary[];
    setup: { workload: Record<string, unknown> };
  };
  Object.assign(opts, j.options, { writeMd: opts.writeMd });
  command = j.command;
  process.stdout.write(`${table(j.results, j.estimates, j.redisCeiling)}\n`);
  if (opts.writeMd) {
    writeSection(
      markdown({
        results: j.results,
        estimates: j.estimates,
        ceiling: j.redisCeiling,
        machine: j.machine,
        code: j.code,
        resultFile: relative(root, file),
        workload: j.setup.workload,
      }),
    );
    log(`BENCHMARKS.md: section written from ${relative(root, file)}`);
  }
}

if (!existsSync(join(root, 'gateway', 'main.ts'))) fail('gateway/main.ts not found');
const reportFile = option('report');
if (reportFile) reportFrom(reportFile);
else
  main().catch((err: unknown) => {
    if (!failing) fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
  });
