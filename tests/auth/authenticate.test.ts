import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../gateway/auth/authError.js';
import { developmentAuth, devPartnerKey, type AuthConfig } from '../../gateway/auth/consumers.js';
import { devToken } from '../../gateway/auth/devCredentials.js';
import { DEV_ISSUER, DEV_KEY_ID, DEV_PRIVATE_JWK } from '../../gateway/auth/dev-keys/development.js';
import { authenticate, credentialsFromConnectionParams, type CredentialHeaders } from '../../gateway/auth/identity.js';
import { NODES } from '../../demo/catalogue.js';

/** The composition root passes the demo world's nodes; the gateway never imports demo data. */
const DEV_PARTNER_NODE_IDS = NODES.map((n) => n.id);

const config = developmentAuth({}, {}, DEV_PARTNER_NODE_IDS);
const bearer = (token: string): CredentialHeaders => ({ authorization: `Bearer ${token}` });

/** Signs `claims` with the development key (or `key`), defaulting to a valid storefront token. */
async function sign(claims: JWTPayload, opts: { key?: CryptoKey; kid?: string; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = opts.key ?? ((await importJWK({ ...DEV_PRIVATE_JWK }, 'ES256')) as CryptoKey);
  return new SignJWT({ iss: DEV_ISSUER, aud: 'storefront', sub: 'CUST-00001', iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: opts.kid ?? DEV_KEY_ID })
    .sign(key);
}

/** The AuthError `authenticate` throws, checked to be UNAUTHENTICATED and never to quote `secret`. */
async function refusal(headers: CredentialHeaders, secret: string, cfg: AuthConfig = config): Promise<AuthError> {
  const err = await authenticate(headers, cfg).then(
    () => {
      throw new Error('expected authenticate to refuse the credential');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  const authError = err as AuthError;
  expect(authError.code).toBe('UNAUTHENTICATED');
  expect(authError.httpStatus).toBe(401);
  expect(authError.message).toMatch(/^expected /);
  if (secret) {
    expect(authError.message).not.toContain(secret);
    // Not even a recognisable piece of it (a signature or payload segment).
    for (const part of secret.split('.').filter((p) => p.length > 12)) expect(authError.message).not.toContain(part);
  }
  return authError;
}

describe('authenticate (development configuration)', () => {
  it('should authenticate salesforce with its client-credentials token', async () => {
    const id = await authenticate(bearer(await devToken('salesforce')), config);
    expect(id).toMatchObject({
      consumer: 'salesforce',
      subject: 'salesforce-named-credential',
      scopes: ['orders:read'],
    });
    expect(id.customerId).toBeUndefined();
    expect(id.expiresAt).toBeGreaterThan(Date.now());
  });

  it('should authenticate a storefront customer as that customer', async () => {
    const id = await authenticate(bearer(await devToken('storefront', { customerId: 'CUST-00042' })), config);
    expect(id).toMatchObject({ consumer: 'storefront', subject: 'CUST-00042', customerId: 'CUST-00042' });
  });

  it('should authenticate ops when the scope contains ops', async () => {
    const id = await authenticate(bearer(await devToken('ops')), config);
    expect(id).toMatchObject({ consumer: 'ops', subject: 'ops-developer' });
    expect(id.scopes).toContain('ops');
  });

  it('should authenticate a partner API key as its node', async () => {
    const key = devPartnerKey('DS-ACME');
    const id = await authenticate({ 'x-api-key': key }, config);
    expect(id).toEqual({ consumer: 'partner', subject: 'dev-DS-ACME', partnerNodeId: 'DS-ACME', scopes: [] });
  });

  it('should accept the Bearer scheme in any letter case', async () => {
    const id = await authenticate({ authorization: `bearer ${await devToken('ops')}` }, config);
    expect(id.consumer).toBe('ops');
  });

  it('should refuse a missing credential, saying what was expected', async () => {
    const err = await refusal({}, '');
    expect(err.reason).toBe('missing');
    expect(err.message).toContain('Authorization: Bearer <JWT> or X-Api-Key; neither arrived');
  });

  it('should refuse a token whose signature was forged with another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await sign({}, { key: privateKey });
    const err = await refusal(bearer(forged), forged);
    expect(err.reason).toBe('signature');
    expect(err.message).toContain('signature does not verify');
  });

  it('should refuse a token whose payload was altered after signing', async () => {
    const token = await sign({});
    const [h, , s] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ iss: DEV_ISSUER, aud: 'storefront', sub: 'CUST-00002', exp: 4102444800 }),
    ).toString('base64url');
    const altered = `${h}.${payload}.${s}`;
    expect((await refusal(bearer(altered), altered)).reason).toBe('signature');
  });

  it('should refuse an expired token, naming when it expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ iat: now - 7200, exp: now - 3600 });
    const err = await refusal(bearer(expired), expired);
    expect(err.reason).toBe('expired');
    expect(err.message).toContain(`it expired at ${new Date((now - 3600) * 1000).toISOString()}`);
  });

  it('should accept a token expired within the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const id = await authenticate(bearer(await sign({ exp: now - 10 })), config);
    expect(id.consumer).toBe('storefront');
  });

  it('should refuse a token for an audience that is no consumer', async () => {
    const token = await sign({ aud: 'billing' });
    const err = await refusal(bearer(token), token);
    expect(err.reason).toBe('unknown_audience');
    expect(err.message).toBe('expected aud to be one of "salesforce", "storefront", "ops"; received "billing"');
  });

  it('should refuse a token from another issuer', async () => {
    const token = await sign({ iss: 'https://evil.example' });
    const err = await refusal(bearer(token), token);
    expect(err.reason).toBe('issuer');
    expect(err.message).toBe(`expected iss "${DEV_ISSUER}" for storefront tokens; received "https://evil.example"`);
  });

  it('should refuse an ops-audience token without the ops scope', async () => {
    const token = await sign({ aud: 'ops', sub: 'someone', scope: 'orders:read' });
    const err = await refusal(bearer(token), token);
    expect(err.reason).toBe('scope');
    expect(err.message).toContain('scope contains "ops"; received scope "orders:read"');
  });

  it('should refuse a storefront token without sub and a token without exp', async () => {
    const noSub = await sign({ sub: undefined });
    expect((await refusal(bearer(noSub), noSub)).message).toContain('carry sub (the customer id)');
    const noExp = await sign({ exp: undefined });
    expect((await refusal(bearer(noExp), noExp)).message).toContain('carry exp');
  });

  it('should refuse an unknown kid and an algorithm that is not accepted', async () => {
    const otherKid = await sign({}, { kid: 'retired-key' });
    expect((await refusal(bearer(otherKid), otherKid)).message).toContain('received kid "retired-key"');
    const hs = await new SignJWT({ aud: 'storefront', sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(32));
    const err = await refusal(bearer(hs), hs);
    expect(err.reason).toBe('unsupported_algorithm');
    expect(err.message).toBe('expected a JWT signed with ES256 or RS256; received alg "HS256"');
  });

  it('should refuse a token that is not valid yet', async () => {
    const now = Math.floor(Date.now() / 1000);
    const early = await sign({ nbf: now + 600, exp: now + 1200 });
    const err = await refusal(bearer(early), early);
    expect(err.reason).toBe('not_yet_valid');
    expect(err.message).toContain(`it is not valid before ${new Date((now + 600) * 1000).toISOString()}`);
  });

  it('should refuse a token whose accepted alg the configured key cannot verify', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const ecOnly = developmentAuth({}, {}, DEV_PARTNER_NODE_IDS);
    ecOnly.jwt.ops = { ...ecOnly.jwt.ops, keys: { kind: 'public-key', key: await exportJWK(publicKey) } };
    const rsa = await generateKeyPair('RS256');
    const rs = await new SignJWT({ scope: 'ops' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(DEV_ISSUER)
      .setAudience('ops')
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    const err = await refusal(bearer(rs), rs, ecOnly);
    expect(err.reason).toBe('unsupported_algorithm');
    expect(err.message).toBe(
      'expected an ops token that the configured public key can verify; received alg "RS256", which it cannot',
    );
  });

  it('should refuse malformed Authorization values without quoting them', async () => {
    expect((await refusal({ authorization: 'Bearer ' }, '')).message).toBe(
      'expected Authorization: Bearer <JWT>; received Bearer with no token',
    );
    expect((await refusal({ authorization: '' }, '')).message).toBe(
      'expected Authorization: Bearer <JWT>; received an empty value',
    );
    expect((await refusal({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' }, 'dXNlcjpwYXNzd29yZA==')).message).toBe(
      'expected Authorization: Bearer <JWT>; received the "Basic" scheme',
    );
    const bare = await devToken('ops');
    expect((await refusal({ authorization: bare }, bare)).message).toMatch(/characters without the Bearer scheme$/);
    expect((await refusal(bearer('not-a-jwt-at-all'), 'not-a-jwt-at-all')).reason).toBe('malformed');
  });

  it('should refuse an unknown API key and an altered one, quoting neither', async () => {
    const unknown = 'acme-2025.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const err1 = await refusal({ 'x-api-key': unknown }, unknown);
    expect(err1.reason).toBe('unknown_api_key');
    expect(err1.message).not.toContain('acme-2025');
    const good = devPartnerKey('DS-GLOBEX');
    const altered = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    const err2 = await refusal({ 'x-api-key': altered }, altered);
    expect(err2.reason).toBe('wrong_api_key');
    expect((await refusal({ 'x-api-key': 'hunter2' }, 'hunter2')).reason).toBe('malformed');
  });

  it('should refuse both credentials at once and repeated headers', async () => {
    const token = await devToken('ops');
    expect((await refusal({ ...bearer(token), 'x-api-key': devPartnerKey('DS-ACME') }, token)).reason).toBe(
      'ambiguous',
    );
    expect(
      (await refusal({ 'x-api-key': [devPartnerKey('DS-ACME'), devPartnerKey('DS-GLOBEX')] }, devPartnerKey('DS-ACME')))
        .message,
    ).toBe('expected one X-Api-Key header; received 2');
  });
});

describe('credentialsFromConnectionParams', () => {
  it('should map a connection_init payload to the headers authenticate takes', async () => {
    const token = await devToken('storefront', { customerId: 'CUST-00007' });
    const headers = credentialsFromConnectionParams({ Authorization: `Bearer ${token}` });
    expect(headers).toEqual({ authorization: `Bearer ${token}` });
    expect((await authenticate(headers, config)).customerId).toBe('CUST-00007');
    const partner = credentialsFromConnectionParams({ headers: { 'X-Api-Key': devPartnerKey('STORE-0012') } });
    expect((await authenticate(partner, config)).partnerNodeId).toBe('STORE-0012');
  });

  it('should map an empty or absent payload to no credential, and refuse non-string values', async () => {
    expect(credentialsFromConnectionParams(undefined)).toEqual({});
    expect(credentialsFromConnectionParams({ other: 1 })).toEqual({});
    expect(() => credentialsFromConnectionParams({ authorization: 42 })).toThrow(AuthError);
    expect(() => credentialsFromConnectionParams({ authorization: 42 })).toThrow(
      'expected connection_init payload authorization to be a string; received number',
    );
    expect(() =>
      credentialsFromConnectionParams({ authorization: 'Bearer a', headers: { Authorization: 'Bearer b' } }),
    ).toThrow('received it twice');
  });
});
