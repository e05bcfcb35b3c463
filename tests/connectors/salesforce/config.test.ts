import { describe, expect, it } from 'vitest';
import { salesforceConfigFromEnv } from '../../../connectors/salesforce/config.js';
import { DEFAULT_ORDER_FIELD_MAP } from '../../../connectors/salesforce/mapping.js';

describe('Salesforce connector configuration (SALESFORCE_*)', () => {
  const base = {
    SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
    SALESFORCE_CLIENT_ID: 'key',
    SALESFORCE_CLIENT_SECRET: 's3cret',
  };

  it('should default everything but the login', () => {
    const c = salesforceConfigFromEnv(base);
    expect(c).toMatchObject({
      target: 'upsert',
      object: 'Order',
      externalIdField: 'Order_Visibility_Id__c',
      batchSize: 200,
      flushMs: 1000,
      limitShare: 0.8,
      apiVersion: '62.0',
      group: 'salesforce',
      fieldMap: DEFAULT_ORDER_FIELD_MAP,
    });
    expect(c.auth).toEqual({ flow: 'client_credentials', clientId: 'key', clientSecret: 's3cret' });
  });

  it('should list every bad value at once, saying what was expected and what arrived, and never echo a secret', () => {
    let message = '';
    try {
      salesforceConfigFromEnv({
        SALESFORCE_LOGIN_URL: 'login.salesforce.com',
        SALESFORCE_CLIENT_SECRET: 'hunter2',
        SALESFORCE_BATCH_SIZE: '500',
        SALESFORCE_TARGET: 'upsert',
        SALESFORCE_FIELD_MAP: '{"Order_Visibility_Id__c":"orderNumber","X__c":"colour"}',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/SALESFORCE_LOGIN_URL must be an http\(s\) URL; received "login.salesforce.com"/);
    expect(message).toMatch(/SALESFORCE_CLIENT_ID is required/);
    expect(message).toMatch(/SALESFORCE_BATCH_SIZE must be an integer from 1 to 200; received "500"/);
    expect(message).not.toContain('hunter2');
    const mapProblems = (() => {
      try {
        salesforceConfigFromEnv({
          ...base,
          SALESFORCE_FIELD_MAP: '{"Order_Visibility_Id__c":"orderNumber","X__c":"colour"}',
        });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(mapProblems).toMatch(/fieldMap\.X__c: expected one of orderId, .* or "=<constant>"; received "colour"/);
    expect(mapProblems).toMatch(
      /the external-id field Order_Visibility_Id__c must map to "orderId"; received "orderNumber"/,
    );
  });

  it('should require a key and a username for the JWT bearer flow', () => {
    expect(() => salesforceConfigFromEnv({ ...base, SALESFORCE_AUTH_FLOW: 'jwt_bearer' })).toThrow(
      /SALESFORCE_PRIVATE_KEY .*PKCS#8[\s\S]*SALESFORCE_USERNAME is required/,
    );
  });
});
