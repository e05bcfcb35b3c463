import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { SystemReport } from '../store/index.js';
import type { BreakerState } from './shield/index.js';

/** What the gateway's own traffic says of a subgraph (recorded by its SubgraphDataSource). */
export interface ObservedFetches {
  /** When a fetch last got a good answer (epoch ms). */
  lastSuccessAt?: number;
  /** The last fetch that could not be had: its code (`UPSTREAM_UNAVAILABLE`, `RATE_LIMITED`) and when. */
  lastFailure?: { code: string; at: number };
}

/** A subgraph as the health check sees it. */
export interface SubgraphHealth {
  state: 'up' | 'down';
  latencyMs?: number;
  detail?: string;
  breaker?: BreakerState;
}

/** Options of {@link healthRoutes}. */
export interface HealthOptions {
  /** True once a supergraph is loaded and the server listens. */
  isReady: () => boolean;
  /** The subgraphs in the current supergraph: name → GraphQL endpoint. */
  subgraphs: () => ReadonlyMap<string, string>;
  /** Timeout of one probe, ms. */
  probeTimeoutMs: number;
  /** The breaker state of a subgraph's shield, if it has one. */
  breaker: (subgraph: string) => BreakerState | undefined;
  /** What the gateway's fetches saw of a subgraph. */
  observed: (subgraph: string) => ObservedFetches | undefined;
  /** Whether the request carries an operator's credential (the per-subgraph detail is ops-only). */
  isOperator: (headers: IncomingHttpHeaders) => Promise<boolean>;
  /** A failed fetch counts against a subgraph for this long, unless a good answer came after it. @default 60000 */
  failureWindowMs?: number;
}

async function probe(graphqlUrl: string, timeoutMs: number): Promise<SubgraphHealth> {
  const started = performance.now();
  try {
    const res = await fetch(new URL('/health/live', graphqlUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    const latencyMs = Math.round(performance.now() - started);
    return res.ok ? { state: 'up', latencyMs } : { state: 'down', latencyMs, detail: `HTTP ${res.status}` };
  } catch (err) {
    const name = (err as Error).name;
    return {
      state: 'down',
      detail: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : 'unreachable',
    };
  }
}

/**
 * What the gateway sees of one subgraph: down when its process does not answer, when its breaker
 * is open, or when the gateway's last fetch from it failed (an outage, a rate limit, a 5xx — served
 * stale or not) within the failure window and nothing good came since; up otherwise.
 */
export function judge(
  probed: SubgraphHealth,
  breaker: BreakerState | undefined,
  seen: ObservedFetches | undefined,
  windowMs: number,
  now = Date.now(),
): SubgraphHealth {
  const out: SubgraphHealth = { ...probed, ...(breaker ? { breaker } : {}) };
  if (out.state === 'down') return out;
  if (breaker === 'open') return { ...out, state: 'down', detail: 'circuit open: the gateway is not calling it' };
  const failure = seen?.lastFailure;
  if (failure && now - failure.at <= windowMs && failure.at >= (seen?.lastSuccessAt ?? 0)) {
    return {
      ...out,
      state: 'down',
      detail: `last fetch failed ${Math.round((now - failure.at) / 1000)}s ago: ${failure.code}`,
    };
  }
  return out;
}

/**
 * `/health/live`: the process answers. `/health/ready`: a supergraph is loaded and the server
 * listens (200 `{"status":"ready"}`), else 503 `{"status":"starting"}` — all an anonymous caller
 * learns. With an ops credential the body also lists each subgraph as the gateway sees it
 * ({@link judge}); a down subgraph does not make the gateway unready: the graph degrades by
 * slice, it does not go dark.
 */
export function healthRoutes(opts: HealthOptions): Router {
  const router = express.Router();
  const windowMs = opts.failureWindowMs ?? 60_000;
  router.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (req: Request, res: Response) => {
    const ready = opts.isReady();
    const status = ready ? 'ready' : 'starting';
    res.status(ready ? 200 : 503);
    if (!(await opts.isOperator(req.headers))) return void res.json({ status });
    const entries = [...opts.subgraphs()];
    const probed = await Promise.all(entries.map(([, url]) => probe(url, opts.probeTimeoutMs)));
    const subgraphs = Object.fromEntries(
      entries.map(([name], i) => [name, judge(probed[i]!, opts.breaker(name), opts.observed(name), windowMs)]),
    );
    res.json({ status, subgraphs });
  });
  return router;
}

const REPORTED_BREAKER = { closed: 'CLOSED', open: 'OPEN', half_open: 'HALF_OPEN' } as const satisfies Record<
  BreakerState,
  SystemReport['breaker']
>;

/**
 * This replica's view of each subgraph as the visibility store keeps it for
 * `Query.operationsHealth` (store/healthWriter.ts): its shield's breaker, and when its fetches last
 * succeeded (the slice's freshness) and last failed, with the failure's code.
 */
export function systemReports(
  subgraphs: Iterable<string>,
  breaker: (subgraph: string) => BreakerState | undefined,
  observed: (subgraph: string) => ObservedFetches | undefined,
): SystemReport[] {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return [...subgraphs].map((system) => {
    const seen = observed(system);
    return {
      system,
      breaker: REPORTED_BREAKER[breaker(system) ?? 'closed'],
      lastSuccessAt: iso(seen?.lastSuccessAt),
      lastFailureAt: iso(seen?.lastFailure?.at),
      detail: seen?.lastFailure?.code ?? null,
    };
  });
}
