import { importJWK, SignJWT } from 'jose';
import { devPartnerKey, type Consumer, type JwtConsumer } from './consumers.js';
import { DEV_ISSUER, DEV_KEY_ID, DEV_PRIVATE_JWK } from './dev-keys/development.js';

/**
 * Credentials signed with the development key, which {@link developmentAuth} accepts: for
 * `npm run -s token` and tests. Production refuses them (consumers.ts).
 */
export interface DevCredentialOptions {
  /** storefront: the customer id (`sub`). Required for storefront. */
  customerId?: string;
  /** partner: the fulfillment node the key is bound to. Required for partner. */
  partnerNodeId?: string;
  /** Lifetime of a token, seconds. @default 3600 */
  ttlSeconds?: number;
  /** Issue time, epoch milliseconds. @default Date.now() */
  now?: number;
}

/** The `sub` and `scope` each development token carries. */
const DEV_CLAIMS: Record<JwtConsumer, { sub?: string; scope: string }> = {
  salesforce: { sub: 'salesforce-named-credential', scope: 'orders:read' },
  storefront: { scope: 'orders:read:own' },
  ops: { sub: 'ops-developer', scope: 'ops orders:read' },
};

/** A development JWT for `consumer` (ES256, `kid` ovg-dev-es256-1, `iss` urn:order-visibility:development). */
export async function devToken(consumer: JwtConsumer, options: DevCredentialOptions = {}): Promise<string> {
  const claims = DEV_CLAIMS[consumer];
  const sub = consumer === 'storefront' ? options.customerId : claims.sub;
  if (!sub) throw new Error('a storefront token needs a customer id (customerId)');
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const key = await importJWK({ ...DEV_PRIVATE_JWK }, 'ES256');
  return new SignJWT({ scope: claims.scope })
    .setProtectedHeader({ alg: 'ES256', kid: DEV_KEY_ID, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(consumer)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 3600))
    .sign(key);
}

/**
 * One HTTP header line carrying a working development credential:
 * `Authorization: Bearer eyJ…` for the JWT consumers, `X-Api-Key: dev-<node>.…` for a partner.
 */
export async function devCredentialHeader(consumer: Consumer, options: DevCredentialOptions = {}): Promise<string> {
  if (consumer !== 'partner') return `Authorization: Bearer ${await devToken(consumer, options)}`;
  const node = options.partnerNodeId;
  if (!node) throw new Error("a partner key needs the partner's fulfillment node id");
  return `X-Api-Key: ${devPartnerKey(node)}`;
}
