/**
 * The sObjects the emulated org knows: the standard `Order` with the custom fields docs/salesforce.md
 * asks an admin to create, and the `Order_Status_Change__e` platform event. Field names are the API
 * names a real org uses; an unknown field in a write is refused per record with `INVALID_FIELD`, as
 * Salesforce does ("No such column 'X' on sobject of type Order").
 */

/** One error of a record, the shape of Salesforce's SaveResult/UpsertResult `errors[]` items. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A stored record: field API name → value (strings, numbers, booleans, null). */
export type SObjectRecord = Record<string, unknown>;

export interface ObjectDefinition {
  /** API name, e.g. `Order`, `Order_Status_Change__e`. */
  name: string;
  /** The first three characters of its record ids (`801` for Order, as in a real org). */
  keyPrefix: string;
  /** `event`: a platform event (publish only, never stored for query). */
  kind: 'sobject' | 'event';
  /** Fields a client may write. */
  fields: readonly string[];
  /** Fields marked External ID (upsert keys). */
  externalIds: readonly string[];
  /** Fields set by the platform (readable, never writable). */
  system: readonly string[];
  /** The errors an insert of `record` meets (required fields, allowed values), beyond unknown fields. */
  validateInsert?: (record: SObjectRecord) => RecordError[];
  /** The org's validation rules on update: `prior` is the stored record, `next` the fields written. */
  validateUpdate?: (prior: SObjectRecord, next: SObjectRecord) => RecordError[];
}

/**
 * The message prefix of the validation rules docs/salesforce.md asks for (`Order_Visibility_Version_Monotonic`,
 * `Order_Visibility_Exception_Stays_Closed`): an update that would put an older state over a newer one is
 * refused with FIELD_CUSTOM_VALIDATION_EXCEPTION and this text — the org itself compares versions, so
 * replicas racing on one order can never leave the older status last.
 */
export const STALE_VERSION = 'STALE_VERSION';

/** `AND(NOT(ISNEW()), Order_Visibility_Version__c < PRIORVALUE(Order_Visibility_Version__c))`. */
function versionMonotonic(prior: SObjectRecord, next: SObjectRecord): RecordError[] {
  const before = prior['Order_Visibility_Version__c'];
  const after = next['Order_Visibility_Version__c'];
  if (typeof before === 'number' && typeof after === 'number' && after < before) {
    return [
      {
        statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: `${STALE_VERSION}: version ${after} is older than the stored version ${before}`,
        fields: [],
      },
    ];
  }
  return [];
}

/** The custom fields of Order the connector's default mapping writes (docs/salesforce.md lists them). */
export const ORDER_VISIBILITY_FIELDS = [
  'Order_Visibility_Id__c',
  'Order_Visibility_Number__c',
  'Order_Visibility_Status__c',
  'Order_Visibility_Previous_Status__c',
  'Order_Visibility_Version__c',
  'Order_Visibility_Changed_At__c',
] as const;

/**
 * A new standard Order needs an Account, a start date and the Draft status; activation is a separate
 * step. Missing fields: REQUIRED_FIELD_MISSING with the fields named
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_order.htm).
 */
function validateOrderInsert(record: SObjectRecord): RecordError[] {
  const missing = ['AccountId', 'EffectiveDate', 'Status'].filter(
    (f) => record[f] === undefined || record[f] === null || record[f] === '',
  );
  if (missing.length > 0)
    return [
      {
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: `Required fields are missing: [${missing.join(', ')}]`,
        fields: missing,
      },
    ];
  if (record['Status'] !== 'Draft') {
    return [
      {
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: `A new order must have Status Draft; received ${JSON.stringify(record['Status'])}`,
        fields: ['Status'],
      },
    ];
  }
  if (typeof record['EffectiveDate'] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(record['EffectiveDate'])) {
    return [
      {
        statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
        message: `Order Start Date: value not of required type: ${JSON.stringify(record['EffectiveDate'])}`,
        fields: ['EffectiveDate'],
      },
    ];
  }
  if (typeof record['AccountId'] !== 'string' || !/^001[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(record['AccountId'])) {
    return [
      {
        statusCode: 'MALFORMED_ID',
        message: `Account ID: id value of incorrect type: ${JSON.stringify(record['AccountId'])}`,
        fields: ['AccountId'],
      },
    ];
  }
  return [];
}

/** The standard Order with the order-visibility custom fields. */
export const ORDER: ObjectDefinition = {
  name: 'Order',
  keyPrefix: '801',
  kind: 'sobject',
  fields: ['AccountId', 'EffectiveDate', 'Status', 'Description', 'OrderReferenceNumber', ...ORDER_VISIBILITY_FIELDS],
  externalIds: ['Order_Visibility_Id__c'],
  system: ['Id', 'OrderNumber', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'],
  validateInsert: validateOrderInsert,
  validateUpdate: versionMonotonic,
};

/** The platform event the connector publishes and the LWC listens to through lightning/empApi. */
export const ORDER_STATUS_CHANGE_EVENT: ObjectDefinition = {
  name: 'Order_Status_Change__e',
  keyPrefix: 'e00',
  kind: 'event',
  fields: [
    'Order_Visibility_Id__c',
    'Order_Number__c',
    'Status__c',
    'Previous_Status__c',
    'Version__c',
    'Changed_At__c',
  ],
  externalIds: [],
  system: ['ReplayId', 'CreatedDate', 'EventUuid'],
};

/** An Account, so the examples can query what an Order points at. */
export const ACCOUNT: ObjectDefinition = {
  name: 'Account',
  keyPrefix: '001',
  kind: 'sobject',
  fields: ['Name'],
  externalIds: [],
  system: ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'],
};

/** Business exceptions of an order (DELIVERY_OVERDUE, …), upserted by the connector from exception.opened/closed. */
export const ORDER_VISIBILITY_EXCEPTION: ObjectDefinition = {
  name: 'Order_Visibility_Exception__c',
  keyPrefix: 'a0X',
  kind: 'sobject',
  fields: [
    'Exception_Id__c',
    'Order_Visibility_Id__c',
    'Type__c',
    'State__c',
    'Subject__c',
    'Since__c',
    'Opened_At__c',
    'Closed_At__c',
    'Close_Reason__c',
  ],
  externalIds: ['Exception_Id__c'],
  system: ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'],
  /** `AND(NOT(ISNEW()), PRIORVALUE(State__c) = 'Closed', State__c = 'Open')`: a closed exception is never reopened by a late event. */
  validateUpdate: (prior, next) =>
    prior['State__c'] === 'Closed' && next['State__c'] === 'Open'
      ? [
          {
            statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: `${STALE_VERSION}: the exception is closed; a late open does not reopen it`,
            fields: [],
          },
        ]
      : [],
};

/** What `startSalesforceEmulator` knows by default. */
export const DEFAULT_OBJECTS: readonly ObjectDefinition[] = [
  ORDER,
  ORDER_STATUS_CHANGE_EVENT,
  ACCOUNT,
  ORDER_VISIBILITY_EXCEPTION,
];
