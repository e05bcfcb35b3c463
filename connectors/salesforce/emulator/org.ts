import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_OBJECTS, type ObjectDefinition, type RecordError, type SObjectRecord } from './objects.js';
import { MalformedQuery, parseSoql, runSoql } from './soql.js';

/** An HTTP answer of the org: status and JSON body (undefined = no body). */
export interface OrgResponse {
  status: number;
  body?: unknown;
}

/** One record's result in an sObject Collections answer (UpsertResult / SaveResult). */
export interface SaveResult {
  id?: string;
  success: boolean;
  errors: RecordError[];
  created?: boolean;
}

/** A per-record error to inject on writes of the record with this external id (or event `Order_Visibility_Id__c`). */
export interface InjectedRecordError extends RecordError {
  /** How many writes it fails before healing. @default Infinity (a non-healing error) */
  times?: number;
}

/** Faults the tests and the demo turn on (all off by default). */
export interface OrgFaults {
  /** Answer this many REST calls with 503 SERVER_UNAVAILABLE. */
  unavailableCalls: number;
  /** Answer REST calls with 403 REQUEST_LIMIT_EXCEEDED while true. */
  requestLimitExceeded: boolean;
  /** Per-record errors by external id value. */
  recordErrors: Map<string, InjectedRecordError>;
  /** The next this many record writes fail with UNABLE_TO_LOCK_ROW (transient). */
  lockedRows: number;
}

/** Options of {@link EmulatedOrg}. */
export interface EmulatedOrgOptions {
  /** @default '00D5e000000EMUL' + check suffix */
  orgId?: string;
  /** The integration user the tokens belong to. @default '0055e000001EMUL' + check suffix */
  userId?: string;
  /** Accepted OAuth clients (client id → secret). @default { 'ovg-connector': 'dev-secret' } */
  clients?: Record<string, string>;
  /** The org's daily API allocation (`DailyApiRequests.Max`). @default 100000 (Enterprise, before licences) */
  dailyApiLimit?: number;
  /** API calls already used today. @default 0 */
  apiUsed?: number;
  /** The objects it knows. @default DEFAULT_OBJECTS */
  objects?: readonly ObjectDefinition[];
}

/** Counters the tests and the benchmark read. */
export interface OrgStats {
  /** REST calls counted against the daily allocation (everything under /services/data except the versions list). */
  apiCalls: number;
  /** Calls per kind: `upsert-collection`, `upsert`, `publish-collection`, `publish`, `query`, `limits`, … */
  byKind: Record<string, number>;
  /** Successful token requests. */
  logins: number;
  /** The last 10,000 counted calls: kind and epoch ms. */
  calls: { kind: string; at: number }[];
}

/**
 * The state and behaviour of one emulated Salesforce org, free of HTTP (the server maps requests to
 * these methods). Shapes follow the REST API Developer Guide; each method cites its page.
 */
export class EmulatedOrg {
  readonly orgId: string;
  readonly userId: string;
  readonly faults: OrgFaults = { unavailableCalls: 0, requestLimitExceeded: false, recordErrors: new Map(), lockedRows: 0 };
  readonly stats: OrgStats = { apiCalls: 0, byKind: {}, logins: 0, calls: [] };
  dailyApiLimit: number;
  /** Successful writes per record (`<Object>/<external id value>`): how many times each change landed. */
  readonly writes = new Map<string, number>();
  /** Published platform events, oldest first, with their ReplayId. */
  readonly events: SObjectRecord[] = [];
  /** Called after each successful record write (upsert or event publish), e.g. by the benchmark to time arrivals. */
  onWrite: ((object: string, fields: SObjectRecord, at: number) => void) | undefined;
  private apiUsedBefore: number;
  private readonly clients: Record<string, string>;
  private readonly objects = new Map<string, ObjectDefinition>();
  private readonly records = new Map<string, Map<string, SObjectRecord>>();
  private readonly byExternalId = new Map<string, Map<string, string>>();
  private readonly tokens = new Set<string>();
  private sequence = 0;

  constructor(opts: EmulatedOrgOptions = {}) {
    this.orgId = opts.orgId ?? '00D5e000000EMULAAA';
    this.userId = opts.userId ?? '0055e000001EMULAAA';
    this.clients = opts.clients ?? { 'ovg-connector': 'dev-secret' };
    this.dailyApiLimit = opts.dailyApiLimit ?? 100_000;
    this.apiUsedBefore = opts.apiUsed ?? 0;
    for (const o of opts.objects ?? DEFAULT_OBJECTS) {
      this.objects.set(o.name, o);
      this.records.set(o.name, new Map());
    }
  }

  /** API calls used today (what `Sforce-Limit-Info: api-usage=<used>/<limit>` reports). */
  get apiUsed(): number {
    return this.apiUsedBefore + this.stats.apiCalls;
  }

