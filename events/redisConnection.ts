import { Redis } from 'ioredis';
import type { BusErrorHandler } from './options.js';

/** What a connection is for; part of its CLIENT SETNAME (`ovg-events:<role>:<key>`), visible in `CLIENT LIST`. */
export type ConnectionRole = 'command' | 'reader' | 'consumer';

/** Reconnect delay after the n-th failed attempt: 50 ms doubling, capped at 1 s (a restarted Redis is found fast). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt - 1, 5), 1000);

/**
 * Opens a connection that rides out outages: commands wait in ioredis's offline queue while it
 * reconnects (`maxRetriesPerRequest: null`) and an in-flight blocking read is re-sent after the
 * reconnect; callers bound the wait themselves. Connection errors are reported once per outage.
 */
export function openConnection(url: string, role: ConnectionRole, key: string, onError: BusErrorHandler, autoPipelining = false): Redis {
  const conn = new Redis(url, {
    // Concurrent commands in one round trip; only for connections that never block (not stream reads).
    enableAutoPipelining: autoPipelining,
    connectionName: `ovg-events:${role}:${key}`.replace(/\s/g, '_'),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelay,
    // Replies in the RESP2 shapes the stream code parses (flat arrays for XINFO), also over RESP3.
    replyMapping: 'legacy',
  });
  let reported = false;
  conn.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    onError(err, `redis ${role} connection to ${redactUrl(url)} (reconnecting)`);
  });
  conn.on('ready', () => {
    reported = false;
  });
  return conn;
}

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
