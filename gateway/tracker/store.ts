import type { OrderStatus } from '../../canonical/index.js';
import {
  loadStoreConfig,
  openStore,
  type StatusCause,
  type StoreEnv,
  type VisibilityStore,
} from '../../store/index.js';

/** The last status published for an order, with its version (1 for the first record). */
export interface StatusRecord {
  status: OrderStatus;
  version: number;
  /** Id of the source event that caused the last published change (or `seed`). */
  causeId: string;
  /** The status before that change (null for the first one). */
  previous: OrderStatus | null;
}

/** The next record the tracker writes; `cause` feeds the store's status history. */
export type StatusWrite = Omit<StatusRecord, 'version'> & { cause?: StatusCause };

/**
 * The tracker's memory of what it published, shared by every gateway replica. Compare-and-set on
 * the version makes two replicas racing on one order publish at most once per change. The real one
 * is the visibility store's order row ({@link storeStatusStore}), so `previousStatus` always comes
 * from that row.
 */
export interface StatusStore {
  get(orderId: string): Promise<StatusRecord | null>;
  /**
   * Writes `next` only when the stored version is still `expectedVersion` (0 = no record yet).
   * @returns true when written (the caller then owns publishing the change).
   */
  compareAndSet(orderId: string, expectedVersion: number, next: StatusWrite): Promise<boolean>;
  /**
   * The orders with a source event applied since `since` (the ingest ledger), by order id, at most
   * `limit` after `after`: what the tracker re-reads when the bus lost its streams (gateway/tracker/sweep.ts).
   * Absent: no ledger to sweep (the tracker then only logs the loss).
   */
  ordersAppliedSince?(since: Date, limit: number, after?: string): Promise<string[]>;
  close(): Promise<void>;
}

/** In-process store without history: for unit tests of the tracker alone. */
export class MemoryStatusStore implements StatusStore {
  private readonly records = new Map<string, StatusRecord>();

  async get(orderId: string): Promise<StatusRecord | null> {
    return this.records.get(orderId) ?? null;
  }

  async compareAndSet(orderId: string, expectedVersion: number, next: StatusWrite): Promise<boolean> {
    if ((this.records.get(orderId)?.version ?? 0) !== expectedVersion) return false;
    const { cause: _cause, ...record } = next;
    this.records.set(orderId, { ...record, version: expectedVersion + 1 });
    return true;
  }

  async close(): Promise<void> {}
}

/**
 * The tracker's store on the visibility store's order row (compare-and-set plus history in one
 * transaction). `close` closes the visibility store only when `owned`.
 */
export function storeStatusStore(store: VisibilityStore, owned = false): StatusStore {
  return {
    get: (orderId) => store.orders.getStatus(orderId),
    compareAndSet: (orderId, expectedVersion, next) => store.orders.compareAndSetStatus(orderId, expectedVersion, next),
    ordersAppliedSince: (since, limit, after) => store.ledger.ordersAppliedSince(since, limit, after),
    close: async () => {
      if (owned) await store.close();
    },
  };
}

/**
 * The store for this process: the visibility store (PostgreSQL at DATABASE_URL, shared by every
 * gateway replica; else embedded PGlite in DATA_DIR), opened in the background — the first call
 * waits for it. Throws at once (refusing to start) in the distributed mode without DATABASE_URL.
 */
export function createStatusStore(env: StoreEnv = process.env): StatusStore & { store: Promise<VisibilityStore> } {
  const config = loadStoreConfig(env);
  const opening = openStore(config);
  opening.catch(() => undefined);
  const s = async (): Promise<StatusStore> => storeStatusStore(await opening, true);
  return {
    /** The visibility store itself (the gateway's health reports go there too). */
    store: opening,
    get: async (orderId) => (await s()).get(orderId),
    compareAndSet: async (orderId, v, next) => (await s()).compareAndSet(orderId, v, next),
    ordersAppliedSince: async (since, limit, after) => (await opening).ledger.ordersAppliedSince(since, limit, after),
    close: async () => {
      const store = await opening.catch(() => undefined);
      await store?.close();
    },
  };
}
