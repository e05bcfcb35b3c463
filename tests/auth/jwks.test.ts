import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../gateway/auth/authError.js';
import { authConfigFromEnv } from '../../gateway/auth/consumers.js';
import { authenticate } from '../../gateway/auth/identity.js';

const ISSUER = 'https://idp.example.test/';
const SECRET = 'a-test-identity-secret-of-at-least-32-chars';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function token(key: SigningKey, aud: string, extra: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ scope: aud === 'ops' ? 'ops' : 'orders:read', ...extra })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setSubject(aud === 'storefront' ? 'CUST-00001' : `${aud}-client`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

describe('a JWKS URL served by a real identity provider', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  const published: JWK[] = [];
  let first: SigningKey;

  beforeAll(async () => {
    first = await signingKey('key-2025-01');
    published.push(first.jwk);
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const env = (extra: Record<string, string> = {}) => ({
    AUTH_ISSUER: ISSUER,
    AUTH_JWKS_URL: url,
    GATEWAY_IDENTITY_SECRET: SECRET,
    ...extra,
  });

  it('should fetch the key set once and verify later tokens from its cache', async () => {
    const config = authConfigFromEnv(env());
    hits = 0;
    expect((await authenticate({ authorization: `Bearer ${await token(first, 'salesforce')}` }, config)).consumer).toBe(
      'salesforce',
    );
    expect(
      (await authenticate({ authorization: `Bearer ${await token(first, 'storefront')}` }, config)).customerId,
    ).toBe('CUST-00001');
    expect((await authenticate({ authorization: `Bearer ${await token(first, 'ops')}` }, config)).consumer).toBe('ops');
    expect(hits).toBe(1);
  });

  it('should pick up a rotated-in key by its kid with one more fetch', async () => {
    const config = authConfigFromEnv(env({ AUTH_JWKS_COOLDOWN_SECONDS: '0' }));
    hits = 0;
    await authenticate({ authorization: `Bearer ${await token(first, 'ops')}` }, config);
    const second = await signingKey('key-2025-07');
    published.push(second.jwk);
    const id = await authenticate({ authorization: `Bearer ${await token(second, 'ops')}` }, config);
    expect(id.consumer).toBe('ops');
    expect(hits).toBe(2);
    // Both keys stay valid until the old one is withdrawn: no refetch for either.
    await authenticate({ authorization: `Bearer ${await token(first, 'ops')}` }, config);
    expect(hits).toBe(2);
  });

  it('should refuse a kid the key set does not hold, naming the key set', async () => {
    const config = authConfigFromEnv(env());
    const stranger = await signingKey('not-published');
    const err = await authenticate({ authorization: `Bearer ${await token(stranger, 'salesforce')}` }, config).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('UNAUTHENTICATED');
    expect((err as AuthError).message).toContain(`key set at ${url}; received kid "not-published"`);
  });

  it('should answer UPSTREAM_UNAVAILABLE, not UNAUTHENTICATED, when the key set cannot be fetched', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/jwks`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const config = authConfigFromEnv(env({ AUTH_JWKS_URL: deadUrl, AUTH_JWKS_TIMEOUT_MS: '500' }));
    const err = await authenticate({ authorization: `Bearer ${await token(first, 'ops')}` }, config).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('UPSTREAM_UNAVAILABLE');
    expect((err as AuthError).httpStatus).toBe(503);
    expect((err as AuthError).message).toContain(`could not fetch the ops keys from ${deadUrl}`);
  });
});

describe('a configured public key', () => {
  it('should verify RS256 tokens against a PEM given in AUTH_PUBLIC_KEY, whatever their kid', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const config = authConfigFromEnv({
      AUTH_ISSUER: ISSUER,
      AUTH_PUBLIC_KEY: pem.replace(/\n/g, '\\n'),
      GATEWAY_IDENTITY_SECRET: SECRET,
    });
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'anything' })
      .setIssuer(ISSUER)
      .setAudience('salesforce')
      .setSubject('sf-client')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await authenticate({ authorization: `Bearer ${jwt}` }, config)).subject).toBe('sf-client');
  });

  it('should let one consumer use its own issuer and key while the others share the defaults', async () => {
    const sf = await signingKey('sf');
    const shared = await signingKey('shared');
    const config = authConfigFromEnv({
      AUTH_ISSUER: ISSUER,
      AUTH_PUBLIC_KEY: JSON.stringify({ keys: [shared.jwk] }),
      AUTH_SALESFORCE_ISSUER: 'https://login.example.test',
      AUTH_SALESFORCE_PUBLIC_KEY: JSON.stringify(sf.jwk),
      GATEWAY_IDENTITY_SECRET: SECRET,
    });
    const sfToken = await new SignJWT({ client_id: 'named-credential' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://login.example.test')
      .setAudience('salesforce')
      .setExpirationTime('5m')
      .sign(sf.privateKey);
    expect(await authenticate({ authorization: `Bearer ${sfToken}` }, config)).toMatchObject({
      consumer: 'salesforce',
      subject: 'named-credential',
    });
    const wrongKey = await token(sf, 'storefront');
    const err = await authenticate({ authorization: `Bearer ${wrongKey}` }, config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('UNAUTHENTICATED');
  });
});
