import { OrgAuth } from './auth.js';
import { noFaults, takeRecordFault, type OrgFaults } from './faults.js';
import { DEFAULT_OBJECTS, type ObjectDefinition, type SObjectRecord } from './objects.js';
import { badRequest, isRecord, notFound, refusedRecord, type OrgResponse, type SaveResult } from './responses.js';
import { MalformedQuery, parseSoql, runSoql } from './soql.js';
import { RecordStore } from './store.js';
import { externalIdTargetProblem, externalIdValue, unknownFieldError } from './validation.js';

export type { InjectedRecordError, OrgFaults } from './faults.js';
export type { OrgResponse, SaveResult } from './responses.js';

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
 * The state and behaviour of one emulated Salesforce org, free of HTTP (server.ts maps requests to
 * these methods): the admission of each call (session, injected faults, the daily allocation) and
 * the REST resources' semantics. Shapes follow the REST API Developer Guide; each method cites its
 * page. Tokens live in auth.ts, records in store.ts, the checks before a write in validation.ts,
 * injected faults in faults.ts.
 */
export class EmulatedOrg {
  readonly orgId: string;
  readonly userId: string;
  readonly faults: OrgFaults = noFaults();
  readonly stats: OrgStats = { apiCalls: 0, byKind: {}, logins: 0, calls: [] };
  dailyApiLimit: number;
  private apiUsedBefore: number;
  private readonly auth: OrgAuth;
  private readonly store: RecordStore;

  constructor(opts: EmulatedOrgOptions = {}) {
    this.orgId = opts.orgId ?? '00D5e000000EMULAAA';
    this.userId = opts.userId ?? '0055e000001EMULAAA';
    this.auth = new OrgAuth(this.orgId, this.userId, opts.clients ?? { 'ovg-connector': 'dev-secret' });
    this.dailyApiLimit = opts.dailyApiLimit ?? 100_000;
    this.apiUsedBefore = opts.apiUsed ?? 0;
    this.store = new RecordStore(opts.objects ?? DEFAULT_OBJECTS);
  }

  /** Successful writes per record (`<Object>/<external id value>`): how many times each change landed. */
  get writes(): Map<string, number> {
    return this.store.writes;
  }

  /** Published platform events, oldest first, with their ReplayId. */
  get events(): SObjectRecord[] {
    return this.store.events;
  }

  /** Called after each successful record write (upsert or event publish), e.g. by the benchmark to time arrivals. */
  get onWrite(): ((object: string, fields: SObjectRecord, at: number) => void) | undefined {
    return this.store.onWrite;
  }

  set onWrite(f: ((object: string, fields: SObjectRecord, at: number) => void) | undefined) {
    this.store.onWrite = f;
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
    this.auth.expireAll();
  }

  /** The stored records of an object (a copy of each). */
  list(object: string): SObjectRecord[] {
    return this.store.list(object);
  }

  /** The record with this external id value, or undefined. */
  find(object: string, field: string, value: string): SObjectRecord | undefined {
    return this.store.find(object, field, value);
  }

  /** The OAuth 2.0 token endpoint (auth.ts); a token issued counts as a login. */
  token(form: URLSearchParams, baseUrl: string): OrgResponse {
    const r = this.auth.token(form, baseUrl);
    if (r.status === 200) this.stats.logins++;
    return r;
  }

