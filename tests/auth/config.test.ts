import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/env.js';
import { generateApiKey, hashApiKey, parseApiKey, verifyApiKey } from '../../gateway/auth/apiKeys.js';
import { authConfigFromEnv, CONSUMER_POLICIES, developmentAuth, devPartnerKey } from '../../gateway/auth/consumers.js';
import { DEV_IDENTITY_SECRET, DEV_PUBLIC_JWK } from '../../gateway/auth/dev-keys/development.js';
import { NODES } from '../../demo/catalogue.js';

/** The composition root passes the demo world's nodes; the gateway never imports demo data. */
const DEV_PARTNER_NODE_IDS = NODES.map((n) => n.id);

const SECRET = 'a-test-identity-secret-of-at-least-32-chars';
const ISSUER = 'https://idp.example.test/';

/** The problems of the ConfigError `fn` throws. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('authConfigFromEnv', () => {
  it('should be the development configuration when nothing is configured outside production', () => {
    const config = authConfigFromEnv({}, DEV_PARTNER_NODE_IDS);
    expect(config.development).toBe(true);
    expect(config.identitySecret).toBe(DEV_IDENTITY_SECRET);
    expect(config.partnerKeys.map((k) => k.nodeId)).toEqual([...DEV_PARTNER_NODE_IDS]);
    expect(config.jwt.storefront).toMatchObject({ audience: 'storefront', keys: { kind: 'jwks' } });
    expect(config.jwt.ops.requiredScope).toBe('ops');
    expect(authConfigFromEnv({ GATEWAY_IDENTITY_SECRET: SECRET }).identitySecret).toBe(SECRET);
  });

  it('should refuse to start in production without configuration, naming what to set', () => {
    expect(problems(() => authConfigFromEnv({ NODE_ENV: 'production' }))).toEqual([
      'AUTH_ISSUER and AUTH_JWKS_URL (or AUTH_PUBLIC_KEY) must be set when NODE_ENV=production; the development keys are refused when NODE_ENV=production (docs/security.md)',
      'GATEWAY_IDENTITY_SECRET must be set (at least 32 characters) when NODE_ENV=production',
    ]);
  });

  it('should refuse developmentAuth() in production', () => {
    expect(problems(() => developmentAuth({ NODE_ENV: 'production' }))[0]).toMatch(
      /^the development keys are refused when NODE_ENV=production/,
    );
  });

  it('should refuse the development key, issuer, secret and partner keys in a production configuration', () => {
    const devKey = developmentAuth({}, {}, DEV_PARTNER_NODE_IDS).partnerKeys[0]!;
    const found = problems(() =>
      authConfigFromEnv({
        NODE_ENV: 'production',
        AUTH_ISSUER: 'urn:order-visibility:development',
        AUTH_PUBLIC_KEY: JSON.stringify({
          kty: DEV_PUBLIC_JWK.kty,
          crv: DEV_PUBLIC_JWK.crv,
          x: DEV_PUBLIC_JWK.x,
          y: DEV_PUBLIC_JWK.y,
        }),
        PARTNER_API_KEYS: JSON.stringify([devKey]),
        GATEWAY_IDENTITY_SECRET: DEV_IDENTITY_SECRET,
      }),
    );
    expect(found).toContain(
      'AUTH_SALESFORCE_ISSUER is the development issuer; the development keys are refused when NODE_ENV=production (docs/security.md)',
    );
    expect(found).toContain(
      'AUTH_PUBLIC_KEY holds the development public key; the development keys are refused when NODE_ENV=production (docs/security.md)',
    );
    expect(found).toContain(
      'PARTNER_API_KEYS[0].id starts with "dev-", reserved for development keys; the development keys are refused when NODE_ENV=production (docs/security.md)',
    );
    expect(found).toContain(
      'GATEWAY_IDENTITY_SECRET is the development secret; the development keys are refused when NODE_ENV=production (docs/security.md)',
    );
  });

  it('should read a full configuration with per-consumer overrides', async () => {
    const { publicKey } = await generateKeyPair('RS256');
    const { key, hash } = await generateApiKey('acme-2025');
    const config = authConfigFromEnv({
      NODE_ENV: 'production',
      AUTH_ISSUER: ISSUER,
      AUTH_JWKS_URL: 'https://idp.example.test/.well-known/jwks.json',
      AUTH_SALESFORCE_ISSUER: 'https://login.example.test',
      AUTH_SALESFORCE_PUBLIC_KEY: await exportSPKI(publicKey),
      AUTH_STOREFRONT_AUDIENCE: 'https://shop.example.test',
      AUTH_CLOCK_TOLERANCE_SECONDS: '5',
      AUTH_JWKS_COOLDOWN_SECONDS: '10',
      PARTNER_API_KEYS: JSON.stringify([{ id: 'acme-2025', nodeId: 'DS-ACME', hash }]),
      GATEWAY_IDENTITY_SECRET: SECRET,
    });
    expect(config.development).toBe(false);
    expect(config.jwt.salesforce).toMatchObject({
      issuer: 'https://login.example.test',
      audience: 'salesforce',
      keys: { kind: 'public-key' },
    });
    expect(config.jwt.storefront).toMatchObject({
      issuer: ISSUER,
      audience: 'https://shop.example.test',
      keys: { kind: 'jwks-url' },
    });
    expect(config.jwt.ops.requiredScope).toBe('ops');
    expect(config.clockToleranceSeconds).toBe(5);
    expect(config.jwks).toEqual({ cacheMaxAgeMs: 600_000, cooldownMs: 10_000, timeoutMs: 5000 });
    expect(config.algorithms).toEqual(['ES256', 'RS256']);
    expect(parseApiKey(key)?.id).toBe('acme-2025');
  });

  it('should list every bad value at once, each naming the variable and what it received', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const found = problems(() =>
      authConfigFromEnv({
        NODE_ENV: 'production',
        AUTH_ISSUER: ISSUER,
        AUTH_JWKS_URL: 'http://idp.example.test/jwks',
        AUTH_STOREFRONT_JWKS_URL: 'https://a.example.test/jwks',
        AUTH_STOREFRONT_PUBLIC_KEY: 'not a key',
        AUTH_OPS_AUDIENCE: 'salesforce',
        AUTH_ALGORITHMS: 'ES256,HS256',
        AUTH_CLOCK_TOLERANCE_SECONDS: '3600',
        PARTNER_API_KEYS:
          '[{"id":"a b","nodeId":"","hash":"md5:abc"},{"id":"x","nodeId":"N","hash":"sha256:AAAA:BBBB"}]',
        GATEWAY_IDENTITY_SECRET: 'too-short',
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'set one of AUTH_STOREFRONT_JWKS_URL or AUTH_STOREFRONT_PUBLIC_KEY, not both',
        'AUTH_CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 300; received "3600"',
        'AUTH_ALGORITHMS must list some of ES256, ES384, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA; received "ES256,HS256"',
        'AUTH_JWKS_URL must be an https URL in production; received "http://idp.example.test/jwks"',
        'AUTH_OPS_AUDIENCE must differ from salesforce\'s audience, since aud selects the consumer; both are "salesforce"',
        'PARTNER_API_KEYS[0].id must match /^[A-Za-z0-9_-]{1,64}$/; received "a b"',
        'PARTNER_API_KEYS[0].nodeId must be the partner\'s fulfillment node id; received ""',
        'PARTNER_API_KEYS[0].hash is not a stored key hash: it must read "sha256:<salt>:<digest>" or "scrypt:<N>:<r>:<p>:<salt>:<digest>"; received a value starting "md5" with 2 parts',
        'PARTNER_API_KEYS[1].hash is not a stored key hash: its salt must be at least 8 bytes of base64url',
        'GATEWAY_IDENTITY_SECRET must be at least 32 characters (NODE_ENV=production has no default); received 9',
      ]),
    );
    // A private key is refused rather than silently reduced to its public half.
    const priv = JSON.stringify(await exportJWK(privateKey));
    expect(problems(() => authConfigFromEnv({ AUTH_ISSUER: ISSUER, AUTH_PUBLIC_KEY: priv }))).toEqual([
      'AUTH_PUBLIC_KEY is not a usable public key (a PEM SPKI public key, a JWK or a JWKS): it is a private JWK (it has "d"); give the gateway only the public key',
    ]);
  });

  it('should say when a key cannot verify any accepted algorithm, and when no key is configured', async () => {
    const { publicKey } = await generateKeyPair('ES384');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
    const found = problems(() => authConfigFromEnv({ AUTH_ISSUER: ISSUER, AUTH_PUBLIC_KEY: jwks }));
    expect(found).toEqual([
      'AUTH_PUBLIC_KEY key 0 (kid "k1") verifies ES384, but AUTH_ALGORITHMS accepts only ES256, RS256',
    ]);
    expect(problems(() => authConfigFromEnv({ AUTH_ISSUER: ISSUER }))).toContain(
      'AUTH_STOREFRONT_JWKS_URL or AUTH_JWKS_URL (or a *_PUBLIC_KEY) must be set: where storefront token keys come from',
    );
    expect(problems(() => authConfigFromEnv({ AUTH_JWKS_URL: 'https://idp.example.test/jwks' }))).toContain(
      'AUTH_OPS_ISSUER or AUTH_ISSUER must be set: the exact iss of ops tokens',
    );
    expect(
      problems(() => authConfigFromEnv({ AUTH_ISSUER: ISSUER, AUTH_JWKS_URL: 'x', PARTNER_API_KEYS: '{nope' })),
    ).toEqual(
      expect.arrayContaining([
        'AUTH_JWKS_URL must be an http(s) URL; received "x"',
        expect.stringMatching(/^PARTNER_API_KEYS must be a JSON array of \{ id, nodeId, hash \}; it does not parse/),
      ]),
    );
  });
});

describe('the consumer model', () => {
  it('should give each consumer the rows and fields of CANONICAL_MODEL.md', () => {
    expect(CONSUMER_POLICIES.salesforce).toMatchObject({ rows: 'all', internalFields: true });
    expect(CONSUMER_POLICIES.storefront).toMatchObject({ rows: 'own-customer', internalFields: false });
    expect(CONSUMER_POLICIES.partner).toMatchObject({
      rows: 'partner-node',
      persistedOperationsOnly: true,
      credential: 'api-key',
    });
    expect(CONSUMER_POLICIES.ops).toMatchObject({ rows: 'all', internalFields: true, operational: true });
  });
});

describe('partner API keys', () => {
  it('should hash with a per-key salt and verify with sha256 and scrypt', async () => {
    const { key, hash } = await generateApiKey('globex-1');
    expect(hash).toMatch(/^sha256:/);
    expect(await hashApiKey(key)).not.toBe(hash);
    expect(await verifyApiKey(key, hash)).toBe(true);
    expect(await verifyApiKey(`${key}x`, hash)).toBe(false);
    const slow = await hashApiKey(key, 'scrypt');
    expect(slow).toMatch(/^scrypt:16384:8:1:/);
    expect(await verifyApiKey(key, slow)).toBe(true);
    expect(await verifyApiKey(key.replace(/.$/, '_'), slow)).toBe(false);
  });

  it('should derive the same development key for a node on every call', () => {
    expect(devPartnerKey('DS-ACME')).toBe(devPartnerKey('DS-ACME'));
    expect(devPartnerKey('DS-ACME')).not.toBe(devPartnerKey('DS-GLOBEX'));
    expect(parseApiKey(devPartnerKey('DS-ACME'))?.id).toBe('dev-DS-ACME');
  });
});
