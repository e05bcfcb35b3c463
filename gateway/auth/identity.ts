import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { parseApiKey, verifyApiKey } from './apiKeys.js';
import { AuthError, quote } from './authError.js';
import type { Identity } from '../../canonical/access.js';
import { verifyIdentity } from '../../canonical/identityHeader.js';
import { JWT_CONSUMERS, type AuthConfig, type JwtConsumer } from './consumers.js';
import { describeKeySource, verificationKey } from './keys.js';

export type { Identity } from '../../canonical/access.js';

/** The credential-bearing request headers, as Node's `IncomingHttpHeaders` holds them (lower-case). */
export interface CredentialHeaders {
  authorization?: string | string[] | undefined;
  'x-api-key'?: string | string[] | undefined;
}

/** The least-privilege identity of the gateway's own reads (the status tracker). Never from a credential. */
export function internalIdentity(subject: string): Identity {
  return { consumer: 'internal', subject, scopes: [] };
}

/** `Authorization: Service <token>`: a subgraph calling back through the gateway (docs/security.md). */
const SERVICE_SCHEME = /^\s*Service\s/i;

/**
 * A service credential: `Authorization: Service <token>`, where the token is an `internal`
 * identity signed like the identity header (canonical/identityHeader.ts) with the secret the
 * gateway and its subgraphs share (`GATEWAY_IDENTITY_SECRET`), at most 60 s old. Only the
 * `internal` identity is accepted this way: a subgraph acts as the least-privilege service
 * identity (every row, no internal fields, the `internal` actions), never as a consumer.
 */
function authenticateService(authorization: string, config: AuthConfig, now: number): Identity {
  const token = authorization.trim().replace(/^Service\s+/i, '');
  const identity = verifyIdentity(token, config.identitySecret, now);
  if (!identity) {
    throw new AuthError(
      'signature',
      'expected Authorization: Service <token> signed with the gateway identity secret within the last 60 s; it does not verify or has expired',
    );
  }
  if (identity.consumer !== 'internal') {
    throw new AuthError(
      'malformed',
      `expected a service token for the internal identity; received one for ${quote(identity.consumer)}`,
    );
  }
  return { consumer: 'internal', subject: identity.subject, scopes: [], expiresAt: now + 60_000 };
}

/**
 * Establishes who is calling from `Authorization: Bearer <JWT>` or `X-Api-Key`:
 * - a JWT's `aud` selects the consumer (salesforce, storefront, ops); jose `jwtVerify` then checks
 *   the signature (that consumer's keys), `iss`, `aud`, `exp` (required) and `nbf`, with the
 *   configured clock tolerance; storefront needs `sub` (the customer id), ops a `scope` holding
 *   `ops`;
 * - an API key's id selects its record and its hash is compared in constant time;
 * - `Authorization: Service <token>` is a subgraph's service credential (the `internal` identity).
 *
 * Throws {@link AuthError} (code `UNAUTHENTICATED`; `UPSTREAM_UNAVAILABLE` when the JWKS cannot be
 * fetched) on a missing, malformed, forged, expired, wrong-audience, wrong-issuer or unknown
 * credential, or when both headers arrive.
 * @param now epoch milliseconds. @default Date.now()
 */
export async function authenticate(
  headers: CredentialHeaders,
  config: AuthConfig,
  now: number = Date.now(),
): Promise<Identity> {
  const authorization = single(headers.authorization, 'Authorization');
  const apiKey = single(headers['x-api-key'], 'X-Api-Key');
  if (authorization !== undefined && apiKey !== undefined) {
    throw new AuthError(
      'ambiguous',
      'expected one credential, Authorization: Bearer <JWT> or X-Api-Key; received both',
    );
  }
  if (apiKey !== undefined) return authenticateApiKey(apiKey.trim(), config);
  if (authorization !== undefined && SERVICE_SCHEME.test(authorization))
    return authenticateService(authorization, config, now);
  if (authorization !== undefined) return authenticateJwt(bearerToken(authorization), config, now);
  throw new AuthError('missing', 'expected a credential, Authorization: Bearer <JWT> or X-Api-Key; neither arrived');
}

/**
 * The credential of a graphql-ws `connection_init` payload, in the headers shape
 * {@link authenticate} takes: `authorization` or `x-api-key` (any letter case), at the top level
 * or under `headers`. A non-string value is an {@link AuthError}.
 */
