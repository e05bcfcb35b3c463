import {
  createHash,
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

/**
 * Partner API keys: `<key id>.<secret>`, e.g. `acme-2025.3q2-…` (43 base64url characters of
 * secret). The key id is public and names the record to check (so rotation can keep two keys of
 * one partner active); the whole key is stored only as a salted hash:
 *
 * - `sha256:<salt>:<digest>`: SHA-256(salt ‖ key). The default: a generated key carries 256 bits
 *   of randomness, so a slow hash adds nothing against guessing and would cost every request.
 * - `scrypt:<N>:<r>:<p>:<salt>:<digest>`: scrypt (RFC 7914) for keys that may carry less entropy.
 *
 * Salt and digest are base64url. Comparison is constant-time (`crypto.timingSafeEqual`).
 */

/** A key id: 1–64 of `A-Z a-z 0-9 _ -`. */
export const API_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The hash algorithms a stored partner key may use. */
export type ApiKeyHashAlgorithm = 'sha256' | 'scrypt';

/** scrypt cost used by {@link hashApiKey}: N=2^14, r=8, p=1 (the Node default). */
const SCRYPT_DEFAULTS = { N: 16_384, r: 8, p: 1 } as const;

/** Splits a presented key into its id and secret; null when it does not have that shape. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = key.slice(0, dot);
  const secret = key.slice(dot + 1);
  return API_KEY_ID_PATTERN.test(id) && SECRET_PATTERN.test(secret) ? { id, secret } : null;
}

type ParsedHash =
  | { algorithm: 'sha256'; salt: Buffer; digest: Buffer }
  | { algorithm: 'scrypt'; N: number; r: number; p: number; salt: Buffer; digest: Buffer };

/**
 * Parses a stored hash; returns a sentence saying what is wrong (without echoing the hash) when it
 * is not one of the two formats.
 */
export function parseApiKeyHash(hash: string): ParsedHash | string {
  const parts = hash.split(':');
  const b64 = (s: string | undefined): Buffer | null => (s && B64URL.test(s) ? Buffer.from(s, 'base64url') : null);
  if (parts[0] === 'sha256' && parts.length === 3) {
    const salt = b64(parts[1]);
    const digest = b64(parts[2]);
    if (!salt || salt.length < 8) return 'its salt must be at least 8 bytes of base64url';
    if (!digest || digest.length !== 32) return 'its digest must be 32 bytes of base64url (SHA-256)';
    return { algorithm: 'sha256', salt, digest };
  }
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (!Number.isInteger(Math.log2(N)) || N < 1024 || N > 1_048_576)
      return 'its scrypt N must be a power of two from 1024 to 1048576';
    if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16)
      return 'its scrypt r must be 1–32 and p 1–16';
    const salt = b64(parts[4]);
    const digest = b64(parts[5]);
    if (!salt || salt.length < 8) return 'its salt must be at least 8 bytes of base64url';
    if (!digest || digest.length < 16) return 'its digest must be at least 16 bytes of base64url';
    return { algorithm: 'scrypt', N, r, p, salt, digest };
  }
  return `it must read "sha256:<salt>:<digest>" or "scrypt:<N>:<r>:<p>:<salt>:<digest>"; received a value starting "${parts[0]?.slice(0, 8) ?? ''}" with ${parts.length} parts`;
}

function scrypt(key: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(key, salt, length, { ...options, maxmem: 256 * 1024 * 1024 }, (err, derived) =>
      err ? reject(err) : resolve(derived),
    );
  });
}

async function digestOf(key: string, parsed: ParsedHash): Promise<Buffer> {
  if (parsed.algorithm === 'sha256') return createHash('sha256').update(parsed.salt).update(key, 'utf8').digest();
  return scrypt(key, parsed.salt, parsed.digest.length, { N: parsed.N, r: parsed.r, p: parsed.p });
}

/** The `sha256:<salt>:<digest>` hash of a key, synchronously. @param salt @default 16 random bytes */
export function sha256ApiKeyHash(key: string, salt: Buffer = randomBytes(16)): string {
  const digest = createHash('sha256').update(salt).update(key, 'utf8').digest();
  return `sha256:${salt.toString('base64url')}:${digest.toString('base64url')}`;
}

/**
 * Hashes a key for storage (`PARTNER_API_KEYS`), with a fresh 16-byte salt.
 * @param algorithm @default 'sha256'
 */
export async function hashApiKey(key: string, algorithm: ApiKeyHashAlgorithm = 'sha256'): Promise<string> {
  if (algorithm === 'sha256') return sha256ApiKeyHash(key);
  const { N, r, p } = SCRYPT_DEFAULTS;
  const salt = randomBytes(16);
  const digest = await scrypt(key, salt, 32, { N, r, p });
  return `scrypt:${N}:${r}:${p}:${salt.toString('base64url')}:${digest.toString('base64url')}`;
}

/** True when `key` matches the stored `hash`; constant-time in the digest. False on a bad hash. */
export async function verifyApiKey(key: string, hash: string): Promise<boolean> {
  const parsed = parseApiKeyHash(hash);
  if (typeof parsed === 'string') return false;
  const actual = await digestOf(key, parsed);
  return actual.length === parsed.digest.length && timingSafeEqual(actual, parsed.digest);
}

/**
 * A new random key for `id` (32 bytes of secret) and its stored hash.
 * @param algorithm @default 'sha256'
 */
export async function generateApiKey(
  id: string,
  algorithm: ApiKeyHashAlgorithm = 'sha256',
): Promise<{ key: string; hash: string }> {
  if (!API_KEY_ID_PATTERN.test(id))
    throw new Error(`a key id must match ${API_KEY_ID_PATTERN}; received ${JSON.stringify(id)}`);
  const key = `${id}.${randomBytes(32).toString('base64url')}`;
  return { key, hash: await hashApiKey(key, algorithm) };
}

/**
 * A deterministic key: `<id>.<base64url HMAC-SHA256(secret, material)>`. For development keys
 * only, derived from a public secret so every process agrees on them.
 */
export function derivedApiKey(id: string, secret: string, material: string): string {
  return `${id}.${createHmac('sha256', secret).update(material, 'utf8').digest('base64url')}`;
}
