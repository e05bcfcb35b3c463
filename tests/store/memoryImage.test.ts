/**
 * An in-memory store starts from a migrated image kept in the OS's temporary directory; a damaged
 * image is made again rather than failing the store (or handing out a database without tables).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../runtime/project.js';
import { MIGRATIONS, memoryImageFile } from '../../store/index.js';

vi.setConfig({ testTimeout: 120_000 });

/** Opens an in-memory store in a new process (the image is read once per process) and prints its schema version. */
function openInAnotherProcess(): string {
  const code = `
    import { openStore, schemaVersion } from './store/index.js';
    const s = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    console.log(await schemaVersion(s.db));
    await s.close();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: projectRoot(),
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('the in-memory store image', () => {
  it('should open a migrated store from a damaged image file, and write a good image again', () => {
    const file = memoryImageFile();
    expect(file).toMatch(/ovg-pglite-[0-9a-f]{16}\.tar$/);
    const latest = String(MIGRATIONS.at(-1)!.version);
    expect(openInAnotherProcess()).toBe(latest);
    const good = readFileSync(file);
    expect(good.length).toBeGreaterThan(1_000_000);

    writeFileSync(file, 'not a tarball');
    expect(openInAnotherProcess()).toBe(latest);
    expect(statSync(file).size).toBe(good.length);
  });
});
