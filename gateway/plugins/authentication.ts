import type { RequestHandler } from 'express';
import { ErrorCode, visibilityScope, type Identity } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import { authenticate, AuthError, type AuthConfig } from '../auth/index.js';

/**
 * Authentication of every `/graphql` HTTP request, before the body is read: the identity from
 * `Authorization: Bearer <JWT>` or `X-Api-Key` lands in `res.locals.identity`; a missing, forged,
 * expired or wrong-audience credential is answered 401 with a GraphQL error body
 * (`UNAUTHENTICATED`, the message saying what was expected and what arrived) and
 * `WWW-Authenticate: Bearer`. Only the health endpoints answer without a credential.
 */
export function authenticateRequests(config: AuthConfig, logger: Logger, verified = new VerifiedCredentials()): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    const remembered = verified.get(req.headers.authorization, req.headers['x-api-key']);
    if (remembered) {
      res.locals.identity = remembered.identity;
      res.locals.scope = remembered.scope;
      return next();
    }
    authenticate(req.headers, config).then(
      (identity: Identity) => {
        res.locals.identity = identity;
        res.locals.scope = visibilityScope(identity);
        verified.remember(req.headers.authorization, req.headers['x-api-key'], identity, res.locals.scope as string);
        next();
      },
      (err: unknown) => {
        if (!(err instanceof AuthError)) return next(err);
        logger.info({ reason: err.reason }, 'refused a credential');
        if (err.httpStatus === 401) res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
        res.status(err.httpStatus).json({ errors: [{ message: err.message, extensions: { code: err.code, reason: err.reason } }] });
      },
    );
  };
}

/** The identity the authentication middleware established for this response. */
export function identityOf(locals: Record<string, unknown>): Identity {
  const identity = locals.identity as Identity | undefined;
  if (!identity) throw Object.assign(new Error('no identity: authenticateRequests must run first'), { code: ErrorCode.INTERNAL_SERVER_ERROR });
  return identity;
}

/**
 * Credentials verified recently, so a caller's next requests skip the signature check (an ES256
 * verification or a key hash costs more than a cached answer). Keyed by the exact header values;
 * an entry is used only until the token's `exp` (and at most a minute, so a removed partner key
 * stops working within one); bounded, oldest first out.
 */
export class VerifiedCredentials {
  private readonly entries = new Map<string, { identity: Identity; scope: string; until: number }>();
  constructor(private readonly max = 10_000, private readonly maxAgeMs = 60_000) {}

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
