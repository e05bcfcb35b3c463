import type { ObjectDefinition, RecordError, SObjectRecord } from './objects.js';
import { notFound, type OrgResponse } from './responses.js';

/**
 * The checks a real org applies before a write, free of state: the upsert target (an sObject with
 * that External ID field), the external id value, and unknown fields. Insert and update rules of an
 * object (required fields, validation rules) are its own (`validateInsert` / `validateUpdate` in
 * objects.ts). Messages follow what a real org answers
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 */

/** Whether `object` can be upserted by `field`: undefined, or the 404 a real org answers. */
export function externalIdTargetProblem(
  def: ObjectDefinition | undefined,
  object: string,
  field: string,
): OrgResponse | undefined {
  if (!def || def.kind === 'event') return notFound(object);
  if (!def.externalIds.includes(field)) {
    return {
      status: 404,
      body: [
        { message: `Provided external ID field does not exist or is not accessible: ${field}`, errorCode: 'NOT_FOUND' },
      ],
    };
  }
  return undefined;
}

/** The external id value of a record, or REQUIRED_FIELD_MISSING when it has none. */
export function externalIdValue(fields: SObjectRecord, field: string): string | RecordError {
  const value = fields[field];
  if (typeof value !== 'string' || value === '') {
    return {
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: `Required fields are missing: [${field}]`,
      fields: [field],
    };
  }
  return value;
}

/** INVALID_FIELD for the first field the object does not have, or undefined. */
export function unknownFieldError(def: ObjectDefinition, fields: SObjectRecord): RecordError | undefined {
  const unknown = Object.keys(fields).filter((f) => !def.fields.includes(f));
  if (unknown.length === 0) return undefined;
  return {
    statusCode: 'INVALID_FIELD',
    message: `No such column '${unknown[0]}' on sobject of type ${def.name}`,
    fields: unknown,
  };
}
