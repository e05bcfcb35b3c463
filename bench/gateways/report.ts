/**
 * Output of `bench/gateways.ts`: the targets judged, the printed table, the `## Gateways` section
 * of BENCHMARKS.md, and what code and packages were measured.
 */
import { cpuChecks, cpuTable } from './cpu.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphName } from '../../gateway/config.js';
import type { TargetId } from './targets.js';
import { replaceBenchmarksSection, sourcesFingerprint } from '../common.js';
import type { ProfileSummary } from '../profile.js';

export interface Counters {
  at: number;
  calls: Record<SubgraphName, number>;
  http: Record<SubgraphName, number>;
  webhooks: { sent: number; failed: number };
  cpu: { user: number; system: number };
  rss: number;
}

export interface PhaseResult {
  phase: 'main' | 'hot' | 'shield' | 'cpu' | 'steady';
  /** `cpu` phase: the target's CPU ms per second over one idle second right before (bench/gateways/cpu.ts). */
  idleCpuMsPerS?: number;
  /** The load generator's figures (bench/gateways/load.ts `run` or `rate`). */
  run: Record<string, unknown>;
  windowS: number;
  erp: { callsPerS: number; httpPerS: number };
  subgraphCallsPerS: Record<string, number>;
  subgraphHttpPerS: Record<string, number>;
  events: { webhooksPerS: number; failed: number };
  cpuPct: { target: number; subgraphs: number; load: number; redis: number };
  memory: { rssMB: number; peakMB: number };
}

export interface TargetResult {
  id: TargetId;
  letter: string;
  label: string;
  startMs: number;
  command: string;
  pid: number;
  correctness: {
    samples: number;
    ok: number;
    non200: number;
    withErrors: number;
    shapeMismatches: number;
    comparedWith: string | null;
    problems: string[];
  };
  phases: PhaseResult[];
  bare?: unknown;
  logTail: string[];
}

interface RunFigures {
  rps: number;
  requests: number;
  ok: number;
  connectionErrors: number;
  timeouts: number;
  latencyMs: { p50: number; p99: number };
  non200: number;
  graphqlErrors: number;
  freshnessMarked: number;
  errorCodes: Record<string, number>;
  errorSamples: string[];
}
interface ClassFigures {
  unfinished: number;
  ok: number;
  non200: number;
  graphqlErrors: number;
  freshnessMarked: number;
  statusCodes: Record<string, number>;
  errorCodes: Record<string, number>;
  byOp: Record<string, number>;
  errorSamples: string[];
}
interface RateFigures {
  offeredRps: number;
  achievedRps: number;
  requests: number;
  completed: number;
  connectionErrors: number;
  wallS: number;
  latencyMs: { p50: number; p99: number };
  classes: { readBefore: ClassFigures; new: ClassFigures };
}

const fig = (p: PhaseResult): RunFigures => p.run as unknown as RunFigures;
const phaseOf = (results: TargetResult[], id: TargetId, phase: PhaseResult['phase']): PhaseResult | undefined =>
  results.find((r) => r.id === id)?.phases.find((p) => p.phase === phase);
const failed = (f: RunFigures): number => f.requests - f.ok + f.connectionErrors + f.timeouts;

