import { createPublicKey, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';

/**
 * Where a JWT consumer's verification keys come from:
 * - `jwks-url`: the identity provider's JWKS endpoint, fetched with jose `createRemoteJWKSet`
 *   (cached; an unknown `kid` refetches after the cooldown, which is how rotation works);
 * - `jwks`: a JSON Web Key Set given in configuration, selected by `kid`/`alg`;
 * - `public-key`: one public key (PEM SPKI or a JWK), used whatever `kid` the token names.
 */
export type KeySource =
  | { kind: 'jwks-url'; url: string }
  | { kind: 'jwks'; keys: JWK[] }
  | { kind: 'public-key'; key: string | JWK };

/** The JWS algorithms this gateway may be configured to accept (never `none`, never HMAC). */
export const SUPPORTED_ALGORITHMS = [
  'ES256',
  'ES384',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** How the remote JWKS is fetched and cached (jose `RemoteJWKSetOptions`). */
export interface JwksFetchOptions {
  /** Keys older than this are refetched, ms (`AUTH_JWKS_CACHE_MAX_AGE_SECONDS`). @default 600000 */
  cacheMaxAgeMs: number;
  /** After a fetch, an unknown `kid` waits this long before refetching, ms (`AUTH_JWKS_COOLDOWN_SECONDS`). @default 30000 */
  cooldownMs: number;
  /** One JWKS request may take this long, ms (`AUTH_JWKS_TIMEOUT_MS`). @default 5000 */
  timeoutMs: number;
}

/**
 * Reads `AUTH_PUBLIC_KEY` text: a PEM public key (SPKI), one JWK as JSON, or a JWKS
 * (`{"keys":[…]}`) as JSON. Returns a sentence saying what is wrong when it is none of them.
 */
export function parsePublicKeyText(text: string): KeySource | string {
  const trimmed = text.trim();
  // A PEM in one environment line may carry its line breaks as the two characters "\n".
  if (trimmed.startsWith('-----BEGIN')) return { kind: 'public-key', key: trimmed.replace(/\\n/g, '\n') };
  if (!trimmed.startsWith('{'))
    return 'it must be a PEM public key ("-----BEGIN PUBLIC KEY-----…"), a JWK or a JWKS as JSON';
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    return `it starts like JSON but does not parse (${(err as Error).message})`;
  }
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys)) {
    return { kind: 'jwks', keys: (parsed as { keys: JWK[] }).keys };
  }
  return { kind: 'public-key', key: parsed as JWK };
}

/** The algorithms a public key can verify, from its type and curve. */
function algorithmsFor(key: KeyObject): JwtAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'prime256v1' ? ['ES256'] : curve === 'secp384r1' ? ['ES384'] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

function publicKeyObject(key: string | JWK): KeyObject {
  if (typeof key === 'string') {
    if (key.includes('PRIVATE KEY')) throw new Error('it is a private key; give the gateway only the public key');
    return createPublicKey(key);
  }
  if ('d' in key) throw new Error('it is a private JWK (it has "d"); give the gateway only the public key');
  return createPublicKey({ key: key as NodeJwk, format: 'jwk' });
}

/**
 * Checks a key source against the accepted algorithms; returns one phrase per problem, to follow
 * the name of the setting ("must be an https URL…", "key 0 (kid "a") verifies ES384, but…").
 * Keys are parsed here so that a bad key fails at start-up, not at the first request.
 */
export function checkKeySource(
  source: KeySource,
  algorithms: readonly JwtAlgorithm[],
  requireHttps: boolean,
): string[] {
  if (source.kind === 'jwks-url') {
    let url: URL;
    try {
      url = new URL(source.url);
    } catch {
      return [`must be an http(s) URL; received ${JSON.stringify(source.url)}`];
    }
    if (url.protocol !== 'https:' && (requireHttps || url.protocol !== 'http:')) {
      return [`must be an https URL${requireHttps ? ' in production' : ''}; received ${JSON.stringify(source.url)}`];
    }
    return [];
  }
  const keys = source.kind === 'jwks' ? source.keys : [source.key];
  if (keys.length === 0) return ['must hold at least one key; received an empty key set'];
  const problems: string[] = [];
  keys.forEach((k, i) => {
    const label = source.kind === 'jwks' ? `key ${i} (kid ${JSON.stringify((k as JWK).kid ?? null)}) ` : '';
    try {
      const fits = algorithmsFor(publicKeyObject(k));
      if (!fits.some((a) => algorithms.includes(a))) {
        problems.push(
          `${label}verifies ${fits.join(', ') || 'no supported algorithm'}, but AUTH_ALGORITHMS accepts only ${algorithms.join(', ')}`,
        );
      }
    } catch (err) {
      problems.push(
        `${label}is not a usable public key (a PEM SPKI public key, a JWK or a JWKS): ${(err as Error).message}`,
      );
    }
  });
  return problems;
}

/** True when the source holds this public JWK (compared by key material, not by `kid`). */
export function keySourceContains(source: KeySource, jwk: { x: string; y: string }): boolean {
  if (source.kind === 'jwks-url') return false;
  const keys = source.kind === 'jwks' ? source.keys : [source.key];
  return keys.some((k) => {
    try {
      const exported = publicKeyObject(k).export({ format: 'jwk' });
      return exported.x === jwk.x && exported.y === jwk.y;
    } catch {
      return false;
    }
  });
}

/** A short description of a key source for messages: never key material. */
export function describeKeySource(source: KeySource): string {
  switch (source.kind) {
    case 'jwks-url':
      return `the key set at ${source.url}`;
    case 'jwks':
      return `the configured key set (kids ${source.keys.map((k) => JSON.stringify(k.kid ?? null)).join(', ')})`;
    case 'public-key':
      return 'the configured public key';
  }
}

type Verifier = KeyObject | JWTVerifyGetKey;
const verifiers = new WeakMap<object, Map<string, Verifier>>();

/**
 * The key (or key resolver) jose verifies with for `source`, built once per `owner` (the
 * AuthConfig) and source, so a remote JWKS is fetched once and then served from jose's cache.
 */
export function verificationKey(owner: object, source: KeySource, jwks: JwksFetchOptions): Verifier {
  let byOwner = verifiers.get(owner);
  if (!byOwner) verifiers.set(owner, (byOwner = new Map()));
  const id = JSON.stringify(source);
  let verifier = byOwner.get(id);
  if (!verifier) {
    verifier =
      source.kind === 'jwks-url'
        ? createRemoteJWKSet(new URL(source.url), {
            cacheMaxAge: jwks.cacheMaxAgeMs,
            cooldownDuration: jwks.cooldownMs,
            timeoutDuration: jwks.timeoutMs,
          })
        : source.kind === 'jwks'
          ? createLocalJWKSet({ keys: source.keys })
          : publicKeyObject(source.key);
    byOwner.set(id, verifier);
  }
  return verifier;
}
