import type { ActionResults } from '../../store/actions.js';

export type { ActionResults } from '../../store/actions.js';

/**
 * Results of actions by idempotency key, in this process: a retry with the same key returns the
 * first result and creates nothing. Keys are scoped by the action and the caller (two shoppers'
 * keys never collide), and the request's fingerprint is kept so the same key with another request
 * is refused rather than answered with an unrelated result. Bounded (oldest out). Replicas share
 * the store's instead (`VisibilityStore.actionResults`, docs/returns.md).
 */
export class IdempotencyKeys implements ActionResults {
  private readonly results = new Map<string, { fingerprint: string; result: unknown }>();
  /** @param max entries kept. @default 10000 */
  constructor(private readonly max = 10_000) {}

  async get<R>(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<{ result: R } | { conflict: true } | undefined> {
    const hit = this.results.get(`${scope}\u0000${key}`);
    if (!hit) return undefined;
    return hit.fingerprint === fingerprint ? { result: structuredClone(hit.result) as R } : { conflict: true };
  }

  async remember<R>(scope: string, key: string, fingerprint: string, result: R): Promise<void> {
    const k = `${scope}\u0000${key}`;
    if (this.results.has(k)) return;
    if (this.results.size >= this.max) this.results.delete(this.results.keys().next().value!);
    this.results.set(k, { fingerprint, result: structuredClone(result) });
  }
}
