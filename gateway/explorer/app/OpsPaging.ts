import { useEffect, useState } from 'react';
import { problemsOf, query } from './opsGraph';

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

/** One page of a connection as the console shows it: its nodes, where the next page starts, and what went wrong. */
export interface ConnectionPage<T> {
  nodes: T[] | undefined;
  hasNext: boolean;
  endCursor: string | null;
  problem: string | undefined;
}

/**
 * Reads one page of the root connection `field` of `document` (`filter`, `first`, `after`) with
 * the operator's token, again whenever `refresh` changes; an answer that arrives after the inputs
 * changed is dropped.
 */
export function useConnectionPage<T>(
  token: string,
  document: string,
  field: string,
  filter: Record<string, unknown>,
  first: number,
  after: string | null,
  refresh: unknown,
): ConnectionPage<T> {
  const [page, setPage] = useState<ConnectionPage<T>>({
    nodes: undefined,
    hasNext: false,
    endCursor: null,
    problem: undefined,
  });
  const filterKey = JSON.stringify(filter);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `filterKey` stands for `filter` (a fresh object each render); `refresh` is the re-read trigger
  useEffect(() => {
    let current = true;
    query<Record<string, { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>>(
      token,
      document,
      {
        filter,
        first,
        after,
      },
    ).then(
      (a) => {
        if (!current) return;
        const connection = a.data?.[field];
        setPage((p) =>
          connection
            ? {
                nodes: connection.nodes,
                hasNext: connection.pageInfo.hasNextPage,
                endCursor: connection.pageInfo.endCursor,
                problem: problemsOf(a),
              }
            : { ...p, problem: problemsOf(a) },
        );
      },
      (err: Error) => current && setPage((p) => ({ ...p, problem: err.message })),
    );
    return () => {
      current = false;
    };
  }, [token, document, field, filterKey, first, after, refresh]);
  return page;
}
