/**
 * A redis-server of the chaos run's own, on a free port with its own data directory (append-only
 * file, fsync on every write), so it can be paused, killed and restarted — with its data, or
 * without (its files deleted) — without touching the shared Redis at 6379.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export class OwnRedis {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ovg-chaos-redis-'));

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (on the same port as before when restarted) and waits for PONG. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const orphan = (): void => void child.kill('SIGKILL');
    process.once('exit', orphan);
    child.once('exit', () => process.off('exit', orphan));
    child.once('error', (err) => {
      throw new Error(`redis-server could not start (is it installed? apt-get install redis-server): ${err.message}`);
    });
    const deadline = Date.now() + 10_000;
    while (!(await this.ping())) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the process (SIGKILL) and waits for it to exit; its append-only file stays. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * Kills the process and deletes its files (the append-only file): started again, it comes back
   * empty, as a Redis without persistence does — every stream, group and pending entry lost.
   */
  async killAndWipe(): Promise<void> {
    await this.kill();
    for (const f of readdirSync(this.dir)) rmSync(join(this.dir, f), { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port: this.port });
      const done = (ok: boolean): void => {
        sock.destroy();
        resolve(ok);
      };
      sock.setTimeout(500, () => done(false));
      sock.once('error', () => done(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (b) => done(b.toString().startsWith('+PONG')));
    });
  }
}
