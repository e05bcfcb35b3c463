/**
 * Child processes of `bench/gateways.ts`: spawned (pinned to CPUs with `taskset` when asked),
 * their output kept for diagnosis, JSON requests over IPC, CPU time and RSS read from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `taskset` usable here (the binary exists and this process may set affinity)? */
export function tasksetAvailable(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: ['ignore', 'pipe', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}
/** This process's allowed CPUs, e.g. "0,1" (from `taskset -pc`), or null. */
export function currentAffinity(): string | null {
  try {
    const out = execFileSync('taskset', ['-pc', String(process.pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split(':').at(-1)?.trim() ?? null;
  } catch {
    return null;
  }
}

export interface SpawnOptions {
  name: string;
  /** Program and arguments (node is process.execPath). */
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** CPU list for `taskset -c`, or undefined (no pinning). */
  cpus?: string | undefined;
  ipc?: boolean;
  /** Called when the process exits without being asked to. */
  onUnexpectedExit?: (why: string) => void;
}

/** A child process with its recent output, optional IPC requests and /proc readings. */
export class Proc {
  readonly child: ChildProcess;
  readonly log: string[] = [];
  lines = 0;
  stopping = false;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly messages: ((m: Record<string, unknown>) => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly opts: SpawnOptions) {
    const [cmd, args] =
      opts.cpus !== undefined ? ['taskset', ['-c', opts.cpus, opts.command, ...opts.args]] : [opts.command, opts.args];
    this.child = spawn(cmd, args as string[], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? ['ipc' as const] : [])],
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.lines++;
        this.log.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        if (this.log.length > 200) this.log.shift();
      }
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('message', (raw) => {
      const m = raw as Record<string, unknown> & { id?: number; ok?: boolean; result?: unknown; error?: string };
      const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (p) {
        this.pending.delete(m.id!);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${opts.name}: ${m.error}`));
        return;
      }
      for (const f of this.messages) f(m);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`${opts.name} exited (code ${code}, signal ${signal})`));
        }
        this.pending.clear();
        if (!this.stopping)
          opts.onUnexpectedExit?.(
            `${opts.name} exited unexpectedly (code ${code}, signal ${signal}); last output:\n${this.log.slice(-15).join('\n')}`,
          );
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next IPC message of `type` (e.g. 'ready'); a 'fatal' message rejects. */
  waitMessage<T>(type: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.opts.name} sent no ${type} within ${timeoutMs} ms; last output:\n${this.log.slice(-15).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      this.messages.push((m) => {
        if (m.type === type) {
          clearTimeout(timer);
          resolve(m as T);
        } else if (m.type === 'fatal') {
          clearTimeout(timer);
          reject(new Error(`${this.opts.name}: ${String(m.error)}`));
        }
      });
      void this.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${this.opts.name} exited (code ${code}) before ${type}; last output:\n${this.log.slice(-15).join('\n')}`,
          ),
        );
      });
    });
  }

  rpc<T>(cmd: string, args?: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.opts.name} did not answer ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject, timer });
      this.child.send({ id, cmd, args });
    });
  }

  /** CPU seconds (user + system, all threads) so far, from /proc; NaN where unreadable. */
  cpuSeconds(): number {
    return procCpuSeconds(this.pid);
  }

  /** Resident set size and its peak, bytes, from /proc/<pid>/status. */
  memory(): { rss: number; peak: number } {
    return procMemory(this.pid);
  }

  /** Stops it: IPC 'stop' when it has IPC, else SIGTERM; SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = true;
    if (this.opts.ipc && this.child.connected) this.rpc('stop', undefined, graceMs).catch(() => undefined);
    else this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Kills it at once (failure paths). */
  kill(): void {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const CLK_TCK = 100;
/** User and system CPU seconds of a process so far (utime, stime: /proc/<pid>/stat fields 14, 15); NaN once it is gone. */
export function procCpuTimes(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
  } catch {
    return { user: NaN, system: NaN };
  }
}
export function procCpuSeconds(pid: number): number {
  const { user, system } = procCpuTimes(pid);
  return user + system;
}
export function procMemory(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}
