/**
 * What our gateway spends while it answers nothing: every replica reads every event (cache purges,
 * lag metrics, subscriptions), so at a steady flow of webhooks an idle gateway still uses CPU the
 * peers of `npm run bench` do not. Runs the bench's subgraph process (bench/gateways/subgraphs.ts:
 * the five subgraphs and the lifecycle simulator posting webhooks to their /ingest) on a private
 * redis-server, and our gateway as the gateways bench starts it (bench/gateways/ours.ts, `oursEnv`),
 * then reads the gateway process's CPU (user and system, /proc) over a window in which no request
 * is made.
 *
 *   npm run bench:idle                                   # (c) caching off, 200 webhooks/s, 20 s
 *   npm run bench:idle -- --target d --events-per-second 200 --seconds 15 --repeat 4
 *
 * Prints one line per window and writes nothing else; the first window after the start runs
 * higher (the process warming up), so compare later ones. The gateway's variables pass through
 * from the environment.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { parseCli } from './cli.js';
import { Proc, procCpuTimes, sleep } from './gateways/proc.js';
import { startRedisServer } from './gateways/redisServer.js';
import { freePort, oursEnv, type TargetContext } from './gateways/targets.js';
import { projectRoot } from '../runtime/project.js';

const { option, num, usage } = parseCli(
  'bench:idle',
  'npm run bench:idle -- [--target c|d] [--events-per-second N] [--seconds S] [--repeat N] [--orders N]',
  ['target', 'events-per-second', 'seconds', 'repeat', 'orders'],
);
const target = option('target') ?? 'c';
if (target !== 'c' && target !== 'd')
  usage(`--target: expected c (caching off) or d (default configuration), got ${target}`);
const kind = target === 'c' ? 'ours-nocache' : 'ours';
const eventsPerSecond = num('events-per-second', 200, 0);
const seconds = num('seconds', 20, 1);
const repeat = num('repeat', 1, 1);
const orders = num('orders', 10_000, 100);
/** Webhooks the lifecycle simulator sends per change (bench/gateways.ts, WEBHOOKS_PER_CHANGE). */
const WEBHOOKS_PER_CHANGE = 1.23;

const root = projectRoot();
const procs: Proc[] = [];
const stopAll = (): void => {
  for (const p of procs.reverse()) p.kill();
};
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

/** One of the gateways bench's child processes (bench/gateways/<file>), driven over IPC. */
function benchProcess(name: string, file: string, env: NodeJS.ProcessEnv): Proc {
  const p = new Proc({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'bench', 'gateways', file)],
    cwd: root,
    ipc: true,
    env,
  });
  procs.push(p);
  return p;
}

try {
  const redis = await startRedisServer({ cwd: os.tmpdir() });
  if (!redis) throw new Error('redis-server is not installed: the gateway reads its events from Redis');
  procs.push(redis.proc);
  const redisUrl = redis.url;
  const subgraphs = benchProcess('subgraphs', 'subgraphs.ts', {
    ...process.env,
    NODE_ENV: '',
    LOG_LEVEL: 'warn',
    BENCH_ORDERS: String(orders),
    BENCH_SEED: '1',
    BENCH_SECRET: `idle-${randomBytes(12).toString('hex')}`,
    BENCH_REDIS_URL: redisUrl,
  });
  const ready = await subgraphs.waitMessage<{ urls: TargetContext['subgraphUrls'] }>('ready', 180_000);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...oursEnv(kind, { subgraphUrls: ready.urls, redisUrl } as TargetContext, await freePort()),
    LOG_LEVEL: 'warn',
  };
  delete env.NODE_ENV;
  const ours = benchProcess('our gateway', 'ours.ts', env);
  await ours.waitMessage('ready', 120_000);
  if (eventsPerSecond > 0)
    await subgraphs.rpc('lifecycle', { changesPerSecond: eventsPerSecond / WEBHOOKS_PER_CHANGE });
  await sleep(3000); // the first events and timers settle
  for (let i = 1; i <= repeat; i++) {
    const a = procCpuTimes(ours.child.pid!);
    await sleep(seconds * 1000);
    const b = procCpuTimes(ours.child.pid!);
    const per = (x: number): string => ((x * 1000) / seconds).toFixed(0);
    console.log(
      `(${target}) idle at ${eventsPerSecond} webhooks/s, window ${i}/${repeat} of ${seconds} s: ${per(b.user - a.user + b.system - a.system)} CPU ms/s (user ${per(b.user - a.user)}, system ${per(b.system - a.system)})`,
    );
  }
  await subgraphs.rpc('lifecycle', { changesPerSecond: 0 });
  await ours.stop();
  await subgraphs.stop();
  redis.proc.kill();
  process.exit(0);
} catch (err) {
  console.error(`bench:idle failed: ${err instanceof Error ? err.message : String(err)}`);
  stopAll();
  process.exit(1);
}