  /** Sets today's usage, e.g. to bring the org near its allocation. */
  setApiUsed(used: number): void {
    this.apiUsedBefore = used - this.stats.apiCalls;
  }

  /** Invalidates every access token: the next call with one gets 401 INVALID_SESSION_ID. */
  expireSessions(): void {
    this.tokens.clear();
  }

  /** The stored records of an object (a copy of each). */
  list(object: string): SObjectRecord[] {
    return [...(this.records.get(object)?.values() ?? [])].map((r) => ({ ...r }));
  }

  /** The record with this external id value, or undefined. */
  find(object: string, field: string, value: string): SObjectRecord | undefined {
    const id = this.byExternalId.get(`${object}.${field}`)?.get(value);
    const r = id ? this.records.get(object)?.get(id) : undefined;
    return r ? { ...r } : undefined;
  }

  /**
   * The OAuth 2.0 token endpoint for the client-credentials and JWT-bearer flows: `access_token`,
   * `instance_url`, `id` = `<login>/id/<orgId>/<userId>`, `token_type`, `issued_at`, `signature`
   * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm,
   * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm). Failures answer
   * 400 `{ error, error_description }` as the real endpoint does.
   */
  token(form: URLSearchParams, baseUrl: string): OrgResponse {
    const grant = form.get('grant_type');
    let clientId: string | null;
    if (grant === 'client_credentials') {
      clientId = form.get('client_id');
      if (!clientId || this.clients[clientId] === undefined || this.clients[clientId] !== form.get('client_secret')) {
        return { status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
      }
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = decodeJwtClaims(form.get('assertion'));
      clientId = typeof claims?.['iss'] === 'string' ? claims['iss'] : null;
      if (!claims || !clientId || this.clients[clientId] === undefined || typeof claims['sub'] !== 'string') {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'invalid assertion' } };
      }
      if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now()) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'expired authorization code' } };
      }
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `grant type not supported: ${grant ?? '(none)'}` } };
    }
    const token = `${this.orgId}!${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    this.stats.logins++;
    return {
      status: 200,
      body: {
        access_token: token,
        signature: randomBytes(32).toString('base64'),
        scope: 'api',
        instance_url: baseUrl,
        id: `${baseUrl}/id/${this.orgId}/${this.userId}`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      },
    };
  }

  /**
   * Checks a REST call before it runs, counting it: the bearer token (401 INVALID_SESSION_ID), then
   * the injected outage (503) and the allocation (403 REQUEST_LIMIT_EXCEEDED)
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
   * Returns the error response, or undefined to go on.
   */
  admit(authorization: string | undefined, kind: string): OrgResponse | undefined {
    const token = authorization?.replace(/^(Bearer|OAuth)\s+/i, '');
    if (!token || !this.tokens.has(token)) {
      return { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    }
    if (this.faults.unavailableCalls > 0) {
      this.faults.unavailableCalls--;
      return { status: 503, body: [{ message: 'Server unavailable, try again later', errorCode: 'SERVER_UNAVAILABLE' }] };
    }
    if (this.faults.requestLimitExceeded || this.apiUsed >= this.dailyApiLimit) {
      return { status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
    }
    this.stats.apiCalls++;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
    this.stats.calls.push({ kind, at: Date.now() });
    if (this.stats.calls.length > 10_000) this.stats.calls.splice(0, 1000);
    return undefined;
  }

  /**
   * Upsert one record by external id: 201 `{ id, success, errors, created: true }` on insert, 200
   * with `created: false` on update (API 46.0+), 400 `[{ message, errorCode, fields }]` on a refused record
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
   */
  upsertOne(object: string, field: string, value: string, body: unknown): OrgResponse {
    const bad = this.checkExternalId(object, field);
    if (bad) return bad;
    if (!isRecord(body)) return badRequest('JSON_PARSER_ERROR', 'expected a JSON object with the record fields');
    const r = this.upsertRecord(object, field, { ...body, [field]: value });
    if (!r.success) return { status: 400, body: r.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
    return { status: r.created ? 201 : 200, body: r };
  }

  /**
   * Upsert up to 200 records by external id with sObject Collections: 200 and one UpsertResult per
   * record, in order; with `allOrNone` false each record stands alone
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm).
   */
  upsertCollection(object: string, field: string, body: unknown): OrgResponse {
    const bad = this.checkExternalId(object, field);
    if (bad) return bad;
    const records = isRecord(body) && Array.isArray(body['records']) ? body['records'] : undefined;
    if (!records) return badRequest('JSON_PARSER_ERROR', 'expected { "allOrNone": boolean, "records": [ … ] }');
    if (records.length > 200) return badRequest('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than 200 records into this call; received ${records.length}`);
    if (isRecord(body) && body['allOrNone'] === true) return badRequest('INVALID_FIELD', 'allOrNone true is not emulated; send false');
    const results = records.map((rec: unknown): SaveResult => {
      if (!isRecord(rec)) return { success: false, errors: [{ statusCode: 'JSON_PARSER_ERROR', message: 'expected a record object', fields: [] }] };
      const { attributes, ...fields } = rec;
      const type = isRecord(attributes) ? attributes['type'] : undefined;
      if (type !== object) return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `each record's attributes.type must be ${object}; received ${JSON.stringify(type)}`, fields: [] }] };
      return this.upsertRecord(object, field, fields);
    });
    return { status: 200, body: results };
  }

  /**
   * Publish one platform event: 201 `{ id, success: true, errors: [OPERATION_ENQUEUED …] }`
   * (https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm).
   */
  publishOne(object: string, body: unknown): OrgResponse {
    const def = this.objects.get(object);
    if (!def) return notFound(object);
    if (!isRecord(body)) return badRequest('JSON_PARSER_ERROR', 'expected a JSON object with the event fields');
    if (def.kind !== 'event') return badRequest('NOT_FOUND', `plain inserts are not emulated for ${object}; use upsert by external id`);
    const r = this.publishEvent(def, body);
    return r.success ? { status: 201, body: r } : { status: 400, body: r.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
  }

  /**
   * Publish many platform events with sObject Collections create (`POST /composite/sobjects`): 200
   * and one SaveResult per event
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm).
   */
  publishCollection(body: unknown): OrgResponse {
    const records = isRecord(body) && Array.isArray(body['records']) ? body['records'] : undefined;
    if (!records) return badRequest('JSON_PARSER_ERROR', 'expected { "allOrNone": boolean, "records": [ … ] }');
    if (records.length > 200) return badRequest('EXCEEDED_ID_LIMIT', `cannot submit more than 200 records into this call; received ${records.length}`);
    return {
      status: 200,
      body: records.map((rec: unknown): SaveResult => {
        if (!isRecord(rec)) return { success: false, errors: [{ statusCode: 'JSON_PARSER_ERROR', message: 'expected a record object', fields: [] }] };
        const { attributes, ...fields } = rec;
        const def = isRecord(attributes) && typeof attributes['type'] === 'string' ? this.objects.get(attributes['type']) : undefined;
        if (!def || def.kind !== 'event') return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `attributes.type must name a platform event; received ${JSON.stringify(isRecord(attributes) ? attributes['type'] : undefined)}`, fields: [] }] };
        return this.publishEvent(def, fields);
      }),
    };
  }

  /**
   * SOQL query: `{ totalSize, done, records: [{ attributes: { type, url }, …fields }] }`
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm).
   */
  query(soql: string | null, apiVersion: string): OrgResponse {
    try {
      if (!soql) throw new MalformedQuery('expected the query in ?q=');
      const q = parseSoql(soql);
      const def = this.objects.get(q.object);
      if (!def || def.kind === 'event') return badRequest('INVALID_TYPE', `sObject type '${q.object}' is not supported.`);
      const known = new Set([...def.fields, ...def.system]);
      for (const f of [...q.fields, ...q.where.map((c) => c.field), ...(q.orderBy ? [q.orderBy.field] : [])]) {
        if (!known.has(f)) return badRequest('INVALID_FIELD', `No such column '${f}' on entity '${q.object}'.`);
      }
      const rows = runSoql(q, this.records.get(q.object)!.values());
      if (q.count) return { status: 200, body: { totalSize: rows.length, done: true, records: [] } };
      return {
        status: 200,
        body: {
          totalSize: rows.length,
          done: true,
          records: rows.map((r) => ({
            attributes: { type: q.object, url: `/services/data/v${apiVersion}/sobjects/${q.object}/${String(r['Id'])}` },
            ...Object.fromEntries(q.fields.map((f) => [f, r[f] ?? null])),
          })),
        },
      };
    } catch (err) {
      if (err instanceof MalformedQuery) return badRequest('MALFORMED_QUERY', err.message);
      throw err;
    }
  }

  /**
   * The org's limits (`GET /limits`): `DailyApiRequests: { Max, Remaining }` among others
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm).
   */
  limits(): OrgResponse {
    return {
      status: 200,
      body: {
        DailyApiRequests: { Max: this.dailyApiLimit, Remaining: Math.max(0, this.dailyApiLimit - this.apiUsed) },
        DailyStandardVolumePlatformEvents: { Max: 10_000, Remaining: 10_000 - this.events.length },
        HourlyPublishedPlatformEvents: { Max: 250_000, Remaining: 250_000 - this.events.length },
      },
    };
  }

  private checkExternalId(object: string, field: string): OrgResponse | undefined {
    const def = this.objects.get(object);
    if (!def || def.kind === 'event') return notFound(object);
    if (!def.externalIds.includes(field)) {
      return { status: 404, body: [{ message: `Provided external ID field does not exist or is not accessible: ${field}`, errorCode: 'NOT_FOUND' }] };
    }
    return undefined;
  }

  /** One record of an upsert: per-record faults, unknown fields, insert validation, then the write. */
  private upsertRecord(object: string, field: string, fields: SObjectRecord): SaveResult {
    const def = this.objects.get(object)!;
    const value = fields[field];
    if (typeof value !== 'string' || value === '') {
      return { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${field}]`, fields: [field] }] };
    }
    const fault = this.recordFault(value);
    if (fault) return { success: false, errors: [fault] };
    const unknown = Object.keys(fields).filter((f) => !def.fields.includes(f));
    if (unknown.length > 0) {
      return { success: false, errors: [{ statusCode: 'INVALID_FIELD', message: `No such column '${unknown[0]}' on sobject of type ${object}`, fields: unknown }] };
    }
    const index = this.externalIndex(object, field);
    const store = this.records.get(object)!;
    const now = new Date().toISOString();
    const existingId = index.get(value);
    if (existingId) {
      const refused = def.validateUpdate?.(store.get(existingId)!, fields) ?? [];
      if (refused.length > 0) return { success: false, errors: refused };
      Object.assign(store.get(existingId)!, fields, { LastModifiedDate: now, SystemModstamp: now });
      this.countWrite(object, value, fields);
      return { id: existingId, success: true, errors: [], created: false };
    }
    const errors = def.validateInsert?.(fields) ?? [];
    if (errors.length > 0) return { success: false, errors };
    const id = this.newId(def);
    store.set(id, { ...fields, Id: id, OrderNumber: String(++this.sequence).padStart(8, '0'), CreatedDate: now, LastModifiedDate: now, SystemModstamp: now });
    index.set(value, id);
    this.countWrite(object, value, fields);
    return { id, success: true, errors: [], created: true };
  }

  private publishEvent(def: ObjectDefinition, fields: SObjectRecord): SaveResult {
    const key = fields['Order_Visibility_Id__c'];
    const fault = typeof key === 'string' ? this.recordFault(key) : undefined;
    if (fault) return { success: false, errors: [fault] };
    const unknown = Object.keys(fields).filter((f) => !def.fields.includes(f));
    if (unknown.length > 0) return { success: false, errors: [{ statusCode: 'INVALID_FIELD', message: `No such column '${unknown[0]}' on sobject of type ${def.name}`, fields: unknown }] };
    const uuid = randomUUID();
    const id = this.newId(def);
    this.events.push({ ...fields, ReplayId: this.events.length + 1, CreatedDate: new Date().toISOString(), EventUuid: uuid, attributes: { type: def.name } });
    if (typeof key === 'string') this.countWrite(def.name, `${key}#${String(fields['Version__c'] ?? '')}`, fields);
    return { id, success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED', message: uuid, fields: [] }] };
  }

  private recordFault(key: string): RecordError | undefined {
    const injected = this.faults.recordErrors.get(key);
    if (injected) {
      const times = (injected.times ?? Infinity) - 1;
      if (times <= 0) this.faults.recordErrors.delete(key);
      else injected.times = times;
      return { statusCode: injected.statusCode, message: injected.message, fields: injected.fields };
    }
    if (this.faults.lockedRows > 0) {
      this.faults.lockedRows--;
      return { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record or 1 records', fields: [] };
    }
    return undefined;
  }

  private externalIndex(object: string, field: string): Map<string, string> {
    const k = `${object}.${field}`;
    let m = this.byExternalId.get(k);
    if (!m) this.byExternalId.set(k, (m = new Map()));
    return m;
  }

  private countWrite(object: string, key: string, fields: SObjectRecord): void {
    const k = `${object}/${key}`;
    this.writes.set(k, (this.writes.get(k) ?? 0) + 1);
    this.onWrite?.(object, fields, Date.now());
  }

  private newId(def: ObjectDefinition): string {
    return `${def.keyPrefix}5e${String(++this.sequence).padStart(10, '0')}AAA`;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badRequest(errorCode: string, message: string): OrgResponse {
  return { status: 400, body: [{ message, errorCode }] };
}

function notFound(object: string): OrgResponse {
  return { status: 404, body: [{ message: `The requested resource does not exist: sObject type '${object}' is not supported.`, errorCode: 'NOT_FOUND' }] };
}

/** The claims of a JWT, unverified (the emulator trusts its clients' keys; a real org verifies the certificate). */
function decodeJwtClaims(jwt: string | null): Record<string, unknown> | undefined {
  const payload = jwt?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}
