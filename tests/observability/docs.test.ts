/**
 * docs/operations.md lists every metric the services register, and the Grafana dashboard
 * (docs/grafana-dashboard.json) queries only metrics that exist, through its Prometheus variable.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../gateway/pipeline/stages/metrics.js';
import { ServiceMetrics } from '../../runtime/metrics.js';
import { projectRoot } from '../../runtime/project.js';
import { SubgraphMetrics } from '../../subgraphs/common/observability.js';

const read = (path: string): string => readFileSync(`${projectRoot()}/${path}`, 'utf8');

/** Names registered by the gateway and a subgraph, beyond the Node.js process defaults. */
async function registered(): Promise<string[]> {
  const gateway = new ServiceMetrics('gateway');
  new GatewayMetrics(gateway, new Map());
  const subgraph = new SubgraphMetrics('oms');
  const names = [
    ...(await gateway.registry.getMetricsAsJSON()),
    ...(await subgraph.metrics.registry.getMetricsAsJSON()),
  ].map((m) => m.name);
  return [...new Set(names)].filter((n) => !n.startsWith('ovg_process_') && !n.startsWith('ovg_nodejs_'));
}

describe('metrics documentation', () => {
  it('should list every registered metric in docs/operations.md', async () => {
    const doc = read('docs/operations.md');
    const names = await registered();
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
  });

  it('should build the Grafana dashboard only on metrics that exist, through the Prometheus datasource variable', async () => {
    const dashboard = JSON.parse(read('docs/grafana-dashboard.json'));
    expect(dashboard.templating.list.find((v: any) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const names = new Set(await registered());
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.datasource.uid, panel.title).toBe('${datasource}');
      for (const target of panel.targets) {
        for (const [used] of String(target.expr).matchAll(/ovg_[a-z_]+/g)) {
          if (used.startsWith('ovg_process_') || used.startsWith('ovg_nodejs_')) continue;
          expect(names.has(used.replace(/_(bucket|count|sum)$/, '')), `${panel.title}: ${used}`).toBe(true);
        }
      }
    }
  });
});