// ---- targets ------------------------------------------------------------------------------------
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export function evaluate(results: TargetResult[], opts: { shieldRate: number; erpRateLimit: number }): TargetCheck[] {
  const rps = (id: TargetId, phase: PhaseResult['phase'] = 'main'): number | undefined => {
    const p = phaseOf(results, id, phase);
    return p ? fig(p).rps : undefined;
  };
  const p99 = (id: TargetId): number | undefined => {
    const p = phaseOf(results, id, 'main');
    return p ? fig(p).latencyMs.p99 : undefined;
  };
  const ratio = (x: number | undefined, y: number | undefined): number | undefined =>
    x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
  const out: TargetCheck[] = [];
  const d = rps('ours');
  const dp99 = p99('ours');
  const dFailed = phaseOf(results, 'ours', 'main');
  const clean = dFailed ? failed(fig(dFailed)) === 0 : false;
  const failedPct = (id: TargetId): number | undefined => {
    const p = phaseOf(results, id, 'main');
    return p ? (100 * failed(fig(p))) / Math.max(1, fig(p).requests) : undefined;
  };
  const errNote = (id: TargetId, who: string): string => {
    const f = failedPct(id);
    return f !== undefined && f > 0 ? `; ${who} failed ${f.toFixed(1)}% of requests` : '';
  };
  for (const [peer, times, name] of [
    ['apollo', 10, '(a)'],
    ['hive-cache', 3, '(b-cache) Hive Gateway with its response cache'],
  ] as const) {
    const r = ratio(d, rps(peer));
    out.push({
      target: `(d) ≥ ${times}× ${name}, at p99 ≤ 50 ms`,
      measured:
        r === undefined
          ? 'not measured'
          : `${r.toFixed(2)}× at p99 ${dp99} ms${errNote('ours', '(d)')}${errNote(peer, peer === 'apollo' ? '(a)' : '(b-cache)')}`,
      met: r === undefined ? null : r >= times && (dp99 ?? Infinity) <= 50 && clean,
    });
  }
  const steady = phaseOf(results, 'ours', 'steady');
  const w = ratio(rps('ours', 'steady'), rps('apollo'));
  out.push({
    target: '(d) warm steady state (the mix again) ≥ 10× (a), at p99 ≤ 50 ms',
    measured:
      w === undefined || !steady
        ? 'not measured'
        : `${w.toFixed(2)}× at p99 ${fig(steady).latencyMs.p99} ms${failed(fig(steady)) ? `; (d) failed ${failed(fig(steady))}` : ''}${errNote('apollo', '(a)')}`,
    met: w === undefined || !steady ? null : w >= 10 && fig(steady).latencyMs.p99 <= 50 && failed(fig(steady)) === 0,
  });
  const c = ratio(rps('ours-nocache'), rps('apollo'));
  const cClean = failedPct('ours-nocache') === 0;
  out.push({
    target: '(c) ≥ 1.5× (a)',
    measured:
      c === undefined ? 'not measured' : `${c.toFixed(2)}×${errNote('ours-nocache', '(c)')}${errNote('apollo', '(a)')}`,
    met: c === undefined ? null : c >= 1.5 && cClean,
  });
  const hot = ratio(rps('ours', 'hot'), rps('bare', 'hot'));
  const dHot = phaseOf(results, 'ours', 'hot');
  const hotFailed = dHot ? failed(fig(dHot)) : 0;
  out.push({
    target: 'cache-hit path ≥ 0.5× the bare node:http ceiling (e)',
    measured:
      hot === undefined
        ? 'not measured'
        : `${hot.toFixed(hot < 0.1 ? 3 : 2)}× (hot set: (d) ${rps('ours', 'hot')!.toFixed(0)} req/s, (e) ${rps('bare', 'hot')!.toFixed(0)} req/s)${hotFailed ? `; (d) failed ${hotFailed} of them` : ''}`,
    met: hot === undefined ? null : hot >= 0.5 && hotFailed === 0,
  });
  const s = phaseOf(results, 'ours', 'shield');
  if (!s) {
    out.push({
      target: `shielding: at ${opts.shieldRate.toLocaleString('en-US')} client req/s the ERP sees ≤ ${opts.erpRateLimit} req/s`,
      measured: 'not measured',
      met: null,
    });
    out.push({
      target: 'shielding: 0 client-visible 429/5xx for orders read before',
      measured: 'not measured',
      met: null,
    });
  } else {
    const r = s.run as unknown as RateFigures;
    out.push({
      target: `shielding: at ${opts.shieldRate.toLocaleString('en-US')} client req/s (fixed rate) the ERP sees ≤ ${opts.erpRateLimit} req/s`,
      measured: `${s.erp.callsPerS.toFixed(1)} ERP calls/s (${s.erp.httpPerS.toFixed(1)} HTTP requests/s to the ERP subgraph); ${r.completed.toLocaleString('en-US')} of ${r.requests.toLocaleString('en-US')} requests answered (${r.achievedRps.toFixed(0)} req/s)`,
      met: s.erp.callsPerS <= opts.erpRateLimit && r.completed >= 0.99 * r.requests,
    });
    const rb = r.classes.readBefore;
    const bad = Object.entries(rb.statusCodes)
      .filter(([k]) => k === '429' || k.startsWith('5'))
      .reduce((n, [, v]) => n + v, 0);
    out.push({
      target: 'shielding: 0 client-visible 429/5xx for orders read before (judged with responses carrying errors too)',
      measured: `read before: ${sum(rb.statusCodes).toLocaleString('en-US')} responses, ${bad} 429/5xx, ${rb.graphqlErrors} with errors, ${rb.unfinished} unanswered, ${rb.freshnessMarked} marked in extensions.freshness; not read before: ${sum(r.classes.new.statusCodes).toLocaleString('en-US')} responses, ${r.classes.new.non200} non-200, ${r.classes.new.graphqlErrors} with errors, ${r.classes.new.unfinished} unanswered`,
      met: bad === 0 && rb.graphqlErrors === 0 && rb.non200 === 0 && rb.unfinished === 0 && r.connectionErrors === 0,
    });
  }
  out.push(...cpuChecks(results));
  return out;
}
const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

