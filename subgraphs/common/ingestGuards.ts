/**
 * What ingest's guards answer (docs/ingest.md, "Guards"): a record conflict (409), a guard's
 * refusal of a whole notification (409 and `ingest.refused`), and the findings of an apply that
 * refused part of an event or corrected it (200 and `ingest.refused` / `ingest.corrected`).
 */
import {
  cloudEvent,
  EventType,
  type CloudEvent,
  type EventSource,
  type IngestFinding,
  type IngestFindingData,
  type IngestFindingReason,
} from '../../canonical/index.js';
import type { ApplyResult, PlannedEvent } from './ingest.js';

/** The notification refers to a record the system does not have (yet), or contradicts one: HTTP 409. */
export class RecordConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordConflictError';
  }
}

/**
 * A guard refused the whole notification (a contradiction, money that does not add up): HTTP 409,
 * and an `ingest.refused` event on the bus with the reason.
 */
export class GuardRefusal extends RecordConflictError {
  constructor(
    readonly reason: IngestFindingReason,
    message: string,
    readonly details: Pick<IngestFinding, 'reported' | 'applied' | 'lines'> = {},
  ) {
    super(message);
    this.name = 'GuardRefusal';
  }
}

/** An apply whose guards refused part of the event or corrected it (docs/ingest.md, "Guards"). */
export interface GuardedApply {
  result: ApplyResult;
  findings: IngestFinding[];
}

/** Applied, with what the guards refused or corrected (none → a plain 'applied'). */
export const guarded = (findings: IngestFinding[], result: ApplyResult = 'applied'): ApplyResult | GuardedApply =>
  findings.length ? { result, findings } : result;

/** A finding ready to publish: the CloudEvent `ingest.refused` / `ingest.corrected` about `concerned`. */
export function findingEvent(concerned: PlannedEvent, finding: IngestFinding, index: number, at: string): CloudEvent {
  const e = concerned.event;
  const data: IngestFindingData = {
    reason: finding.reason,
    message: finding.message,
    eventId: e.id,
    eventType: e.type,
    occurredAt: e.time,
    entity: concerned.entity,
    ...(finding.lines ? { lines: finding.lines } : {}),
    ...(finding.reported ? { reported: finding.reported } : {}),
    ...(finding.applied ? { applied: finding.applied } : {}),
  };
  return cloudEvent({
    id: `${e.id}:${finding.kind}:${index}`,
    source: e.source as EventSource,
    type: finding.kind === 'refused' ? EventType.INGEST_REFUSED : EventType.INGEST_CORRECTED,
    subject: e.subject ?? '',
    time: at,
    data: data as unknown as Record<string, unknown>,
  });
}

/** One finding in a webhook's answer. */
export type FindingSummary = Pick<
  IngestFindingData,
  'eventId' | 'reason' | 'message' | 'lines' | 'reported' | 'applied'
>;

/** The part of a finding event a webhook's answer shows. */
export function summarize(e: CloudEvent): FindingSummary {
  const d = e.data as unknown as IngestFindingData;
  return {
    eventId: d.eventId,
    reason: d.reason,
    message: d.message,
    ...(d.lines ? { lines: d.lines } : {}),
    ...(d.reported ? { reported: d.reported } : {}),
    ...(d.applied ? { applied: d.applied } : {}),
  };
}
