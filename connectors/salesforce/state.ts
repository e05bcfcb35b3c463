import type { ApiUsage } from './throttle.js';

/** The connector's lifecycle, in logs, `/health` and metrics. */
export type ConnectorPhase = 'starting' | 'running' | 'throttled' | 'draining' | 'stopped';

/** Monotonic counters (metrics-ready: each maps to a Prometheus counter). */
export interface ConnectorCounters {
  /** `order.status_changed` and exception events taken from the bus (or replayed). */
  received: number;
  /** Changes Salesforce accepted. */
  written: number;
  /** Changes skipped because a newer version of the same order was pending in the same batch. */
  superseded: number;
  /** Changes skipped because a newer version was already claimed, or the org holds a newer one (its validation rule refused the older). */
  stale: number;
  /** Changes refused for good (and events that can never be written): dead-lettered. */
  deadLettered: number;
  /** Events of other types, acknowledged and skipped. */
  skipped: number;
  /** Calls to the Salesforce REST API (each counts against the org's daily allocation). */
  apiCalls: number;
  /** Retries after transient failures (whole calls or records). */
  retries: number;
  /** Logins (the first and every re-login after INVALID_SESSION_ID). */
  logins: number;
  /** Batches written. */
  batches: number;
}

/** Every counter at zero. */
export const zeroCounters = (): ConnectorCounters => ({
  received: 0,
  written: 0,
  superseded: 0,
  stale: 0,
  deadLettered: 0,
  skipped: 0,
  apiCalls: 0,
  retries: 0,
  logins: 0,
  batches: 0,
});

/** What `/health` shows. */
export interface ConnectorHealth {
  phase: ConnectorPhase;
  /** True while the connector takes and writes changes (running or throttled). */
  ready: boolean;
  group: string;
  consumer: string;
  /** Changes waiting for their batch. */
  pending: number;
  /** The usage the last `Sforce-Limit-Info` reported. */
  apiUsage: ApiUsage | null;
  /** How long the next call waits for the throttle, ms. */
  throttleDelayMs: number;
  counters: ConnectorCounters;
  /** The last transient failure (secret-free), while it lasts. */
  lastError: string | null;
}

/** Whether a phase takes and writes changes. */
export function isReady(phase: ConnectorPhase): boolean {
  switch (phase) {
    case 'running':
    case 'throttled':
      return true;
    case 'starting':
    case 'draining':
    case 'stopped':
      return false;
    default:
      return assertNever(phase);
  }
}

/** Whether a phase gives up retries: the connector drains or has stopped. */
export function isStopping(phase: ConnectorPhase): boolean {
  return phase === 'draining' || phase === 'stopped';
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
