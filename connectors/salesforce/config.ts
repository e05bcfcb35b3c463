import { hostname } from 'node:os';
import { EnvReader } from '../../runtime/env.js';
import { checkFieldMap, DEFAULT_EVENT_FIELD_MAP, DEFAULT_ORDER_FIELD_MAP, type FieldMap } from './mapping.js';
import type { SalesforceAuth } from './session.js';

/** Where each status change goes: the record (upsert by external id), the platform event, or both. */
export type SalesforceTarget = 'upsert' | 'event' | 'both';

/** The connector's settings. Defaults sit next to each option; {@link salesforceConfigFromEnv} reads them from SALESFORCE_*. */
export interface SalesforceConfig {
  /** `SALESFORCE_LOGIN_URL`: the token endpoint's host — https://login.salesforce.com, https://test.salesforce.com, the My Domain URL, or the emulator. Required. */
  loginUrl: string;
  /** `SALESFORCE_API_VERSION`. @default '62.0' */
  apiVersion: string;
  /** `SALESFORCE_AUTH_FLOW` (`client_credentials` | `jwt_bearer`) with `SALESFORCE_CLIENT_ID` and `SALESFORCE_CLIENT_SECRET`, or `SALESFORCE_USERNAME` and `SALESFORCE_PRIVATE_KEY` (PEM) / `SALESFORCE_PRIVATE_KEY_FILE`. */
  auth: SalesforceAuth;
  /** `SALESFORCE_TARGET`. @default 'upsert' */
  target: SalesforceTarget;
  /** `SALESFORCE_OBJECT`: the sObject upserted. @default 'Order' */
  object: string;
  /** `SALESFORCE_EXTERNAL_ID_FIELD`: its External ID field, holding the order id. @default 'Order_Visibility_Id__c' */
  externalIdField: string;
  /** `SALESFORCE_FIELD_MAP` (JSON, field → source or "=constant"). @default DEFAULT_ORDER_FIELD_MAP */
  fieldMap: FieldMap;
  /** `SALESFORCE_EVENT`: the platform event published. @default 'Order_Status_Change__e' */
  eventObject: string;
  /** `SALESFORCE_EVENT_FIELD_MAP` (JSON). @default DEFAULT_EVENT_FIELD_MAP */
  eventFieldMap: FieldMap;
  /** `SALESFORCE_EXCEPTIONS`: also upsert business exceptions (`exception.opened`/`closed`) onto {@link exceptionObject}, by `Exception_Id__c`. Needs an upsert target. @default true */
  exceptions: boolean;
  /** `SALESFORCE_EXCEPTION_OBJECT`: the custom object of exceptions. @default 'Order_Visibility_Exception__c' */
  exceptionObject: string;
  /** `SALESFORCE_BATCH_SIZE`: records per sObject Collections call, 1–200 (Salesforce's maximum). @default 200 */
  batchSize: number;
  /** `SALESFORCE_FLUSH_MS`: the longest a change waits for its batch to fill. @default 1000 */
  flushMs: number;
  /** `SALESFORCE_LIMIT_SHARE`: slow down above this share of the daily API allocation (0–1). @default 0.8 */
  limitShare: number;
  /** `SALESFORCE_THROTTLE_MAX_INTERVAL_MS`: the longest wait between calls while throttled. @default 60000 */
  throttleMaxIntervalMs: number;
  /** `SALESFORCE_RETRY_BASE_MS`: first retry wait after a transient failure; doubles per attempt. @default 250 */
  retryBaseMs: number;
  /** `SALESFORCE_RETRY_MAX_MS`: the longest retry wait (transient failures are retried until they heal). @default 30000 */
  retryMaxMs: number;
  /** `SALESFORCE_GROUP`: the consumer group on the bus. @default 'salesforce' */
  group: string;
  /** `SALESFORCE_CONSUMER`: this replica's name in the group (unique per process). @default '<hostname>-<pid>' */
  consumer: string;
  /** `SALESFORCE_GRAPH_URL`: the gateway's GraphQL endpoint for order facts (number, Account, placement), when the mapping uses them. */
  graphUrl?: string;
  /** `SALESFORCE_GRAPH_AUTHORIZATION`: the header line for it, e.g. `Authorization: Bearer …` (salesforce consumer). */
  graphAuthorization?: string;
}

