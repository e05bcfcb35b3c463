import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Sql } from './db.js';
import { PGliteThread } from './pgliteThread.js';

/** What {@link PGliteDb} runs statements on: PGlite itself, or {@link PGliteThread}. */
interface Engine {
  query<R>(text: string, params: readonly unknown[]): Promise<R[]>;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  exec(script: string): Promise<void>;
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

/** PGlite on this thread. */
function inProcess(pg: PGlite): Engine {
  return {
    query: async <R>(text: string, params: readonly unknown[]) => (await pg.query<R>(text, params as unknown[])).rows,
    transaction: <T>(fn: (tx: Sql) => Promise<T>) =>
      pg.transaction(async (t) =>
        fn({
          query: async <R>(text: string, params: readonly unknown[] = []) =>
            (await t.query<R>(text, params as unknown[])).rows,
        }),
      ),
    exec: async (script) => {
      await pg.exec(script);
    },
    dump: () => pg.dumpDataDir('none'),
    close: () => pg.close(),
  };
}

/**
 * PostgreSQL in process (PGlite, https://pglite.dev): the embedded default, on a thread of its own
 * unless asked otherwise ({@link PGliteThread}). One connection; its
 * files live in `dataDir` (created when missing), or in memory when `dataDir` is undefined. Only one
 * process may open a data directory at a time: PGlite does not share one, and a second writer
 * corrupts it. A lock file beside the directory (`<dataDir>.lock`, holding the owner's pid) refuses
 * a second opener with a message that says what to do; a lock whose process is gone is taken over.
 */
export class PGliteDb implements Db {
  readonly kind = 'pglite' as const;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly engine: Engine,
    private readonly unlock: () => Promise<void> = async () => undefined,
  ) {}

  /**
   * Opens (creating when missing) the database in `dataDir`; in memory when undefined, starting
   * from `image` (a {@link dump} of another database) when given. On a thread of its own
   * ({@link PGliteThread}) unless `thread` is false. @param thread @default true
   */
  static async open(dataDir?: string, image?: Blob, thread = true): Promise<PGliteDb> {
    const start = async (): Promise<Engine> => {
      if (thread) return PGliteThread.open(dataDir, image);
      if (!dataDir) return inProcess(await PGlite.create(image ? { loadDataDir: image } : {}));
      return inProcess(await PGlite.create(dataDir));
    };
    if (!dataDir) return new PGliteDb(await start());
    await mkdir(dataDir, { recursive: true });
    const unlock = await lockDataDir(dataDir);
    try {
      return new PGliteDb(await start(), unlock);
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  query<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.engine.query<R>(text, params);
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.engine.transaction(fn);
  }

  exec(script: string): Promise<void> {
    return this.engine.exec(script);
  }

  /** The whole database as an uncompressed tarball, for {@link PGliteDb.open}'s `image`. */
  dump(): Promise<Blob> {
    return this.engine.dump();
  }

  close(): Promise<void> {
    this.closed ??= this.engine.close().finally(this.unlock);
    return this.closed;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dataDir>.lock` for this process; resolves to its release. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = `${resolve(dataDir)}.lock`;
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new Error(
          `the visibility store's DATA_DIR ${dataDir} is in use by another process (pid ${owner}); stop that process, or give this one its own DATA_DIR (or DATABASE_URL)`,
        );
      }
      await rm(file, { force: true }); // left by a process that is gone
    }
  }
}
