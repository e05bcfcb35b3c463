import type { Redis } from 'ioredis';

/** A Lua script bound to a connection: call it with its keys, then its arguments. */
export type RedisScript = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/**
 * `lua` as a command of `redis` (ioredis's `defineCommand`): each call is an EVALSHA, and the
 * script's text goes over the wire only when the server does not know it yet (NOSCRIPT), not with
 * every call as EVAL sends it. `name` must be unique per script; defining it again on a shared
 * connection reuses the first definition. Without `numberOfKeys` the first argument of each call is
 * the number of keys (scripts over a variable set of keys).
 */
export function redisScript(redis: Redis, name: string, lua: string, numberOfKeys?: number): RedisScript {
  const commands = redis as unknown as Record<string, RedisScript | undefined>;
  if (typeof commands[name] !== 'function')
    redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  return (commands[name] as RedisScript).bind(redis);
}
