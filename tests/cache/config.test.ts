import { describe, expect, it } from 'vitest';
import { cacheConfigFromEnv, DEFAULT_CACHE_CONFIG } from '../../gateway/cache/index.js';
import { ConfigError, EnvReader } from '../../runtime/env.js';

describe('cacheConfigFromEnv', () => {
  it('should default to caching on, in memory, with the documented TTLs and bounds', () => {
    expect(cacheConfigFromEnv({})).toEqual({
      enabled: true,
      responseTtlMs: 30_000,
      fetchTtlMs: { erp: 60_000, oms: 30_000, wms: 15_000, carrier: 10_000, returns: 30_000, visibility: 0 },
      typeTtlMs: {},
      ttlJitterPercent: 20,
      maxEntries: 100_000,
      maxBytes: 268_435_456,
      redisMaxBytes: 268_435_456,
      redisTimeoutMs: 50,
      redisUrl: undefined,
    });
    expect(cacheConfigFromEnv({})).toEqual(DEFAULT_CACHE_CONFIG);
  });

  it('should read every variable', () => {
    expect(
      cacheConfigFromEnv({
        CACHE_ENABLED: 'false',
        CACHE_RESPONSE_TTL_MS: '0',
        CACHE_TTL_ERP_MS: '1',
        CACHE_TTL_OMS_MS: '2',
        CACHE_TTL_WMS_MS: '3',
        CACHE_TTL_CARRIER_MS: '4',
        CACHE_TTL_RETURNS_MS: '5',
        CACHE_TYPE_TTLS: 'Shipment=7',
        CACHE_TTL_JITTER_PERCENT: '0',
        CACHE_MAX_ENTRIES: '10',
        CACHE_MAX_BYTES: '1048576',
        CACHE_REDIS_MAX_BYTES: '2097152',
        CACHE_REDIS_TIMEOUT_MS: '200',
        REDIS_URL: 'redis://cache:6379',
      }),
    ).toEqual({
      enabled: false,
      responseTtlMs: 0,
      fetchTtlMs: { erp: 1, oms: 2, wms: 3, carrier: 4, returns: 5, visibility: 0 },
      typeTtlMs: { Shipment: 7 },
      ttlJitterPercent: 0,
      maxEntries: 10,
      maxBytes: 1_048_576,
      redisMaxBytes: 2_097_152,
      redisTimeoutMs: 200,
      redisUrl: 'redis://cache:6379',
    });
  });

  it('should name every bad value at once, with what it expects and what it received', () => {
    let error: unknown;
    try {
      cacheConfigFromEnv({
        CACHE_ENABLED: 'yes',
        CACHE_TTL_CARRIER_MS: '-1',
        CACHE_MAX_ENTRIES: '0',
        CACHE_RESPONSE_TTL_MS: '999999999',
        CACHE_TTL_JITTER_PERCENT: '60',
        REDIS_URL: 'localhost:6379',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'CACHE_TTL_CARRIER_MS must be an integer from 0 to 86400000; received "-1"',
      'REDIS_URL must be a redis:// or rediss:// URL; received "localhost:6379"',
      'CACHE_ENABLED must be "true" or "false"; received "yes"',
      'CACHE_RESPONSE_TTL_MS must be an integer from 0 to 86400000; received "999999999"',
      'CACHE_TTL_JITTER_PERCENT must be an integer from 0 to 50; received "60"',
      'CACHE_MAX_ENTRIES must be an integer from 1 to 10000000; received "0"',
    ]);
  });

  it('should collect its problems into a given reader instead of throwing', () => {
    const reader = new EnvReader({ CACHE_REDIS_TIMEOUT_MS: 'fast' });
    const config = cacheConfigFromEnv(reader);
    expect(config.redisTimeoutMs).toBe(50);
    expect(reader.problems).toEqual(['CACHE_REDIS_TIMEOUT_MS must be an integer from 1 to 10000; received "fast"']);
    expect(() => reader.done()).toThrow(ConfigError);
  });
});
