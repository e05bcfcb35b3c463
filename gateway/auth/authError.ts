import { ErrorCode } from '../../canonical/index.js';

/**
 * Why a credential was refused, for logs and metrics (the message says it in words).
 * `jwks_unavailable` is the one reason that is not the caller's fault.
 */
export type AuthFailure =
  | 'missing'
  | 'ambiguous'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'unknown_audience'
  | 'signature'
  | 'unknown_key_id'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'missing_claim'
  | 'scope'
  | 'unknown_api_key'
  | 'wrong_api_key'
  | 'jwks_unavailable';

/**
 * A credential was missing or refused. `code` is `UNAUTHENTICATED` (HTTP 401, graphql-ws close
 * 4401) except when the identity provider's JWKS could not be fetched: `UPSTREAM_UNAVAILABLE`
 * (HTTP 503), since the same credential may succeed once it answers again.
 *
 * The message states what was expected and what arrived, and never contains the token or key.
 */
export class AuthError extends Error {
  readonly code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.UPSTREAM_UNAVAILABLE;

  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.code = reason === 'jwks_unavailable' ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.UNAUTHENTICATED;
  }

  /** The HTTP status for this error: 401, or 503 when the JWKS was unreachable. */
  get httpStatus(): 401 | 503 {
    return this.code === ErrorCode.UNAUTHENTICATED ? 401 : 503;
  }
}

/**
 * An attacker-controlled claim value made safe to quote in a message: JSON-quoted, at most 80
 * characters. Only ever applied to claims (`aud`, `iss`, `scope`), never to the token or key.
 */
export function quote(value: unknown): string {
  const s = value === undefined ? 'none' : (JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