// ---- tables -------------------------------------------------------------------------------------
const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const n1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const ms = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 10) / 10) : '–');
export const fmtMet = (m: boolean | null): string => (m === null ? 'not measured' : m ? 'MET' : 'MISSED');

function throughputTable(results: TargetResult[]): string {
  const a = phaseOf(results, 'apollo', 'main');
  const bc = phaseOf(results, 'hive-cache', 'main');
  const head =
    '| target | phase | req/s | p50 ms | p99 ms | failed / requests (%) | ERP calls/s (HTTP req/s) | RSS MB (peak) | × (a) | × (b-cache) | CPU % target / subgraphs / load | events/s |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows: string[] = [];
  for (const r of results) {
    for (const p of r.phases) {
      if (p.phase === 'shield' || p.phase === 'cpu') continue;
      const f = fig(p);
      const ra = a && (p.phase === 'main' || p.phase === 'steady') ? f.rps / fig(a).rps : NaN;
      const rb = bc && p.phase === 'main' ? f.rps / fig(bc).rps : NaN;
      rows.push(
        `| (${r.letter}) ${r.label} | ${p.phase === 'main' ? 'mix' : p.phase === 'steady' ? 'mix again (warm)' : 'hot set'} | ${n0(f.rps)} | ${ms(f.latencyMs.p50)} | ${ms(f.latencyMs.p99)} | ${n0(failed(f))} / ${n0(f.requests)} (${n1((100 * failed(f)) / Math.max(1, f.requests))}%) | ${n1(p.erp.callsPerS)} (${n1(p.erp.httpPerS)}) | ${n0(p.memory.rssMB)} (${n0(p.memory.peakMB)}) | ${Number.isFinite(ra) ? `${ra.toFixed(2)}×` : '–'} | ${Number.isFinite(rb) ? `${rb.toFixed(2)}×` : '–'} | ${n0(p.cpuPct.target)} / ${n0(p.cpuPct.subgraphs)} / ${n0(p.cpuPct.load)} | ${n0(p.events.webhooksPerS)} |`,
      );
    }
  }
  return [head, sep, ...rows].join('\n');
}

