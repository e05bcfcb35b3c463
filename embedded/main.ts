import { generateDemo, demoOptionsFromEnv } from '../demo/index.js';
import { SUBGRAPH_NAMES } from '../gateway/config.js';
import { EnvReader } from '../runtime/env.js';
import { createLogger } from '../runtime/logger.js';
import { failStartup, stopOnSignal } from '../runtime/process.js';
import { DEFAULT_PORTS } from '../subgraphs/common/main.js';
import { faultsFromEnv } from '../subgraphs/common/simulator.js';
import { EXAMPLE_QUERY } from './example.js';
import { startStack } from './stack.js';

// `npm start`: the whole stack in one process on the embedded simulators and demo data.
const logger = createLogger('embedded');
try {
  const env = new EnvReader();
  const host = env.string('HOST', '127.0.0.1');
  const ports = {
    gateway: env.int('PORT', 4000, 0, 65535),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, env.int(`${n.toUpperCase()}_PORT`, DEFAULT_PORTS[n], 0, 65535)])),
  };
  env.done();
  const faults = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, faultsFromEnv(n)]));
  const demoOptions = demoOptionsFromEnv();
  const started = performance.now();
  const { data } = generateDemo(demoOptions);
  logger.info({ orders: data.oms.orders.length, ms: Math.round(performance.now() - started) }, 'demo data generated');
  const stack = await startStack({ data, host, ports, faults });
  stopOnSignal(() => stack.stop(), logger);
  const url = stack.gateway.url;
  process.stdout.write(
    `\nOrder-visibility graph ready at ${url}\n\nTry:\n  curl -s ${url} -H 'content-type: application/json' \\\n` +
      `    -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'\n\nCtrl-C stops everything.\n\n`,
  );
} catch (err) {
  failStartup(err);
}
