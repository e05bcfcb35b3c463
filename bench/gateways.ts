/**
 * Gateway throughput benchmark: the same workload through five gateways over the same subgraphs.
 *
 *   npm run bench                  # full: 100,000 demo orders, 20 s per target (a few minutes); writes BENCHMARKS.md
 *   npm run bench -- --quick       # 10,000 orders, 2 s per target (< 60 s); JSON + printed table only
 *
 * Needs the bench package: `cd bench && npm install` (its own package.json and lock; the peers live
 * only there). See bench/README.md for what is measured and how.
 *
 * Targets: (a) @apollo/gateway + @apollo/server with defaults, (b) Hive Gateway with defaults and
 * (b-cache) with its response cache on, (c) ours with caching off, (d) ours as configured by default,
 * (e) a bare node:http server returning recorded response bytes (the ceiling). Each is its own
 * process, started in turn; the five subgraphs run once, in one child process, in trust mode (no
 * gateway-signature check, for the peers), with rate limits off except in the shielding run.
 *
 * Flags: --quick, --orders N, --duration S, --warmup S, --connections N (64), --events-per-second N
 * (200), --hot-duration S, --hot-keys N (256), --shield-rate N (2000), --shield-duration S,
 * --erp-rate-limit N (50), --zipf-s X (1), --seed N (1), --targets a,b,…, --no-pin,
 * --write-md / --no-write-md (on in full runs only), --sequence N (requests in the measured sequence),
 * --cpu-rate N (20 req/s; 0 = no CPU phase) and --cpu-duration S (quick 1, else 10): the fixed-rate
 * phase that gives each gateway's CPU ms per answered request (bench/gateways/cpu.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from './cli.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../gateway/config.js';
import { currentAffinity, procCpuSeconds, Proc, sleep, tasksetAvailable } from './gateways/proc.js';
import { startRedisServer } from './gateways/redisServer.js';
import {
  codeState,
  evaluate,
  fingerprint,
  markdownSection,
  packageVersions,
  printTable,
  writeBenchmarksMd,
  type Counters,
  type PhaseResult,
  type TargetResult,
} from './gateways/report.js';
import { cpuFigures } from './gateways/cpu.js';
import { compareShapes, shapeOf } from './gateways/shape.js';
import { credential } from './gateways/workload.js';
import {
  freePort,
  peerSupergraph,
  startTarget,
  TARGET_IDS,
  TARGET_LABELS,
  type RunningTarget,
  type TargetContext,
  type TargetId,
} from './gateways/targets.js';
import type { ProfileSummary } from './profile.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');

// ---- options ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const { flag, option, num, usage } = parseCli(
  'bench',
  'npm run bench -- [--quick] [--orders N] [--duration S] [--warmup S] [--connections N] [--events-per-second N] [--hot-duration S] [--hot-keys N] [--shield-rate N] [--shield-duration S] [--profile S] [--profile-target c|d] [--erp-rate-limit N] [--zipf-s X] [--seed N] [--targets a,b,b-cache,c,d,e] [--no-pin] [--write-md|--no-write-md] [--sequence N] [--cpu-rate N] [--cpu-duration S]',
  [
    'quick',
    'orders',
    'duration',
    'warmup',
    'connections',
    'events-per-second',
    'hot-duration',
    'hot-keys',
    'shield-rate',
    'shield-duration',
    'profile',
    'erp-rate-limit',
    'zipf-s',
    'seed',
    'targets',
    'no-pin',
    'write-md',
    'no-write-md',
    'sequence',
    'cpu-rate',
    'profile-target',
    'cpu-duration',
  ],
  argv,
);
const quick = flag('quick');
const LETTERS = Object.fromEntries(TARGET_IDS.map((id) => [TARGET_LABELS[id].letter, id])) as Record<string, TargetId>;
const targets = (option('targets') ?? 'a,b,b-cache,c,d,e')
  .split(',')
  .map((l) => LETTERS[l.trim()] ?? usage(`--targets: unknown target ${l}; use ${Object.keys(LETTERS).join(',')}`));
const opts = {
  quick,
  orders: num('orders', quick ? 10_000 : 100_000, 100),
  seed: num('seed', 1, 1),
  durationS: num('duration', quick ? 2 : 20, 1),
  warmupS: num('warmup', quick ? 1 : 5, 0),
  connections: num('connections', 64, 1),
  eventsPerSecond: num('events-per-second', 200, 0),
  hotDurationS: num('hot-duration', quick ? 1 : 10, 1),
  /** Seconds of the mix profiled in ours (d, or c with --profile-target c), after its measured runs; 0 = none. */
  profileS: num('profile', quick ? 0 : 5, 0),
  profileTarget: (option('profile-target') === 'c' ? 'ours-nocache' : 'ours') as TargetId,
  hotKeys: num('hot-keys', 256, 1),
  shieldRate: num('shield-rate', 2000, 1),
  shieldDurationS: num('shield-duration', quick ? 1 : 15, 1),
  erpRateLimit: num('erp-rate-limit', 50, 1),
  zipfS: num('zipf-s', 1, 0, false),
  sequence: num('sequence', quick ? 100_000 : 600_000, 1000),
  /** The fixed-rate CPU phase: req/s offered to every target (below the subgraphs' saturation), 0 = none. */
  cpuRate: num('cpu-rate', 20, 0),
  cpuDurationS: num('cpu-duration', quick ? 1 : 10, 1, false),
  pin: !flag('no-pin'),
  writeMd: flag('write-md') || (!quick && !flag('no-write-md')),
  targets: [...new Set(targets)].sort((x, y) => TARGET_IDS.indexOf(x) - TARGET_IDS.indexOf(y)),
};
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`
    : `node --import tsx bench/gateways.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;

