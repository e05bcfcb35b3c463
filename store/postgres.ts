import { userInfo } from 'node:os';
import pg from 'pg';
import type { Db, Sql } from './db.js';

/** Options of {@link PostgresDb}. */
export interface PostgresDbOptions {
  /** `postgres://user:password@host:port/db`. Never logged (see {@link redactDatabaseUrl}). */
  url: string;
  /**
   * The schema every table lives in (created when missing), e.g. a schema per test run.
   * @default 'public'
   */
  schema?: string;
  /** Pooled connections. @default 10 */
  max?: number;
}

/** The URL with its password replaced by `***`, for messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * node-postgres config for `url`. A URL without a user falls back to PGUSER, then USER, then the OS
 * account (as psql does; node-postgres alone sends no user when USER is unset, e.g. in containers).
 */
export function pgConnection(url: string): pg.ClientConfig {
  const u = new URL(url);
  const user = u.username ? undefined : process.env.PGUSER || process.env.USER || safeUser();
  if (user) u.username = encodeURIComponent(user);
  return { connectionString: u.toString() };
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** A PostgreSQL server through a node-postgres pool (https://node-postgres.com/apis/pool). */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private closed: Promise<void> | undefined;

  constructor(opts: PostgresDbOptions) {
    if (!/^postgres(ql)?:\/\//.test(opts.url)) {
      throw new TypeError(
        `DATABASE_URL: expected postgres://user@host:port/db, got ${JSON.stringify(redactDatabaseUrl(opts.url))}`,
      );
    }
    this.schema = opts.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) {
      throw new TypeError(`store schema: expected a lower-case SQL identifier, got ${JSON.stringify(this.schema)}`);
    }
    this.pool = new pg.Pool({
      ...pgConnection(opts.url),
      max: opts.max ?? 10,
      connectionTimeoutMillis: 5000,
      options: `-c search_path=${this.schema}`,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema when missing (call once before migrating). */
  async ensureSchema(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
  }

  async query<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.pool.query(text, params as unknown[])).rows as R[];
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: Sql = {
        query: async <R>(text: string, params: readonly unknown[] = []) =>
          (await client.query(text, params as unknown[])).rows as R[],
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }
}
