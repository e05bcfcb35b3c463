import { DEFAULT_RETURN_WINDOW_DAYS } from '../../canonical/index.js';
import { EnvReader } from '../../runtime/env.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup } from '../../runtime/process.js';
import { runSubgraphMain } from '../common/main.js';
import { MemoryOms } from './adapters/memory.js';
import { CURSOR_SECRET_VARIABLE, cursorSecretFromEnv, DEV_CURSOR_SECRET } from './cursorSecret.js';
import { start } from './server.js';

/**
 * `ORDERS_CURSOR_SECRET` (refused when missing in production) and `RETURN_WINDOW_DAYS` (1-365,
 * default 30), validated before anything starts.
 */
function readOmsConfig(): { cursorSecret: string; returnWindowDays: number } {
  try {
    const env = new EnvReader();
    const cursorSecret = cursorSecretFromEnv(env, process.env.NODE_ENV !== 'production');
    const returnWindowDays = env.int('RETURN_WINDOW_DAYS', DEFAULT_RETURN_WINDOW_DAYS, 1, 365);
    env.done();
    return { cursorSecret, returnWindowDays };
  } catch (err) {
    return failStartup(err);
  }
}

const { cursorSecret, returnWindowDays } = readOmsConfig();
if (cursorSecret === DEV_CURSOR_SECRET) {
  createLogger('oms').warn(
    `orders cursors are signed with the development key; set ${CURSOR_SECRET_VARIABLE} outside local development`,
  );
}
await runSubgraphMain(
  'oms',
  (data, faults) => new MemoryOms(data.oms, faults),
  (opts) => start({ ...opts, cursorSecret, returnWindowDays }),
);
