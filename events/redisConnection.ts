import type { Redis } from 'ioredis';
import { acquireRedis, openRedis, reconnectDelay, redactUrl } from '../runtime/redis.js';
import type { BusErrorHandler } from './options.js';

export { reconnectDelay, redactUrl };

/** What a connection is for: `command` is the process's shared bus connection; `reader` and `consumer` block, each on its own. */
export type ConnectionRole = 'command' | 'reader' | 'consumer';

/**
 * A connection of the bus role (runtime/redis.ts): the process's one shared, auto-pipelined
 * command connection for `command` (the bus's commands and the order versions share it), a
 * dedicated one for a blocking `reader` or `consumer` (named `<role>:<key>` in `CLIENT LIST`). All
 * ride out outages: commands wait while it reconnects, and a blocking read is re-sent after it.
 */
export function openConnection(url: string, role: ConnectionRole, key: string, onError: BusErrorHandler): Redis {
  return role === 'command' ? acquireRedis('bus', url, onError) : openRedis('bus', url, `${role}:${key}`, onError);
}
