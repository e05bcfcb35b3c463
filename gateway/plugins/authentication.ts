import type { RequestHandler } from 'express';
import { ErrorCode, type Identity } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import { authenticate, AuthError, type AuthConfig } from '../auth/index.js';

/**
 * Authentication of every `/graphql` HTTP request, before the body is read: the identity from
 * `Authorization: Bearer <JWT>` or `X-Api-Key` lands in `res.locals.identity`; a missing, forged,
 * expired or wrong-audience credential is answered 401 with a GraphQL error body
 * (`UNAUTHENTICATED`, the message saying what was expected and what arrived) and
 * `WWW-Authenticate: Bearer`. Only the health endpoints answer without a credential.
 */
export function authenticateRequests(config: AuthConfig, logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    authenticate(req.headers, config).then(
      (identity: Identity) => {
        res.locals.identity = identity;
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
