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

/** The event types the connector handles; others are acknowledged and skipped. */
export const HANDLED_TYPES: ReadonlySet<string> = new Set([ORDER_STATUS_CHANGED]);

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
  if (typeof orderId !== 'string' || orderId === '') problems.push(`data.orderId (or subject): a non-empty string, received ${JSON.stringify(orderId)}`);
  if (typeof status !== 'string' || status === '') problems.push(`data.status: a non-empty string, received ${JSON.stringify(status)}`);
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) problems.push(`data.version: a non-negative integer, received ${JSON.stringify(version)}`);
  if (previousStatus !== null && typeof previousStatus !== 'string') problems.push(`data.previousStatus: a string or null, received ${JSON.stringify(previousStatus)}`);
  if (customerId !== null && typeof customerId !== 'string') problems.push(`data.customerId: a string or null, received ${JSON.stringify(customerId)}`);
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
