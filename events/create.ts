import { ConfigError } from '../runtime/env.js';
import { redisUrlFor } from '../runtime/redis.js';
import type { EventBus } from './bus.js';
import { MemoryEventBus } from './memory.js';
import { RedisEventBus } from './redis.js';
import type { CommonBusOptions } from './options.js';

/** The environment variables {@link createEventBus} reads. */
export interface EventBusEnv {
  /** Set (non-empty): the Redis Streams bus on this server; unset: the in-memory bus. */
  REDIS_URL?: string | undefined;
  /** The bus's own Redis, when it is not `REDIS_URL` (the caches may live elsewhere: `CACHE_REDIS_URL`). */
  BUS_REDIS_URL?: string | undefined;
  /** Prefix of the bus's stream keys. @default '' (streams named as they are) */
  REDIS_KEY_PREFIX?: string | undefined;
  /** The in-memory bus: bytes each stream keeps (a positive integer). @default 32 MiB */
  BUS_MEMORY_MAX_BYTES?: string | undefined;
}

/**
 * The bus for this process: {@link RedisEventBus} on `BUS_REDIS_URL`, else `REDIS_URL`, when set (the distributed
 * mode), else {@link MemoryEventBus} (the embedded default, one process).
 */
export function createEventBus(env: EventBusEnv = process.env, opts: CommonBusOptions = {}): EventBus {
  const url = redisUrlFor('bus', env);
  if (url) return new RedisEventBus({ keyPrefix: env.REDIS_KEY_PREFIX ?? '', ...opts, url });
  const raw = env.BUS_MEMORY_MAX_BYTES?.trim();
  if (!raw) return new MemoryEventBus(opts);
  const maxBytes = Number(raw);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 65_536)
    throw new ConfigError([
      `BUS_MEMORY_MAX_BYTES: expected an integer number of bytes ≥ 65536; received ${JSON.stringify(raw)}`,
    ]);
  return new MemoryEventBus({ ...opts, maxBytes });
}
