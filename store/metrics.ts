import type { VisibilityCounts } from '../runtime/metrics.js';
import { EXCEPTION_TYPES } from './exceptionTypes.js';
import type { VisibilityStore } from './store.js';

/**
 * What `/metrics` shows of the store at each scrape (`ovg_dead_letters_open{kind}`,
 * `ovg_exceptions_open{type}`): two index-backed counts (open letters by kind, open exceptions by
 * type — partial indexes on the open rows), every kind and type present, at 0 when none is open,
 * so a series drops to 0 instead of vanishing when the last one closes.
 */
export async function visibilityCounts(
  store: Pick<VisibilityStore, 'deadLetters' | 'exceptions'>,
): Promise<VisibilityCounts> {
  const [depth, open] = await Promise.all([store.deadLetters.depth(), store.exceptions.openCounts()]);
  const openExceptions: Record<string, number> = Object.fromEntries(EXCEPTION_TYPES.map((t) => [t, 0]));
  for (const { type, count } of open) openExceptions[type] = count;
  return { deadLetters: { consumer: depth.consumer, ingest: depth.ingest }, openExceptions };
}
