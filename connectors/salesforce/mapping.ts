import type { StatusChange } from './change.js';
import type { OrderFacts } from './facts.js';

/** A value the connector can put in a Salesforce field. */
export const SOURCES = [
  'orderId',
  'orderNumber',
  'status',
  'previousStatus',
  'version',
  'changedAt',
  'customerId',
  'salesforceAccountId',
  'placedAt',
  'placedDate',
] as const;
export type Source = (typeof SOURCES)[number];

/**
 * Salesforce field API name → where its value comes from: a {@link Source}, or a constant written
 * `=<value>` (e.g. `"Status": "=Draft"`). Fields whose value is null are left out of the record.
 */
export type FieldMap = Readonly<Record<string, string>>;

/**
 * The default mapping onto the standard Order: the order-visibility custom fields, plus what a real
 * org requires of a new Order — an Account (`salesforceAccountId` of the customer), a start date
 * (`placedAt`, as a date) and the Draft status.
 */
export const DEFAULT_ORDER_FIELD_MAP: FieldMap = {
  Order_Visibility_Id__c: 'orderId',
  Order_Visibility_Number__c: 'orderNumber',
  Order_Visibility_Status__c: 'status',
  Order_Visibility_Previous_Status__c: 'previousStatus',
  Order_Visibility_Version__c: 'version',
  Order_Visibility_Changed_At__c: 'changedAt',
  AccountId: 'salesforceAccountId',
  EffectiveDate: 'placedDate',
  Status: '=Draft',
};

/** The default mapping onto the `Order_Status_Change__e` platform event. */
export const DEFAULT_EVENT_FIELD_MAP: FieldMap = {
  Order_Visibility_Id__c: 'orderId',
  Order_Number__c: 'orderNumber',
  Status__c: 'status',
  Previous_Status__c: 'previousStatus',
  Version__c: 'version',
  Changed_At__c: 'changedAt',
};

const FACT_SOURCES: ReadonlySet<string> = new Set(['orderNumber', 'salesforceAccountId', 'placedAt', 'placedDate']);

/** True when a mapping needs the order's facts (number, account, placement) beyond the event. */
export function needsFacts(...maps: FieldMap[]): boolean {
  return maps.some((m) => Object.values(m).some((s) => FACT_SOURCES.has(s)));
}

/** Problems of a mapping (empty when valid): unknown sources, bad field names, the key field not mapped to orderId. */
export function checkFieldMap(name: string, map: unknown, keyField?: string): string[] {
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    return [`${name}: expected a JSON object of field → source; received ${JSON.stringify(map)}`];
  const problems: string[] = [];
  for (const [field, source] of Object.entries(map)) {
    if (!/^[A-Za-z]\w*$/.test(field)) problems.push(`${name}: "${field}" is not a Salesforce field API name`);
    if (typeof source !== 'string' || (!source.startsWith('=') && !(SOURCES as readonly string[]).includes(source))) {
      problems.push(
        `${name}.${field}: expected one of ${SOURCES.join(', ')} or "=<constant>"; received ${JSON.stringify(source)}`,
      );
    }
  }
  if (keyField !== undefined && (map as Record<string, unknown>)[keyField] !== 'orderId') {
    problems.push(
      `${name}: the external-id field ${keyField} must map to "orderId"; received ${JSON.stringify((map as Record<string, unknown>)[keyField])}`,
    );
  }
  return problems;
}

/** The record for `change` under `map` (facts null when unknown: their fields are left out). */
export function toRecord(
  map: FieldMap,
  change: StatusChange,
  facts: OrderFacts | null,
): Record<string, string | number> {
  const values: Record<Source, string | number | null> = {
    orderId: change.orderId,
    orderNumber: facts?.number ?? null,
    status: change.status,
    previousStatus: change.previousStatus,
    version: change.version,
    changedAt: change.changedAt,
    customerId: change.customerId,
    salesforceAccountId: facts?.salesforceAccountId ?? null,
    placedAt: facts?.placedAt ?? null,
    placedDate: facts?.placedAt ? facts.placedAt.slice(0, 10) : null,
  };
  const record: Record<string, string | number> = {};
  for (const [field, source] of Object.entries(map)) {
    const v = source.startsWith('=') ? source.slice(1) : values[source as Source];
    if (v !== null && v !== undefined) record[field] = v;
  }
  return record;
}