export function credentialsFromConnectionParams(payload: unknown): CredentialHeaders {
  const out: CredentialHeaders = {};
  if (payload === null || typeof payload !== 'object') return out;
  const sources = [payload as Record<string, unknown>];
  const nested = (payload as Record<string, unknown>).headers;
  if (nested !== null && typeof nested === 'object') sources.push(nested as Record<string, unknown>);
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      const key = name.toLowerCase();
      if (key !== 'authorization' && key !== 'x-api-key') continue;
      if (typeof value !== 'string') {
        throw new AuthError(
          'malformed',
          `expected connection_init payload ${name} to be a string; received ${value === null ? 'null' : typeof value}`,
        );
      }
      if (out[key] !== undefined)
        throw new AuthError('ambiguous', `expected one ${key} in the connection_init payload; received it twice`);
      out[key] = value;
    }
  }
  return out;
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (!Array.isArray(value)) return value;
  if (value.length > 1) throw new AuthError('ambiguous', `expected one ${name} header; received ${value.length}`);
  return value[0];
}

function bearerToken(authorization: string): string {
  const match = /^\s*Bearer +(\S+)\s*$/i.exec(authorization);
  if (match) return match[1]!;
  const scheme = /^\s*([A-Za-z][\w-]{0,19}) /.exec(authorization)?.[1];
  const received =
    authorization.trim() === ''
      ? 'an empty value'
      : /^\s*Bearer\s*$/i.test(authorization)
        ? 'Bearer with no token'
        : scheme?.toLowerCase() === 'bearer'
          ? 'Bearer followed by more than one word'
          : scheme
            ? `the ${JSON.stringify(scheme)} scheme`
            : `${authorization.length} characters without the Bearer scheme`;
  throw new AuthError('malformed', `expected Authorization: Bearer <JWT>; received ${received}`);
}

async function authenticateJwt(token: string, config: AuthConfig, now: number): Promise<Identity> {
  let header: ProtectedHeaderParameters;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw new AuthError(
      'malformed',
      `expected a JWT (header.payload.signature, base64url JSON); received ${token.length} characters that do not decode as one`,
    );
  }
  if (typeof header.alg !== 'string' || !(config.algorithms as string[]).includes(header.alg)) {
    throw new AuthError(
      'unsupported_algorithm',
      `expected a JWT signed with ${config.algorithms.join(' or ')}; received alg ${quote(header.alg)}`,
    );
  }
  const consumer = consumerOf(unverified.aud, config);
  const c = config.jwt[consumer];
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, verificationKey(config, c.keys, config.jwks), {
      issuer: c.issuer,
      audience: c.audience,
      algorithms: config.algorithms,
      clockTolerance: config.clockToleranceSeconds,
      currentDate: new Date(now),
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    throw joseFailure(err, consumer, config, header, now);
  }
  const scopes = scopesOf(payload);
  const sub =
    nonEmpty(payload.sub) ??
    (consumer === 'salesforce' ? (nonEmpty(payload.client_id) ?? nonEmpty(payload.azp)) : undefined);
  if (!sub) {
    const what =
      consumer === 'storefront'
        ? 'the customer id'
        : consumer === 'salesforce'
          ? 'the client (or client_id / azp)'
          : 'the operator';
    throw new AuthError('missing_claim', `expected ${a(consumer)} token to carry sub (${what}); it has none`);
  }
  if (c.requiredScope !== undefined && !scopes.includes(c.requiredScope)) {
    throw new AuthError(
      'scope',
      `expected ${a(consumer)} token whose scope contains ${quote(c.requiredScope)}; received scope ${quote(payload.scope ?? payload.scp)}`,
    );
  }
  const identity: Identity = { consumer, subject: sub, scopes, expiresAt: (payload.exp as number) * 1000 };
  if (consumer === 'storefront') identity.customerId = sub;
  return identity;
}

function consumerOf(aud: unknown, config: AuthConfig): JwtConsumer {
  const auds = Array.isArray(aud) ? aud : [aud];
  const matching = JWT_CONSUMERS.filter((c) => auds.includes(config.jwt[c].audience));
  const expected = JWT_CONSUMERS.map((c) => JSON.stringify(config.jwt[c].audience)).join(', ');
  if (matching.length === 1) return matching[0]!;
  if (matching.length === 0)
    throw new AuthError('unknown_audience', `expected aud to be one of ${expected}; received ${quote(aud)}`);
  throw new AuthError(
    'unknown_audience',
    `expected aud naming one consumer; received ${quote(aud)}, naming ${matching.join(' and ')}`,
  );
}

