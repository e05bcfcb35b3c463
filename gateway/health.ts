import type { Request, Response, Router } from 'express';
import express from 'express';

/** A subgraph as the health check sees it. */
export interface SubgraphHealth { state: 'up' | 'down'; latencyMs?: number; detail?: string }

/** Options of {@link healthRoutes}. */
export interface HealthOptions {
  /** True once a supergraph is loaded and the server listens. */
  isReady: () => boolean;
  /** The subgraphs in the current supergraph: name → GraphQL endpoint. */
  subgraphs: () => ReadonlyMap<string, string>;
  /** Timeout of one probe, ms. */
  probeTimeoutMs: number;
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
    return { state: 'down', detail: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : 'unreachable' };
  }
}

/**
 * `/health/live`: the process answers. `/health/ready`: a supergraph is loaded and the server
 * listens (200), else 503. The ready body lists each subgraph's state, but a down subgraph does
 * not make the gateway unready: the graph degrades by slice, it does not go dark.
 */
export function healthRoutes(opts: HealthOptions): Router {
  const router = express.Router();
  router.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req: Request, res: Response) => {
    const entries = [...opts.subgraphs()];
    const states = await Promise.all(entries.map(([, url]) => probe(url, opts.probeTimeoutMs)));
    const subgraphs = Object.fromEntries(entries.map(([name], i) => [name, states[i]]));
    const ready = opts.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'starting', subgraphs });
  });
  return router;
}