// ---- process bookkeeping ----------------------------------------------------------------------------
const started = performance.now();
const log = (msg: string): void =>
  void process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const procs: Proc[] = [];
let tmpDir = '';
let failing = false;
function fail(why: string): never {
  if (!failing) {
    failing = true;
    process.stderr.write(`\nbench FAILED: ${why}\n`);
    for (const p of procs) p.kill();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
  process.exit(1);
}
const budgetMs = (quick ? 3 : 30) * 60_000;
setTimeout(() => fail(`gave up after ${budgetMs / 60_000} min (run-time bound)`), budgetMs).unref();
process.on('SIGINT', () => fail('interrupted'));

const tsxArgs = ['--import', 'tsx'];
/** Webhooks the lifecycle simulator sends per change, measured at 10,000 and 100,000 orders (1.22-1.24). */
const WEBHOOKS_PER_CHANGE = 1.23;

// ---- CPU placement ----------------------------------------------------------------------------------
/** Target gateway alone on CPU 0; load generator, subgraphs, redis and this runner on the others. */
function placement(): { target?: string; load?: string; aux?: string; note: string } {
  const n = os.cpus().length;
  if (!opts.pin) return { note: `not pinned (--no-pin): every process may run on any of the ${n} CPUs` };
  if (!tasksetAvailable())
    return { note: `not pinned: taskset is not available; every process may run on any of the ${n} CPUs` };
  if (n < 2) return { note: 'not pinned: one CPU' };
  if (n === 2)
    return {
      target: '0',
      load: '1',
      aux: '1',
      note: 'taskset: target gateway on CPU 0 alone; load generator, the five subgraphs (one process), redis-server and the runner share CPU 1',
    };
  if (n === 3)
    return {
      target: '0',
      load: '1',
      aux: '2',
      note: 'taskset: target gateway on CPU 0; load generator on CPU 1; subgraphs, redis-server and the runner on CPU 2',
    };
  return {
    target: '0',
    load: '1',
    aux: `2-${n - 1}`,
    note: `taskset: target gateway on CPU 0; load generator on CPU 1; subgraphs, redis-server and the runner on CPUs 2-${n - 1}`,
  };
}

// ---- main ---------------------------------------------------------------------------------------
async function main(): Promise<void> {
  if (
    !existsSync(join(here, 'node_modules', 'autocannon')) ||
    !existsSync(join(here, 'node_modules', '@graphql-hive', 'gateway'))
  ) {
    fail('the bench package is not installed: run `cd bench && npm install` first (bench/package.json, its own lock)');
  }
  const code = codeState(root);
  const pin = placement();
  if (pin.aux) execFileSync('taskset', ['-a', '-pc', pin.aux, String(process.pid)], { stdio: 'ignore' });
  log(
    `${command} — ${opts.orders.toLocaleString('en-US')} orders, ${opts.durationS} s per target, ${opts.connections} connections; ${pin.note}`,
  );
  tmpDir = mkdtempSync(join(os.tmpdir(), 'bench-gateways-'));
  const secret = `bench-${randomBytes(16).toString('hex')}`;

  // A private redis-server: the event bus between the subgraphs' /ingest and our gateway's process.
  const redis = await startRedisServer({ cwd: tmpDir, cpus: pin.aux, onUnexpectedExit: fail });
  const redisUrl = redis?.url;
  if (redis) procs.push(redis.proc);
  else log('WARNING: no redis-server binary: the subgraphs use an in-memory bus and our gateway sees no events');

  // Quick runs choose the subgraphs' ports here, so that the peers — which read no events and sit
  // idle at 0 CPU until their turn — start on the target's CPU while the subgraphs and the workload
  // are being prepared on the other (their start times then overlap; full runs start each in turn).
  const plannedPorts = quick
    ? (Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (n) => [n, await freePort()] as const))) as Record<
        SubgraphName,
        number
      >)
    : undefined;
  const plannedUrls = plannedPorts
    ? (Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `http://127.0.0.1:${plannedPorts[n]}/graphql`])) as Record<
        SubgraphName,
        string
      >)
    : undefined;
  const subgraphs = new Proc({
    name: 'subgraphs',
    command: process.execPath,
    args: [...tsxArgs, join(here, 'gateways', 'subgraphs.ts')],
    cwd: root,
    ipc: true,
    cpus: pin.aux,
    onUnexpectedExit: fail,
    env: {
      ...process.env,
      NODE_ENV: '',
      LOG_LEVEL: 'warn',
      BENCH_ORDERS: String(opts.orders),
      BENCH_SEED: String(opts.seed),
      BENCH_SECRET: secret,
      BENCH_REDIS_URL: redisUrl ?? '',
      BENCH_PORTS: plannedPorts ? JSON.stringify(plannedPorts) : '',
    },
  });
  const load = new Proc({
    name: 'load generator',
    command: process.execPath,
    args: [...tsxArgs, join(here, 'gateways', 'load.ts')],
    cwd: here,
    ipc: true,
    cpus: pin.load,
    env: { ...process.env, NODE_ENV: 'production' },
    onUnexpectedExit: fail,
  });
  procs.push(subgraphs, load);
  const probeAuthorization = await credential('salesforce', {}, 3600);
  const contextFor = (subgraphUrls: Record<SubgraphName, string>): TargetContext => ({
    root,
    benchDir: here,
    tmpDir: tmpDir!,
    subgraphUrls,
    redisUrl,
    peerSupergraphPath: join(tmpDir!, 'supergraph.peers.graphql'),
    recordedPath: join(tmpDir!, 'recorded.json'),
    cpus: pin.target,
    onUnexpectedExit: (why) => log(`WARNING: ${why}`),
    probeAuthorization,
  });
  /** Auth links, directives and definitions stripped from the peers' supergraph. */
  let stripped = 0;
  const writePeerSupergraph = (ctx: TargetContext): void => {
    const peer = peerSupergraph(readFileSync(join(root, 'supergraph.graphql'), 'utf8'), ctx.subgraphUrls);
    stripped = peer.stripped;
    writeFileSync(ctx.peerSupergraphPath, peer.sdl);
  };
  /** Targets started ahead of their turn (each settles to the running target or to why it did not start). */
  const startedAhead = new Map<TargetId, Promise<RunningTarget | Error>>();
  const startAhead = (id: TargetId, ctx: TargetContext): void =>
    void startedAhead.set(
      id,
      startTarget(id, ctx).then(
        (t) => {
          procs.push(t.proc);
          return t;
        },
        (err: unknown) => err as Error,
      ),
    );
  let ctx: TargetContext | undefined;
  if (plannedUrls) {
    ctx = contextFor(plannedUrls);
    writePeerSupergraph(ctx);
    for (const id of opts.targets) if (id !== 'ours' && id !== 'ours-nocache' && id !== 'bare') startAhead(id, ctx);
  }
  // The load generator builds the workload (from the demo seed) and mints credentials while the
  // subgraphs start: it needs nothing of theirs.
  const prepare = load.waitMessage('ready', 60_000).then(() =>
    load.rpc<Record<string, unknown>>(
      'prepare',
      {
        root,
        maxRecorded: quick ? 50_000 : 150_000,
        workload: {
          orders: opts.orders,
          demoSeed: opts.seed,
          zipfS: opts.zipfS,
          mainLength: opts.sequence,
          warmLength: Math.round(opts.sequence / 4),
          hotKeys: opts.hotKeys,
          tokenTtlSeconds: 6 * 3600,
        },
      },
      600_000,
    ),
  );
  prepare.catch(() => undefined); // awaited below; a failure there ends the run
  const sg = await subgraphs.waitMessage<{
    urls: Record<SubgraphName, string>;
    orders: number;
    generatedMs: number;
    bus: string;
  }>('ready', 180_000);
  log(
    `subgraphs up (pid ${subgraphs.pid}, ${sg.orders.toLocaleString('en-US')} orders generated in ${sg.generatedMs} ms, ${sg.bus} bus)`,
  );
  // Events flow from now on, from one lifecycle simulator for the whole run (a restarted one would
  // re-create the orders the first one created). Measured: 1.23 webhooks per change on this demo world.
  const changesPerSecond = opts.eventsPerSecond / WEBHOOKS_PER_CHANGE;
  if (opts.eventsPerSecond > 0) await subgraphs.rpc('lifecycle', { changesPerSecond });

  if (plannedUrls && SUBGRAPH_NAMES.some((n) => sg.urls[n] !== plannedUrls[n]))
    fail(
      `the subgraphs listen at ${JSON.stringify(sg.urls)}, not at the ports chosen for them (${JSON.stringify(plannedUrls)})`,
    );
  if (!ctx) {
    ctx = contextFor(sg.urls);
    writePeerSupergraph(ctx);
    // The first target starts while the load generator builds the workload and mints credentials.
    // (Not the bare server: it needs the responses recorded from the others first.)
    if (opts.targets[0] !== 'bare') startAhead(opts.targets[0]!, ctx);
  }
  const workload = await prepare;
  log(`workload: ${JSON.stringify(workload)}`);

  const samples = await load.rpc<{ op: string; body: string; authorization: string }[]>('samples', {
    perOp: quick ? 2 : 10,
  });
  const reference = new Map<string, unknown>();
  const results: TargetResult[] = [];
  let profile: unknown = null;
  const measure = async (
    t: RunningTarget,
    phase: PhaseResult['phase'],
    run: () => Promise<Record<string, unknown>>,
  ): Promise<PhaseResult> => {
    const c0 = await counters(subgraphs);
    const cpu0 = { target: t.proc.cpuSeconds(), redis: redis ? procCpuSeconds(redis.proc.pid) : NaN };
    const r = await run();
    const c1 = await counters(subgraphs);
    const cpu1 = { target: t.proc.cpuSeconds(), redis: redis ? procCpuSeconds(redis.proc.pid) : NaN };
    const wall = (c1.at - c0.at) / 1000;
    const per = (x: number): number => x / wall;
    const mem = t.proc.memory();
    return {
      phase,
      run: r,
      windowS: wall,
      erp: { callsPerS: per(c1.calls.erp - c0.calls.erp), httpPerS: per(c1.http.erp - c0.http.erp) },
      subgraphCallsPerS: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, per(c1.calls[n] - c0.calls[n])])),
      subgraphHttpPerS: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, per(c1.http[n] - c0.http[n])])),
      events: {
        webhooksPerS: per(c1.webhooks.sent - c0.webhooks.sent),
        failed: c1.webhooks.failed - c0.webhooks.failed,
      },
      cpuPct: {
        target: (100 * (cpu1.target - cpu0.target)) / wall,
        subgraphs: (100 * ((c1.cpu.user + c1.cpu.system - c0.cpu.user - c0.cpu.system) / 1e6)) / wall,
        load: (100 * Number(r.loadCpuSeconds)) / wall,
        redis: (100 * (cpu1.redis - cpu0.redis)) / wall,
      },
      memory: { rssMB: mem.rss / 2 ** 20, peakMB: mem.peak / 2 ** 20 },
    };
  };
  const runPhase = (t: RunningTarget, sequence: string, durationS: number, startAt = 0) =>
    load.rpc<Record<string, unknown>>(
      'run',
      { url: t.url, sequence, connections: opts.connections, durationS, startAt },
      (durationS + 60) * 1000,
    );

  const stopping: Promise<void>[] = [];
  for (const id of opts.targets) {
    if (id === 'bare') {
      const d = await load.rpc<{ entries: number }>('dump', { path: ctx.recordedPath });
      log(`bare server: ${d.entries.toLocaleString('en-US')} recorded responses`);
    }
    const { letter, label } = TARGET_LABELS[id];
    let t: RunningTarget;
    try {
      const ahead = await startedAhead.get(id);
      if (ahead instanceof Error) throw ahead;
      t = ahead ?? (await startTarget(id, ctx));
    } catch (err) {
      log(`(${letter}) ${label}: did not start: ${(err as Error).message.split('\n').slice(0, 4).join(' / ')}`);
      results.push({
        id,
        letter,
        label,
        startMs: NaN,
        command: '',
        pid: 0,
        correctness: {
          samples: 0,
          ok: 0,
          non200: 0,
          withErrors: 0,
          shapeMismatches: 0,
          comparedWith: null,
          problems: [`did not start: ${(err as Error).message.slice(0, 600)}`],
        },
        phases: [],
        logTail: [],
      });
      continue;
    }
    if (!procs.includes(t.proc)) procs.push(t.proc);
    log(
      `(${letter}) ${label}: up in ${t.startMs} ms (pid ${t.proc.pid})${startedAhead.has(id) ? ', started ahead of its turn' : ''}`,
    );
    await load.rpc('reset-seen');
    const correctness = await checkCorrectness(t, samples, reference);
    const phases: PhaseResult[] = [];
    try {
      // Quick runs skip the bare server's (it does no GraphQL work) and shorten the idle and lead-in seconds.
      const cpuPhase = opts.cpuRate > 0 && !(quick && id === 'bare');
      if (cpuPhase) {
        // CPU per request at a fixed rate every target keeps up with (bench/gateways/cpu.ts), before
        // the warm-up: after it, the subgraphs still work off the backlog of its 64 connections.
        // One idle second (quick: 0.3 s), one unmeasured second at the rate (first plans,
        // connections; quick runs leave it to the correctness samples, which plan every operation
        // of the mix), then the window.
        const idle0 = t.proc.cpuSeconds();
        const idleMs = quick ? 300 : 1000;
        await sleep(idleMs);
        const idleCpuMsPerS = ((t.proc.cpuSeconds() - idle0) * 1000 * 1000) / idleMs;
        if (!quick)
          await load.rpc(
            'rate',
            {
              url: t.url,
              sequence: 'main',
              rate: opts.cpuRate,
              durationS: 1,
              graceS: 2,
              maxSockets: 64,
              startAt: 49_000,
            },
            60_000,
          );
        const cpu = await measure(t, 'cpu', () =>
          load.rpc(
            'rate',
            {
              url: t.url,
              sequence: 'main',
              rate: opts.cpuRate,
              durationS: opts.cpuDurationS,
              graceS: 2,
              maxSockets: 64,
              startAt: 50_000,
            },
            (opts.cpuDurationS + 60) * 1000,
          ),
        );
        phases.push({ ...cpu, idleCpuMsPerS });
        const c = cpuFigures([{ ...cpu, idleCpuMsPerS }])!;
        log(
          `(${letter}) fixed rate ${opts.cpuRate} req/s: ${c.answeredOk}/${c.sent} answered OK, gateway CPU ${c.msPerAnswered.toFixed(2)} ms per answered request (idle ${c.idleCpuMsPerS.toFixed(0)} ms/s; net ${c.netMsPerAnswered.toFixed(2)}), p99 ${c.p99.toFixed(0)} ms`,
        );
      }
      // In quick runs the CPU phase's requests stand for the warm-up.
      if (opts.warmupS > 0 && !(quick && cpuPhase)) await runPhase(t, 'warm', opts.warmupS);
      // Quick runs give the bare server the hot-set duration: it answers thousands a second, and no
      // tail of slow answers stretches its phase.
      const main = await measure(t, 'main', () =>
        runPhase(t, 'main', quick && id === 'bare' ? opts.hotDurationS : opts.durationS),
      );
      phases.push(main);
      log(
        `(${letter}) ${Number(main.run.rps).toFixed(0)} req/s, p50 ${fmt(main.run.latencyMs)} ms, ${Number(main.run.ok) === Number(main.run.requests) ? 'no errors' : `${Number(main.run.requests) - Number(main.run.ok)} failed (${JSON.stringify(main.run.errorCodes)}; ${(main.run.errorSamples as string[])[0] ?? ''})`}, ERP ${main.erp.callsPerS.toFixed(0)} calls/s, target CPU ${main.cpuPct.target.toFixed(0)}%, subgraphs ${main.cpuPct.subgraphs.toFixed(0)}%, load ${main.cpuPct.load.toFixed(0)}%`,
      );
      if (id === 'ours') {
        // Warm steady state (issue 15 item 3): the same sequence again from its start, every cache
        // holding what the first pass read — the mix as a deployment that has run a while sees it.
        const steady = await measure(t, 'steady', () =>
          runPhase(t, 'main', quick ? opts.hotDurationS : opts.durationS),
        );
        phases.push(steady);
        log(
          `(${letter}) warm steady state (the mix again): ${Number(steady.run.rps).toFixed(0)} req/s, p99 ${(steady.run.latencyMs as { p99: number }).p99} ms, ${Number(steady.run.requests) - Number(steady.run.ok)} failed`,
        );
      }
      if (id === 'ours' || id === 'bare') {
        // The cache-hit path: the hot set (most requested distinct requests), each read at least once first.
        await runPhase(t, 'hot', quick ? 0.5 : Math.max(1, opts.warmupS / 2));
        const hot = await measure(t, 'hot', () => runPhase(t, 'hot', opts.hotDurationS, opts.hotKeys));
        phases.push(hot);
        log(
          `(${letter}) hot set: ${Number(hot.run.rps).toFixed(0)} req/s, p99 ${(hot.run.latencyMs as { p99: number }).p99} ms`,
        );
      }
      if (id === opts.profileTarget && opts.profileS > 0) {
        // Where the time goes: a sampled CPU profile of ours over a further stretch of the mix (not in the figures above).
        await t.proc.rpc('profile-start');
        await runPhase(t, 'main', opts.profileS);
        profile = await t.proc.rpc('profile-stop', undefined, 120_000);
        log(`(${letter}) profiled ${opts.profileS} s of the mix`);
      }
      if (id === 'ours') {
        // Shielding: the ERP limited to --erp-rate-limit calls/s, a fixed arrival rate over the same
        // sequence, and ours restarted with its default shield (ERP 25 fetches/s for every replica together).
        // Its caches and last known slices live in Redis, so they survive the restart.
        await t.proc.stop(8000);
        t = await startTarget(id, ctx, 'shielding');
        procs.push(t.proc);
        await subgraphs.rpc('faults', { erp: { rateLimitPerSecond: opts.erpRateLimit } });
        try {
          const shield = await measure(t, 'shield', () =>
            load.rpc(
              'rate',
              {
                url: t.url,
                sequence: 'main',
                rate: opts.shieldRate,
                durationS: opts.shieldDurationS,
                graceS: quick ? 1 : 2,
                maxSockets: 256,
              },
              (opts.shieldDurationS + 120) * 1000,
            ),
          );
          phases.push(shield);
          const cls = shield.run.classes as Record<
            string,
            { ok: number; non200: number; graphqlErrors: number; unfinished: number }
          >;
          const line = (c: { ok: number; non200: number; graphqlErrors: number; unfinished: number }): string =>
            `${c.ok} OK, ${c.non200} non-200, ${c.graphqlErrors} with errors, ${c.unfinished} unanswered`;
          log(
            `(${letter}) shielding at ${opts.shieldRate} req/s: ERP ${shield.erp.callsPerS.toFixed(1)} calls/s; read before: ${line(cls.readBefore!)}; not read before: ${line(cls.new!)}`,
          );
        } finally {
          await subgraphs.rpc('faults', { erp: { rateLimitPerSecond: 0 } });
        }
      }
    } catch (err) {
      correctness.problems.push(`run failed: ${(err as Error).message.slice(0, 400)}`);
      log(`(${letter}) run failed: ${(err as Error).message.split('\n')[0]}`);
    }
    let bareStats: unknown;
    if (id === 'bare')
      bareStats = await fetch(t.url.replace('/graphql', '/stats'))
        .then((r) => r.json())
        .catch(() => null);
    results.push({
      id,
      letter,
      label,
      startMs: t.startMs,
      command: t.command,
      pid: t.proc.pid,
      correctness,
      phases,
      bare: bareStats,
      logTail: t.proc.log.slice(-10),
    });
    // The next target starts meanwhile: a gateway that waits out its open connections before it
    // exits (Hive took 8 s once) does so idle.
    stopping.push(t.proc.stop(8000));
  }
  await Promise.all(stopping);
  await subgraphs.rpc('lifecycle', { changesPerSecond: 0 });

  // ---- report ---------------------------------------------------------------------------------------
  const changedDuringRun = fingerprint(root) !== code.sourcesSha256;
  if (changedDuringRun) log('WARNING: product sources changed while the benchmark ran');
  const cpus = os.cpus();
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    affinityAtStart: currentAffinity(),
  };
  const packages = packageVersions(root, here);
  const targetsMet = evaluate(results, opts);
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = join(resultsDir, `gateways-${stamp}${quick ? '-quick' : ''}.json`);
  const output = {
    benchmark: 'gateways',
    date: new Date().toISOString(),
    command,
    options: opts,
    machine,
    packages,
    code: { ...code, changedDuringRun },
    setup: {
      placement: pin.note,
      sharedCores: `load generator and gateways share this machine's ${cpus.length} cores`,
      subgraphs: `one child process: the five subgraphs on seeded simulators (generateDemo seed ${opts.seed}, ${sg.orders} orders), trust mode (trustUnsignedRequests), ${sg.bus} event bus, rate limits off except the ERP's during the shielding run`,
      events: `${opts.eventsPerSecond} signed webhooks/s to the subgraphs' /ingest (embedded lifecycle simulator, in the subgraph process) during every target's runs`,
      peersSupergraph: `supergraph.graphql with ${stripped} auth links/directives/definitions stripped, routed to the bench's subgraphs`,
      ours: 'startGateway(gatewayConfigFromEnv(env), { bus }) in its own process (tsx, sources), REDIS_URL = the private redis-server, no status tracker, NODE_ENV unset (development credentials)',
      workload,
      loadGenerator: `autocannon 9, ${opts.connections} connections, pipelining 1 (fixed concurrency); own keep-alive node:http loop for the fixed-rate shielding run`,
    },
    targets: targetsMet,
    results,
    profile: profile
      ? {
          note:
            `sampled (500 µs) CPU profile (node:inspector) of ours (${TARGET_LABELS[opts.profileTarget].letter}) over --profile seconds` +
            ' of the mix, after its measured runs; self time per function and per package, inclusive time of named parts of the request path',
          ...(profile as object),
        }
      : null,
    processes: { subgraphs: { log: subgraphs.log.slice(-20) }, load: { log: load.log.slice(-20) } },
  };
  writeFileSync(resultFile, `${JSON.stringify(output, null, 2)}\n`);

  for (const p of [load, subgraphs]) await p.stop(5000);
  if (redis) await redis.proc.stop(3000);
  rmSync(tmpDir, { recursive: true, force: true });

  process.stdout.write(
    `\n${printTable(results, targetsMet, { command, machine, packages, placement: pin.note, opts })}\nresults: ${relative(root, resultFile)}\n`,
  );
  if (opts.writeMd) {
    if (changedDuringRun && !flag('write-md'))
      process.stdout.write(
        'BENCHMARKS.md left alone: the product sources changed during the run (--write-md writes it anyway, saying so)\n',
      );
    else {
      writeBenchmarksMd(
        root,
        markdownSection({
          command,
          machine,
          packages,
          code: { ...code, changedDuringRun },
          results,
          targets: targetsMet,
          resultFile: relative(root, resultFile),
          setup: output.setup,
          opts,
          profile: profile as ProfileSummary | null,
        }),
      );
      process.stdout.write('BENCHMARKS.md: ## Gateways replaced\n');
    }
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}

