/**
 * The stack under fuzz: `embedded/main.ts` (what `npm start` runs) as a child process on free ports,
 * lifecycle simulator off, so that a crash is seen as what it is — the process exiting — and the
 * runner can start it again and go on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SystemName, SYSTEMS } from '../../canonical/index.js';

export interface StackProcessOptions {
  root: string;
  seed: number;
  orders: number;
  webhookSecret: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class StackProcess {
  /** The last 100 lines the process wrote. */
  readonly log: string[] = [];
  /** How many times the process exited while it was meant to run. */
  exits = 0;
  gatewayUrl = '';
  ingest = {} as Record<SystemName, string>;
  private child: ChildProcess | undefined;
  private stopping = false;
  /** The stack's own PGlite directory: never the checkout's `.data/`, which `npm start` or another test may hold. */
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'ovg-fuzz-'));

  constructor(private readonly opts: StackProcessOptions) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the stack and resolves once the gateway listens. */
  async start(): Promise<void> {
    const gateway = await freePort();
    const ports = Object.fromEntries(
      await Promise.all(SYSTEMS.map(async (s) => [s.name, await freePort()] as const)),
    ) as Record<SystemName, number>;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(gateway),
      LIFECYCLE_RATE: '0',
      DEMO_SEED: String(this.opts.seed),
      DEMO_ORDERS: String(this.opts.orders),
      WEBHOOK_SECRET: this.opts.webhookSecret,
      LOG_LEVEL: 'error',
      DATA_DIR: join(this.dataDir, 'pglite'),
      // Ports nobody else holds: the visibility subgraph's and the Salesforce emulator's defaults
      // (4006, 4010) are what `npm start` or a test beside this one binds.
      VISIBILITY_PORT: '0',
      SALESFORCE_EMULATOR_PORT: '0',
      ...Object.fromEntries(SYSTEMS.map((s) => [`${s.name.toUpperCase()}_PORT`, String(ports[s.name])])),
    };
    this.gatewayUrl = `http://127.0.0.1:${gateway}/graphql`;
    this.ingest = Object.fromEntries(
      SYSTEMS.map((s) => [s.name, `http://127.0.0.1:${ports[s.name]}/ingest`]),
    ) as Record<SystemName, string>;
    const child = spawn(process.execPath, ['--import', 'tsx', 'embedded/main.ts'], {
      cwd: this.opts.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Never leave the stack behind: if this process ends without stop(), the child goes too.
    const orphan = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    process.once('exit', orphan);
    child.once('exit', () => process.off('exit', orphan));
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.log.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        if (this.log.length > 100) this.log.shift();
      }
    };
    child.stderr?.on('data', keep);
    child.on('exit', () => {
      if (!this.stopping) this.exits++;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the stack did not start within 90 s:\n${this.log.slice(-10).join('\n')}`)),
        90_000,
      );
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        keep(chunk);
        if (out.includes('ready at')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the stack exited during start-up (code ${code}):\n${this.log.slice(-10).join('\n')}`));
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && this.alive) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