/** How many of the bare server's answers were the recorded bytes of that exact request. */
function bareNote(results: TargetResult[]): string {
  const b = results.find((r) => r.id === 'bare')?.bare as
    | { hits: number; misses: number; entries: number }
    | undefined
    | null;
  if (!b) return '';
  const pct = (100 * b.hits) / Math.max(1, b.hits + b.misses);
  return `(e) answered ${pct.toFixed(1)}% of its requests with the recorded bytes of that exact request (${n0(b.entries)} recorded during the run), the rest with a recorded response of the same operation.`;
}

function shieldTable(results: TargetResult[]): string {
  const s = phaseOf(results, 'ours', 'shield');
  if (!s) return 'No shielding run.';
  const r = s.run as unknown as RateFigures;
  const row = (name: string, c: ClassFigures): string =>
    `| ${name} | ${n0(sum(c.statusCodes) + c.unfinished)} | ${n0(c.unfinished)} | ${
      Object.entries(c.statusCodes)
        .map(([k, v]) => `${k}: ${n0(v)}`)
        .join(', ') || '–'
    } | ${n0(c.graphqlErrors)} | ${
      Object.entries(c.errorCodes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '–'
    } | ${n0(c.freshnessMarked)} |`;
  return [
    `Offered ${n0(r.offeredRps)} req/s (${n0(r.requests)} requests), ${n0(r.completed)} answered before the run ended (${n0(r.achievedRps)} req/s over ${n1(r.wallS)} s); latency from each request's scheduled time p50 ${ms(r.latencyMs.p50)} ms, p99 ${ms(r.latencyMs.p99)} ms; ` +
      `ERP ${n1(s.erp.callsPerS)} calls/s, ${n1(s.erp.httpPerS)} HTTP requests/s to the ERP subgraph; connection errors ${r.connectionErrors}.`,
    '',
    '| requests for | requests | unanswered | HTTP status | with `errors` | error codes (responses) | marked in `extensions.freshness` |',
    '|---|---:|---:|---|---:|---|---:|',
    row('orders read before (answered OK earlier in this run)', r.classes.readBefore),
    row('orders not read before', r.classes.new),
  ].join('\n');
}

function targetsTable(targets: TargetCheck[]): string {
  return [
    '| target | measured | met? |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.target} | ${t.measured} | ${fmtMet(t.met)} |`),
  ].join('\n');
}

