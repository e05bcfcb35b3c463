import type { EventBus } from '../../events/bus.js';
import {
  busRedeliverer,
  replayDeadLetters,
  type LetterOutcome,
  type OperatorAction,
  type VisibilityStore,
} from '../../store/index.js';

/** What to replay: one letter, or the open letters of the connector's group (optionally of one order). */
export type SalesforceReplaySelector = { id: string } | { orderId?: string; limit?: number };

/** Options of {@link replaySalesforceDeadLetters}. */
export interface SalesforceReplayOptions {
  store: VisibilityStore;
  bus: EventBus;
  /** The connector's consumer group. @default 'salesforce' */
  group?: string;
  selector: SalesforceReplaySelector;
  who: OperatorAction;
}

/**
 * `npm run salesforce:replay`: THE replay of the operators' dead-letter mutations
 * (store/replay.ts `replayDeadLetters`), narrowed to the Salesforce connector's letters. Each open
 * letter is redelivered once to the connector's group only (`EventBus.redeliver`: no other consumer
 * of the stream sees it again), audited with `who`; a running connector writes it like any change.
 * Letters already replayed or discarded come back as `noop`.
 */
export function replaySalesforceDeadLetters(o: SalesforceReplayOptions): Promise<LetterOutcome[]> {
  const redeliver = busRedeliverer({
    bus: o.bus,
    // The connector's letters are consumer letters; an ingest letter is not selected here.
    ingestUrl: () => undefined,
    sign: () => {
      throw new Error(
        'salesforce:replay replays consumer letters only; replay ingest letters through the operators’ mutation',
      );
    },
  });
  const selector =
    'id' in o.selector
      ? { id: o.selector.id }
      : {
          filter: {
            kind: 'consumer' as const,
            group: o.group ?? 'salesforce',
            ...(o.selector.orderId ? { orderId: o.selector.orderId } : {}),
          },
          ...(o.selector.limit ? { limit: o.selector.limit } : {}),
        };
  return replayDeadLetters(o.store, redeliver, selector, o.who);
}