const fmt = (l: unknown): string => {
  const x = l as { p50: number; p99: number };
  return `${x.p50}, p99 ${x.p99}`;
};

async function counters(p: Proc): Promise<Counters> {
  return p.rpc<Counters>('counters');
}

/** Sample requests, one at a time: no errors, HTTP 200, and the same `data` shape as the first target's. */
async function checkCorrectness(
  t: RunningTarget,
  samples: { op: string; body: string; authorization: string }[],
  reference: Map<string, unknown>,
) {
  const out = {
    samples: samples.length,
    ok: 0,
    non200: 0,
    withErrors: 0,
    shapeMismatches: 0,
    comparedWith: null as string | null,
    problems: [] as string[],
  };
  for (const s of samples) {
    let status = 0;
    let json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } = {};
    try {
      const res = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: s.authorization },
        body: s.body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      json = (await res.json()) as typeof json;
    } catch (err) {
      out.problems.push(`${s.op}: ${(err as Error).message}`);
    }
    if (status !== 200) out.non200++;
    if (json.errors?.length) {
      out.withErrors++;
      if (out.problems.length < 5)
        out.problems.push(
          `${s.op}: HTTP ${status} ${json.errors
            .slice(0, 2)
            .map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim())
            .join(' | ')
            .slice(0, 240)}`,
        );
    }
    if (status === 200 && !json.errors?.length) out.ok++;
    if (json.data === undefined || json.data === null) continue;
    const ref = reference.get(s.body);
    if (ref === undefined) {
      reference.set(s.body, json.data);
      continue;
    }
    out.comparedWith ??= 'the first target that answered each sample';
    const diff = compareShapes(shapeOf(ref), shapeOf(json.data));
    if (diff.length) {
      out.shapeMismatches++;
      if (out.problems.length < 5) out.problems.push(`${s.op}: data shape differs at ${diff.slice(0, 3).join(', ')}`);
    }
  }
  return out;
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
