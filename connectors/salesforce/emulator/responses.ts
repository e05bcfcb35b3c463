import type { RecordError } from './objects.js';

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

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 400 with Salesforce's error list `[{ message, errorCode }]`. */
export function badRequest(errorCode: string, message: string): OrgResponse {
  return { status: 400, body: [{ message, errorCode }] };
}

/** 404 for an sObject type the org does not know. */
export function notFound(object: string): OrgResponse {
  return {
    status: 404,
    body: [
      {
        message: `The requested resource does not exist: sObject type '${object}' is not supported.`,
        errorCode: 'NOT_FOUND',
      },
    ],
  };
}

/** A single-record call refused: 400 with the record's errors as `[{ message, errorCode, fields }]`. */
export function refusedRecord(errors: RecordError[]): OrgResponse {
  return { status: 400, body: errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
}
