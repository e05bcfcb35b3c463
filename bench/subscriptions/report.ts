/**
 * The subscription benchmark's report: the printed tables and the `## Subscriptions` section of
 * BENCHMARKS.md, from one run's figures only.
 */
import { relative } from 'node:path';
import type { CodeState } from './environment.js';
import { kb, ms, round } from './numbers.js';
import type { PhaseResult } from './phase.js';
import type { Mem, Ready } from './server.js';
import { BROADCAST } from './subscribers.js';

/** Per-subscriber memory between two states of the server. */
export function perSubscriber(base: Mem, m: Mem, n: number) {
  return {
    heapBytes: Math.round((m.heapUsed - base.heapUsed) / n),
    rssBytes: Math.round((m.rss - base.rss) / n),
    externalBytes: Math.round((m.external - base.external) / n),
  };
}

const label = (r: PhaseResult, baseIntervalMs: number): string =>
  `${r.scenario}${r.intervalMs !== baseIntervalMs ? `, 1 event / ${r.intervalMs / 1000} s` : ''}${r.profiled ? ' (profiled)' : ''}`;

export function latencyTable(rows: PhaseResult[], baseIntervalMs: number): string {
  const head =
    '| scenario | subscribers | events | delivered / expected | p50 ms | p99 ms | max ms | last subscriber p50 / max ms | payload executions / event | subgraph calls / event | server CPU ms / event | client CPU ms / event |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${label(r, baseIntervalMs)} | ${r.subscribers.toLocaleString('en-US')} | ${r.events} | ${r.delivered.toLocaleString('en-US')} / ${r.expected.toLocaleString('en-US')} (${r.deliveredPct}%) | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p99)} | ${ms(r.latencyMs.max)} | ${ms(r.timeToLastSubscriberMs.p50)} / ${ms(r.timeToLastSubscriberMs.max)} | ${r.perEvent.payloadExecutions} | ${r.perEvent.subgraphCalls} | ${r.perEvent.serverCpuMs} | ${r.perEvent.clientCpuMs} |`,
  );
  return [head, sep, ...lines].join('\n');
}

export function breakdownTable(rows: PhaseResult[], baseIntervalMs: number): string {
  const head =
    '| scenario | subscribers | webhook round trip (before t0) | 2xx → change published (tracker), p50 / p99 | published → first frame | published → last frame | last frame → last received (client) | frames / event |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows
    .filter((r) => r.breakdownMs)
    .map((r) => {
      const b = r.breakdownMs!;
      return `| ${label(r, baseIntervalMs)} | ${r.subscribers.toLocaleString('en-US')} | ${ms(r.webhookRoundTripMs.p50)} | ${ms(b.t0ToPublished)} / ${ms(b.t0ToPublishedP99)} | ${ms(b.publishedToFirstFrame)} | ${ms(b.publishedToLastFrame)} | ${ms(b.lastFrameToLastReceived)} | ${b.framesPerEvent.toLocaleString('en-US')} |`;
    });
  return [head, sep, ...lines].join('\n');
}

export interface MemRow {
  label: string;
  subscribers: number;
  heapUsedMB: number;
  rssMB: number;
  perSubscriber: ReturnType<typeof perSubscriber> | null;
  marginal?: ReturnType<typeof perSubscriber> | null;
}
export function memoryTable(rows: MemRow[]): string {
  const head =
    '| server state | subscribers | heapUsed | RSS | heap / subscriber | RSS / subscriber | marginal heap / RSS per subscriber (vs previous row) |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.label} | ${r.subscribers.toLocaleString('en-US')} | ${r.heapUsedMB.toFixed(1)} MB | ${r.rssMB.toFixed(1)} MB | ${r.perSubscriber ? kb(r.perSubscriber.heapBytes) : '–'} | ${r.perSubscriber ? kb(r.perSubscriber.rssBytes) : '–'} | ${r.marginal ? `${kb(r.marginal.heapBytes)} / ${kb(r.marginal.rssBytes)}` : '–'} |`,
  );
  return [head, sep, ...lines].join('\n');
}

const spacedOf = (results: PhaseResult[], baseIntervalMs: number): PhaseResult | undefined =>
  results.find((r) => r.scenario === 'broadcast' && !r.profiled && r.intervalMs !== baseIntervalMs);
