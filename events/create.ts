import type { EventBus } from './bus.js';
import { MemoryEventBus } from './memory.js';
import { RedisEventBus } from './redis.js';
import type { CommonBusOptions } from './options.js';

/** The environment variables {@link createEventBus} reads. */
export interface EventBusEnv {
  /** Set (non-empty): the Redis Streams bus on this server; unset: the in-memory bus. */
  REDIS_URL?: string | undefined;
}

/**
 * The bus for this process: {@link RedisEventBus} on `REDIS_URL` when it is set (the distributed
 * mode), else {@link MemoryEventBus} (the embedded default, one process).
 */
export function createEventBus(env: EventBusEnv = process.env, opts: CommonBusOptions = {}): EventBus {
  const url = env.REDIS_URL?.trim();
  return url ? new RedisEventBus({ ...opts, url }) : new MemoryEventBus(opts);
}
