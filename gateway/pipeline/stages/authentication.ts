import type { Identity } from '../../../canonical/index.js';
import { visibilityScope } from '../../../canonical/index.js';
import type { Logger } from '../../../runtime/logger.js';
import { authenticate, AuthError, type AuthConfig } from '../../auth/index.js';
import { RequestRefusal } from '../errors.js';
import type { Stage } from '../stage.js';

/**
 * Credentials verified recently, so a caller's next requests skip the signature check (an ES256
 * verification or a key hash costs more than a cached answer). Keyed by the exact header values;
 * an entry is used only until the token's `exp` (and at most a minute, so a removed partner key
 * stops working within one); bounded, oldest first out.
 */
export class VerifiedCredentials {
  private readonly entries = new Map<string, { identity: Identity; scope: string; until: number }>();
  constructor(
    private readonly max = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  private key(authorization: unknown, apiKey: unknown): string | undefined {
    if (typeof authorization === 'string' && apiKey === undefined) return `a\u0000${authorization}`;
    if (typeof apiKey === 'string' && authorization === undefined) return `k\u0000${apiKey}`;
    return undefined;
  }

  get(authorization: unknown, apiKey: unknown): { identity: Identity; scope: string } | undefined {
    const key = this.key(authorization, apiKey);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() >= entry.until) {
      this.entries.delete(key!);
      return undefined;
    }
    return entry;
  }

  remember(authorization: unknown, apiKey: unknown, identity: Identity, scope: string): void {
    const key = this.key(authorization, apiKey);
    if (key === undefined) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    const until = Math.min(identity.expiresAt ?? Infinity, Date.now() + this.maxAgeMs);
    this.entries.set(key, { identity, scope, until });
  }
}

/**
 * Authentication: the identity from `Authorization: Bearer <JWT>` or `X-Api-Key` (HTTP headers,
 * or the graphql-ws `connection_init` payload). A missing, forged, expired or wrong-audience
 * credential is refused 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer` and a message saying
 * what was expected and what arrived (503 `UPSTREAM_UNAVAILABLE` when the identity provider's keys
 * could not be fetched). A credential verified in the last minute is not verified again.
 */
export function authenticationStage(config: AuthConfig, logger: Logger, verified = new VerifiedCredentials()): Stage {
  return {
    name: 'authentication',
    // Every request carries Authorization or X-Api-Key, headers a browser sends cross-site only
    // after a CORS preflight: that is what Apollo Server's CSRF check asks for, so it is off
    // (and a plain GET works, as the GraphQL-over-HTTP spec says).
    serverOptions: { csrfPrevention: false },
    async authenticate(call) {
      const { authorization, 'x-api-key': apiKey } = call.headers;
      const remembered = verified.get(authorization, apiKey);
      if (remembered) return remembered.identity;
      try {
        const identity = await authenticate(call.headers, config);
        verified.remember(authorization, apiKey, identity, visibilityScope(identity));
        return identity;
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        logger.info({ reason: err.reason, transport: call.transport }, 'refused a credential');
        const headers: Record<string, string> =
          err.httpStatus === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
        throw new RequestRefusal(err.httpStatus, err.code, err.message, { reason: err.reason }, headers);
      }
    },
  };
}