/** Everything but the login settings, defaulted. */
export function defaultSalesforceConfig(
  c: Pick<SalesforceConfig, 'loginUrl' | 'auth'> & Partial<SalesforceConfig>,
): SalesforceConfig {
  return {
    apiVersion: '62.0',
    target: 'upsert',
    object: 'Order',
    externalIdField: 'Order_Visibility_Id__c',
    fieldMap: DEFAULT_ORDER_FIELD_MAP,
    eventObject: 'Order_Status_Change__e',
    eventFieldMap: DEFAULT_EVENT_FIELD_MAP,
    exceptions: true,
    exceptionObject: 'Order_Visibility_Exception__c',
    batchSize: 200,
    flushMs: 1000,
    limitShare: 0.8,
    throttleMaxIntervalMs: 60_000,
    retryBaseMs: 250,
    retryMaxMs: 30_000,
    group: 'salesforce',
    consumer: `${hostname()}-${process.pid}`,
    ...c,
  };
}

/** Problems of a config (empty when valid), each naming the option, what it expects and what it got. */
export function checkSalesforceConfig(c: SalesforceConfig): string[] {
  const p: string[] = [];
  if (!/^https?:\/\/[^/]+/.test(c.loginUrl))
    p.push(`loginUrl: expected an http(s) URL; received ${JSON.stringify(c.loginUrl)}`);
  if (!/^\d{2}\.0$/.test(c.apiVersion) || Number(c.apiVersion) < 46)
    p.push(`apiVersion: expected 46.0 or later (sObject Collections upsert); received ${JSON.stringify(c.apiVersion)}`);
  if (!['upsert', 'event', 'both'].includes(c.target))
    p.push(`target: expected upsert, event or both; received ${JSON.stringify(c.target)}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize > 200)
    p.push(`batchSize: expected an integer from 1 to 200; received ${c.batchSize}`);
  if (!(c.limitShare > 0 && c.limitShare <= 1))
    p.push(`limitShare: expected a share above 0 and at most 1; received ${c.limitShare}`);
  if (c.auth.flow === 'client_credentials' && (!c.auth.clientId || !c.auth.clientSecret))
    p.push('auth: client_credentials needs a client id and a client secret');
  if (
    c.auth.flow === 'jwt_bearer' &&
    (!c.auth.clientId || !c.auth.username || !c.auth.privateKey.includes('PRIVATE KEY'))
  )
    p.push('auth: jwt_bearer needs a client id, a username and a PKCS#8 PEM private key');
  if (c.target !== 'event') p.push(...checkFieldMap('fieldMap', c.fieldMap, c.externalIdField));
  if (c.target !== 'upsert') p.push(...checkFieldMap('eventFieldMap', c.eventFieldMap));
  return p;
}

/**
 * Reads SALESFORCE_* (see {@link SalesforceConfig} for each variable) and validates it; one error
 * lists every bad value. Secrets are never echoed.
 */
export function salesforceConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = () => '',
): SalesforceConfig {
  const r = new EnvReader(env);
  const loginUrl = r.url('SALESFORCE_LOGIN_URL', undefined);
  if (!loginUrl)
    r.problems.push(
      'SALESFORCE_LOGIN_URL is required: https://login.salesforce.com, https://test.salesforce.com, your My Domain URL, or the emulator URL that `npm start` prints',
    );
  const flow = r.string('SALESFORCE_AUTH_FLOW', 'client_credentials');
  const clientId = r.string('SALESFORCE_CLIENT_ID', '');
  if (!clientId) r.problems.push('SALESFORCE_CLIENT_ID is required: the consumer key of the External Client App');
  let auth: SalesforceAuth;
  if (flow === 'jwt_bearer') {
    const file = r.string('SALESFORCE_PRIVATE_KEY_FILE', '');
    const privateKey = r.string('SALESFORCE_PRIVATE_KEY', '') || (file ? readFile(file) : '');
    const username = r.string('SALESFORCE_USERNAME', '');
    if (!privateKey.includes('PRIVATE KEY'))
      r.problems.push(
        'SALESFORCE_PRIVATE_KEY (or SALESFORCE_PRIVATE_KEY_FILE) must hold a PKCS#8 PEM private key for jwt_bearer',
      );
    if (!username) r.problems.push('SALESFORCE_USERNAME is required for jwt_bearer: the integration user');
    const audience = r.string('SALESFORCE_AUDIENCE', '');
    auth = { flow, clientId, username, privateKey, ...(audience ? { audience } : {}) };
  } else {
    if (flow !== 'client_credentials')
      r.problems.push(`SALESFORCE_AUTH_FLOW must be client_credentials or jwt_bearer; received "${flow}"`);
    const clientSecret = r.string('SALESFORCE_CLIENT_SECRET', '');
    if (!clientSecret) r.problems.push('SALESFORCE_CLIENT_SECRET is required for client_credentials');
    auth = { flow: 'client_credentials', clientId, clientSecret };
  }
  const json = (name: string, fallback: FieldMap): FieldMap => {
    const raw = r.string(name, '');
    if (!raw) return fallback;
    try {
      return JSON.parse(raw) as FieldMap;
    } catch {
      r.problems.push(
        `${name} must be a JSON object of Salesforce field → source; received ${JSON.stringify(raw.slice(0, 80))}`,
      );
      return fallback;
    }
  };
  const target = r.string('SALESFORCE_TARGET', 'upsert') as SalesforceTarget;
  const graphUrl = r.url('SALESFORCE_GRAPH_URL', undefined);
  const graphAuthorization = r.string('SALESFORCE_GRAPH_AUTHORIZATION', '');
  const config = defaultSalesforceConfig({
    loginUrl: loginUrl ?? '',
    auth,
    apiVersion: r.string('SALESFORCE_API_VERSION', '62.0'),
    target,
    object: r.string('SALESFORCE_OBJECT', 'Order'),
    externalIdField: r.string('SALESFORCE_EXTERNAL_ID_FIELD', 'Order_Visibility_Id__c'),
    fieldMap: json('SALESFORCE_FIELD_MAP', DEFAULT_ORDER_FIELD_MAP),
    eventObject: r.string('SALESFORCE_EVENT', 'Order_Status_Change__e'),
    eventFieldMap: json('SALESFORCE_EVENT_FIELD_MAP', DEFAULT_EVENT_FIELD_MAP),
    exceptions: r.bool('SALESFORCE_EXCEPTIONS', true),
    exceptionObject: r.string('SALESFORCE_EXCEPTION_OBJECT', 'Order_Visibility_Exception__c'),
    batchSize: r.int('SALESFORCE_BATCH_SIZE', 200, 1, 200),
    flushMs: r.int('SALESFORCE_FLUSH_MS', 1000, 1, 600_000),
    limitShare: r.number('SALESFORCE_LIMIT_SHARE', 0.8, 0.01, 1),
    throttleMaxIntervalMs: r.int('SALESFORCE_THROTTLE_MAX_INTERVAL_MS', 60_000, 1, 3_600_000),
    retryBaseMs: r.int('SALESFORCE_RETRY_BASE_MS', 250, 1, 60_000),
    retryMaxMs: r.int('SALESFORCE_RETRY_MAX_MS', 30_000, 1, 3_600_000),
    group: r.string('SALESFORCE_GROUP', 'salesforce'),
    consumer: r.string('SALESFORCE_CONSUMER', `${hostname()}-${process.pid}`),
    ...(graphUrl ? { graphUrl } : {}),
    ...(graphAuthorization ? { graphAuthorization } : {}),
  });
  if (loginUrl) r.problems.push(...checkSalesforceConfig(config).filter((x) => !x.startsWith('auth:')));
  r.done();
  return config;
}
