/** Development partner keys come from configuration; the gateway imports nothing from demo/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../../gateway/config.js';
import { projectRoot } from '../../runtime/project.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('development partner keys', () => {
  it('should give a development partner key to each node DEV_PARTNER_NODES lists, and to none without it', () => {
    expect(gatewayConfigFromEnv({}).auth.partnerKeys).toEqual([]);
    const keys = gatewayConfigFromEnv({ DEV_PARTNER_NODES: 'DS-ACME, STORE-7' }).auth.partnerKeys;
    expect(keys.map((k) => k.nodeId)).toEqual(['DS-ACME', 'STORE-7']);
  });

  it('should refuse a DEV_PARTNER_NODES entry that is not a node id, naming the variable', () => {
    expect(() => gatewayConfigFromEnv({ DEV_PARTNER_NODES: 'DS-ACME,not a node' })).toThrow(
      /DEV_PARTNER_NODES must list fulfillment node ids .* received "not a node"/,
    );
  });

  it('should keep every gateway module free of demo/ imports', () => {
    const root = projectRoot();
    const offenders = files(join(root, 'gateway')).filter((f) => /from '(\.\.\/)+demo\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => f.slice(root.length + 1))).toEqual([]);
  });
});

describe('GATEWAY_WORKERS', () => {
  it('should default to one worker and take more only with the Redis replicas share', () => {
    expect(gatewayConfigFromEnv({}).workers).toBe(1);
    expect(gatewayConfigFromEnv({ GATEWAY_WORKERS: '4', REDIS_URL: 'redis://127.0.0.1:6379' }).workers).toBe(4);
    expect(() => gatewayConfigFromEnv({ GATEWAY_WORKERS: '2' })).toThrow(
      /GATEWAY_WORKERS=2 needs REDIS_URL: workers share the event bus, caches and versions through Redis, as replicas do/,
    );
  });

  it('should refuse a worker count outside 1–64, naming the variable and the value', () => {
    expect(() => gatewayConfigFromEnv({ GATEWAY_WORKERS: '0' })).toThrow(
      /GATEWAY_WORKERS must be an integer from 1 to 64; received "0"/,
    );
    expect(() => gatewayConfigFromEnv({ GATEWAY_WORKERS: 'two' })).toThrow(
      /GATEWAY_WORKERS must be an integer from 1 to 64; received "two"/,
    );
  });
});

describe('TRACKER_RESET_SWEEP_SECONDS', () => {
  it('should default to an hour, take 0 (no sweep) to a week, and refuse anything else naming the variable', () => {
    expect(gatewayConfigFromEnv({}).trackerResetSweepSeconds).toBe(3600);
    expect(gatewayConfigFromEnv({ TRACKER_RESET_SWEEP_SECONDS: '0' }).trackerResetSweepSeconds).toBe(0);
    expect(gatewayConfigFromEnv({ TRACKER_RESET_SWEEP_SECONDS: '86400' }).trackerResetSweepSeconds).toBe(86_400);
    for (const bad of ['-1', '604801', 'an hour'])
      expect(() => gatewayConfigFromEnv({ TRACKER_RESET_SWEEP_SECONDS: bad })).toThrow(
        new RegExp(`TRACKER_RESET_SWEEP_SECONDS must be an integer from 0 to 604800; received "${bad}"`),
      );
  });
});
