import { describe, expect, it } from 'vitest';
import { CircuitBreaker, Shield, ShieldRefusal, type BreakerTicket } from '../../gateway/shield/index.js';
import { sleep } from './rateLimiterContract.js';

function clocked(opts: { failureThreshold?: number; cooldownMs?: number } = {}) {
  const clock = { now: 0 };
  const breaker = new CircuitBreaker({ ...opts, now: () => clock.now });
  const ticket = (): BreakerTicket => {
    const a = breaker.admit();
    if (!a.ok) throw new Error(`expected admission, got ${a.reason}`);
    return a.ticket;
  };
  return { clock, breaker, ticket };
}

describe('CircuitBreaker', () => {
  it('should open after failureThreshold consecutive failures and refuse with the time left', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 3, cooldownMs: 1000 });
    for (let i = 0; i < 2; i++) ticket().failure();
    expect(breaker.state).toBe('closed');
    ticket().failure();
    expect(breaker.state).toBe('open');
    clock.now = 400;
    expect(breaker.admit()).toEqual({ ok: false, reason: 'circuit_open', retryAfterMs: 600 });
  });

  it('should start the count over after a success', () => {
    const { breaker, ticket } = clocked({ failureThreshold: 3 });
    ticket().failure();
    ticket().failure();
    ticket().success();
    ticket().failure();
    ticket().failure();
    expect(breaker.state).toBe('closed');
    ticket().failure();
    expect(breaker.state).toBe('open');
  });

  it('should half-open after the cooldown, let one probe through and close when it succeeds', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 1, cooldownMs: 1000 });
    ticket().failure();
    clock.now = 1000;
    expect(breaker.state).toBe('half_open');
    const probe = ticket();
    expect(breaker.admit()).toMatchObject({ ok: false, reason: 'circuit_open' });
    probe.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit().ok).toBe(true);
  });

  it('should re-open for a whole cooldown when the probe fails', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 1, cooldownMs: 1000 });
    ticket().failure();
    clock.now = 1500;
    ticket().failure();
    expect(breaker.state).toBe('open');
    clock.now = 2499;
    expect(breaker.admit()).toEqual({ ok: false, reason: 'circuit_open', retryAfterMs: 1 });
    clock.now = 2500;
    expect(breaker.state).toBe('half_open');
  });

  it('should let another call probe when the probe is abandoned', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 1, cooldownMs: 10 });
    ticket().failure();
    clock.now = 10;
    ticket().abandon();
    expect(breaker.state).toBe('half_open');
    ticket().success();
    expect(breaker.state).toBe('closed');
  });

  it('should ignore outcomes of calls admitted before the last change of state, and a second report', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 2, cooldownMs: 10 });
    const slow = ticket();
    const first = ticket();
    first.failure();
    first.failure();
    expect(breaker.state).toBe('closed');
    ticket().failure();
    expect(breaker.state).toBe('open');
    clock.now = 10;
    ticket().success();
    slow.failure();
    ticket().failure();
    expect(breaker.state).toBe('closed');
  });

  it('should refuse as rate_limited while paused by a 429, whatever the state, without counting a failure', () => {
    const { clock, breaker, ticket } = clocked({ failureThreshold: 1 });
    ticket().success();
    breaker.pause(300);
    breaker.pause(100);
    expect(breaker.admit()).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 300 });
    expect(breaker.state).toBe('closed');
    clock.now = 300;
    expect(breaker.admit().ok).toBe(true);
  });
});

describe('Shield with its breaker', () => {
  const failing = (calls: { n: number }) => async (): Promise<string> => {
    calls.n += 1;
    throw new Error('HTTP 503');
  };

  it('should refuse without calling once open, probe after the cooldown, close on success and re-open on a failed probe', async () => {
    const shield = new Shield({ name: 'oms', config: { breakerFailures: 3, breakerCooldownMs: 60, retries: 0 } });
    const calls = { n: 0 };
    for (let i = 0; i < 3; i++) await expect(shield.run(`k${i}`, failing(calls))).rejects.toThrow('HTTP 503');
    expect(shield.stats().breaker).toBe('open');

    const refusal = await shield.run('k3', failing(calls)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ShieldRefusal);
    expect(refusal).toMatchObject({ reason: 'circuit_open', subgraph: 'oms' });
    expect((refusal as ShieldRefusal).retryAfterMs).toBeGreaterThan(0);
    expect(calls.n).toBe(3);

    await sleep(70);
    await expect(shield.run('probe', failing(calls))).rejects.toThrow('HTTP 503');
    expect(calls.n).toBe(4);
    expect(shield.stats().breaker).toBe('open');

    await sleep(70);
    let ok = 0;
    await expect(shield.run('probe', async () => ((ok += 1), 'fine'))).resolves.toBe('fine');
    expect(shield.stats().breaker).toBe('closed');
    await expect(shield.run('after', async () => ((ok += 1), 'fine'))).resolves.toBe('fine');
    expect(ok).toBe(2);
    expect(shield.stats().refused.circuit_open).toBe(1);
  });
});
