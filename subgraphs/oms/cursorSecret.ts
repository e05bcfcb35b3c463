import type { EnvReader } from '../../runtime/env.js';
import { MIN_SECRET_LENGTH } from '../common/signature.js';

/**
 * The key `orders` cursors are signed with when none is configured: for the embedded mode, local
 * runs and tests only. It is public (it is in this file), so anyone can forge a cursor with it;
 * `NODE_ENV=production` refuses to start without `ORDERS_CURSOR_SECRET`.
 */
export const DEV_CURSOR_SECRET = 'ovg-development-orders-cursor-secret';

/** The variable that holds the key. */
export const CURSOR_SECRET_VARIABLE = 'ORDERS_CURSOR_SECRET';

/**
 * The `orders` cursor key from the environment: `ORDERS_CURSOR_SECRET`, else
 * {@link DEV_CURSOR_SECRET} when `allowDevDefault` (refused otherwise). A key shorter than 16
 * characters is refused. Problems are collected in `env` (its `done()` throws them all at once);
 * the key is never echoed.
 */
export function cursorSecretFromEnv(env: EnvReader, allowDevDefault: boolean): string {
  if (!env.has(CURSOR_SECRET_VARIABLE)) {
    if (allowDevDefault) return DEV_CURSOR_SECRET;
    env.problems.push(
      `${CURSOR_SECRET_VARIABLE} must be set to a secret of at least ${MIN_SECRET_LENGTH} characters (NODE_ENV=production has no default)`,
    );
    return '';
  }
  const secret = env.string(CURSOR_SECRET_VARIABLE, '');
  if (secret.length < MIN_SECRET_LENGTH) {
    env.problems.push(
      `${CURSOR_SECRET_VARIABLE} must be at least ${MIN_SECRET_LENGTH} characters; received ${secret.length}`,
    );
  }
  return secret;
}
