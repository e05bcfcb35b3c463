import type { RecordError } from './objects.js';

/** A per-record error to inject on writes of the record with this external id (or event `Order_Visibility_Id__c`). */
export interface InjectedRecordError extends RecordError {
  /** How many writes it fails before healing. @default Infinity (a non-healing error) */
  times?: number;
}

/** Faults the tests and the demo turn on (all off by default). */
export interface OrgFaults {
  /** Answer this many REST calls with 503 SERVER_UNAVAILABLE. */
  unavailableCalls: number;
  /** Answer REST calls with 403 REQUEST_LIMIT_EXCEEDED while true. */
  requestLimitExceeded: boolean;
  /** Per-record errors by external id value. */
  recordErrors: Map<string, InjectedRecordError>;
  /** The next this many record writes fail with UNABLE_TO_LOCK_ROW (transient). */
  lockedRows: number;
}

/** Every fault off. */
export const noFaults = (): OrgFaults => ({
  unavailableCalls: 0,
  requestLimitExceeded: false,
  recordErrors: new Map(),
  lockedRows: 0,
});

/** The injected error a write of the record `key` meets now (using it up), or undefined. */
export function takeRecordFault(faults: OrgFaults, key: string): RecordError | undefined {
  const injected = faults.recordErrors.get(key);
  if (injected) {
    const times = (injected.times ?? Infinity) - 1;
    if (times <= 0) faults.recordErrors.delete(key);
    else injected.times = times;
    return { statusCode: injected.statusCode, message: injected.message, fields: injected.fields };
  }
  if (faults.lockedRows > 0) {
    faults.lockedRows--;
    return {
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record or 1 records',
      fields: [],
    };
  }
  return undefined;
}
