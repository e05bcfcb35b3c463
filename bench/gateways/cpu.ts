/**
 * The fixed-rate CPU phase of `bench/gateways.ts` (issue 15 item 2): every target is offered the
 * same requests at the same arrival rate, below what the shared subgraphs saturate at, and the
 * gateway process's CPU time over the window (/proc/<pid>/stat utime + stime, every target being
 * a child process) is divided by the requests it answered OK. At a rate every target keeps up
 * with, this is the cost of a request, not of a queue.
 *
 * It runs first for each target (after one unmeasured second at the rate): after the mix's
 * warm-up the shared subgraphs are still working off its backlog.
 *
 * `idleCpuMsPerS` is the same process's CPU over a second with no request right before the phase
 * (what the 200 webhooks/s cost ours, which consumes the event bus; the peers do not): "net"
 * subtracts it over the window.
 */
import type { TargetId } from './targets.js';

export interface CpuFigures {
  offeredRps: number;
  sent: number;
  answeredOk: number;
  unanswered: number;
  p50: number;
  p99: number;
  cpuMs: number;
  windowS: number;
  idleCpuMsPerS: number;
  msPerAnswered: number;
  netMsPerAnswered: number;
}

interface PhaseLike {
  phase: string;
  run: Record<string, unknown>;
  windowS: number;
  cpuPct: { target: number };
  idleCpuMsPerS?: number;
}
interface ResultLike {
  id: TargetId;
  letter: string;
  label: string;
  phases: PhaseLike[];
}

type Class = { ok: number; unfinished: number };

/** The figures of a target's `cpu` phase, if it ran. */
export function cpuFigures(phases: readonly PhaseLike[]): CpuFigures | undefined {
  const p = phases.find((x) => x.phase === 'cpu');
  if (!p) return undefined;
  const r = p.run as {
    offeredRps: number;
    requests: number;
    latencyMs: { p50: number; p99: number };
    classes: { readBefore: Class; new: Class };
  };
  const answeredOk = r.classes.readBefore.ok + r.classes.new.ok;
  const cpuMs = (p.cpuPct.target / 100) * p.windowS * 1000;
  const idle = p.idleCpuMsPerS ?? 0;
  return {
    offeredRps: r.offeredRps,
    sent: r.requests,
    answeredOk,
    unanswered: r.classes.readBefore.unfinished + r.classes.new.unfinished,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    cpuMs,
    windowS: p.windowS,
    idleCpuMsPerS: idle,
    msPerAnswered: cpuMs / Math.max(1, answeredOk),
    netMsPerAnswered: Math.max(0, cpuMs - idle * p.windowS) / Math.max(1, answeredOk),
  };
}

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');

export function cpuTable(results: readonly ResultLike[]): string {
  const rows = results
    .map((r) => [r, cpuFigures(r.phases)] as const)
    .filter((x): x is readonly [ResultLike, CpuFigures] => x[1] !== undefined)
    .map(
      ([r, c]) =>
        `| (${r.letter}) ${r.label} | ${f0(c.offeredRps)} | ${f0(c.answeredOk)} / ${f0(c.sent)} | ${f0(c.p50)} / ${f0(c.p99)} | ${f0(c.cpuMs)} over ${c.windowS.toFixed(1)} s | **${f2(c.msPerAnswered)}** | ${f0(c.idleCpuMsPerS)} | ${f2(c.netMsPerAnswered)} |`,
    );
  if (rows.length === 0) return 'No fixed-rate CPU phase (--cpu-rate 0).';
  return [
    '| target | offered req/s | answered OK / sent | p50 / p99 ms | gateway CPU ms | CPU ms per answered request | idle CPU ms/s | net of idle, ms per request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** Issue 15's CPU targets: (c) ≤ (b) Hive on its router runtime, and (c) ≤ 0.67× (a). */
export function cpuChecks(results: readonly ResultLike[]): { target: string; measured: string; met: boolean | null }[] {
  const of = (id: TargetId): CpuFigures | undefined => {
    const r = results.find((x) => x.id === id);
    return r ? cpuFigures(r.phases) : undefined;
  };
  const c = of('ours-nocache');
  const out: { target: string; measured: string; met: boolean | null }[] = [];
  for (const [peer, factor, name] of [
    ['hive', 1, '(b) Hive Gateway, router runtime'],
    ['apollo', 0.67, '(a) Apollo Gateway'],
  ] as const) {
    const p = of(peer);
    const target = `(c) CPU ms per answered request ≤ ${factor === 1 ? '' : `${factor}× `}${name}, fixed rate`;
    if (!c || !p) {
      out.push({ target, measured: 'not measured', met: null });
      continue;
    }
    const complete = c.answeredOk === c.sent && p.answeredOk === p.sent;
    out.push({
      target,
      measured: `(c) ${f2(c.msPerAnswered)} ms vs ${f2(p.msPerAnswered)} ms (${f2(c.msPerAnswered / p.msPerAnswered)}×; net of idle ${f2(c.netMsPerAnswered)} vs ${f2(p.netMsPerAnswered)})${complete ? '' : '; not every request was answered OK'}`,
      met: c.msPerAnswered <= factor * p.msPerAnswered && complete,
    });
  }
  return out;
}
