import { afterAll } from 'vitest';
import { MemoryEventBus } from '../../events/memory.js';
import { RedisEventBus } from '../../events/redis.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { eventBusContract } from './contract.js';

eventBusContract('MemoryEventBus', (opts) => new MemoryEventBus(opts));

await describeRedis('RedisEventBus', () => {
  const keyPrefix = uniquePrefix();
  afterAll(() => cleanupPrefix(keyPrefix));
  eventBusContract('RedisEventBus', (opts) => new RedisEventBus({ url: redisUrl(), keyPrefix, ...opts }));
});
