import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ACTING_USER_ASSERTERS, CONSUMERS, SALESFORCE_USER_ID, type Identity, type IdentityKind } from './access.js';

/**
 * The identity the gateway forwards to subgraphs, signed so that a subgraph can refuse any request
 * that did not pass through the gateway's authentication (and `_entities` fetches that did not
 * follow a guarded entry point).
 *
 * Value: `v1.<payload>.<signature>`, where payload is base64url of a compact JSON object
 * `{ c: consumer, s: subject, cu?: customerId, p?: partnerNodeId, sc: scopes, x?: expiresAt, au?: actingUser, iat }`
 * (`iat` in epoch seconds) and signature is base64url HMAC-SHA256(secret, `v1.<payload>`). `au`,
 * the agent a salesforce caller asserts (`x-acting-user`), is accepted only with `c: salesforce`
 * and a Salesforce user id: a header carrying it for another consumer, or malformed, is refused.
 *
 * Bound to one fetch ({@link IdentityBinding}, issue 16 #5), the payload also carries
 * `aud` (the target subgraph), `rid` (a request id), `bh` (base64url SHA-256 of the exact fetch
 * body) and, for a single-use header, `n` (a random nonce): a captured header is then good for that
 * body, to that subgraph, for {@link BOUND_MAX_AGE_SECONDS}, and (with `n`) once. Subgraphs accept
 * only bound headers ({@link verifyBoundIdentity}).
 */
export const IDENTITY_HEADER = 'x-gateway-identity';

/** The shortest identity secret accepted. */
export const MIN_IDENTITY_SECRET_LENGTH = 32;

const VERSION = 'v1';
/** A header signed this far in the future (another host's clock) is still accepted, seconds. */
const FUTURE_SKEW_SECONDS = 5;
const MAX_HEADER_LENGTH = 8192;
const KINDS = new Set<string>([...CONSUMERS, 'internal']);

/** How long a bound header is accepted after it was signed, seconds. */
export const BOUND_MAX_AGE_SECONDS = 30;

/** What a header is bound to: one fetch of one body to one subgraph. */
export interface IdentityBinding {
  /** The subgraph the fetch goes to (its name in the supergraph). */
  subgraph: string;
  /** The id of the request (or fetch) it serves. */
  requestId: string;
  /** base64url SHA-256 of the exact fetch body ({@link bodyDigest}). */
  bodySha256: string;
  /** Adds a nonce: the subgraph accepts the header once (row-ruled `_entities` fetches). @default false */
  singleUse?: boolean;
}

/** base64url SHA-256 of a fetch body, as a binding carries it. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

interface Payload {
  c: IdentityKind;
  s: string;
  cu?: string;
  p?: string;
  sc: string[];
  x?: number;
  au?: string;
  iat: number;
  aud?: string;
  rid?: string;
  bh?: string;
  n?: string;
}

function checkSecret(secret: string): void {
  if (secret.length < MIN_IDENTITY_SECRET_LENGTH) {
    throw new Error(
      `the identity secret must be at least ${MIN_IDENTITY_SECRET_LENGTH} characters; received ${secret.length}`,
    );
  }
}

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed, 'utf8').digest();
}

/**
 * The header value carrying `identity`, issued at `now`.
 * @param now epoch milliseconds. @default Date.now()
 */
