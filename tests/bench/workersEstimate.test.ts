import { describe, expect, it } from 'vitest';
import { estimate, perRequest, rates, type Reading } from '../../bench/workers/estimate.js';

const reading = (
  at: number,
  cpu: number,
  redisCpu: number,
  commands: number,
  calls: Record<string, number>,
): Reading => ({
  at,
  gatewayCpuS: cpu,
  redisCpuS: redisCpu,
  redisCommands: commands,
  commandCalls: calls,
});

describe('bench:workers arithmetic (issue 15, item 4)', () => {
  it('takes the idle stack and the runner’s own INFO calls off the per-request figures', () => {
    // Idle: 5 s, 0.1 s of gateway CPU (20 ms/s), 50 commands (10/s: 9 xreadgroup + the INFO).
    const idle = rates(
      reading(0, 1, 0.5, 1000, { xreadgroup: 900, info: 10 }),
      reading(5000, 1.1, 0.55, 1051, { xreadgroup: 945, info: 11 }),
      1,
    );
    expect(idle.windowS).toBe(5);
    expect(idle.gatewayCpuMsPerS).toBeCloseTo(20);
    expect(idle.redisCommandsPerS).toBeCloseTo(10);
    expect(idle.commandsPerS.info).toBeCloseTo(0);
    // Measured: 10 s, 1,000 answered, 4 s of gateway CPU, 5,101 commands (100 idle, 5,000 of requests, 1 INFO).
    const busy = rates(
      reading(0, 2, 1, 2000, { xreadgroup: 100, evalsha: 0, info: 20 }),
      reading(10_000, 6, 1.3, 7101, { xreadgroup: 190, evalsha: 3000, mget: 2000, info: 21 }),
      1,
    );
    const p = perRequest(busy, idle, 1000);
    expect(p.gatewayCpuMs).toBeCloseTo(4);
    expect(p.gatewayCpuMsNet).toBeCloseTo(3.8);
    expect(p.redisCommandsGross).toBeCloseTo(5.1);
    expect(p.redisCommands).toBeCloseTo(5.0);
    expect(p.redisCpuMs).toBeCloseTo(0.2);
    expect(p.byCommand.map(([c]) => c)).toEqual(['evalsha', 'mget']);
  });

  it('bounds per-core × cores by one Redis core, and counts the cores an offered load needs', () => {
    const e = estimate({ gatewayCpuMs: 4, redisCommands: 5, redisCpuMs: 0.05 }, 100_000, 16);
    expect(e.perCoreRps).toBe(250);
    expect(e.gatewayRps).toBe(4000);
    expect(e.redisCeilingByOps).toBe(20_000);
    expect(e.redisCeilingByCpu).toBeCloseTo(20_000);
    expect(e.estimateRps).toBe(4000);
    expect(e.boundBy).toBe('gateway cores');
    expect(e.coresFor(2000)).toBe(8);
    const r = estimate({ gatewayCpuMs: 0.5, redisCommands: 20, redisCpuMs: 0.1 }, 100_000, 16);
    expect(r.redisCeiling).toBe(5000);
    expect(r.estimateRps).toBe(5000);
    expect(r.boundBy).toBe('Redis');
  });
});
