/**
 * Targets (c) and (d) of `bench/gateways.ts`: this repository's gateway, as `gateway/main.ts` runs
 * it in front of subgraphs elsewhere — `startGateway(gatewayConfigFromEnv(env), deps)` — in a
 * process of its own. The runner composes the environment (bench/gateways/targets.ts, `oursEnv`);
 * this file only adds the dependencies (`oursDeps`). Not meant to be run by hand.
 */
import { createEventBus } from '../../events/create.js';
import type { EventBus } from '../../events/bus.js';
import { gatewayConfigFromEnv } from '../../gateway/config.js';
import { startGateway, type GatewayDeps } from '../../gateway/server.js';
import { createLogger } from '../../runtime/logger.js';
import { profileStart, profileStop } from '../profile.js';

/** The parts of the request path the write-up names (inclusive time, synchronous part, outermost frame per stack). */
const NAMED: Record<string, string> = {
  subgraphFetches: 'process gateway/subgraphs/dataSource.ts',
  apolloServerHttp: 'executeHTTPGraphQLRequest @apollo/server/',
  gatewayQueryPlanExecution: 'executeQueryPlan @apollo/gateway/',
};

const send = (msg: unknown): void => void process.send?.(msg);

// ---- seam: what our gateway runs with beyond its configuration --------------------------------------
/**
 * SEAM (deps): the event bus from `REDIS_URL` (the runner's private redis-server, which the
 * subgraphs' `/ingest` publishes to), so the gateway sees every change (cache invalidation). No
 * status store: no status tracker here (the change path is a separate benchmark, and the peers run
 * none). Adjust here when the gateway needs more (e.g. a cache store handed in rather than read from
 * `REDIS_URL`).
 */
function oursDeps(env: NodeJS.ProcessEnv): { deps: GatewayDeps; bus: EventBus } {
  const bus = createEventBus(env);
  return { deps: { logger: createLogger('gateway'), bus }, bus };
}

try {
  const config = gatewayConfigFromEnv(process.env);
  const { deps, bus } = oursDeps(process.env);
  const gateway = await startGateway(config, deps);
  process.stdout.write(`our gateway listening at ${gateway.url}\n`);
  send({ type: 'ready', url: gateway.url, pid: process.pid });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await gateway.stop().catch(() => undefined);
    await bus.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('message', (m) => {
    const req = m as { id: number; cmd: string };
    if (req.cmd === 'stop') {
      send({ id: req.id, ok: true, result: null });
      void stop();
    } else if (req.cmd === 'profile-start' || req.cmd === 'profile-stop') {
      // A sampled CPU profile of this gateway over a window the runner chooses.
      (req.cmd === 'profile-start' ? profileStart() : profileStop(NAMED)).then(
        (result) => send({ id: req.id, ok: true, result: result ?? null }),
        (err: unknown) => send({ id: req.id, ok: false, error: String(err) }),
      );
    }
  });
  process.on('disconnect', () => void stop());
} catch (err) {
  send({ type: 'fatal', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
