/**
 * The DEVELOPMENT keys of the embedded default, checked in on purpose.
 *
 * They are public (they are in this file), so anyone can mint a credential with them: they exist so
 * that `npm start` needs nothing installed or configured and `npm run -s token -- <consumer>`, a
 * separate process, prints a credential the running gateway accepts. `developmentAuth()` refuses to
 * build a configuration from them when `NODE_ENV=production`, and `authConfigFromEnv` refuses a
 * production configuration that contains any of them (docs/security.md, "Development keys").
 *
 * Generated once with jose `generateKeyPair('ES256', { extractable: true })` + `exportJWK`.
 */

/** The `kid` of the development signing key (tokens carry it; rotation is by `kid`). */
export const DEV_KEY_ID = 'ovg-dev-es256-1';

/** The `iss` of every development token. */
export const DEV_ISSUER = 'urn:order-visibility:development';

/** The development ES256 public key (P-256), as a JWK. */
export const DEV_PUBLIC_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'boD9rsqZbWCtI8vBuzMjOiCBE86lE76-BmYmI79GXJo',
  y: 'rpbWdAmVoqKOQl_Jdw0yQAQKGa8ANg2cTc-GD47vC5I',
  kid: DEV_KEY_ID,
  alg: 'ES256',
  use: 'sig',
} as const;

/** The development ES256 private key: signs development tokens only (scripts/token.ts, tests). */
export const DEV_PRIVATE_JWK = {
  ...DEV_PUBLIC_JWK,
  d: 'fNPuVj0QrOGAT87DZqpIjaeK4ARY4Pr0uzNNJNoIjV4',
} as const;

/**
 * Derives each development partner API key from the node id (HMAC-SHA256 with this secret), so the
 * key for a node is the same in every process and on every run.
 */
export const DEV_PARTNER_KEY_SECRET = 'ovg-development-partner-key-derivation-secret';

/** Signs the identity header between gateway and subgraphs in development (runtime/identitySecret.ts). */
export { DEV_IDENTITY_SECRET } from '../../../runtime/identitySecret.js';

/** Key ids of development partner keys start with this; refused in production. */
export const DEV_PARTNER_KEY_PREFIX = 'dev-';
