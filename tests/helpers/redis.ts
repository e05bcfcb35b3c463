import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/** REDIS_URL, or the local default. */
export const redisUrl = (): string => process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const run = `${process.pid}-${Date.now().toString(36)}`;
let prefixes = 0;

/** A key prefix unique to this test run (and to each call), e.g. `test:4242-lx3k9a-1:`. */
export const uniquePrefix = (): string => `test:${run}-${++prefixes}:`;

/** A short-lived client that fails fast instead of reconnecting. */
function probe(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
}

/** True when a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAvailable(url = redisUrl(), timeoutMs = 500): Promise<boolean> {
  const r = probe(url, timeoutMs);
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * `describe` when Redis answers at {@link redisUrl}; otherwise the suite is skipped with a console
 * notice — or, with `REQUIRE_REDIS=1`, replaced by a failing test. Await it at the top of the file.
 */
export async function describeRedis(name: string, suite: () => void): Promise<void> {
  describeIf(
    await redisAvailable(),
    `no Redis answered PING at ${redisUrl()}; start redis-server or set REDIS_URL`,
    name,
    suite,
  );
}

/** Like {@link describeRedis}, for suites that run their own server ({@link startOwnRedis}): needs the `redis-server` binary. */
export function describeOwnRedis(name: string, suite: () => void): void {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  describeIf(found, 'no redis-server binary on PATH; install redis-server (Debian package redis-server)', name, suite);
}

function describeIf(available: boolean, why: string, name: string, suite: () => void): void {
  if (available) {
    describe(name, suite);
  } else if (process.env.REQUIRE_REDIS === '1') {
    describe(name, () => {
      it('should have Redis available (REQUIRE_REDIS=1)', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`[tests] skipping "${name}": ${why} (set REQUIRE_REDIS=1 to fail instead)`);
    describe.skip(name, suite);
  }
}

/** Deletes the keys starting with `prefix` (SCAN + UNLINK), and only those. */
export async function cleanupPrefix(prefix: string, url = redisUrl()): Promise<number> {
  if (!prefix) throw new Error('cleanupPrefix: expected a non-empty prefix, got ""');
  const r = probe(url, 2000);
  r.on('error', () => undefined);
  let deleted = 0;
  try {
    await r.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return deleted;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const address = srv.address();
  srv.close();
  await once(srv, 'close');
  if (!address || typeof address === 'string')
    throw new Error(`freePort: expected a TCP address, got ${String(address)}`);
  return address.port;
}

/** A redis-server this test owns: its own port and data directory. */
export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (SIGTERM: it fsyncs and exits; SIGKILL: a crash). Idempotent. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and directory (its AOF is reloaded when appendonly). */
  start(): Promise<void>;
  /** stop(signal) then start(). */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it and deletes its directory. */
  dispose(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Spawns `redis-server` on a free port in a temp directory and waits until it answers PING. */
export async function startOwnRedis(opts: { appendonly?: boolean } = {}): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'ovg-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--appendonly',
    opts.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--logfile',
    '',
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child) return;
    const c = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    children.add(c);
    child = c;
    c.once('exit', () => {
      children.delete(c);
      if (child === c) child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (!(await redisAvailable(url, 200))) {
      if (child !== c) throw new Error(`redis-server on port ${port} exited at start: ${stderr.trim() || 'no output'}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const c = child;
    if (!c) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    port,
    dir,
    start,
    stop,
    restart: async (signal) => {
      await stop(signal);
      await start();
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
