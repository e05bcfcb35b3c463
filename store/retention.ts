import { EnvReader } from '../runtime/env.js';
import type { VisibilityStore } from './store.js';

/**
 * How long the store keeps what only matters for a while. Everything else (orders, their status
 * history, exceptions, dead letters and their audit) is the record and is kept.
 */
export interface RetentionConfig {
  /** How often the prune runs. `STORE_PRUNE_INTERVAL_SECONDS`. @default 600 s */
  intervalMs: number;
  /**
   * Finished webhook ids (ingest's de-duplication). A webhook re-sent later than this is no longer
   * known as a duplicate, but its event is still older than the entity's last applied one and
   * ingest answers it as stale. `INGEST_LEDGER_RETENTION_DAYS`. @default 7 days
   */
  ingestLedgerMs: number;
  /** Results of agent and shopper actions by idempotency key. `ACTION_RESULTS_RETENTION_HOURS`. @default 24 h */
  actionResultsMs: number;
  /** Event lag samples and gateways' health reports. `LAG_SAMPLES_RETENTION_HOURS`. @default 24 h */
  lagSamplesMs: number;
}

const HOUR = 3_600_000;
export const DEFAULT_RETENTION: Readonly<RetentionConfig> = {
  intervalMs: 600_000,
  ingestLedgerMs: 7 * 24 * HOUR,
  actionResultsMs: 24 * HOUR,
  lagSamplesMs: 24 * HOUR,
};

/** Reads the retention settings; a value out of range fails start-up naming the variable. */
export function loadRetention(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const r = new EnvReader(env);
  const d = DEFAULT_RETENTION;
  const c: RetentionConfig = {
    intervalMs: r.int('STORE_PRUNE_INTERVAL_SECONDS', d.intervalMs / 1000, 1, 86_400) * 1000,
    ingestLedgerMs: r.number('INGEST_LEDGER_RETENTION_DAYS', d.ingestLedgerMs / (24 * HOUR), 0.01, 3650) * 24 * HOUR,
    actionResultsMs: r.number('ACTION_RESULTS_RETENTION_HOURS', d.actionResultsMs / HOUR, 0.01, 87_600) * HOUR,
    lagSamplesMs: r.number('LAG_SAMPLES_RETENTION_HOURS', d.lagSamplesMs / HOUR, 0.01, 87_600) * HOUR,
  };
  r.done();
  return c;
}

/** Rows removed by one {@link pruneStore}, per kind. */
export interface Pruned {
  ingestLedger: number;
  actionResults: number;
  lagSamples: number;
}

/**
 * Deletes what is past its retention. Safe on every replica at once: each statement deletes by
 * age, and a row deleted twice is deleted once. Claims still held (`claimed`) are never pruned.
 */
export async function pruneStore(store: VisibilityStore, c: RetentionConfig = DEFAULT_RETENTION): Promise<Pruned> {
  const now = store.now();
  const ingestLedger = await store.ledger.prune(new Date(now - c.ingestLedgerMs));
  const actionResults = await store.actionResults.prune(new Date(now - c.actionResultsMs));
  const lagSamples = await store.health.prune(c.lagSamplesMs);
  return { ingestLedger, actionResults, lagSamples };
}

/** Runs {@link pruneStore} every `intervalMs` (first after one interval) until stopped. */
export function startRetention(
  store: VisibilityStore,
  c: RetentionConfig,
  report: { pruned?: (p: Pruned) => void; failed: (err: Error) => void },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = pruneStore(store, c)
      .then((p) => report.pruned?.(p), report.failed)
      .finally(() => {
        running = undefined;
      });
  }, c.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
