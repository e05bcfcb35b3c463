import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { loadStoreConfig, type StoreConfig, type StoreEnv } from './config.js';
import { StoreActionLocks, StoreActionResults } from './actions.js';
import { StoreAuditLog } from './auditTrail.js';
import type { Db } from './db.js';
import { DeadLetters } from './deadLetters.js';
import { ExceptionRows } from './exceptions.js';
import { HealthRows } from './health.js';
import { StoreIngestLedger } from './ingestLedger.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { OrderRows, type StatusRecord, type StatusWrite } from './orders.js';
import { PGliteDb } from './pglite.js';
import { PostgresDb } from './postgres.js';
import { ReconcileRows } from './reconcile.js';

/** Options of {@link VisibilityStore}. */
export interface VisibilityStoreOptions {
  /** The clock every timestamp the store writes comes from. @default Date.now */
  now?: Clock;
  /** How long an ingest claim holds before another replica may take it over. @default 30000 */
  ledgerLeaseMs?: number;
  /** How long an action's per-order lease holds without renewal (a dead holder frees it after this). @default 30000 */
  actionLeaseMs?: number;
  /** How long an action waits for an order another request holds, ms (keep it below the gateway's subgraph timeout). @default 1500 */
  actionLockWaitMs?: number;
}

/**
 * The visibility store (issue 11): per order the status row, dimensions, history, exceptions and
 * last event per source; the dead letters; the ingest idempotency ledger; system health reports.
 * On PostgreSQL (shared by every process) or PGlite (embedded, one process).
 */
export class VisibilityStore {
  readonly orders: OrderRows;
  readonly exceptions: ExceptionRows;
  /** The exception engine's facts with what reconciling an order reads, one statement each. */
  readonly reconcile: ReconcileRows;
  readonly deadLetters: DeadLetters;
  readonly ledger: StoreIngestLedger;
  readonly health: HealthRows;
  /** The audit trail of requests and decisions on orders (docs/returns.md). */
  readonly audit: StoreAuditLog;
  /** The actions' per-order locks, shared by every replica of the oms and returns subgraphs (docs/returns.md). */
  readonly actionLocks: StoreActionLocks;
  /** The actions' results by idempotency key, shared by every replica (docs/returns.md). */
  readonly actionResults: StoreActionResults;
  readonly now: Clock;

  constructor(
    readonly db: Db,
    opts: VisibilityStoreOptions = {},
  ) {
    this.now = opts.now ?? systemClock;
    this.orders = new OrderRows(db, this.now);
    this.exceptions = new ExceptionRows(db, this.now);
    this.reconcile = new ReconcileRows(db, this.now);
    this.deadLetters = new DeadLetters(db, this.now);
    this.ledger = new StoreIngestLedger(db, this.now, opts.ledgerLeaseMs);
    this.health = new HealthRows(db, this.now);
    this.audit = new StoreAuditLog(db);
    this.actionLocks = new StoreActionLocks(db, this.now, {
      leaseMs: opts.actionLeaseMs,
      waitMs: opts.actionLockWaitMs,
    });
    this.actionResults = new StoreActionResults(db, this.now);
  }

  /** The status tracker's port (gateway/tracker/store.ts `StatusStore`) on the order row. */
  statusStore(): {
    get(orderId: string): Promise<StatusRecord | null>;
    compareAndSet(orderId: string, expectedVersion: number, next: StatusWrite): Promise<boolean>;
    ordersAppliedSince(since: Date, limit: number, after?: string): Promise<string[]>;
    close(): Promise<void>;
  } {
    return {
      get: (orderId) => this.orders.getStatus(orderId),
      compareAndSet: (orderId, expectedVersion, next) =>
        this.orders.compareAndSetStatus(orderId, expectedVersion, next),
      ordersAppliedSince: (since, limit, after) => this.ledger.ordersAppliedSince(since, limit, after),
      close: () => this.close(),
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens the store `config` describes (PostgreSQL at DATABASE_URL, else PGlite in DATA_DIR) and migrates it. */
export async function openStore(
  config: StoreConfig | StoreEnv = process.env,
  opts: VisibilityStoreOptions = {},
): Promise<VisibilityStore> {
  const c =
    'dataDir' in config && typeof config.dataDir === 'string'
      ? (config as StoreConfig)
      : loadStoreConfig(config as StoreEnv);
  let db: Db;
  if (c.databaseUrl) {
    const pgDb = new PostgresDb({ url: c.databaseUrl, schema: c.schema });
    try {
      await pgDb.ensureSchema();
    } catch (err) {
      await pgDb.close();
      throw new Error(`the visibility store could not reach PostgreSQL at DATABASE_URL: ${(err as Error).message}`);
    }
    db = pgDb;
  } else {
    const thread = c.pgliteThread ?? true;
    db = c.dataDir ? await PGliteDb.open(c.dataDir, undefined, thread) : await openInMemory(thread);
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new VisibilityStore(db, opts);
}

/**
 * An in-memory PGlite starts from a migrated image: creating an instance and running the
 * migrations costs several times what loading the image does, and tests, benchmarks and the soak
 * open many (every embedded stack has one, and each test file runs in its own process). The image is
 * made once per migration set and PGlite version and kept in the OS's temporary directory
 * (`ovg-pglite-<hash>.tar`, written atomically); one that cannot be read or loaded is made again.
 * `migrate` still runs after loading, and finds nothing to do.
 */
let memoryImage: Promise<Blob> | undefined;
async function openInMemory(thread: boolean): Promise<PGliteDb> {
  memoryImage ??= loadOrMakeImage();
  const image = await memoryImage.catch((err: unknown) => {
    memoryImage = undefined;
    throw err;
  });
  try {
    return await PGliteDb.open(undefined, image, thread);
  } catch {
    // A damaged file on disk: make the image again, once.
    memoryImage = makeImage(memoryImageFile());
    return PGliteDb.open(undefined, await memoryImage, thread);
  }
}

/** Where the in-memory image for this migration set and PGlite version is kept. */
export function memoryImageFile(): string {
  const require = createRequire(import.meta.url);
  const pkg = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const hash = createHash('sha256').update(version).update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16);
  return join(tmpdir(), `ovg-pglite-${hash}.tar`);
}

async function loadOrMakeImage(): Promise<Blob> {
  const file = memoryImageFile();
  try {
    // Only an image this user wrote: the temporary directory may be shared with other users.
    const owner = (await stat(file)).uid;
    if (process.getuid && owner !== process.getuid()) return makeImage(file);
    return new Blob([await readFile(file)]);
  } catch {
    return makeImage(file);
  }
}

async function makeImage(file: string): Promise<Blob> {
  const template = await PGliteDb.open(undefined, undefined, false);
  let image: Blob;
  try {
    await migrate(template);
    image = await template.dump();
  } finally {
    await template.close();
  }
  const partial = `${file}.${process.pid}.${Date.now()}`;
  try {
    await writeFile(partial, Buffer.from(await image.arrayBuffer()));
    await rename(partial, file);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
  }
  return image;
}