  /**
   * Checks a REST call before it runs, counting it: the bearer token (401 INVALID_SESSION_ID), then
   * the injected outage (503) and the allocation (403 REQUEST_LIMIT_EXCEEDED)
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
   * Returns the error response, or undefined to go on.
   */
  admit(authorization: string | undefined, kind: string): OrgResponse | undefined {
    if (!this.auth.authorized(authorization)) {
      return { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    }
    if (this.faults.unavailableCalls > 0) {
      this.faults.unavailableCalls--;
      return {
        status: 503,
        body: [{ message: 'Server unavailable, try again later', errorCode: 'SERVER_UNAVAILABLE' }],
      };
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
    const bad = externalIdTargetProblem(this.store.definition(object), object, field);
    if (bad) return bad;
    if (!isRecord(body)) return badRequest('JSON_PARSER_ERROR', 'expected a JSON object with the record fields');
    const r = this.upsertRecord(object, field, { ...body, [field]: value });
    if (!r.success) return refusedRecord(r.errors);
    return { status: r.created ? 201 : 200, body: r };
  }

  /**
   * Upsert up to 200 records by external id with sObject Collections: 200 and one UpsertResult per
   * record, in order; with `allOrNone` false each record stands alone
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm).
   */
  upsertCollection(object: string, field: string, body: unknown): OrgResponse {
    const bad = externalIdTargetProblem(this.store.definition(object), object, field);
    if (bad) return bad;
    const records = isRecord(body) && Array.isArray(body['records']) ? body['records'] : undefined;
    if (!records) return badRequest('JSON_PARSER_ERROR', 'expected { "allOrNone": boolean, "records": [ … ] }');
    if (records.length > 200)
      return badRequest(
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than 200 records into this call; received ${records.length}`,
      );
    if (isRecord(body) && body['allOrNone'] === true)
      return badRequest('INVALID_FIELD', 'allOrNone true is not emulated; send false');
    const results = records.map((rec: unknown): SaveResult => {
      if (!isRecord(rec))
        return {
          success: false,
          errors: [{ statusCode: 'JSON_PARSER_ERROR', message: 'expected a record object', fields: [] }],
        };
      const { attributes, ...fields } = rec;
      const type = isRecord(attributes) ? attributes['type'] : undefined;
      if (type !== object)
        return {
          success: false,
          errors: [
            {
              statusCode: 'INVALID_TYPE',
              message: `each record's attributes.type must be ${object}; received ${JSON.stringify(type)}`,
              fields: [],
            },
          ],
        };
      return this.upsertRecord(object, field, fields);
    });
    return { status: 200, body: results };
  }

  /**
   * Publish one platform event: 201 `{ id, success: true, errors: [OPERATION_ENQUEUED …] }`
   * (https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm).
   */
  publishOne(object: string, body: unknown): OrgResponse {
    const def = this.store.definition(object);
    if (!def) return notFound(object);
    if (!isRecord(body)) return badRequest('JSON_PARSER_ERROR', 'expected a JSON object with the event fields');
    if (def.kind !== 'event')
      return badRequest('NOT_FOUND', `plain inserts are not emulated for ${object}; use upsert by external id`);
    const r = this.publishEvent(def, body);
    return r.success ? { status: 201, body: r } : refusedRecord(r.errors);
  }

  /**
   * Publish many platform events with sObject Collections create (`POST /composite/sobjects`): 200
   * and one SaveResult per event
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm).
   */
  publishCollection(body: unknown): OrgResponse {
    const records = isRecord(body) && Array.isArray(body['records']) ? body['records'] : undefined;
    if (!records) return badRequest('JSON_PARSER_ERROR', 'expected { "allOrNone": boolean, "records": [ … ] }');
    if (records.length > 200)
      return badRequest(
        'EXCEEDED_ID_LIMIT',
        `cannot submit more than 200 records into this call; received ${records.length}`,
      );
    return {
      status: 200,
      body: records.map((rec: unknown): SaveResult => {
        if (!isRecord(rec))
          return {
            success: false,
            errors: [{ statusCode: 'JSON_PARSER_ERROR', message: 'expected a record object', fields: [] }],
          };
        const { attributes, ...fields } = rec;
        const def =
          isRecord(attributes) && typeof attributes['type'] === 'string'
            ? this.store.definition(attributes['type'])
            : undefined;
        if (!def || def.kind !== 'event')
          return {
            success: false,
            errors: [
              {
                statusCode: 'INVALID_TYPE',
                message: `attributes.type must name a platform event; received ${JSON.stringify(isRecord(attributes) ? attributes['type'] : undefined)}`,
                fields: [],
              },
            ],
          };
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
      const def = this.store.definition(q.object);
      if (!def || def.kind === 'event')
        return badRequest('INVALID_TYPE', `sObject type '${q.object}' is not supported.`);
      const known = new Set([...def.fields, ...def.system]);
      for (const f of [...q.fields, ...q.where.map((c) => c.field), ...(q.orderBy ? [q.orderBy.field] : [])]) {
        if (!known.has(f)) return badRequest('INVALID_FIELD', `No such column '${f}' on entity '${q.object}'.`);
      }
      const rows = runSoql(q, this.store.rows(q.object));
      if (q.count) return { status: 200, body: { totalSize: rows.length, done: true, records: [] } };
      return {
        status: 200,
        body: {
          totalSize: rows.length,
          done: true,
          records: rows.map((r) => ({
            attributes: {
              type: q.object,
              url: `/services/data/v${apiVersion}/sobjects/${q.object}/${String(r['Id'])}`,
            },
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

  /** One record of an upsert: the external id, per-record faults, unknown fields, the object's rules, then the write. */
  private upsertRecord(object: string, field: string, fields: SObjectRecord): SaveResult {
    const def = this.store.definition(object)!;
    const value = externalIdValue(fields, field);
    if (typeof value !== 'string') return { success: false, errors: [value] };
    const fault = takeRecordFault(this.faults, value);
    if (fault) return { success: false, errors: [fault] };
    const unknown = unknownFieldError(def, fields);
    if (unknown) return { success: false, errors: [unknown] };
    const now = new Date().toISOString();
    const existingId = this.store.idOf(object, field, value);
    if (existingId) {
      const refused = def.validateUpdate?.(this.store.get(object, existingId)!, fields) ?? [];
      if (refused.length > 0) return { success: false, errors: refused };
      this.store.update(object, existingId, value, fields, now);
      return { id: existingId, success: true, errors: [], created: false };
    }
    const errors = def.validateInsert?.(fields) ?? [];
    if (errors.length > 0) return { success: false, errors };
    const id = this.store.insert(def, field, value, fields, now);
    return { id, success: true, errors: [], created: true };
  }

  /** One platform event: per-record faults, unknown fields, then the publish (OPERATION_ENQUEUED with its uuid). */
  private publishEvent(def: ObjectDefinition, fields: SObjectRecord): SaveResult {
    const key = fields['Order_Visibility_Id__c'];
    const fault = typeof key === 'string' ? takeRecordFault(this.faults, key) : undefined;
    if (fault) return { success: false, errors: [fault] };
    const unknown = unknownFieldError(def, fields);
    if (unknown) return { success: false, errors: [unknown] };
    const { id, uuid } = this.store.publish(def, fields);
    return { id, success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED', message: uuid, fields: [] }] };
  }
}
