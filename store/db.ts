/**
 * The store's one SQL seam: the same statements run on PostgreSQL (node-postgres) and on PGlite
 * (PostgreSQL compiled to WebAssembly, in process). Every module of store/ talks to a {@link Db}.
 */

/** Something that runs one parameterized statement ($1, $2 … placeholders). */
export interface Sql {
  /** Runs `text` with `params`; returns the rows (empty for statements without RETURNING). */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

/** A database connection (pool) the store owns. */
export interface Db extends Sql {
  /** Which engine: `postgres` (a server at DATABASE_URL) or `pglite` (embedded). */
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction (BEGIN … COMMIT; ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** A timestamp column as ISO-8601 UTC (both drivers return `Date`; text is accepted too), or null. */
export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** Like {@link iso} for a NOT NULL column. */
export function isoNN(value: unknown): string {
  return iso(value) ?? new Date(0).toISOString();
}
