import type { CloudEvent } from '../canonical/index.js';
import type { StreamId } from './bus.js';

/**
 * CloudEvents extension attributes the bus adds when it moves an entry to `deadLetterStream(stream)`.
 * The dead-letter entry's event is the original event, unchanged apart from these and a fresh
 * `recordedtime`, so it can be inspected and re-published as is (after {@link withoutDeadLetter}).
 * Names follow the extension naming rule (lower-case alphanumerics, at most 20 characters):
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md#attribute-naming-convention
 */
export interface DeadLetterAttributes {
  /** The entry's id in the original stream. */
  deadletterid: StreamId;
  /** How many times the entry was delivered before the group gave up. */
  deadletterdeliveries: number;
  /** The consumer group that gave up. */
  deadlettergroup: string;
  /** The last handler error, or why the entry was given up (e.g. its consumers stopped acknowledging). */
  deadlettererror: string;
}

/** An event on a dead-letter stream. */
export type DeadLetterEvent = CloudEvent & DeadLetterAttributes;

/** The dead-letter form of `event`. */
export function deadLetterEvent(event: CloudEvent, attrs: DeadLetterAttributes): DeadLetterEvent {
  return { ...withoutDeadLetter(event), ...attrs };
}

/** True when `event` came from a dead-letter stream. */
export function isDeadLetterEvent(event: CloudEvent): event is DeadLetterEvent {
  const e = event as Partial<DeadLetterEvent>;
  return typeof e.deadletterid === 'string' && typeof e.deadletterdeliveries === 'number';
}

/** The original event of a dead-letter event (the dead-letter attributes removed), ready to re-publish. */
export function withoutDeadLetter(event: CloudEvent): CloudEvent {
  const {
    deadletterid: _i,
    deadletterdeliveries: _d,
    deadlettergroup: _g,
    deadlettererror: _e,
    ...original
  } = event as DeadLetterEvent;
  return original;
}

/** The `deadlettererror` of an entry whose consumers never acknowledged it (they died or hung). */
export const unacknowledged = (deliveries: number): string =>
  `not acknowledged after ${deliveries} deliveries (its consumers stopped responding)`;
