import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runChaos } from '../../scripts/chaos/run.js';
import { describeOwnRedis } from '../helpers/redis.js';

const root = join(import.meta.dirname, '../..');

/**
 * The short `npm run chaos`: every scenario (each subgraph killed and restarted, an ERP 429 storm,
 * its own redis-server paused, killed, and restarted empty (streams lost), a gateway replica restarted with subscribers resuming,
 * a burst of orders under the ERP limit) with short faults and a few status changes each, against
 * a distributed stack under query load. The full run is `npm run chaos` (RELIABILITY.md). Needs the
 * redis-server binary (the run starts its own server; the shared one is never touched).
 */
describeOwnRedis('npm run chaos (short)', () => {
  it('should lose no change, duplicate none, publish none with a wrong previous status, and answer no client 5xx in any scenario', {
    timeout: 300_000,
  }, async () => {
    const report = await runChaos({ root, short: true });
    expect(report.scenarios.length).toBeGreaterThanOrEqual(13);
    for (const r of report.scenarios) {
      expect({
        scenario: r.name,
        lost: r.lost,
        duplicated: r.duplicated,
        wrongPrevious: r.wrongPrevious,
        client5xx: r.client5xx,
        clientNoAnswer: r.clientNoAnswer,
      }).toEqual({ scenario: r.name, lost: 0, duplicated: 0, wrongPrevious: 0, client5xx: 0, clientNoAnswer: 0 });
      // Not vacuous: each scenario caused changes, ran under load and recovered.
      expect(r.changes).toBeGreaterThan(0);
      expect(r.queries).toBeGreaterThan(0);
      expect(r.recoveryMs, r.name).not.toBeNull();
    }
    // The faults were real: the ERP's webhooks were refused while it was down, and the restarted
    // replica's subscriber resumed after its cursor.
    expect(report.scenarios.find((r) => r.name === 'kill and restart erp')!.webhookRetries).toBeGreaterThan(0);
    expect(report.scenarios.find((r) => r.name.startsWith('gateway replica'))!.resumes).toBeGreaterThan(0);
    // Redis came back empty: the trackers re-read the orders the store saw applied.
    expect(report.scenarios.find((r) => r.name.startsWith('Redis restarted empty'))!.swept).toBeGreaterThan(0);
  });
});
