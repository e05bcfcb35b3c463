import type { Redeliverer, VisibilityStore } from '../../store/index.js';

/**
 * What the visibility subgraph reads and acts through: the visibility store (exceptions, timelines,
 * dead letters, health) and the redeliverer its replay mutations use (the bus for consumer letters,
 * the systems' `/ingest` for ingest letters). Unlike the five systems' ports this one is ours.
 */
export interface VisibilityPort {
  store: VisibilityStore;
  redeliverer: Redeliverer;
  /**
   * Called after an operator replayed or discarded letters, so the DEAD_LETTER exceptions of their
   * orders close at once (the exception engine's `onDeadLetter`). @default none (the sweep closes them)
   */
  afterLetterAction?: (letterIds: readonly string[]) => Promise<void>;
}
