/**
 * The store keeps the record (orders, history, exceptions, letters) and prunes what only matters
 * for a while: finished webhook ids, action results by idempotency key, lag samples and health
 * reports — each past its own retention, never a claim still held.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startVisibility } from '../../subgraphs/visibility/service.js';
import { ConfigError } from '../../runtime/env.js';
import {
  FakeClock,
  loadRetention,
  openStore,
  pruneStore,
  type RetentionConfig,
  type VisibilityStore,
  type VisibilityStoreOptions,
} from '../../store/index.js';
import { eventually } from '../helpers/ws.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';

// Each test opens its own store (PGlite starts in WebAssembly): slow on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });
const HOUR = 3_600_000;
const RETENTION: RetentionConfig = {
  intervalMs: 60_000,
  ingestLedgerMs: 7 * 24 * HOUR,
  actionResultsMs: 24 * HOUR,
  lagSamplesMs: 24 * HOUR,
};

const count = async (s: VisibilityStore, table: string): Promise<number> =>
  Number((await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);

function retentionSuite(name: string, open: (o: VisibilityStoreOptions) => Promise<VisibilityStore>): void {
  describe(`store retention on ${name}`, () => {
    const opened: VisibilityStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('should prune only what is past its retention, and never a claim still held', async () => {
      const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
      const s = await open({ now: clock.now });
      opened.push(s);
      // Old: finished webhook, claim held (its holder may still be applying it), action result, lag sample.
      await s.ledger.claim('old-done', 'erp-1');
      await s.ledger.complete('old-done', 'erp-1');
      await s.ledger.claim('old-claimed', 'erp-1');
      await s.actionResults.remember('requestReturn', 'key-old', 'f', { ok: true });
      await s.health.recordLag('source→exceptions', 10);
      clock.advance(8 * 24 * HOUR);
      // New: the same kinds, recorded just now.
      await s.ledger.claim('new-done', 'erp-1');
      await s.ledger.complete('new-done', 'erp-1');
      await s.actionResults.remember('requestReturn', 'key-new', 'f', { ok: true });
      await s.health.recordLag('source→exceptions', 20);

      expect(await pruneStore(s, RETENTION)).toEqual({ ingestLedger: 1, actionResults: 1, lagSamples: 1 });
      expect(await s.ledger.claim('new-done', 'erp-2')).toBe('done');
      expect(await s.ledger.claim('old-claimed', 'erp-1')).toBe('claimed');
      expect(await s.actionResults.get('requestReturn', 'key-new', 'f')).toEqual({ result: { ok: true } });
      expect(await s.actionResults.get('requestReturn', 'key-old', 'f')).toBeUndefined();
      expect(await count(s, 'event_lag')).toBe(1);
      // Nothing more to prune: a second run (another replica's) deletes nothing.
      expect(await pruneStore(s, RETENTION)).toEqual({ ingestLedger: 0, actionResults: 0, lagSamples: 0 });
    });
  });
}

retentionSuite('PGlite', (o) => openStore({ databaseUrl: null, dataDir: '', schema: 'public' }, o));
await describePostgres('PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });
  retentionSuite('PostgreSQL', (o) => {
    const schema = uniqueSchema();
    schemas.push(schema);
    return openStore({ databaseUrl: databaseUrl(), dataDir: '', schema }, o);
  });
});

describe('store retention in the visibility process', () => {
  it('should prune on its interval while the visibility subgraph runs', async () => {
    const store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    const stale = new Date(Date.now() - 30 * 24 * HOUR);
    await store.db.query(
      `INSERT INTO ingest_ledger (event_id, state, holder, claimed_at, done_at) VALUES ('ancient', 'done', 'erp-1', $1, $1)`,
      [stale],
    );
    const v = await startVisibility({
      store,
      ingestUrl: () => undefined,
      sign: () => ({}),
      retention: { ...RETENTION, intervalMs: 50 },
    });
    try {
      await eventually(async () => (await count(store, 'ingest_ledger')) === 0, 10_000, 'the old ledger row pruned');
    } finally {
      await v.stop();
      await store.close();
    }
  });

  it('should refuse a retention setting out of range at start-up, naming the variable', () => {
    expect(() => loadRetention({ INGEST_LEDGER_RETENTION_DAYS: '-1' })).toThrow(ConfigError);
    expect(() => loadRetention({ STORE_PRUNE_INTERVAL_SECONDS: 'soon' })).toThrow(/STORE_PRUNE_INTERVAL_SECONDS/);
    expect(loadRetention({ ACTION_RESULTS_RETENTION_HOURS: '48' }).actionResultsMs).toBe(48 * HOUR);
  });
});
