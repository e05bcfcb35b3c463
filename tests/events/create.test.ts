import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../events/create.js';
import { MemoryEventBus } from '../../events/memory.js';
import { RedisEventBus } from '../../events/redis.js';

describe('createEventBus', () => {
  it('should create the in-memory bus when REDIS_URL is not set', async () => {
    const bus = createEventBus({});
    expect(bus).toBeInstanceOf(MemoryEventBus);
    await bus.close();
    const blank = createEventBus({ REDIS_URL: '  ' });
    expect(blank).toBeInstanceOf(MemoryEventBus);
    await blank.close();
  });

  it('should create the Redis Streams bus when REDIS_URL is set', async () => {
    const bus = createEventBus({ REDIS_URL: 'redis://127.0.0.1:1' }, { onError: () => undefined });
    expect(bus).toBeInstanceOf(RedisEventBus);
    await bus.close();
  });

  it('should reject a URL that is not redis:// or rediss:// with the value it got', () => {
    expect(() => createEventBus({ REDIS_URL: 'http://cache:6379' })).toThrow(
      /expected redis:\/\/… or rediss:\/\/…, got "http:\/\/cache:6379"/,
    );
  });

  it('should give the in-memory bus the byte budget of BUS_MEMORY_MAX_BYTES, and refuse one that is not a number of bytes', async () => {
    const bus = createEventBus({ BUS_MEMORY_MAX_BYTES: '1048576' });
    expect(bus).toBeInstanceOf(MemoryEventBus);
    await bus.close();
    expect(() => createEventBus({ BUS_MEMORY_MAX_BYTES: '64MB' })).toThrow(
      /BUS_MEMORY_MAX_BYTES: expected an integer number of bytes ≥ 65536; received "64MB"/,
    );
    expect(() => createEventBus({ BUS_MEMORY_MAX_BYTES: '100' })).toThrow(/BUS_MEMORY_MAX_BYTES/);
  });

  it('should reject options that are not positive integers, naming them', () => {
    expect(() => new MemoryEventBus({ maxLen: 0 })).toThrow(/maxLen: expected a positive integer, got 0/);
    expect(() => new MemoryEventBus().consume('s', 'g', 'c', async () => undefined, { maxDeliveries: 1.5 })).toThrow(
      /maxDeliveries/,
    );
  });
});
