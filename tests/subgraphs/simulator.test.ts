import { describe, expect, it } from 'vitest';
import { SystemRateLimitedError, SystemUnavailableError } from '../../subgraphs/common/errors.js';
import { faultsFromEnv, SystemSimulator } from '../../subgraphs/common/simulator.js';

describe('SystemSimulator', () => {
  it('should count calls per port method', async () => {
    const sim = new SystemSimulator('erp');
    await sim.call('ordersById', () => 1);
    await sim.call('ordersById', () => 1);
    await sim.call('paymentsById', () => 1);
    expect(sim.callCount('ordersById')).toBe(2);
    expect(sim.callCount()).toBe(3);
    sim.resetCalls();
    expect(sim.callCount()).toBe(0);
  });

  it('should fail every call during an outage and recover when it ends', async () => {
    const sim = new SystemSimulator('wms', { outage: true });
    await expect(sim.call('x', () => 1)).rejects.toBeInstanceOf(SystemUnavailableError);
    sim.faults.outage = false;
    await expect(sim.call('x', () => 1)).resolves.toBe(1);
  });

  it('should refuse calls over the rate limit with a retry-after, then admit again as tokens refill', async () => {
    const sim = new SystemSimulator('erp', { rateLimitPerSecond: 20 });
    let refused: SystemRateLimitedError | undefined;
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await sim.call('x', () => 1);
        admitted++;
      } catch (err) {
        refused = err as SystemRateLimitedError;
      }
    }
    expect(admitted).toBeGreaterThanOrEqual(20);
    expect(admitted).toBeLessThan(40);
    expect(refused).toBeInstanceOf(SystemRateLimitedError);
    expect(refused!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 120));
    await expect(sim.call('x', () => 1)).resolves.toBe(1);
  });

  it('should inject errors at the configured rate, the same pattern for the same seed', async () => {
    const run = async () => {
      const sim = new SystemSimulator('carrier', { errorRate: 0.3 }, 7);
      const outcomes: boolean[] = [];
      for (let i = 0; i < 1000; i++) outcomes.push(await sim.call('x', () => true).catch(() => false));
      return outcomes;
    };
    const a = await run();
    expect(a.filter((ok) => !ok).length).toBeGreaterThan(230);
    expect(a.filter((ok) => !ok).length).toBeLessThan(370);
    expect(await run()).toEqual(a);
  });

  it('should add latency to each call', async () => {
    const sim = new SystemSimulator('returns', { latencyMs: 30 });
    const started = performance.now();
    await sim.call('x', () => 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('should read fault knobs from the environment and refuse bad values by name', () => {
    expect(
      faultsFromEnv('erp', {
        ERP_SIM_LATENCY_MS: '200',
        ERP_SIM_RATE_LIMIT: '50',
        ERP_SIM_OUTAGE: 'true',
        ERP_SIM_ERROR_RATE: '0.1',
      }),
    ).toEqual({ latencyMs: 200, rateLimitPerSecond: 50, outage: true, errorRate: 0.1 });
    expect(() => faultsFromEnv('erp', { ERP_SIM_ERROR_RATE: '2' })).toThrow(
      'ERP_SIM_ERROR_RATE must be a number from 0 to 1; received "2"',
    );
    expect(() => faultsFromEnv('wms', { WMS_SIM_OUTAGE: 'yes' })).toThrow(
      'WMS_SIM_OUTAGE must be "true" or "false"; received "yes"',
    );
  });
});