export const fmtMet = (m: boolean | null): string =>
  m === null ? 'not measured at the target size' : m ? 'MET' : 'MISSED';

type Row = { name: string; ms: number; pctOfBusy: number };
export interface ProfileSummary {
  wallMs: number;
  idleMs: number;
  busyMs: number;
  samples: number;
  topSelf: Row[];
  byArea: Row[];
  topInclusive: Row[];
  named: Record<string, { ms: number; pctOfBusy: number }>;
}

/** The "where the time goes" paragraph, from this run's figures only. */
function whereTimeGoes(results: PhaseResult[], prof: ProfileSummary | null, baseIntervalMs: number): string {
  const main = results
    .filter((r) => r.scenario === 'broadcast' && !r.profiled && r.intervalMs === baseIntervalMs)
    .at(-1);
  if (!main) return '';
  const n = main.subscribers.toLocaleString('en-US');
  const cpu = main.perEvent.serverCpuMs;
  const one = results.find((r) => r.scenario === 'broadcast' && r.subscribers === 1)?.perEvent.serverCpuMs;
  const capacity = 1000 / cpu;
  const offered = 1000 / main.intervalMs;
  const b = main.breakdownMs;
  const spaced = results.find(
    (r) =>
      r.scenario === 'broadcast' &&
      !r.profiled &&
      r.intervalMs !== baseIntervalMs &&
      r.subscribers === main.subscribers,
  );
  const parts: string[] = [];
  parts.push(
    `At ${n} subscribers the server process spends **${cpu} ms of CPU per status change** ` +
      `(all threads, GC included; ≈ ${Math.round((cpu * 1000) / main.subscribers)} µs per subscriber${one !== undefined ? `; ${one} ms with one subscriber` : ''}). ` +
      `Ingest, tracker and fan-out share one event loop, so it sustains about ${capacity.toFixed(1)} changes/s ` +
      (capacity < offered && (b?.t0ToPublished ?? 0) > 50
        ? `— less than the ${offered} changes/s offered: changes queue behind each other's fan-out, and most of the latency above is that backlog`
        : capacity < offered * 1.5
          ? `against the ${offered} changes/s offered: close to saturation`
          : `against the ${offered} changes/s offered`) +
      (b
        ? ` (medians: 2xx → change published ${b.t0ToPublished} ms${b.t0ToPublished > 50 ? ", the tracker's re-read waiting behind earlier fan-outs" : ''}; published → last frame written ${b.publishedToLastFrame} ms).`
        : '.'),
  );
  if (spaced?.breakdownMs) {
    const sb = spaced.breakdownMs;
    parts.push(
      `With changes ${spaced.intervalMs / 1000} s apart (no backlog) p99 is ${spaced.latencyMs.p99} ms: ` +
        `the tracker publishes the change ${sb.t0ToPublished} ms after the 2xx; ${sb.publishedToFirstFrame} ms later the first frame is written ` +
        `(the subscription event executed and its \`order\` resolved through the graph), and ${round(sb.publishedToLastFrame - sb.publishedToFirstFrame)} ms after that the last of ` +
        `${sb.framesPerEvent.toLocaleString('en-US')}.`,
    );
  }
  if (b) {
    const clientShare = b.lastFrameToLastReceived / Math.max(1, main.latencyMs.p50);
    parts.push(
      `The last frame reaches the last client ${b.lastFrameToLastReceived} ms (median) after the server wrote it, with ${main.perEvent.clientCpuMs} ms of client CPU per change` +
        (clientShare < 0.1
          ? ': the load generator is not what limits the latency.'
          : ': a noticeable part of the latency is on the client side (same machine).'),
    );
  }
  parts.push(
    `The subgraph side does not grow with subscribers: ${main.perEvent.payloadExecutions} payload execution${main.perEvent.payloadExecutions === 1 ? '' : 's'} and ${main.perEvent.subgraphCalls} subgraph calls per change at ${n} subscribers (${results[0]?.perEvent.subgraphCalls} with one).`,
  );
  if (prof) {
    const g = (k: string): number => prof.named[k]?.pctOfBusy ?? 0;
    const gcPct = prof.byArea.find((r) => r.name === '(garbage collector)')?.pctOfBusy ?? 0;
    const areas = prof.byArea
      .filter((r) => r.name !== '(garbage collector)')
      .slice(0, 4)
      .map((r) => `${r.name} ${r.pctOfBusy}%`)
      .join(', ');
    const named: [string, string][] = [
      ['graphqlExecutePerSubscriber', 'graphql execution of subscription events (`mapSourceToResponse`)'],
      ['payloadResolve', '`OrderPayloads.resolve`'],
      ['payloadOrderQuery', '`orderQuery` (inside it)'],
      ['wsSend', 'writing frames (`ws` send → one `writev` per socket)'],
      ['graphqlWsSerialize', 'graphql-ws `stringifyMessage` (one JSON text per subscriber)'],
      ['hubDispatch', "the hub's dispatch"],
    ];
    const inclusive = named
      .filter(([k]) => g(k) >= 0.5)
      .map(([k, what]) => `${what} ${g(k)}%`)
      .join('; ');
    const bench = prof.byArea.find((r) => r.name === 'product: bench/subscriptionServer.ts')?.pctOfBusy;
    parts.push(
      `In the CPU profile of the profiled pass (share of the server's busy time): garbage collection ${gcPct}%; self time by package ${areas}. ` +
        `Inclusive: ${inclusive}.` +
        (bench !== undefined
          ? ` The benchmark's own frame-timestamping wrapper around \`ws\` send costs ${bench}% (self).`
          : '') +
        ` The profiler does not attribute garbage collection to callers` +
        (one !== undefined
          ? `; with one subscriber a whole change costs 1/${Math.round(cpu / one)} of the CPU it costs at ${n}, so nearly all of it comes with the per-subscriber work.`
          : '.'),
    );
  }
  return parts.join(' ');
}

