import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestToken } from '../../../connectors/salesforce/session.js';
import { salesforceHarness } from './harness.js';

/** Salesforce's REST shapes as a plain HTTP client sees them (no jsforce). */
describe('Salesforce API emulator', () => {
  const h = salesforceHarness();

  async function login(url: string): Promise<string> {
    const res = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'ovg-connector',
        client_secret: 'dev-secret',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({
      access_token: expect.any(String),
      instance_url: url,
      token_type: 'Bearer',
      id: `${url}/id/00D5e000000EMULAAA/0055e000001EMULAAA`,
    });
    return body['access_token']!;
  }

  it('should answer the token endpoint like Salesforce: the grant, and 400 { error, error_description } for a bad client', async () => {
    const sf = await h.emulator();
    await login(sf.url);
    const bad = await fetch(`${sf.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'ovg-connector',
        client_secret: 'wrong',
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    expect(sf.org.stats.logins).toBe(1);
  });

  it('should log in with a JWT bearer assertion signed by the integration key', async () => {
    const sf = await h.emulator();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await requestToken(sf.url, {
      flow: 'jwt_bearer',
      clientId: 'ovg-connector',
      username: 'integration@ovg.example',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    expect(token).toMatchObject({ access_token: expect.any(String), instance_url: sf.url });
    await expect(
      requestToken(sf.url, {
        flow: 'jwt_bearer',
        clientId: 'someone-else',
        username: 'x',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      }),
    ).rejects.toThrow(/HTTP 400 invalid_grant/);
  });

  it('should upsert a collection by external id with one UpsertResult per record and Sforce-Limit-Info', async () => {
    const sf = await h.emulator({ dailyApiLimit: 5000 });
    const token = await login(sf.url);
    const upsert = (records: unknown[]) =>
      fetch(`${sf.url}/services/data/v62.0/composite/sobjects/Order/Order_Visibility_Id__c`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allOrNone: false, records }),
      });
    const order = (id: string, extra: object = {}) => ({
      attributes: { type: 'Order' },
      Order_Visibility_Id__c: id,
      AccountId: '0015e00000AbCdEAAA',
      EffectiveDate: '2026-01-02',
      Status: 'Draft',
      ...extra,
    });
    const res = await upsert([order('ORD-1'), order('ORD-2', { Status: undefined }), order('ORD-3', { Nope__c: 1 })]);
    expect(res.status).toBe(200);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=1/5000');
    expect(await res.json()).toEqual([
      { id: expect.stringMatching(/^801/), success: true, errors: [], created: true },
      {
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [Status]',
            fields: ['Status'],
          },
        ],
      },
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD',
            message: "No such column 'Nope__c' on sobject of type Order",
            fields: ['Nope__c'],
          },
        ],
      },
    ]);
    const again = await upsert([order('ORD-1', { Order_Visibility_Status__c: 'SHIPPED' })]);
    expect(await again.json()).toEqual([
      { id: sf.org.find('Order', 'Order_Visibility_Id__c', 'ORD-1')!['Id'], success: true, errors: [], created: false },
    ]);
    const tooMany = await upsert(Array.from({ length: 201 }, (_, i) => order(`ORD-${i}`)));
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errorCode: string }[])[0]!.errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('should answer SOQL, /limits, and 401 INVALID_SESSION_ID for an expired session', async () => {
    const sf = await h.emulator({ dailyApiLimit: 1000, apiUsed: 10 });
    const token = await login(sf.url);
    const get = (path: string) =>
      fetch(`${sf.url}/services/data/v62.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    const q = await get(
      `/query?q=${encodeURIComponent("SELECT Id, Status FROM Order WHERE Order_Visibility_Id__c = 'ORD-1'")}`,
    );
    expect(await q.json()).toEqual({ totalSize: 0, done: true, records: [] });
    const malformed = await get(`/query?q=${encodeURIComponent('SELEKT nothing')}`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errorCode: string }[])[0]!.errorCode).toBe('MALFORMED_QUERY');
    const limits = await get('/limits');
    expect(await limits.json()).toMatchObject({ DailyApiRequests: { Max: 1000, Remaining: 1000 - 13 } });
    sf.org.expireSessions();
    const expired = await get('/limits');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('should publish a platform event with 201 and OPERATION_ENQUEUED, and inject faults over HTTP', async () => {
    const sf = await h.emulator();
    const token = await login(sf.url);
    const res = await fetch(`${sf.url}/services/data/v62.0/sobjects/Order_Status_Change__e`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Order_Visibility_Id__c: 'ORD-1', Status__c: 'SHIPPED' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      id: expect.stringMatching(/^e00/),
      success: true,
      errors: [{ statusCode: 'OPERATION_ENQUEUED', fields: [] }],
    });
    expect(sf.org.events).toHaveLength(1);
    expect(
      (await fetch(`${sf.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ unavailableCalls: 1 }) }))
        .status,
    ).toBe(204);
    const down = await fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${token}` } });
    expect(down.status).toBe(503);
    expect(
      (await fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });
});
