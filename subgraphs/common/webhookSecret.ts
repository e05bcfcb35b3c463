import type { SystemName } from '../../canonical/index.js';
import type { EnvReader } from '../../runtime/env.js';
import { MIN_SECRET_LENGTH } from './signature.js';

/**
 * The webhook secret used when none is configured: for the embedded mode and local runs only.
 * It is public (it is in this file), so anyone can sign with it; never use it in production.
 */
export const DEV_WEBHOOK_SECRET = 'ovg-development-webhook-secret';

/**
 * One system's webhook secret from the environment: `<NAME>_WEBHOOK_SECRET` (e.g.
 * `CARRIER_WEBHOOK_SECRET`), else `WEBHOOK_SECRET`, else {@link DEV_WEBHOOK_SECRET} when
 * `allowDevDefault` (refused otherwise). A secret shorter than 16 characters is refused. Problems
 * are collected in `env` (its `done()` throws them all at once); the secret is never echoed.
 */
export function webhookSecretFromEnv(env: EnvReader, system: SystemName, allowDevDefault: boolean): string {
  const specific = `${system.toUpperCase()}_WEBHOOK_SECRET`;
  const name = env.has(specific) ? specific : env.has('WEBHOOK_SECRET') ? 'WEBHOOK_SECRET' : null;
  if (name === null) {
    if (allowDevDefault) return DEV_WEBHOOK_SECRET;
    env.problems.push(
      `${specific} or WEBHOOK_SECRET must be set to a secret of at least ${MIN_SECRET_LENGTH} characters (NODE_ENV=production has no default)`,
    );
    return '';
  }
  const secret = env.string(name, '');
  if (secret.length < MIN_SECRET_LENGTH)
    env.problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters; received ${secret.length}`);
  return secret;
}