export function markdownSection(a: {
  root: string;
  baseIntervalMs: number;
  command: string;
  machine: Record<string, unknown>;
  packages: Record<string, string>;
  code: CodeState;
  results: PhaseResult[];
  memRows: MemRow[];
  targets: {
    latency: { p99Ms: number; met: boolean | null; measuredAt: number };
    memory: { rssBytes: number | null; heapBytes: number | null; met: boolean | null; measuredAt: number | null };
    delivery: { met: boolean };
  };
  profile: ProfileSummary | null;
  resultFile: string;
  profileFile: string | null;
  info: Ready;
}): string {
  const m = a.machine;
  const baseIntervalMs = a.baseIntervalMs;
  const t = a.targets;
  const prof = a.profile;
  const profRows = prof
    ? prof.topSelf
        .slice(0, 12)
        .map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`)
        .join('\n')
    : '';
  const areaRows = prof
    ? prof.byArea
        .slice(0, 10)
        .map((r) => `| ${r.name} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`)
        .join('\n')
    : '';
  const inclRows = prof
    ? prof.topInclusive
        .slice(0, 12)
        .map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pctOfBusy}% |`)
        .join('\n')
    : '';
  return `## Subscriptions

The change path of issue #3, measured end to end: a signed ERP webhook accepted by the ERP
subgraph's \`/ingest\` → source event on the bus → status tracker re-reads the status through the
graph → \`order.status_changed\` → gateway event hub → every \`orderStatusChanged\` subscriber over
graphql-ws. Produced by:

\`\`\`sh
${a.command}
\`\`\`

- Code: commit \`${a.code.commit?.slice(0, 12) ?? 'unknown'}\`${a.code.uncommittedProductFiles?.length ? ` **plus uncommitted changes** to ${a.code.uncommittedProductFiles.map((f) => `\`${f}\``).join(', ')}` : ', no uncommitted product changes'}.
- Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}; graphql-ws ${a.packages['graphql-ws']}, ws ${a.packages.ws}, @apollo/gateway ${a.packages['@apollo/gateway']}.
- Server (measured): a child process — gateway, five subgraphs, in-memory bus, seeded status tracker,
  lifecycle simulator off, ${a.info.orders.toLocaleString('en-US')} demo orders. Clients: the parent process (graphql-ws \`createClient\`
  over \`ws\`). **The load generator and the server share the ${m.cpus} cores**, so every client-side
  cost (receiving and parsing ${a.results.at(-1)?.subscribers.toLocaleString('en-US')} frames per event) is inside the latency.
- Every broadcast subscriber runs \`${BROADCAST}\` (no filter: every subscriber gets every change,
  the worst case). Webhooks alternate HOLD_PLACED / HOLD_RELEASED on ALLOCATED orders, one every
  ${a.results[0]?.intervalMs} ms, each on a different order. Latency = t1 − t0 per (subscriber, event): t0 = the
  webhook's HTTP 2xx at the parent, t1 = that subscriber's message at the parent. The webhook's own
  round trip (it grows under load: ingest shares the server's event loop) is before t0, shown in
  the breakdown below.
- Raw figures: \`${relative(a.root, a.resultFile)}\`${a.profileFile ? `; CPU profile summary: \`${relative(a.root, a.profileFile)}\`` : ''}.

