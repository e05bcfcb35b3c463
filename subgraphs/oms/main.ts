import { EnvReader } from '../../runtime/env.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup } from '../../runtime/process.js';
import { runSubgraphMain } from '../common/main.js';
import { MemoryOms } from './adapters/memory.js';
import { CURSOR_SECRET_VARIABLE, cursorSecretFromEnv, DEV_CURSOR_SECRET } from './cursorSecret.js';
import { start } from './server.js';

/** `ORDERS_CURSOR_SECRET`, validated before anything starts (refused when missing in production). */
function readCursorSecret(): string {
  try {
    const env = new EnvReader();
    const secret = cursorSecretFromEnv(env, process.env.NODE_ENV !== 'production');
    env.done();
    return secret;
  } catch (err) {
    return failStartup(err);
  }
}

const cursorSecret = readCursorSecret();
if (cursorSecret === DEV_CURSOR_SECRET) {
  createLogger('oms').warn(
    `orders cursors are signed with the development key; set ${CURSOR_SECRET_VARIABLE} outside local development`,
  );
}
await runSubgraphMain(
  'oms',
  (data, faults) => new MemoryOms(data.oms, faults),
  (opts) => start({ ...opts, cursorSecret }),
);