function joseFailure(
  err: unknown,
  consumer: JwtConsumer,
  config: AuthConfig,
  header: ProtectedHeaderParameters,
  now: number,
): AuthError {
  const c = config.jwt[consumer];
  const keys = describeKeySource(c.keys);
  if (err instanceof errors.JWTExpired) {
    const exp =
      typeof err.payload.exp === 'number' ? new Date(err.payload.exp * 1000).toISOString() : 'an unknown time';
    return new AuthError(
      'expired',
      `expected ${a(consumer)} token valid at ${new Date(now).toISOString()} (±${config.clockToleranceSeconds}s); it expired at ${exp}`,
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing')
      return new AuthError('missing_claim', `expected ${a(consumer)} token to carry ${err.claim}; it has none`);
    if (err.claim === 'iss')
      return new AuthError(
        'issuer',
        `expected iss ${quote(c.issuer)} for ${consumer} tokens; received ${quote(err.payload.iss)}`,
      );
    if (err.claim === 'nbf') {
      const nbf = typeof err.payload.nbf === 'number' ? new Date(err.payload.nbf * 1000).toISOString() : 'later';
      return new AuthError(
        'not_yet_valid',
        `expected ${a(consumer)} token valid at ${new Date(now).toISOString()}; it is not valid before ${nbf}`,
      );
    }
    return new AuthError(
      'malformed',
      `expected valid ${err.claim} in ${a(consumer)} token; received ${quote(err.payload[err.claim])}`,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError('signature', `expected ${a(consumer)} token signed by ${keys}; its signature does not verify`);
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    const kid = header.kid === undefined ? 'no kid' : `kid ${quote(header.kid)}`;
    return new AuthError(
      'unknown_key_id',
      `expected ${a(consumer)} token whose ${header.alg} key is in ${keys}; received ${kid}, which selects ${err instanceof errors.JWKSNoMatchingKey ? 'none' : 'more than one'}`,
    );
  }
  if (
    err instanceof errors.JOSEAlgNotAllowed ||
    err instanceof errors.JOSENotSupported ||
    (err instanceof TypeError && c.keys.kind !== 'jwks-url')
  ) {
    // The alg is accepted in general but the key cannot verify it (an RS256 token against an EC key).
    return new AuthError(
      'unsupported_algorithm',
      `expected ${a(consumer)} token that ${keys} can verify; received alg ${quote(header.alg)}, which it cannot`,
    );
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new AuthError('malformed', `expected a well-formed ${consumer} JWT; ${err.message}`);
  }
  if (c.keys.kind === 'jwks-url') {
    return new AuthError(
      'jwks_unavailable',
      `could not fetch the ${consumer} keys from ${c.keys.url}: ${(err as Error).message ?? String(err)}`,
    );
  }
  throw err;
}

/** "a salesforce", "an ops". */
function a(consumer: JwtConsumer): string {
  return `${consumer === 'ops' ? 'an' : 'a'} ${consumer}`;
}

function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An always-wrong hash, checked when a key id is unknown so both refusals cost the same. */
const DECOY_HASH = 'sha256:ZGVjb3ktc2FsdA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function authenticateApiKey(key: string, config: AuthConfig): Promise<Identity> {
  const parsed = parseApiKey(key);
  if (!parsed) {
    throw new AuthError(
      'malformed',
      `expected X-Api-Key as <key id>.<secret>; received ${key.length} characters of another shape`,
    );
  }
  const record = config.partnerKeys.find((k) => k.id === parsed.id);
  if (!record) {
    await verifyApiKey(key, DECOY_HASH);
    throw new AuthError(
      'unknown_api_key',
      'expected an X-Api-Key issued to a partner; its key id is not configured (PARTNER_API_KEYS)',
    );
  }
  if (!(await verifyApiKey(key, record.hash))) {
    throw new AuthError(
      'wrong_api_key',
      'expected the secret issued with this X-Api-Key id; it does not match (revoked, rotated or mistyped)',
    );
  }
  return { consumer: 'partner', subject: record.id, partnerNodeId: record.nodeId, scopes: [] };
}
