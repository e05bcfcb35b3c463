/** Where the visibility store lives. */
export interface StoreConfig {
  /** PostgreSQL server (`postgres://…`); unset: embedded PGlite in {@link dataDir}. */
  databaseUrl: string | null;
  /** PGlite's directory. @default '.data/pglite' */
  dataDir: string;
  /** The schema the tables live in on PostgreSQL. @default 'public' */
  schema: string;
  /**
   * PGlite on a thread of its own (`PGLITE_THREAD`, on unless `0`/`false`/`off`): its statements
   * then run beside the event loop, not on it. Off only to debug PGlite in the main thread. @default true
   */
  pgliteThread?: boolean;
}

/** The environment variables {@link loadStoreConfig} reads. */
export interface StoreEnv {
  DATABASE_URL?: string | undefined;
  DATA_DIR?: string | undefined;
  STORE_SCHEMA?: string | undefined;
  PGLITE_THREAD?: string | undefined;
  /** Set: the distributed mode (several processes share the bus), which requires DATABASE_URL. */
  REDIS_URL?: string | undefined;
}

export const DEFAULT_DATA_DIR = '.data/pglite';

/** Raised at start-up when several processes would each open their own embedded store. */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

/**
 * Reads and validates the store's configuration. In the distributed mode (REDIS_URL set: several
 * processes, replicas) every process must share one database, so DATABASE_URL is required and its
 * absence refuses to start with a message saying what to set.
 */
export function loadStoreConfig(env: StoreEnv = process.env): StoreConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  const distributed = Boolean(env.REDIS_URL?.trim());
  if (distributed && !databaseUrl) {
    throw new StoreConfigError(
      'DATABASE_URL is required in the distributed mode (REDIS_URL is set): every process and replica must share one visibility store. ' +
        'Set DATABASE_URL=postgres://user@host:5432/db (e.g. postgres://127.0.0.1:5432/test), or unset REDIS_URL to run embedded on PGlite.',
    );
  }
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new StoreConfigError(
      `DATABASE_URL: expected postgres://user@host:port/db, got a value starting ${JSON.stringify(databaseUrl.slice(0, 11))}`,
    );
  }
  const schema = env.STORE_SCHEMA?.trim() || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new StoreConfigError(`STORE_SCHEMA: expected a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  const thread = env.PGLITE_THREAD?.trim().toLowerCase() || 'on';
  if (!['1', 'true', 'on', '0', 'false', 'off'].includes(thread))
    throw new StoreConfigError(
      `PGLITE_THREAD: expected on or off (1/0, true/false), got ${JSON.stringify(thread.slice(0, 20))}`,
    );
  return {
    databaseUrl,
    dataDir: env.DATA_DIR?.trim() || DEFAULT_DATA_DIR,
    schema,
    pgliteThread: ['1', 'true', 'on'].includes(thread),
  };
}
