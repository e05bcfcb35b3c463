/** Development partner keys come from configuration; the gateway imports nothing from demo/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../../gateway/config.js';
import { projectRoot } from '../../runtime/project.js';

const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('development partner keys', () => {
  it('should give a development partner key to each node DEV_PARTNER_NODES lists, and to none without it', () => {
    expect(gatewayConfigFromEnv({}).auth.partnerKeys).toEqual([]);
    const keys = gatewayConfigFromEnv({ DEV_PARTNER_NODES: 'DS-ACME, STORE-7' }).auth.partnerKeys;
    expect(keys.map((k) => k.nodeId)).toEqual(['DS-ACME', 'STORE-7']);
  });

  it('should refuse a DEV_PARTNER_NODES entry that is not a node id, naming the variable', () => {
    expect(() => gatewayConfigFromEnv({ DEV_PARTNER_NODES: 'DS-ACME,not a node' })).toThrow(/DEV_PARTNER_NODES must list fulfillment node ids .* received "not a node"/);
  });

  it('should keep every gateway module free of demo/ imports', () => {
    const root = projectRoot();
    const offenders = files(join(root, 'gateway')).filter((f) => /from '(\.\.\/)+demo\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => f.slice(root.length + 1))).toEqual([]);
  });
});
