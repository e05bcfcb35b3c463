import pg from 'pg';
import { describe, it } from 'vitest';
import { pgConnection } from '../../store/postgres.js';

/** DATABASE_URL, or the local default (trust auth, database `test`). */
export const databaseUrl = (): string => process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';

const run = `${process.pid}_${Date.now().toString(36)}`;
let schemas = 0;

/** A schema name unique to this test run (and to each call), e.g. `test_4242_lx3k9a_1`. */
export const uniqueSchema = (): string => `test_${run}_${++schemas}`.toLowerCase();

/** True when a PostgreSQL answers `SELECT 1` at `url` within `timeoutMs`. */
export async function postgresAvailable(url = databaseUrl(), timeoutMs = 1000): Promise<boolean> {
  const c = new pg.Client({ ...pgConnection(url), connectionTimeoutMillis: timeoutMs });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * `describe` when PostgreSQL answers at {@link databaseUrl}; otherwise the suite is skipped with a
 * console notice — or, with `REQUIRE_POSTGRES=1`, replaced by a failing test. Await it at the top of the file.
 */
export async function describePostgres(name: string, suite: () => void): Promise<void> {
  if (await postgresAvailable()) {
    describe(name, suite);
  } else if (process.env.REQUIRE_POSTGRES === '1') {
    describe(name, () => {
      it('should have PostgreSQL available (REQUIRE_POSTGRES=1)', () => {
        throw new Error(`no PostgreSQL answered at ${databaseUrl()}; start it or set DATABASE_URL`);
      });
    });
  } else {
    console.warn(
      `[tests] skipping "${name}": no PostgreSQL answered at ${databaseUrl()}; start it or set DATABASE_URL (set REQUIRE_POSTGRES=1 to fail instead)`,
    );
    describe.skip(name, suite);
  }
}

/** Drops `schema` and everything in it (only that schema). */
export async function dropSchema(schema: string, url = databaseUrl()): Promise<void> {
  if (!/^test_[a-z0-9_]+$/.test(schema))
    throw new Error(`dropSchema: expected a test schema (test_…), got ${JSON.stringify(schema)}`);
  const c = new pg.Client(pgConnection(url));
  try {
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end().catch(() => undefined);
  }
}
