import { Redis } from 'ioredis';

/**
 * What a Redis connection is for. `bus`: the event bus, the order versions and the tracker's
 * store — state that must never be evicted (`BUS_REDIS_URL`, default `REDIS_URL`). `cache`: the
 * response and fetch caches, APQ registrations and the counters replicas share (shield buckets,
 * client quotas) — state that may be evicted (`CACHE_REDIS_URL`, default `REDIS_URL`).
 */
export type RedisRole = 'bus' | 'cache';

/** The Redis URL of a role: `BUS_REDIS_URL` / `CACHE_REDIS_URL`, else `REDIS_URL`; undefined: none (in memory). */
export function redisUrlFor(
  role: RedisRole,
  env: {
    REDIS_URL?: string | undefined;
    BUS_REDIS_URL?: string | undefined;
    CACHE_REDIS_URL?: string | undefined;
  } = process.env,
): string | undefined {
  const own = (role === 'bus' ? env.BUS_REDIS_URL : env.CACHE_REDIS_URL)?.trim();
  return own || env.REDIS_URL?.trim() || undefined;
}

/** The one reconnect policy: 50 ms doubling, capped at 1 s (a restarted Redis is found fast). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt - 1, 5), 1000);

/** Reports a connection loss (once per outage); never throws. */
export type RedisErrorHandler = (error: Error, context: string) => void;

/** The name every connection of this process gives itself (`CLIENT SETNAME`): `<REDIS_CLIENT_NAME>:<role>:<purpose>`. @default 'ovg' */
const clientName = (role: RedisRole, purpose: string): string =>
  `${process.env.REDIS_CLIENT_NAME || 'ovg'}:${role}:${purpose}`.replace(/\s/g, '_');

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * Opens one connection with the one policy of its role:
 * - `bus` rides out outages: commands wait in ioredis's offline queue while it reconnects
 *   (`maxRetriesPerRequest: null`; callers bound the wait), and a blocking read is re-sent after a
 *   reconnect;
 * - `cache` fails fast: commands wait only for the first connection; afterwards, during an
 *   outage, a command fails at once (a miss, a local decision) while it reconnects.
 * Replies keep the RESP2 shapes (`replyMapping: 'legacy'`); errors are reported once per outage.
 */
function connect(
  role: RedisRole,
  url: string,
  purpose: string,
  report: RedisErrorHandler,
  autoPipelining: boolean,
): Redis {
  if (!/^rediss?:\/\//.test(url))
    throw new TypeError(`Redis ${role} URL: expected redis://… or rediss://…, got ${JSON.stringify(redactUrl(url))}`);
  const conn = new Redis(url, {
    connectionName: clientName(role, purpose),
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: role === 'bus' ? null : 1,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelay,
    replyMapping: 'legacy',
  });
  let reported = false;
  conn.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    report(err, `redis ${role} connection ${purpose} to ${redactUrl(url)} (reconnecting)`);
  });
  conn.on('ready', () => {
    reported = false;
    if (role === 'cache') conn.options.enableOfflineQueue = false;
  });
  return conn;
}

/**
 * A dedicated connection (`purpose` names it in `CLIENT LIST`): for blocking reads (XREAD BLOCK,
 * XREADGROUP BLOCK), which would stall every other command of a shared one.
 */
export function openRedis(role: RedisRole, url: string, purpose: string, onError: RedisErrorHandler): Redis {
  return connect(role, url, purpose, onError, false);
}

interface Shared {
  conn: Redis;
  handles: number;
  handlers: Set<RedisErrorHandler>;
}
const shared = new Map<string, Shared>();

/**
 * A handle on the one non-blocking connection of `role` to `url` in this process, shared by every
 * user of that role (commands pipeline automatically). The handle is the connection, except that
 * its `disconnect()` and `quit()` release the handle; the last release closes the connection.
 * `onError` hears of connection losses while the handle is held.
 */
export function acquireRedis(role: RedisRole, url: string, onError: RedisErrorHandler = () => undefined): Redis {
  const key = `${role}\u0000${url}`;
  let entry = shared.get(key);
  if (!entry || entry.conn.status === 'end') {
    const handlers = new Set<RedisErrorHandler>();
    entry = {
      conn: connect(
        role,
        url,
        'commands',
        (err, context) => {
          for (const h of handlers) h(err, context);
        },
        true,
      ),
      handles: 0,
      handlers,
    };
    shared.set(key, entry);
  }
  const e = entry;
  e.handles += 1;
  e.handlers.add(onError);
  let released = false;
  const release = async (): Promise<'OK'> => {
    if (released) return 'OK';
    released = true;
    e.handlers.delete(onError);
    e.handles -= 1;
    if (e.handles === 0) {
      if (shared.get(key) === e) shared.delete(key);
      e.conn.disconnect();
    }
    return 'OK';
  };
  return new Proxy(e.conn, {
    get(target, prop) {
      if (prop === 'disconnect' || prop === 'quit') return release;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
