/**
 * A sampled CPU profile of the process it runs in (node:inspector), summarized for a benchmark
 * write-up: where the busy time went, by function and by package. Used by the subscriptions
 * server and by our gateway in the gateways benchmark.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { projectRoot } from '../runtime/project.js';

let session: Session | undefined;

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const root = projectRoot();
function where(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith('/') ? relative(root, path) : path;
}
/** Which package or part of the product a frame belongs to. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node core (' + url.replace(/^node:(internal\/)?/, '').split('/')[0] + ')';
  const p = where(url);
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return 'product: ' + p.split('/').slice(0, 2).join('/');
}

/**
 * Self and inclusive time per function (inclusive: outermost frame per stack), self time per
 * package, and the inclusive time of the `named` functions (label → key prefix).
 */
export function summarize(p: Profile, named: Record<string, string> = {}, top = 25) {
  const totalMs = (p.endTime - p.startTime) / 1000;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the sample stream (each sample's delta is attributed to the sample before it).
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  const key = (n: ProfileNode): string => {
    const f = n.callFrame;
    // Product files are transpiled by tsx without line mapping here: name them by function and file only.
    if (!f.url) return f.functionName || '(anonymous)';
    const file = where(f.url);
    return file.includes('node_modules/') || f.url.startsWith('node:')
      ? `${f.functionName || '(anonymous)'} ${file.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`
      : `${f.functionName || '(anonymous)'} ${file}`;
  };
  const selfByFn = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    selfByFn.set(key(n), (selfByFn.get(key(n)) ?? 0) + ms);
    const a = area(n.callFrame.url, n.callFrame.functionName);
    selfByArea.set(a, (selfByArea.get(a) ?? 0) + ms);
  }
  // Inclusive (total) time per function, counting only its outermost frame on each stack.
  const total = new Map<number, number>();
  const totalOf = (id: number): number => {
    const cached = total.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += totalOf(c);
    total.set(id, t);
    return t;
  };
  const inclusive = new Map<string, number>();
  const onPath = new Map<string, number>();
  const walk = (id: number): void => {
    const n = byId.get(id)!;
    const k = key(n);
    const depth = onPath.get(k) ?? 0;
    if (depth === 0) inclusive.set(k, (inclusive.get(k) ?? 0) + totalOf(id));
    onPath.set(k, depth + 1);
    for (const c of n.children ?? []) walk(c);
    onPath.set(k, depth);
  };
  const rootNode = p.nodes[0]!;
  for (const c of rootNode.children ?? []) walk(c);
  const idle = selfByFn.get('(idle)') ?? 0;
  const busy = totalMs - idle;
  selfByFn.delete('(idle)');
  selfByArea.delete('(idle)');
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, pctOfBusy: Math.round((ms / busy) * 1000) / 10 }));
  return {
    wallMs: Math.round(totalMs),
    idleMs: Math.round(idle),
    busyMs: Math.round(busy),
    samples: samples.length,
    topSelf: rows(selfByFn, top),
    byArea: rows(selfByArea, 20),
    topInclusive: rows(
      new Map([...inclusive].filter(([k]) => !['(root)', '(program)', '(idle)', '(garbage collector)'].includes(k))),
      top,
    ),
    /** Inclusive time of the functions the benchmark's write-up names (outermost frame per stack). */
    named: Object.fromEntries(
      Object.entries(named).map(([label, prefix]) => {
        let t = 0;
        for (const [k, v] of inclusive) if (k.startsWith(prefix)) t += v;
        return [label, { ms: Math.round(t * 10) / 10, pctOfBusy: Math.round((t / busy) * 1000) / 10 }];
      }),
    ),
  };
}

/** Starts sampling this process's CPU (node:inspector, every 500 µs). */
export async function profileStart(): Promise<void> {
  if (session) throw new Error('a profile is already running');
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
}

/** Stops sampling and summarizes the window (see {@link summarize}). */
export async function profileStop(named: Record<string, string> = {}) {
  if (!session) throw new Error('no profile running');
  const { profile } = await session.post('Profiler.stop');
  await session.post('Profiler.disable');
  session.disconnect();
  session = undefined;
  // BENCH_RAW_PROFILE=<file.cpuprofile>: also keep the whole profile (Chrome DevTools / speedscope).
  if (process.env.BENCH_RAW_PROFILE) writeFileSync(process.env.BENCH_RAW_PROFILE, JSON.stringify(profile));
  return summarize(profile as unknown as Profile, named);
}

/** What {@link profileStop} returns. */
export type ProfileSummary = ReturnType<typeof summarize>;