function correctnessTable(results: TargetResult[]): string {
  const rows = results.map((r) => {
    const c = r.correctness;
    const main = r.phases.find((p) => p.phase === 'main');
    const f = main ? fig(main) : undefined;
    const codes = f
      ? Object.entries(f.errorCodes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') + (f.graphqlErrors + f.non200 > 2000 ? ' among the first 2,000' : '')
      : '';
    return `| (${r.letter}) | ${c.ok} / ${c.samples} | ${c.non200} | ${c.withErrors} | ${c.shapeMismatches} | ${f ? `${n0(f.non200)} non-200, ${n0(f.graphqlErrors)} with errors, ${n0(f.connectionErrors + f.timeouts)} connection errors/timeouts${codes ? ` (${codes})` : ''}` : '–'} | ${(c.problems[0] ?? f?.errorSamples[0] ?? '').replace(/\|/g, '\\|').slice(0, 160)} |`;
  });
  return [
    '| target | samples OK | non-200 | with errors | data shape ≠ | during the mix run | first problem |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows,
  ].join('\n');
}

export function printTable(
  results: TargetResult[],
  targets: TargetCheck[],
  info: {
    command: string;
    machine: Record<string, unknown>;
    packages: Record<string, string>;
    placement: string;
    opts: { orders: number; durationS: number; connections: number };
  },
): string {
  const m = info.machine;
  return [
    `Gateway benchmark — ${info.command}`,
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, Node ${m.node}; ${info.opts.orders.toLocaleString('en-US')} orders, ${info.opts.durationS} s per target, ${info.opts.connections} connections`,
    info.placement,
    '',
    throughputTable(results),
    bareNote(results),
    '',
    'Fixed-rate CPU phase (gateway CPU ms per answered request):',
    cpuTable(results),
    '',
    'Shielding run (ours, ERP rate limit on):',
    shieldTable(results),
    '',
    'Correctness:',
    correctnessTable(results),
    '',
    targetsTable(targets),
    '',
  ].join('\n');
}

export function markdownSection(a: {
  command: string;
  machine: Record<string, unknown>;
  packages: Record<string, string>;
  code: ReturnType<typeof codeState> & { changedDuringRun?: boolean };
  results: TargetResult[];
  targets: TargetCheck[];
  resultFile: string;
  setup: Record<string, unknown>;
  opts: {
    orders: number;
    durationS: number;
    warmupS: number;
    connections: number;
    eventsPerSecond: number;
    hotKeys: number;
    hotDurationS: number;
    shieldRate: number;
    shieldDurationS: number;
    erpRateLimit: number;
    zipfS: number;
    profileS: number;
    cpuRate: number;
    cpuDurationS: number;
    profileTarget?: TargetId;
  };
  profile?: ProfileSummary | null;
}): string {
  const m = a.machine;
  const p = a.packages;
  const o = a.opts;
  return `## Gateways

The same workload through five gateways over the same five subgraphs (issue: gateway throughput
benchmark). Produced by:

\`\`\`sh
cd bench && npm install && cd ..   # the bench package: peers and load generator, its own lock
${a.command}
\`\`\`

- Code: commit \`${a.code.commit?.slice(0, 12) ?? 'unknown'}\`${a.code.uncommittedProductFiles?.length ? ` **plus uncommitted changes** to ${a.code.uncommittedProductFiles.length} product file(s)` : ', no uncommitted product changes'}${a.code.changedDuringRun ? '; **the product sources changed while the benchmark ran** (other work in progress)' : ''}.
- Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}.
- Packages: peers @apollo/gateway ${p['bench:@apollo/gateway']}, @apollo/server ${p['bench:@apollo/server']}, @graphql-hive/gateway ${p['bench:@graphql-hive/gateway']}; load generator autocannon ${p['bench:autocannon']}; ours on @apollo/gateway ${p['@apollo/gateway']}, @apollo/server ${p['@apollo/server']}, graphql ${p.graphql}.
- **The load generator and the gateways share this machine's ${m.cpus} cores.** ${String(a.setup.placement)}.
- Workload "order-visibility mix" on ${o.orders.toLocaleString('en-US')} demo orders, ids Zipf-distributed (s = ${o.zipfS}): 70% storefront order status
  (\`ShopperOrderStatus\`, the customer's own storefront token), 20% LWC order detail (\`AgentOrderDetail\`, every slice,
  salesforce token), 10% customer order history (\`AgentOrderSearch\`, first 20, salesforce token); the real operations
  from \`operations/\`. Every target replays the same sequence from its start, after a ${o.warmupS} s warm-up on another
  sequence. ${o.connections} connections, ${o.durationS} s per target. ${o.eventsPerSecond} signed webhooks/s flow into the
  subgraphs' \`/ingest\` throughout.
- Subgraphs: ${String(a.setup.subgraphs)}. Peers: ${String(a.setup.peersSupergraph)}; they ignore the
  credentials. Ours: ${String(a.setup.ours)}.
- "Hot set": the ${o.hotKeys} most requested distinct requests of the mix, each read once first, then ${o.hotDurationS} s
  at random among them — the cache-hit path of (d), against the bare server on the same requests.
- Raw figures: \`${a.resultFile}\`.

${throughputTable(a.results)}

"ERP calls/s" counts calls into the ERP simulator (what its rate limit counts), in parentheses
HTTP requests to the ERP subgraph. RSS is the target process's at the end of its run (peak in
parentheses). CPU % is per process over the measured window (100% = one core). Ratios are of
req/s, failed responses included: read them with the failure column. ${bareNote(a.results)}

### Gateway CPU per request at a fixed rate

Every target, first (before its warm-up, after one unmeasured second at the same rate): the same ${o.cpuRate} req/s for ${o.cpuDurationS} s from
request 50,000 of the measured sequence (a fixed arrival rate below what the shared subgraphs
saturate at), the gateway process's CPU time (/proc/<pid>/stat) over the window divided by the
requests it answered OK. "Idle" is its CPU over one second without requests right before (ours
reads the event bus the webhooks feed; the peers do not). bench/gateways/cpu.ts.

${cpuTable(a.results)}

### Shielding run

Ours (d), the ERP simulator limited to ${o.erpRateLimit} calls/s, a fixed arrival rate of ${o.shieldRate.toLocaleString('en-US')} req/s for
${o.shieldDurationS} s over the same sequence (so most orders were read before, in the mix run).

${shieldTable(a.results)}

### Correctness

Before each target's warm-up, sample requests of each operation are sent one at a time: HTTP
200, no \`errors\`, and the same \`data\` shape as the first target that answered them.

${correctnessTable(a.results)}

${profileSection(a.profile, o.profileS, o.profileTarget === 'ours-nocache' ? 'c' : 'd')}### Targets

${targetsTable(a.targets)}
`;
}

/** Where ours spends its time in the mix, from the profiled stretch. */
function profileSection(p: ProfileSummary | null | undefined, seconds: number, letter: string): string {
  if (!p) return '';
  const pct = (n: number): string => `${n.toFixed(1)}%`;
  const areas = p.byArea
    .slice(0, 12)
    .map((r) => `| ${r.name} | ${pct(r.pctOfBusy)} |`)
    .join('\n');
  const fns = p.topSelf
    .slice(0, 12)
    .map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${pct(r.pctOfBusy)} |`)
    .join('\n');
  const named = Object.entries(p.named)
    .map(([k, v]) => `${k} ${pct(v.pctOfBusy)}`)
    .join(', ');
  return `### Where ours spends its time

A sampled CPU profile of (${letter}) over ${seconds} s more of the mix (not in the figures above): busy
${p.busyMs} ms of ${p.wallMs} ms. Inclusive time of named parts of the request path (outermost
frame per stack, synchronous parts only): ${named}.

| self time by package | % of busy |
|---|---:|
${areas}

| self time by function | % of busy |
|---|---:|
${fns}

`;
}

export const writeBenchmarksMd = (root: string, section: string): void =>
  replaceBenchmarksSection(root, 'Gateways', section);

// ---- what was measured ------------------------------------------------------------------------------
export function packageVersions(root: string, benchDir: string): Record<string, string> {
  const v = (dir: string, name: string): string => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      return 'unknown';
    }
  };
  const out: Record<string, string> = {};
  for (const n of ['@apollo/gateway', '@apollo/server', 'graphql', 'tsx']) out[n] = v(root, n);
  for (const n of [
    '@apollo/gateway',
    '@apollo/server',
    '@graphql-hive/gateway',
    '@graphql-hive/gateway-runtime',
    'autocannon',
    'graphql',
  ])
    out[`bench:${n}`] = v(benchDir, n);
  return out;
}

const PRODUCT = [
  'canonical',
  'demo',
  'embedded',
  'events',
  'gateway',
  'runtime',
  'subgraphs',
  'supergraph.graphql',
  'operations',
];
export const fingerprint = (root: string): string => sourcesFingerprint(root, PRODUCT);
function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['--no-optional-locks', ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}
export function codeState(root: string) {
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...PRODUCT]);
  return {
    commit: git(root, ['rev-parse', 'HEAD']),
    uncommittedProductFiles:
      dirty === null
        ? null
        : dirty
            .split('\n')
            .filter(Boolean)
            .map((l) => l.trim()),
    sourcesSha256: fingerprint(root),
  };
}
