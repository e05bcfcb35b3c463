import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type VisibilityStore } from '../../store/index.js';

/** PGlite serves one process per data directory: a second opener is refused, not let in to corrupt it. */
describe('PGlite data directory lock', () => {
  const dirs: string[] = [];
  const stores: VisibilityStore[] = [];
  const freshDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'ovg-lock-'));
    dirs.push(d);
    return join(d, 'pglite');
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('should refuse a second opener of the same DATA_DIR with a message naming the owner, and free it on close', async () => {
    const dataDir = freshDir();
    const first = await openStore({ databaseUrl: null, dataDir, schema: 'public' });
    stores.push(first);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    await expect(openStore({ databaseUrl: null, dataDir, schema: 'public' })).rejects.toThrow(
      `the visibility store's DATA_DIR ${dataDir} is in use by another process (pid ${process.pid}); stop that process, or give this one its own DATA_DIR (or DATABASE_URL)`,
    );
    await stores.pop()!.close();
    const again = await openStore({ databaseUrl: null, dataDir, schema: 'public' });
    stores.push(again);
    expect((await again.db.query<{ one: number }>('select 1 as one'))[0]!.one).toBe(1);
  }, 60_000);

  it('should take over a lock left by a process that is gone', async () => {
    const dataDir = freshDir();
    // No process has this pid: above the kernel's pid_max.
    writeFileSync(`${dataDir}.lock`, '99999999');
    const store = await openStore({ databaseUrl: null, dataDir, schema: 'public' });
    stores.push(store);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
  }, 60_000);
});