### Latency, webhook accepted → subscriber received

${latencyTable(a.results, baseIntervalMs)}

"Subgraph calls / event" is the sum of \`sim.callCount()\` over the five simulated systems: the
tracker's status read plus the payload's \`order { number status }\`. "Payload executions" counts
gateway executions of the subscribers' \`order\` selection (\`payloads.executions\`). The profiled row
ran with the sampling profiler attached and is not used for the targets.

Where the latency goes (medians over events; server timestamps from the child, same machine clock):

${breakdownTable(a.results, baseIntervalMs)}

### Idle memory of the server per subscriber

After \`global.gc()\` in the server process; per subscriber = (state − idle, no client) / subscribers.
Client-side memory is excluded (the clients are in the other process).

${memoryTable(a.memRows)}

### Targets

| target | measured | met? |
|---|---|---|
| p99 ≤ 100 ms at 10,000 subscribers | p99 ${t.latency.p99Ms} ms at ${t.latency.measuredAt.toLocaleString('en-US')}, one change every ${a.results[0]?.intervalMs} ms${spacedOf(a.results, baseIntervalMs) ? `; ${spacedOf(a.results, baseIntervalMs)!.latencyMs.p99} ms with one change every ${spacedOf(a.results, baseIntervalMs)!.intervalMs / 1000} s` : ''} | ${fmtMet(t.latency.met)} |
| ≤ 30 KB per idle subscriber | ${t.memory.rssBytes !== null ? `${kb(t.memory.rssBytes)} RSS (${kb(t.memory.heapBytes!)} heap)` : '–'} at ${t.memory.measuredAt?.toLocaleString('en-US') ?? '–'} | ${fmtMet(t.memory.met)} (judged on RSS) |
| every change delivered to every subscriber | ${a.results.map((r) => `${r.deliveredPct}%`).join(', ')} | ${fmtMet(t.delivery.met)} |

### Where the time goes

${whereTimeGoes(a.results, prof, baseIntervalMs)}

${
  prof
    ? `CPU profile (sampled, node:inspector) of the server process during the profiled pass (${a.results.find((r) => r.profiled)?.events} events at ${a.results.find((r) => r.profiled)?.subscribers.toLocaleString('en-US')} subscribers;
${prof.busyMs} ms busy of ${prof.wallMs} ms wall). Self time by package:

| package / area | self ms | % of busy |
|---|---:|---:|
${areaRows}

Top functions by self time:

| function | self ms | % of busy |
|---|---:|---:|
${profRows}

Top functions by inclusive time:

| function | total ms | % of busy |
|---|---:|---:|
${inclRows}
`
    : 'No profile in this run.'
}
`;
}

/** "12.3 KB", or "–" when not measured. */
export const kbOrDash = (bytes: number | null): string => (bytes !== null ? kb(bytes) : '–');

/** The tables printed at the end of a run. */
export function printedReport(a: {
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string };
  results: PhaseResult[];
  memRows: MemRow[];
  baseIntervalMs: number;
}): string {
  const m = a.machine;
  return (
    `\nSubscriptions benchmark — ${a.command}\n${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, Node ${m.node}\n\n` +
    `${latencyTable(a.results, a.baseIntervalMs)}\n\n` +
    `Where the latency goes (medians over events):\n${breakdownTable(a.results, a.baseIntervalMs)}\n\n` +
    `Idle memory of the server process:\n${memoryTable(a.memRows)}\n\n`
  );
}