export function signIdentity(
  identity: Identity,
  secret: string,
  now: number = Date.now(),
  binding?: IdentityBinding,
): string {
  checkSecret(secret);
  const payload: Payload = {
    c: identity.consumer,
    s: identity.subject,
    sc: identity.scopes,
    iat: Math.floor(now / 1000),
  };
  if (identity.customerId !== undefined) payload.cu = identity.customerId;
  if (identity.partnerNodeId !== undefined) payload.p = identity.partnerNodeId;
  if (identity.expiresAt !== undefined) payload.x = identity.expiresAt;
  if (identity.actingUser !== undefined) {
    if (!mayAssertActingUser(identity.consumer, identity.actingUser)) {
      throw new Error(
        `an acting user is signed only for ${ACTING_USER_ASSERTERS.join(', ')} and only as a Salesforce user id; received ${JSON.stringify(identity.actingUser.slice(0, 40))} for ${identity.consumer}`,
      );
    }
    payload.au = identity.actingUser;
  }
  if (binding) {
    payload.aud = binding.subgraph;
    payload.rid = binding.requestId;
    payload.bh = binding.bodySha256;
    if (binding.singleUse) payload.n = randomBytes(16).toString('base64url');
  }
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/**
 * The identity in a header value, or null when it is absent, malformed, not signed with `secret`
 * (constant-time compare), issued more than `maxAgeSeconds` ago or more than 5 s in the future.
 * It does not judge `expiresAt`: that is the gateway's call when it signs.
 * @param now epoch milliseconds. @default Date.now()
 * @param maxAgeSeconds @default 60
 */
export function verifyIdentity(
  headerValue: string | undefined,
  secret: string,
  now: number = Date.now(),
  maxAgeSeconds = 60,
): Identity | null {
  return verifiedPayload(headerValue, secret, now, maxAgeSeconds)?.identity ?? null;
}

/** A bound header that verified: who, for which request, and its nonce when single-use. */
export interface BoundIdentity {
  identity: Identity;
  requestId: string;
  /** Present on a single-use header: the subgraph must refuse it the second time. */
  nonce?: string;
}

/**
 * The identity in a header bound to this fetch, or null: as {@link verifyIdentity}, and the
 * header must name `expect.subgraph`, carry `expect.bodySha256` (the body that arrived) and be at
 * most `maxAgeSeconds` old. An unbound (v1 without `aud`) header is refused. Single use is the
 * caller's to enforce with the returned nonce.
 * @param maxAgeSeconds @default BOUND_MAX_AGE_SECONDS (30)
 */
export function verifyBoundIdentity(
  headerValue: string | undefined,
  secret: string,
  expect: { subgraph: string; bodySha256: string },
  now: number = Date.now(),
  maxAgeSeconds = BOUND_MAX_AGE_SECONDS,
): BoundIdentity | null {
  const v = verifiedPayload(headerValue, secret, now, maxAgeSeconds);
  if (!v) return null;
  const { payload: p } = v;
  if (
    p.aud !== expect.subgraph ||
    p.bh === undefined ||
    !sameText(p.bh, expect.bodySha256) ||
    typeof p.rid !== 'string'
  )
    return null;
  return { identity: v.identity, requestId: p.rid, ...(p.n !== undefined ? { nonce: p.n } : {}) };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function verifiedPayload(
  headerValue: string | undefined,
  secret: string,
  now: number,
  maxAgeSeconds: number,
): { identity: Identity; payload: Payload } | null {
  checkSecret(secret);
  if (typeof headerValue !== 'string' || headerValue.length > MAX_HEADER_LENGTH) return null;
  const parts = headerValue.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, body, signature] = parts as [string, string, string];
  // Compare the encoded text, so no second spelling of the same bytes is accepted.
  const expected = Buffer.from(mac(secret, `${VERSION}.${body}`).toString('base64url'), 'utf8');
  const actual = Buffer.from(signature, 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  let p: Partial<Payload>;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
  } catch {
    return null;
  }
  if (!isPayload(p)) return null;
  const nowSeconds = now / 1000;
  if (nowSeconds - p.iat > maxAgeSeconds || p.iat - nowSeconds > FUTURE_SKEW_SECONDS) return null;
  const identity: Identity = { consumer: p.c, subject: p.s, scopes: p.sc };
  if (p.cu !== undefined) identity.customerId = p.cu;
  if (p.p !== undefined) identity.partnerNodeId = p.p;
  if (p.x !== undefined) identity.expiresAt = p.x;
  if (p.au !== undefined) identity.actingUser = p.au;
  return { identity, payload: p };
}

/** Whether `consumer` may assert `actingUser` (docs/security.md, "Acting user"). */
function mayAssertActingUser(consumer: IdentityKind, actingUser: unknown): boolean {
  return (
    ACTING_USER_ASSERTERS.includes(consumer) && typeof actingUser === 'string' && SALESFORCE_USER_ID.test(actingUser)
  );
}

function isPayload(p: Partial<Payload> | null): p is Payload {
  if (p === null || typeof p !== 'object') return false;
  const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
  return (
    typeof p.c === 'string' &&
    KINDS.has(p.c) &&
    typeof p.s === 'string' &&
    Array.isArray(p.sc) &&
    p.sc.every((s) => typeof s === 'string') &&
    typeof p.iat === 'number' &&
    Number.isFinite(p.iat) &&
    optionalString(p.cu) &&
    optionalString(p.p) &&
    optionalString(p.aud) &&
    optionalString(p.rid) &&
    optionalString(p.bh) &&
    optionalString(p.n) &&
    (p.x === undefined || (typeof p.x === 'number' && Number.isFinite(p.x))) &&
    (p.au === undefined || mayAssertActingUser(p.c, p.au))
  );
}
