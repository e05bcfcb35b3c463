import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ConnectorCounters, ConnectorPhase, SalesforceConnector } from './connector.js';

const PHASES: readonly ConnectorPhase[] = ['starting', 'running', 'throttled', 'draining', 'stopped'];

/** What each counter means, as its metric help. */
const COUNTER_HELP: Record<keyof ConnectorCounters, string> = {
  received: 'order.status_changed events taken from the bus or replayed',
  written: 'changes Salesforce accepted',
  superseded: 'changes skipped for a newer version of the order in the same batch',
  stale: 'changes skipped because a newer version of the order was already claimed',
  deadLettered: 'changes refused for good and dead-lettered',
  skipped: 'events of other types acknowledged and skipped',
  apiCalls: 'calls to the Salesforce REST API (counted against the daily allocation)',
  retries: 'retries after transient failures',
  logins: 'logins, the first and every re-login',
  batches: 'batches written',
};

/**
 * The connector's metrics in a registry of their own: one counter per {@link ConnectorCounters}
 * field (`ovg_salesforce_<name>_total`), the phase as a 0/1 gauge per value, the API usage the last
 * `Sforce-Limit-Info` reported, and the changes waiting for their batch.
 */
export function connectorMetrics(connector: SalesforceConnector, registry = new Registry()): Registry {
  const seen: Partial<ConnectorCounters> = {};
  for (const key of Object.keys(COUNTER_HELP) as (keyof ConnectorCounters)[]) {
    new Counter({
      name: `ovg_salesforce_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`,
      help: COUNTER_HELP[key],
      registers: [registry],
      collect() {
        const now = connector.counters[key];
        this.inc(Math.max(0, now - (seen[key] ?? 0)));
        seen[key] = now;
      },
    });
  }
  new Gauge({
    name: 'ovg_salesforce_phase',
    help: 'the connector phase (1 = current)',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      for (const p of PHASES) this.set({ phase: p }, connector.phase === p ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ovg_salesforce_api_usage_ratio',
    help: 'API calls used / daily allocation, from the last Sforce-Limit-Info header',
    registers: [registry],
    collect() {
      const u = connector.health().apiUsage;
      this.set(u ? u.used / u.limit : 0);
    },
  });
  new Gauge({
    name: 'ovg_salesforce_pending',
    help: 'changes waiting for their batch',
    registers: [registry],
    collect() {
      this.set(connector.health().pending);
    },
  });
  return registry;
}

/**
 * `GET /health` (200 while running or throttled, 503 otherwise; JSON {@link ConnectorHealth}) and
 * `GET /metrics` (Prometheus text) for the standalone connector.
 */
export async function startHealthServer(
  connector: SalesforceConnector,
  port: number,
  host: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const registry = connectorMetrics(connector);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      const h = connector.health();
      res.writeHead(h.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: `expected GET /health or GET /metrics; received ${req.method} ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
