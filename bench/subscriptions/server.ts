/**
 * The measured process: `bench/subscriptionServer.ts` forked with IPC and --expose-gc (gateway, five
 * subgraphs, in-memory bus, seeded status tracker). The parent asks it for counters, traces, memory
 * and profiles over IPC; its log lines are kept (the last 200) for the failure message and the report.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './numbers.js';

/** What the server announces once it listens. */
export interface Ready {
  gatewayUrl: string;
  ingestUrl: string;
  /** ALLOCATED demo orders without a hold: the ones the bench moves. */
  candidates: string[];
  orderIds: string[];
  orders: number;
  pid: number;
}

/** The server's running totals, read before and after a phase. */
export interface Counters {
  executions: number;
  calls: Record<string, number>;
  callsTotal: number;
  published: number;
  /** Tracker reads that could not see the order (deferred); null for a gateway that does not count them. */
  unseen: number | null;
  framesSent: number;
  cpu: { user: number; system: number };
}

/** `process.memoryUsage()` of the server after a GC. */
export interface Mem {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** One status change seen by the server: when it was published and when its frames were written. */
export interface TraceChange {
  cursor: string;
  orderId: string;
  status: string;
  at: number;
  sends: { count: number; first: number; last: number } | null;
}

/** The hub's state: listeners, sockets, and (when the gateway counts them) subscriptions and executions. */
export interface HubState {
  hub: number;
  clients: number;
  subscribers: number | null;
  executions: number | null;
}

export interface ServerProcessOptions {
  /** The repository root (the child's cwd). */
  root: string;
  orders: number;
  /** The ERP webhook secret the child's subgraphs verify. */
  secret: string;
  /** Called when the child reports a fatal error or exits while not being stopped. */
  onFatal: (why: string) => never;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class ServerProcess {
  /** The last 200 log lines of the child (each cut at 400 characters). */
  readonly log: string[] = [];
  /** How many log lines the child wrote in all. */
  logLines = 0;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopping = false;
  private readonly readyPromise: Promise<Ready>;

  constructor(private readonly options: ServerProcessOptions) {
    let resolveReady!: (r: Ready) => void;
    this.readyPromise = new Promise<Ready>((r) => {
      resolveReady = r;
    });
    this.child = fork(join(options.root, 'bench', 'subscriptionServer.ts'), [], {
      // BENCH_SERVER_NODE_ARGS: more Node/V8 flags for the measured process only (e.g. --trace-gc).
      execArgv: [
        '--expose-gc',
        ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
        '--import',
        'tsx',
      ],
      cwd: options.root,
      env: {
        ...process.env,
        BENCH_ORDERS: String(options.orders),
        BENCH_SECRET: options.secret,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // BENCH_SERVER_LOG=<file>: every line the child writes, also appended to that file.
    const tee = process.env.BENCH_SERVER_LOG;
    const keep = (chunk: Buffer): void => {
      if (tee) appendFileSync(tee, chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.logLines++;
        this.log.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (this.log.length > 200) this.log.shift();
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (raw) => {
      const m = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
      if (m.type === 'ready') return resolveReady(raw as Ready);
      if (m.type === 'fatal') return options.onFatal(`server: ${m.error}`);
      const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (!p || m.id === undefined) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`server: ${m.error}`));
    });
    this.child.on('exit', (code, signal) => {
      if (!this.stopping) options.onFatal(`the server process exited unexpectedly (code ${code}, signal ${signal})`);
    });
  }

  /** Resolves once the server listens; fails the run after `timeoutMs`. */
  async ready(timeoutMs = 300_000): Promise<Ready> {
    const timer = setTimeout(
      () => this.options.onFatal(`the server did not start within ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    try {
      return await this.readyPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request to the server (`counters`, `trace`, `hub`, `memory`, `profile-start`, `profile-stop`, `stop`). */
  rpc<T>(cmd: string, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`server did not answer ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd });
    });
  }

  /** Running subscriptions: the server's own count when it has one, else the hub's listeners. */
  async hub(): Promise<HubState & { active: number }> {
    const h = await this.rpc<HubState>('hub');
    return { ...h, active: h.subscribers ?? h.hub };
  }

  /** The server's memory after a GC, a second after the last change (timers and set-up garbage settle). */
  async memory(): Promise<Mem> {
    await sleep(1000);
    return this.rpc<Mem>('memory');
  }

  /** Asks the server to stop; kills it after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.rpc('stop', 30_000).catch(() => undefined);
    await Promise.race([exited, sleep(15_000).then(() => this.kill())]);
  }

  /** SIGKILL, for a failing run. */
  kill(): void {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.pid) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
