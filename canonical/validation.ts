/** Longest id the graph accepts. */
export const MAX_ID_LENGTH = 64;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks an identifier argument. Returns null when valid, else a message saying what was expected
 * and what arrived (never echoing the raw value, which may be hostile).
 */
export function checkId(argument: string, value: string): string | null {
  if (value.length === 0) return `${argument} must be a non-empty id; received an empty string`;
  if (value.length > MAX_ID_LENGTH)
    return `${argument} must be at most ${MAX_ID_LENGTH} characters; received ${value.length}`;
  if (CONTROL.test(value))
    return `${argument} must not contain control characters; received one at position ${value.search(CONTROL)}`;
  return null;
}

/** Strict ISO-8601 date-time with a zone (what the DateTime scalar accepts). */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO-8601 / RFC 3339 date-time to a normalized UTC string, or null when it is not one.
 * Calendar dates must exist (no 30 February) and hours run 00-23: `Date.parse` alone would roll
 * such values over into another day.
 */
export function parseDateTime(value: string): string | null {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (
    hour > 23 ||
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  )
    return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
