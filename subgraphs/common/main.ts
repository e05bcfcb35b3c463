import { generateDemo, demoOptionsFromEnv } from '../../demo/index.js';
import type { DemoData, SystemName } from '../../demo/records.js';
import { EnvReader } from '../../runtime/env.js';
import type { RunningService } from '../../runtime/http.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup, stopOnSignal } from '../../runtime/process.js';
import { faultsFromEnv, type FaultKnobs } from './simulator.js';
import type { SubgraphServiceOptions } from './server.js';

/** The default port of each subgraph (the supergraph's routing_url). */
export const DEFAULT_PORTS: Readonly<Record<SystemName, number>> = { erp: 4001, oms: 4002, wms: 4003, carrier: 4004, returns: 4005 };

/**
 * Runs one subgraph as its own process (`node dist/subgraphs/<name>/main.js`) on the demo
 * simulator: `PORT` (default the subgraph's own), `HOST`, `DEMO_SEED`, `DEMO_ORDERS`, and the
 * fault knobs `<NAME>_SIM_*`. Only this system's slice of the demo world is kept.
 */
export async function runSubgraphMain<Port>(
  name: SystemName,
  makeSystem: (data: DemoData, faults: Partial<FaultKnobs>) => Port,
  start: (opts: SubgraphServiceOptions<Port>) => Promise<RunningService>,
): Promise<void> {
  const logger = createLogger(name);
  try {
    const env = new EnvReader();
    const port = env.int('PORT', DEFAULT_PORTS[name], 0, 65535);
    const host = env.string('HOST', '127.0.0.1');
    env.done();
    const faults = faultsFromEnv(name);
    const { data } = generateDemo({ ...demoOptionsFromEnv(), systems: [name] });
    const service = await start({ system: makeSystem(data, faults), port, host });
    logger.info({ url: service.url }, `${name} subgraph listening`);
    stopOnSignal(() => service.stop(), logger);
  } catch (err) {
    failStartup(err);
  }
}
