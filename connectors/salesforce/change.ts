import { ORDER_STATUS_CHANGED, type CloudEvent } from '../../canonical/index.js';

/** What the connector writes for one `order.status_changed` event (source `visibility`). */
export interface StatusChange {
  /** The order id, the record's external id value. */
  orderId: string;
  status: string;
  previousStatus: string | null;
  /** The tracker's version of this status: a higher version is a newer status, whatever the arrival order. */
  version: number;
  /** When the change happened (the event's `time`). */
  changedAt: string;
  customerId: string | null;
  /** The bus event id (the idempotency key). */
  eventId: string;
}

/** The business-exception events (source `visibility`, stream `ovg.events.exceptions`); data = the exception record. */
export const EXCEPTION_OPENED = 'exception.opened';
export const EXCEPTION_CLOSED = 'exception.closed';

/** `order.status_changed`. */
export const ORDER_STATUS_CHANGED_TYPE = ORDER_STATUS_CHANGED;

/** The event types the connector handles; others are acknowledged and skipped. */
export const HANDLED_TYPES: ReadonlySet<string> = new Set([ORDER_STATUS_CHANGED, EXCEPTION_OPENED, EXCEPTION_CLOSED]);

/** What the connector writes for an `exception.opened` / `exception.closed` event. */
export interface ExceptionChange {
  exceptionId: string;
  orderId: string;
  /** ExceptionType, e.g. DELIVERY_OVERDUE. */
  type: string;
  /** What within the order it is about (a shipment, a return); '' for the order itself. */
  subjectKey: string;
  state: 'Open' | 'Closed';
  /** Since when the condition holds. */
  since: string;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
  /** 1 = opened, 2 = closed: a close is never overwritten by a late open. */
  version: number;
  eventId: string;
}

/** The change an exception event carries, or what was expected and what arrived. */
export function exceptionChangeOf(event: CloudEvent): ExceptionChange | string {
  const d = event.data;
  const problems: string[] = [];
  const str = (name: string, nullable = false): string | null => {
    const v = d[name];
    if (typeof v === 'string' && (v !== '' || name === 'subjectKey')) return v;
    if (nullable && (v === null || v === undefined)) return null;
    problems.push(
      `data.${name}: ${nullable ? 'a string or null' : 'a non-empty string'}, received ${JSON.stringify(v)}`,
    );
    return null;
  };
  const id = str('id');
  const orderId = str('orderId');
  const type = str('type');
  const since = str('since');
  const openedAt = str('openedAt');
  const closedAt = str('closedAt', true);
  const closeReason = str('closeReason', true);
  const subjectKey = typeof d['subjectKey'] === 'string' ? d['subjectKey'] : '';
  if (problems.length > 0) return `${event.type} ${event.id}: expected ${problems.join('; ')}`;
  const closed = event.type === EXCEPTION_CLOSED;
  return {
    exceptionId: id!,
    orderId: orderId!,
    type: type!,
    subjectKey,
    state: closed ? 'Closed' : 'Open',
    since: since!,
    openedAt: openedAt!,
    closedAt,
    closeReason,
    version: closed ? 2 : 1,
    eventId: event.id,
  };
}

/** The record of an exception on `Order_Visibility_Exception__c` (docs/salesforce.md). */
export function exceptionRecord(x: ExceptionChange): Record<string, string | number> {
  const r: Record<string, string | number> = {
    Exception_Id__c: x.exceptionId,
    Order_Visibility_Id__c: x.orderId,
    Type__c: x.type,
    State__c: x.state,
    Since__c: x.since,
    Opened_At__c: x.openedAt,
  };
  if (x.subjectKey) r['Subject__c'] = x.subjectKey;
  if (x.closedAt) r['Closed_At__c'] = x.closedAt;
  if (x.closeReason) r['Close_Reason__c'] = x.closeReason.slice(0, 255);
  return r;
}

/**
 * The change an `order.status_changed` event carries, or a message saying what was expected and what
 * arrived (such an event can never be written: the connector dead-letters it).
 */
export function statusChangeOf(event: CloudEvent): StatusChange | string {
  const d = event.data;
  const orderId = d['orderId'] ?? event.subject;
  const { status, version } = d;
  const previousStatus = d['previousStatus'] ?? null;
  const customerId = d['customerId'] ?? null;
  const problems: string[] = [];
  if (typeof orderId !== 'string' || orderId === '')
    problems.push(`data.orderId (or subject): a non-empty string, received ${JSON.stringify(orderId)}`);
  if (typeof status !== 'string' || status === '')
    problems.push(`data.status: a non-empty string, received ${JSON.stringify(status)}`);
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    problems.push(`data.version: a non-negative integer, received ${JSON.stringify(version)}`);
  if (previousStatus !== null && typeof previousStatus !== 'string')
    problems.push(`data.previousStatus: a string or null, received ${JSON.stringify(previousStatus)}`);
  if (customerId !== null && typeof customerId !== 'string')
    problems.push(`data.customerId: a string or null, received ${JSON.stringify(customerId)}`);
  if (problems.length > 0) return `order.status_changed ${event.id}: expected ${problems.join('; ')}`;
  return {
    orderId: orderId as string,
    status: status as string,
    previousStatus: previousStatus as string | null,
    version: version as number,
    changedAt: event.time,
    customerId: customerId as string | null,
    eventId: event.id,
  };
}
