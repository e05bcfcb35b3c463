/**
 * Subscriptions benchmark (the change path, issue #3): webhook accepted → subscriber received.
 *
 *   npm run bench:subscriptions                 # sizes 1, 1,000, 10,000 (a few minutes)
 *   npm run bench:subscriptions -- --quick      # sizes 1 and 1,000, fewer events (< 60 s)
 *
 * Flags: --quick, --orders N (demo size, 2000), --sizes 1,1000,10000, --events N per size (20;
 * quick 8), --interval-ms 250, --batch 500 (clients connected at once), --profile-events N (8;
 * quick 4; 0 = no profile), --no-filtered / --filtered (the per-order scenario; on in full runs),
 * --write-md / --no-write-md (replace `## Subscriptions` in BENCHMARKS.md; on in full runs only),
 * --spaced-events N (6; quick 0) and --spaced-interval-ms 2000 (an extra pass at the largest size
 * with changes far enough apart not to queue), --drain-timeout-ms 90000 (wait for deliveries).
 *
 * The measured process is a CHILD (`bench/subscriptionServer.ts`, forked with IPC and
 * --expose-gc): gateway + five subgraphs + in-memory bus + seeded status tracker, lifecycle
 * simulator off. Every graphql-ws client lives here, in the parent. The parent sends signed ERP
 * webhooks that move ALLOCATED demo orders to ON_HOLD (hold placed) or back (hold released),
 * alternating, one every --interval-ms; t0 = the webhook's HTTP 2xx arriving here, t1 = a
 * subscriber's message for that change arriving here (matched by orderId + status).
 *
 * The parts, in bench/subscriptions/: options.ts (flags), server.ts (the child over IPC),
 * subscribers.ts (the clients), holds.ts (the webhooks), phase.ts (one measured phase),
 * report.ts (tables and the BENCHMARKS.md section), environment.ts (machine, packages, code).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceBenchmarksSection } from './common.js';
import { codeState, fingerprint, machine, packageVersions, ulimitN } from './subscriptions/environment.js';
import { HoldWebhooks } from './subscriptions/holds.js';
import { now } from './subscriptions/numbers.js';
import { commandLine, parseOptions, type SubscriptionBenchOptions } from './subscriptions/options.js';
import { type PhaseContext, type PhaseResult, runPhase } from './subscriptions/phase.js';
import {
  fmtMet,
  kbOrDash,
  type MemRow,
  markdownSection,
  perSubscriber,
  printedReport,
  type ProfileSummary,
} from './subscriptions/report.js';
import { ServerProcess, type Mem } from './subscriptions/server.js';
import { BROADCAST, FILTERED, Subscribers } from './subscriptions/subscribers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');

/** What the measuring part of a run needs from its set-up. */
interface Run {
  opts: SubscriptionBenchOptions;
  command: string;
  log: (msg: string) => void;
  fail: (why: string) => never;
  /** Set once the server is forked, so that a failure kills it. */
  started: { server?: ServerProcess };
}

