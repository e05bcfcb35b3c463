/** One page of a keyset-paged list. */
export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Pass as `after` for the next page; null for an empty page. */
  endCursor: string | null;
}

/** A keyset cursor: the sort time and a tie-breaking key, base64url-encoded. */
export function encodeCursor(at: string, key: string): string {
  return Buffer.from(JSON.stringify([at, key])).toString('base64url');
}

/** The cursor's parts; throws {@link InvalidCursorError} for anything this store did not hand out. */
export function decodeCursor(cursor: string): { at: string; key: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      typeof v[1] === 'string'
    )
      return { at: v[0], key: v[1] };
  } catch {
    // fall through
  }
  throw new InvalidCursorError(cursor);
}

/** An `after` cursor this store did not hand out. */
export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(
      `after: expected a cursor returned as endCursor by the previous page, got ${JSON.stringify(cursor.slice(0, 80))}`,
    );
    this.name = 'InvalidCursorError';
  }
}

/** Validates a page size: an integer from 1 to `max`. */
export function pageSize(first: number | null | undefined, fallback = 50, max = 200): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new RangeError(`first: expected an integer from 1 to ${max}, got ${JSON.stringify(first)}`);
  return n;
}
