/**
 * PGlite on a thread of its own (store/pgliteThread.ts) answers as PGlite on the event loop does:
 * the same rows and types, the same error fields, the same transaction semantics; and it neither
 * keeps an idle process alive nor lets one exit while a statement is outstanding.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../runtime/project.js';
import { PGliteDb } from '../../store/index.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SETUP = `
  CREATE TABLE t (id int PRIMARY KEY, at timestamptz NOT NULL, big bigint, raw bytea, doc jsonb, note text);
  INSERT INTO t VALUES (1, '2026-12-04T10:00:00.123Z', 9007199254740993, '\\x00ff10', '{"a":[1,"b",null]}', NULL);
`;

describe('PGlite on its own thread', () => {
  let thread: PGliteDb;
  let inline: PGliteDb;
  beforeAll(async () => {
    [thread, inline] = await Promise.all([
      PGliteDb.open(undefined, undefined, true),
      PGliteDb.open(undefined, undefined, false),
    ]);
    await Promise.all([thread.exec(SETUP), inline.exec(SETUP)]);
  });
  afterAll(async () => {
    await Promise.all([thread?.close(), inline?.close()]);
  });

  it('should return the same rows and types as PGlite on the event loop', async () => {
    const sql = 'SELECT id, at, big, raw, doc, note, $1::text AS param, $2::timestamptz AS param_at FROM t';
    const params = ['päränä', new Date('2026-01-02T03:04:05.678Z')];
    const [a, b] = await Promise.all([
      thread.query<Record<string, unknown>>(sql, params),
      inline.query<Record<string, unknown>>(sql, params),
    ]);
    expect(a).toEqual(b);
    const row = a[0]!;
    expect(row.at).toBeInstanceOf(Date);
    expect((row.at as Date).toISOString()).toBe('2026-12-04T10:00:00.123Z');
    expect(row.doc).toEqual({ a: [1, 'b', null] });
    expect([...(row.raw as Uint8Array)]).toEqual([0, 255, 16]);
    expect(row.param).toBe('päränä');
  });

  it("should fail a statement with PGlite's code, constraint and detail", async () => {
    const err = await thread.query('INSERT INTO t (id, at) VALUES (1, now())').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey' });
    expect((err as { detail?: string }).detail).toContain('(id)=(1)');
    const syntax = await thread.query('SELEC 1').catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '42601' });
    // The thread goes on answering after a failure.
    expect(await thread.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
  });

  it('should commit a transaction, and roll one back with the error its function threw', async () => {
    const n = await thread.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id, at) VALUES (2, now())');
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))[0]!.n;
    });
    expect(n).toBe(2);
    const thrown = new Error('the caller changed its mind');
    await expect(
      thread.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id, at) VALUES (3, now())');
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    await expect(
      thread.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id, at) VALUES (4, now())');
        await tx.query('INSERT INTO t (id, at) VALUES (4, now())');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await thread.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('should run a statement sent outside a transaction after that transaction ends, as PGlite does', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await thread.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id, at) VALUES (5, now())');
      outside = thread.query<{ n: number }>('SELECT count(*)::int AS n FROM t').then((r) => {
        order.push(`outside saw ${r[0]!.n}`);
      });
      await new Promise((r) => setTimeout(r, 50));
      await tx.query('INSERT INTO t (id, at) VALUES (6, now())');
      order.push('committing');
    });
    await outside;
    expect(order).toEqual(['committing', 'outside saw 4']);
    await thread.query('DELETE FROM t WHERE id IN (5, 6)');
  });

  it('should dump a database another instance opens', async () => {
    const copy = await PGliteDb.open(undefined, await thread.dump(), true);
    try {
      expect(await copy.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await copy.close();
    }
  });

  it('should refuse statements after close with an error that says so', async () => {
    const db = await PGliteDb.open(undefined, undefined, true);
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite thread exited/);
  });
});

describe('a process with a store on its PGlite thread', () => {
  it('should wait for an outstanding statement, and exit when nothing is outstanding (store left open)', () => {
    const code = `
      import { PGliteDb } from './store/index.js';
      const db = await PGliteDb.open(undefined, undefined, true);
      const started = Date.now();
      await db.query('SELECT pg_sleep(0.3)');
      console.log('slept', Date.now() - started >= 250);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: projectRoot(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.error).toBeUndefined(); // not killed by the timeout: the idle thread let it exit
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('slept true');
  });
});
