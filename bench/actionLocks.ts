/**
 * What the actions' store lock costs (docs/returns.md, "Replicas"): one `StoreActionLocks.run`
 * around empty work, uncontended (a key per run) and contended (two replicas — two lock instances,
 * on PostgreSQL two pools — taking turns on one key), on PGlite and, when it answers at
 * DATABASE_URL (default postgres://127.0.0.1:5432/test), PostgreSQL in a scratch schema.
 *
 *   npm run bench:action-locks
 */
import pg from 'pg';
import { openStore, pgConnection, StoreActionLocks, type VisibilityStore } from '../store/index.js';

const UNCONTENDED = 400;
const CONTENDED_PER_REPLICA = 100;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (n: number) => n.toFixed(2);

async function measure(engine: string, a: VisibilityStore, b: VisibilityStore): Promise<string[]> {
  const one = new StoreActionLocks(a.db, Date.now);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) await one.run(`warm|${i}`, async () => undefined);
  for (let i = 0; i < UNCONTENDED; i++) {
    const t = performance.now();
    await one.run(`order|${i}`, async () => undefined);
    times.push(performance.now() - t);
  }
  // Two replicas, one key: every run waits for the other's release (polling 2 → 100 ms).
  const replicas = [
    new StoreActionLocks(a.db, Date.now, { waitMs: 30_000 }),
    new StoreActionLocks(b.db, Date.now, { waitMs: 30_000 }),
  ];
  let inside = 0;
  let overlaps = 0;
  const waits: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    replicas.map(async (lock) => {
      for (let i = 0; i < CONTENDED_PER_REPLICA; i++) {
        const t = performance.now();
        await lock.run('order|hot', async () => {
          waits.push(performance.now() - t);
          if (++inside > 1) overlaps++;
          await new Promise((r) => setImmediate(r));
          inside--;
        });
      }
    }),
  );
  const wall = performance.now() - t0;
  const runs = 2 * CONTENDED_PER_REPLICA;
  return [
    `| ${engine} | uncontended, a key per run | ${UNCONTENDED} | ${ms(pct(times, 50))} | ${ms(pct(times, 99))} | ${(UNCONTENDED / (times.reduce((x, y) => x + y, 0) / 1000)).toFixed(0)} | — |`,
    `| ${engine} | 2 replicas, one key | ${runs} | ${ms(pct(waits, 50))} | ${ms(pct(waits, 99))} | ${(runs / (wall / 1000)).toFixed(0)} | ${overlaps} |`,
  ];
}

async function postgresAnswers(url: string): Promise<boolean> {
  const c = new pg.Client({ ...pgConnection(url), connectionTimeoutMillis: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const rows: string[] = [];
const lite = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
rows.push(...(await measure('PGlite (in memory)', lite, lite)));
await lite.close();
const url = process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';
if (await postgresAnswers(url)) {
  const schema = `bench_locks_${process.pid}`;
  const a = await openStore({ databaseUrl: url, dataDir: '', schema });
  const b = await openStore({ databaseUrl: url, dataDir: '', schema });
  rows.push(...(await measure('PostgreSQL (local, a pool per replica)', a, b)));
  await a.db.query(`DROP SCHEMA ${schema} CASCADE`);
  await a.close();
  await b.close();
}
process.stdout.write(
  [
    '| store | case | runs | p50 ms (run / wait+run) | p99 ms | runs/s | overlaps |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n') + '\n',
);
