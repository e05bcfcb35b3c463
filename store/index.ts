/** The visibility store (issue 11): PostgreSQL or PGlite, versioned migrations, one contract suite for both. */
export * from './auditTrail.js';
export * from './clock.js';
export * from './config.js';
export * from './db.js';
export * from './deadLetters.js';
export * from './exceptions.js';
export * from './exceptionTypes.js';
export * from './health.js';
export * from './ingestLedger.js';
export { migrate, schemaVersion, MIGRATIONS, type Migration } from './migrations.js';
export * from './orders.js';
export * from './page.js';
export { PGliteDb } from './pglite.js';
export { PostgresDb, pgConnection, redactDatabaseUrl, type PostgresDbOptions } from './postgres.js';
export * from './store.js';
export * from './replay.js';
export * from './engine/index.js';
export * from './healthWriter.js';
