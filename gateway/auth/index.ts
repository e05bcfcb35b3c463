/**
 * Authentication: who is calling (identity.ts), how each consumer's credential is configured
 * (consumers.ts), and the signed identity the gateway forwards to subgraphs (canonical/identityHeader.ts).
 * See docs/security.md.
 */
export { AuthError, type AuthFailure } from './authError.js';
export { generateApiKey, hashApiKey, verifyApiKey, type ApiKeyHashAlgorithm } from './apiKeys.js';
export {
  authConfigFromEnv,
  authConfigProblems,
  CONSUMER_POLICIES,
  CONSUMERS,
  developmentAuth,
  devPartnerKey,
  JWT_CONSUMERS,
  validateAuthConfig,
  type AuthConfig,
  type Consumer,
  type ConsumerPolicy,
  type IdentityKind,
  type JwtConsumer,
  type JwtConsumerConfig,
  type PartnerKeyConfig,
} from './consumers.js';
export {
  authenticate,
  credentialsFromConnectionParams,
  internalIdentity,
  type CredentialHeaders,
  type Identity,
} from './identity.js';
export { IDENTITY_HEADER, signIdentity, verifyIdentity } from '../../canonical/identityHeader.js';
export type { JwksFetchOptions, JwtAlgorithm, KeySource } from './keys.js';