async function main(argv: readonly string[]): Promise<void> {
  const opts = parseOptions(argv);
  const t0 = now();
  const log = (msg: string): void => {
    process.stderr.write(`[bench ${((now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  };
  const started: Run['started'] = {};
  const fail = (why: string): never => {
    process.stderr.write(`\nbench:subscriptions FAILED: ${why}\n`);
    const lines = started.server?.log ?? [];
    if (lines.length) process.stderr.write(`server log (last lines):\n${lines.slice(-20).join('\n')}\n`);
    started.server?.kill();
    process.exit(1);
  };
  process.on('SIGINT', () => fail('interrupted'));
  // Bounded run time: a full run takes a few minutes; never hang.
  const budgetMs = (opts.quick ? 3 : 15) * 60_000;
  setTimeout(() => fail(`gave up after ${budgetMs / 60_000} min (run-time bound)`), budgetMs).unref();
  try {
    await measure({ opts, command: commandLine(argv), log, fail, started });
  } catch (err) {
    fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}

async function measure({ opts, command, log, fail, started }: Run): Promise<void> {
  const maxSize = opts.sizes.at(-1)!;

  const limits = ulimitN();
  const needFds = maxSize + 1024;
  if (limits && limits.soft < needFds) {
    const suggested =
      limits.hard < needFds ? Math.max(needFds, 32768) : Math.min(limits.hard, Math.max(needFds, 32768));
    const hard =
      limits.hard < needFds
        ? `, after raising the hard limit ${limits.hard} (as root, or in /etc/security/limits.conf)`
        : '';
    fail(
      `ulimit -n is ${limits.soft}: ${maxSize.toLocaleString('en-US')} subscribers need about ${needFds} open files in each process. ` +
        `Raise it (e.g. \`ulimit -n ${suggested}\`${hard}) or pass smaller --sizes.`,
    );
  }
  const code = codeState(root);
  const dirty = code.uncommittedProductFiles?.length
    ? ` + ${code.uncommittedProductFiles.length} uncommitted product file(s)`
    : '';
  log(
    `options ${JSON.stringify(opts)}; ulimit -n ${limits?.soft ?? '?'}; code ${code.commit?.slice(0, 7) ?? '?'}${dirty}`,
  );

  const secret = `bench-${randomBytes(16).toString('hex')}`;
  const server = new ServerProcess({ root, orders: opts.orders, secret, onFatal: fail });
  started.server = server;
  const info = await server.ready();
  log(
    `server pid ${info.pid} up at ${info.gatewayUrl} with ${info.orders} orders; ${info.candidates.length} ALLOCATED orders without holds to move`,
  );
  const perPhase = Math.max(opts.events, opts.profileEvents, opts.spacedEvents) / 2;
  const preHeld = perPhase + 2;
  if (info.candidates.length < preHeld + perPhase) {
    fail(
      `only ${info.candidates.length} usable ALLOCATED orders; need ${preHeld + perPhase}: use more --orders or fewer --events`,
    );
  }
  const subscribers = new Subscribers({
    url: info.gatewayUrl.replace(/^http/, 'ws'),
    batch: opts.batch,
    maxSize,
    server,
    log,
    onFatal: fail,
  });
  const holds = new HoldWebhooks({ ingestUrl: info.ingestUrl, secret, candidates: info.candidates, onFatal: fail });
  const ctx: PhaseContext = { server, subscribers, holds, drainTimeoutMs: opts.drainTimeoutMs };

  // Warm-up (not measured): one subscriber; put a first set of orders on hold, so that every later
  // phase releases holds placed seconds earlier, never the one it just placed.
  {
    const c = subscribers.newClient();
    let got = 0;
    const unsub = c.subscribe(
      { query: BROADCAST },
      { next: () => void got++, error: (e) => subscribers.clientError(e), complete: () => undefined },
    );
    await subscribers.waitFor('warm-up subscription', async () => (await server.hub()).active >= 1, 10_000);
    for (let k = 0; k < preHeld; k++) {
      await holds.placeOne();
      await subscribers.waitFor('warm-up delivery', async () => got >= k + 1, 10_000);
    }
    unsub();
    await c.dispose();
    await subscribers.waitFor(
      'warm-up client gone',
      async () => {
        const h = await server.hub();
        return h.active === 0 && h.clients === 0;
      },
      10_000,
    );
    log(`warm-up: ${preHeld} holds placed and delivered`);
  }

  const base = await server.memory();
  const mb = (m: Mem) => ({ heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 });
  const memRows: MemRow[] = [{ label: 'idle, no client', subscribers: 0, ...mb(base), perSubscriber: null }];
  const results: PhaseResult[] = [];
  let profile: ProfileSummary | null = null;
  const everyone = (): number[] => Array.from({ length: subscribers.slots.length }, (_, i) => i);
  const broadcast = subscribers.subscribeWith(BROADCAST);
  const logResult = (r: PhaseResult): void =>
    log(
      `  delivered ${r.delivered}/${r.expected}; p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms; ` +
        `2xx → published p99 ${r.breakdownMs?.t0ToPublishedP99 ?? '–'} ms; server CPU ${r.perEvent.serverCpuMs} ms/event; ` +
        `tracker reads deferred ${r.perEvent.trackerReadsDeferred ?? '–'}/event`,
    );

  let prev: { m: Mem; n: number } = { m: base, n: 0 };
  for (const n of opts.sizes) {
    await subscribers.growTo(n, broadcast);
    if (n >= 100) {
      const m = await server.memory();
      memRows.push({
        label: 'idle, broadcast subscriptions',
        subscribers: n,
        ...mb(m),
        perSubscriber: perSubscriber(base, m, n),
        marginal: prev.n > 0 ? perSubscriber(prev.m, m, n - prev.n) : null,
      });
      prev = { m, n };
    }
    log(`measuring ${n} subscribers: ${opts.events} events, one every ${opts.intervalMs} ms`);
    const spec = { scenario: 'broadcast' as const, subscribers: n, events: opts.events, intervalMs: opts.intervalMs };
    const r = await runPhase(ctx, { ...spec, expectedFor: everyone });
    results.push(r);
    logResult(r);
  }

  if (opts.spacedEvents > 0) {
    log(
      `${maxSize} subscribers, spaced: ${opts.spacedEvents} events, one every ${opts.spacedIntervalMs} ms (no backlog between events)`,
    );
    const spec = {
      scenario: 'broadcast' as const,
      subscribers: maxSize,
      events: opts.spacedEvents,
      intervalMs: opts.spacedIntervalMs,
    };
    const r = await runPhase(ctx, { ...spec, expectedFor: everyone });
    results.push(r);
    logResult(r);
  }

  if (opts.profileEvents > 0) {
    log(
      `profiling the server at ${maxSize} subscribers: ${opts.profileEvents} more events (not in the latency figures above)`,
    );
    await server.rpc('profile-start');
    const spec = {
      scenario: 'broadcast' as const,
      subscribers: maxSize,
      events: opts.profileEvents,
      intervalMs: opts.intervalMs,
    };
    const r = await runPhase(ctx, { ...spec, expectedFor: everyone, profiled: true });
    profile = await server.rpc<ProfileSummary>('profile-stop', 120_000);
    results.push(r);
  }

  if (opts.filtered) {
    // Same connections, each now subscribed to one order's changes (orders spread over the demo world).
    log(`per-order scenario at ${maxSize} subscribers`);
    for (const s of subscribers.slots) s.unsubscribe?.();
    await subscribers.waitFor('every subscription ended', async () => (await server.hub()).active === 0, 30_000);
    const connOnly = await server.memory();
    memRows.push({
      label: 'idle, connections without a subscription',
      subscribers: maxSize,
      ...mb(connOnly),
      perSubscriber: perSubscriber(base, connOnly, maxSize),
    });
    // Every order has subscribers once there are more subscribers than orders; below that, the orders the bench moves come first.
    const moved = new Set(info.candidates);
    const spread = [...info.candidates, ...info.orderIds.filter((o) => !moved.has(o))];
    const orderOf = (i: number): string => spread[i % spread.length]!;
    const byOrder = new Map<string, number[]>();
    subscribers.slots.forEach((s, i) => {
      const o = orderOf(i);
      const list = byOrder.get(o) ?? [];
      byOrder.set(o, list);
      list.push(i);
      subscribers.subscribeWith(FILTERED, () => ({ orderId: o }))(s, i);
    });
    await subscribers.waitFor(
      `${maxSize} per-order subscriptions`,
      async () => (await server.hub()).active >= maxSize,
      60_000,
    );
    const m = await server.memory();
    memRows.push({
      label: 'idle, per-order subscriptions',
      subscribers: maxSize,
      ...mb(m),
      perSubscriber: perSubscriber(base, m, maxSize),
    });
    const spec = {
      scenario: 'per-order' as const,
      subscribers: maxSize,
      events: opts.events,
      intervalMs: opts.intervalMs,
    };
    const r = await runPhase(ctx, { ...spec, expectedFor: (o) => byOrder.get(o) ?? [] });
    results.push(r);
    log(`  delivered ${r.delivered}/${r.expected}; p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
  }

  // Close everything: clients, then the server.
  log('closing clients');
  await subscribers.closeAll();
  await server.stop();

  // ---- report -----------------------------------------------------------------------------------
  const changedDuringRun = fingerprint(root) !== code.sourcesSha256;
  if (changedDuringRun)
    log(
      'WARNING: product sources changed while the benchmark ran; the server measured the version loaded at its start',
    );
  const measured = results.filter((r) => !r.profiled && r.scenario === 'broadcast' && r.intervalMs === opts.intervalMs);
  const top = measured.find((r) => r.subscribers === maxSize)!;
  const memTop = memRows.find((r) => r.subscribers === maxSize && r.label === 'idle, broadcast subscriptions');
  const targets = {
    latency: {
      target: 'p99 ≤ 100 ms at 10,000 subscribers',
      measuredAt: maxSize,
      p99Ms: top.latencyMs.p99,
      met: maxSize >= 10_000 ? top.latencyMs.p99 <= 100 : null,
    },
    memory: {
      target: '≤ 30 KB per idle subscriber',
      measuredAt: memTop?.subscribers ?? null,
      rssBytes: memTop?.perSubscriber?.rssBytes ?? null,
      heapBytes: memTop?.perSubscriber?.heapBytes ?? null,
      met: memTop?.perSubscriber ? memTop.perSubscriber.rssBytes <= 30 * 1024 : null,
    },
    delivery: { target: '100% delivered', met: results.every((r) => r.delivered === r.expected) },
  };
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const host = machine(limits?.soft ?? null);
  const packages = packageVersions(root, ['graphql-ws', 'ws', '@apollo/gateway', '@apollo/server', 'graphql']);
  mkdirSync(resultsDir, { recursive: true });
  const stem = `subscriptions-${stamp}${opts.quick ? '-quick' : ''}`;
  const resultFile = join(resultsDir, `${stem}.json`);
  const profileFile = profile ? join(resultsDir, `${stem}-profile.json`) : null;
  const serverWarnings = server.log.filter((l) => /"level":(40|50|60)/.test(l));
  const output = {
    benchmark: 'subscriptions',
    date: new Date().toISOString(),
    command,
    options: opts,
    machine: host,
    packages,
    code: { ...code, changedDuringRun },
    setup: {
      server:
        'child process: gateway + 5 subgraphs + in-memory bus + seeded status tracker (lifecycle simulator off), node --expose-gc --import tsx bench/subscriptionServer.ts',
      clients:
        'parent process: graphql-ws createClient over ws (retryAttempts 0, lazy false); client memory is NOT in the memory figures',
      orders: info.orders,
      query: { broadcast: BROADCAST, perOrder: FILTERED },
      webhooks:
        'signed ERP HOLD_PLACED (ALLOCATED → ON_HOLD) / HOLD_RELEASED (ON_HOLD → ALLOCATED), alternating, each on a different order',
      latency:
        "t1 − t0 per (subscriber, event); t0 = the webhook's HTTP 2xx at the parent, t1 = the subscriber's message at the parent",
      sharedCores: "load generator (parent) and server (child) share the machine's cores",
    },
    targets,
    latency: results,
    memory: memRows,
    profileFile: profileFile ? relative(root, profileFile) : null,
    clientErrors: subscribers.errors,
    unexpectedCloses: Object.fromEntries(subscribers.closeCodes),
    strayMessages: subscribers.strays,
    serverLogLines: server.logLines,
    serverWarnings: serverWarnings.slice(0, 20),
  };
  writeFileSync(resultFile, `${JSON.stringify(output, null, 2)}\n`);
  if (profileFile) {
    const note =
      'sampled (500 µs) CPU profile (node:inspector) of the server process during the profiled pass; self and inclusive time per function (inclusive: outermost frame per stack, synchronous part only), self time per package. Product files run through tsx without line mapping, so they are named by function and file only.';
    writeFileSync(
      profileFile,
      `${JSON.stringify({ command, subscribers: maxSize, events: opts.profileEvents, note, ...profile }, null, 2)}\n`,
    );
  }

  process.stdout.write(printedReport({ command, machine: host, results, memRows, baseIntervalMs: opts.intervalMs }));
  const rss = kbOrDash(targets.memory.rssBytes);
  const heap = kbOrDash(targets.memory.heapBytes);
  process.stdout.write(
    `targets: latency ${fmtMet(targets.latency.met)} (p99 ${top.latencyMs.p99} ms at ${maxSize.toLocaleString('en-US')}); ` +
      `memory ${fmtMet(targets.memory.met)} (${rss} RSS, ${heap} heap per idle subscriber); delivery ${fmtMet(targets.delivery.met)}\n`,
  );
  if (subscribers.errors.length || subscribers.closeCodes.size || subscribers.strays) {
    process.stdout.write(
      `client errors: ${subscribers.errors.length}, unexpected closes: ${JSON.stringify([...subscribers.closeCodes])}, stray messages: ${subscribers.strays}\n`,
    );
  }
  if (serverWarnings.length)
    process.stdout.write(`server warnings: ${serverWarnings.length} (first: ${serverWarnings[0]})\n`);
  process.stdout.write(
    `results: ${relative(root, resultFile)}${profileFile ? `, profile summary: ${relative(root, profileFile)}` : ''}\n`,
  );
  if (opts.writeMd) {
    if (changedDuringRun) {
      process.stdout.write('BENCHMARKS.md left alone: the product sources changed during the run\n');
    } else {
      const section = markdownSection({
        root,
        baseIntervalMs: opts.intervalMs,
        command,
        machine: host as unknown as Record<string, unknown>,
        packages,
        code,
        results,
        memRows,
        targets,
        profile,
        resultFile,
        profileFile,
        info,
      });
      replaceBenchmarksSection(root, 'Subscriptions', section);
      process.stdout.write('BENCHMARKS.md: ## Subscriptions replaced\n');
    }
  }
}

void main(process.argv.slice(2));
