/**
 * Which Salesforce failures heal by retrying (REST API status codes and error responses:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm, and the
 * StatusCode list of https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).
 * Everything else — INVALID_FIELD, FIELD_CUSTOM_VALIDATION_EXCEPTION, REQUIRED_FIELD_MISSING,
 * MALFORMED_ID, STRING_TOO_LONG, … — fails the same way next time: those go to the dead letters.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'SERVER_UNAVAILABLE',
  'REQUEST_LIMIT_EXCEEDED',
  'UNABLE_TO_LOCK_ROW',
  'INVALID_SESSION_ID',
  'UNKNOWN_EXCEPTION',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  // Two writers inserting one external id at once: the retry finds the record and updates it.
  'DUPLICATE_VALUE',
  'DUPLICATE_EXTERNAL_ID',
]);

/** True when an error code heals by retrying. */
export function isTransientCode(code: string | undefined): boolean {
  if (!code) return true;
  return TRANSIENT_CODES.has(code) || /^ERROR_HTTP_(5\d\d|429|420)$/.test(code);
}

/**
 * True when a thrown call error heals by retrying: network errors and timeouts (no Salesforce error
 * code), 5xx, REQUEST_LIMIT_EXCEEDED, an expired session the refresh could not renew yet.
 */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return true;
  const e = err as { errorCode?: unknown; name?: unknown; status?: unknown; message?: unknown };
  if (e.name === 'LoginError')
    return typeof e.status === 'number' && (e.status >= 500 || e.status === 429 || e.status === 0);
  // jsforce wraps a failed refresh: "Unable to refresh session due to: …" — a login that failed on the network heals.
  if (typeof e.message === 'string' && e.message.startsWith('Unable to refresh session due to: Salesforce login'))
    return /HTTP (5\d\d|429)/.test(e.message);
  return isTransientCode(typeof e.errorCode === 'string' ? e.errorCode : undefined);
}

/** A short, secret-free description of a call error for logs and dead letters. */
export function describeError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as {
    errorCode?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const code =
    typeof e.errorCode === 'string'
      ? e.errorCode
      : typeof e.code === 'string'
        ? e.code
        : typeof e.cause?.code === 'string'
          ? e.cause.code
          : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  return code && !message.startsWith(code) ? `${code}: ${message}` : message || String(err);
}
