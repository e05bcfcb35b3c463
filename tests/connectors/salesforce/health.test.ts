import { describe, expect, it } from 'vitest';
import { Streams } from '../../../events/bus.js';
import { MemoryEventBus } from '../../../events/memory.js';
import { startHealthServer } from '../../../connectors/salesforce/health.js';
import { salesforceHarness, statusChanged, waitFor } from './harness.js';

describe('Salesforce connector: /health and /metrics', () => {
  const h = salesforceHarness();

  it('should report the phase, counters and API usage, and 503 once stopped', async () => {
    const bus = new MemoryEventBus();
    const sf = await h.emulator({ dailyApiLimit: 2000 });
    const c = h.connector(bus, sf);
    await c.start();
    const server = await startHealthServer(c, 0, '127.0.0.1');
    try {
      await bus.publish(Streams.VISIBILITY, statusChanged('ORD-1', 1, 'ACCEPTED'));
      await waitFor('the write', () => c.counters.written === 1);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        phase: 'running',
        ready: true,
        group: 'salesforce',
        apiUsage: { used: 1, limit: 2000 },
        counters: { written: 1, apiCalls: 1, logins: 1 },
      });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^ovg_salesforce_written_total 1$/m);
      expect(metrics).toMatch(/^ovg_salesforce_api_calls_total 1$/m);
      expect(metrics).toMatch(/^ovg_salesforce_phase\{phase="running"\} 1$/m);
      expect(metrics).toMatch(/^ovg_salesforce_api_usage_ratio 0\.0005$/m);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      await c.stop();
      const stopped = await fetch(`${server.url}/health`);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ phase: 'stopped', ready: false });
    } finally {
      await server.stop();
      await bus.close();
    }
  });
});
