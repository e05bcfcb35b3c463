import { ErrorCode } from '../../canonical/index.js';
import { ActionLockBusyError, type ActionLock } from '../../store/actions.js';
import { graphqlError } from './errors.js';

export type { ActionLock } from '../../store/actions.js';

/**
 * One writer per key at a time (per order), in this process: the check-then-write of an action runs
 * under it, so two concurrent requests for the same last unit are decided one after the other.
 * Replicas share the store's lock instead ({@link queuedBefore} over `VisibilityStore.actionLocks`).
 */
export class KeyedLock implements ActionLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` after every earlier holder of `key` has finished; the key is released even when it throws. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * `shared` (the store's lease, held across replicas) with the requests of this process queued in
 * memory first: only one of them at a time asks the store, the others wait without polling it.
 */
export function queuedBefore(shared: ActionLock): ActionLock {
  const local = new KeyedLock();
  return { run: (key, work) => local.run(key, () => shared.run(key, work)) };
}

/**
 * Runs `work` holding every key of `keys`, taken in that order (callers keep one order — the
 * idempotency key, then the order — so two holders never wait on each other). A key that cannot
 * be had (busy past the wait, or the store unreachable) is `UPSTREAM_UNAVAILABLE` naming `what`,
 * and nothing was done; what `work` throws passes through.
 */
export async function underLocks<T>(
  lock: ActionLock,
  keys: readonly string[],
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  let working = false;
  const nest = (i: number): Promise<T> => {
    if (i < keys.length) return lock.run(keys[i]!, () => nest(i + 1));
    working = true;
    return work();
  };
  try {
    return await nest(0);
  } catch (err) {
    if (working) throw err;
    const reason =
      err instanceof ActionLockBusyError ? err.message : `the lock could not be taken: ${(err as Error).message}`;
    throw graphqlError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `${what}: ${reason}; nothing was done, retry with the same idempotency key`,
    );
  }
}
