import type { SystemName } from './systems.js';
/** Where a canonical event comes from: a system (lower case), or `visibility` for derived events. */
export type EventSource = SystemName | 'visibility';

/**
 * A CloudEvents 1.0 envelope, structured mode, JSON data
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md).
 * `id` is the idempotency key; `subject` is always the order id.
 */
export interface CloudEvent<T = Record<string, unknown>> {
  specversion: '1.0';
  /** Unique per source; a redelivery carries the same id. */
  id: string;
  source: EventSource;
  /** e.g. `shipment.delivered`, `order.status_changed` (CANONICAL_MODEL.md, "Events"). */
  type: string;
  /** The order id. */
  subject: string;
  /** When it happened in the source system (ISO-8601 UTC). */
  time: string;
  datacontenttype: 'application/json';
  data: T;
  /** Extension attribute set by the bus: when the event was recorded (ISO-8601 UTC). */
  recordedtime?: string;
}

/** Builds an envelope with the fixed attributes filled in. */
export function cloudEvent<T>(e: Omit<CloudEvent<T>, 'specversion' | 'datacontenttype'>): CloudEvent<T> {
  return { specversion: '1.0', datacontenttype: 'application/json', ...e };
}
