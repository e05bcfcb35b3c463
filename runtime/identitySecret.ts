import { MIN_IDENTITY_SECRET_LENGTH } from '../canonical/identityHeader.js';
import type { EnvReader } from './env.js';

/**
 * Signs the identity header between gateway and subgraphs when `GATEWAY_IDENTITY_SECRET` is not
 * set: development and the embedded default only. It is public (it is in this file); production
 * refuses it.
 */
export const DEV_IDENTITY_SECRET = 'ovg-development-gateway-identity-signing-secret';

/**
 * The secret shared by the gateway (it signs `x-gateway-identity`) and every subgraph (they verify
 * it): `GATEWAY_IDENTITY_SECRET`, at least 32 characters, else {@link DEV_IDENTITY_SECRET} when
 * `allowDevDefault`. Problems are collected in `env`; the secret is never echoed.
 */
export function identitySecretFromEnv(env: EnvReader, allowDevDefault: boolean): string {
  if (!env.has('GATEWAY_IDENTITY_SECRET')) {
    if (allowDevDefault) return DEV_IDENTITY_SECRET;
    env.problems.push(
      `GATEWAY_IDENTITY_SECRET must be set to a secret of at least ${MIN_IDENTITY_SECRET_LENGTH} characters (NODE_ENV=production has no default)`,
    );
    return '';
  }
  const secret = env.string('GATEWAY_IDENTITY_SECRET', '');
  if (secret.length < MIN_IDENTITY_SECRET_LENGTH)
    env.problems.push(
      `GATEWAY_IDENTITY_SECRET must be at least ${MIN_IDENTITY_SECRET_LENGTH} characters; received ${secret.length}`,
    );
  if (!allowDevDefault && secret === DEV_IDENTITY_SECRET)
    env.problems.push(
      'GATEWAY_IDENTITY_SECRET is the development secret, which is public; set your own when NODE_ENV=production',
    );
  return secret;
}
