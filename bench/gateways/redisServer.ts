/**
 * A private redis-server for a benchmark run (no persistence, its own free port), so that only the
 * run's own commands reach it. Used by `npm run bench`, `bench:workers` and `bench:idle`.
 */
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { Proc, sleep } from './proc.js';
import { freePort } from './targets.js';

export interface RedisServer {
  proc: Proc;
  port: number;
  url: string;
}

/**
 * Starts redis-server and resolves once it accepts connections; undefined when no redis-server is
 * installed. Throws when it does not listen within 5 s.
 */
export async function startRedisServer(opts: {
  cwd: string;
  cpus?: string | undefined;
  onUnexpectedExit?: (why: string) => void;
}): Promise<RedisServer | undefined> {
  const bin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) return undefined;
  const port = await freePort();
  const proc = new Proc({
    name: 'redis-server',
    command: bin,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    cwd: opts.cwd,
    env: process.env,
    cpus: opts.cpus,
    ...(opts.onUnexpectedExit ? { onUnexpectedExit: opts.onUnexpectedExit } : {}),
  });
  for (let i = 0; i < 100; i++) {
    const listening = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (listening) return { proc, port, url: `redis://127.0.0.1:${port}` };
    await sleep(50);
  }
  proc.kill();
  throw new Error(`redis-server did not listen at 127.0.0.1:${port} within 5 s`);
}
