/**
 * The arithmetic of `bench/workers.ts` (issue 15, item 4), apart so that a test can check it: per
 * request figures from counter deltas over a window (net of what the idle stack did in a window of
 * its own), and the 16-core estimate argued from them.
 */

/** Counter readings at one instant: CPU seconds of the gateway's processes and of redis-server, Redis commands. */
export interface Reading {
  /** ms since the epoch. */
  at: number;
  /** CPU seconds (user + system) of every gateway process (primary and workers), summed. */
  gatewayCpuS: number;
  redisCpuS: number;
  /** `total_commands_processed` of the private redis-server. */
  redisCommands: number;
  /** `INFO commandstats` calls per command (lower-case name). */
  commandCalls: Record<string, number>;
}

export interface Rates {
  windowS: number;
  gatewayCpuMsPerS: number;
  redisCpuMsPerS: number;
  redisCommandsPerS: number;
  commandsPerS: Record<string, number>;
}

/**
 * What happened per second between two readings. `ownCommands` is what the runner itself sent
 * Redis in between (the INFO calls that took the readings), taken off the total.
 */
export function rates(a: Reading, b: Reading, ownCommands = 0): Rates {
  const windowS = (b.at - a.at) / 1000;
  const per = (x: number): number => x / windowS;
  const commandsPerS: Record<string, number> = {};
  for (const [name, calls] of Object.entries(b.commandCalls)) {
    const d = calls - (a.commandCalls[name] ?? 0);
    if (d > 0) commandsPerS[name] = per(d);
  }
  if (commandsPerS.info !== undefined) commandsPerS.info = Math.max(0, commandsPerS.info - per(ownCommands));
  return {
    windowS,
    gatewayCpuMsPerS: per((b.gatewayCpuS - a.gatewayCpuS) * 1000),
    redisCpuMsPerS: per((b.redisCpuS - a.redisCpuS) * 1000),
    redisCommandsPerS: per(b.redisCommands - a.redisCommands - ownCommands),
    commandsPerS,
  };
}

export interface PerRequest {
  answered: number;
  /** Gateway CPU ms (primary + workers) per answered request, idle included. */
  gatewayCpuMs: number;
  /** The same, the idle stack's CPU over the window taken off. */
  gatewayCpuMsNet: number;
  /** Redis commands per answered request, the idle stack's commands over the window taken off. */
  redisCommands: number;
  /** Gross, idle included. */
  redisCommandsGross: number;
  /** redis-server CPU ms per answered request, net of idle. */
  redisCpuMs: number;
  /** Net commands per answered request, per command name (largest first). */
  byCommand: [string, number][];
}

/** Per answered request over a measured window, `idle` being the rates of the quiet window before it. */
export function perRequest(measured: Rates, idle: Rates, answered: number): PerRequest {
  const n = Math.max(1, answered);
  const w = measured.windowS;
  const net = (busy: number, quiet: number): number => Math.max(0, (busy - quiet) * w) / n;
  const byCommand = Object.entries(measured.commandsPerS)
    .map(([name, r]) => [name, net(r, idle.commandsPerS[name] ?? 0)] as [string, number])
    .filter(([, x]) => x > 0.005)
    .sort((x, y) => y[1] - x[1]);
  return {
    answered,
    gatewayCpuMs: (measured.gatewayCpuMsPerS * w) / n,
    gatewayCpuMsNet: net(measured.gatewayCpuMsPerS, idle.gatewayCpuMsPerS),
    redisCommands: net(measured.redisCommandsPerS, idle.redisCommandsPerS),
    redisCommandsGross: (measured.redisCommandsPerS * w) / n,
    redisCpuMs: net(measured.redisCpuMsPerS, idle.redisCpuMsPerS),
    byCommand,
  };
}

export interface Estimate {
  /** req/s one gateway core answers: 1000 / gateway CPU ms per request (gross: the idle share at this rate included). */
  perCoreRps: number;
  cores: number;
  /** perCoreRps × cores: an estimate (linear scaling, every core a gateway worker, nothing else on them). */
  gatewayRps: number;
  /** One Redis core: benchmarked ops/s ÷ Redis calls per request (`redisCommands` as passed: the caller decides whether commands run inside scripts count). */
  redisCeilingByOps: number;
  /** One Redis core: 1000 ÷ redis-server CPU ms per request as measured here. */
  redisCeilingByCpu: number;
  /** The lower of the two Redis ceilings. */
  redisCeiling: number;
  /** min(gatewayRps, redisCeiling). */
  estimateRps: number;
  boundBy: 'gateway cores' | 'Redis';
  /** Gateway cores an offered load needs: offered × CPU ms per request / 1000. */
  coresFor: (offeredRps: number) => number;
}

/**
 * The n-core estimate from per-request figures: `cores` × what one core answers, bounded by what
 * one Redis (a single-threaded server: one core) can serve at this request's Redis cost.
 */
export function estimate(
  p: Pick<PerRequest, 'gatewayCpuMs' | 'redisCommands' | 'redisCpuMs'>,
  redisOpsPerS: number,
  cores = 16,
): Estimate {
  const perCoreRps = 1000 / p.gatewayCpuMs;
  const gatewayRps = perCoreRps * cores;
  const byOps = p.redisCommands > 0 ? redisOpsPerS / p.redisCommands : Number.POSITIVE_INFINITY;
  const byCpu = p.redisCpuMs > 0 ? 1000 / p.redisCpuMs : Number.POSITIVE_INFINITY;
  const redisCeiling = Math.min(byOps, byCpu);
  return {
    perCoreRps,
    cores,
    gatewayRps,
    redisCeilingByOps: byOps,
    redisCeilingByCpu: byCpu,
    redisCeiling,
    estimateRps: Math.min(gatewayRps, redisCeiling),
    boundBy: gatewayRps <= redisCeiling ? 'gateway cores' : 'Redis',
    coresFor: (offered) => (offered * p.gatewayCpuMs) / 1000,
  };
}
