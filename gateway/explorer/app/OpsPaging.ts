import { useState } from 'react';

/**
 * Keyset paging over a connection (`first`/`after`, forward only): the cursors of the pages seen
 * so far, so the console can go back as well as on.
 */
export function usePages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    /** The `after` of the current page (null: the first). */
    after: cursors[cursors.length - 1] ?? null,
    /** 1 for the first page. */
    page: cursors.length,
    next: (endCursor: string) => setCursors((c) => [...c, endCursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    first: () => setCursors([null]),
  };
}

/** Reads a page size from an input, within the graph's limits (1 to 200). */
export const pageSizeOf = (value: string, fallback: number): number => {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(200, Math.max(1, n)) : fallback;
};
