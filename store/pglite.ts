import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Sql } from './db.js';

/**
 * PostgreSQL in process (PGlite, https://pglite.dev): the embedded default. One connection; its
 * files live in `dataDir` (created when missing), or in memory when `dataDir` is undefined. Only one
 * process may open a data directory at a time.
 */
export class PGliteDb implements Db {
  readonly kind = 'pglite' as const;
  private closed: Promise<void> | undefined;

  private constructor(private readonly pg: PGlite) {}

  /** Opens (creating when missing) the database in `dataDir`; in memory when undefined. */
  static async open(dataDir?: string): Promise<PGliteDb> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    return new PGliteDb(await PGlite.create(dataDir));
  }

  async query<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.pg.query<R>(text, params as unknown[])).rows;
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (t) => fn({ query: async <R>(text: string, params: readonly unknown[] = []) => (await t.query<R>(text, params as unknown[])).rows }));
  }

  async exec(script: string): Promise<void> {
    await this.pg.exec(script);
  }

  close(): Promise<void> {
    this.closed ??= this.pg.close();
    return this.closed;
  }
}
