/**
 * Results of actions by idempotency key: a retry with the same key returns the first result and
 * creates nothing. Keys are scoped by the action and the caller (two shoppers' keys never collide),
 * and the request's fingerprint is kept so the same key with another request is refused rather than
 * answered with an unrelated result. In memory, bounded (oldest out); a replicated deployment keeps
 * them in the store (docs/returns.md).
 */
export class IdempotencyKeys<R> {
  private readonly results = new Map<string, { fingerprint: string; result: R }>();
  /** @param max entries kept. @default 10000 */
  constructor(private readonly max = 10_000) {}

  /** The earlier result for this key: `{ result }` for the same request, `{ conflict }` for another one, undefined when new. */
  get(scope: string, key: string, fingerprint: string): { result: R } | { conflict: true } | undefined {
    const hit = this.results.get(`${scope}\u0000${key}`);
    if (!hit) return undefined;
    return hit.fingerprint === fingerprint ? { result: hit.result } : { conflict: true };
  }

  remember(scope: string, key: string, fingerprint: string, result: R): void {
    if (this.results.size >= this.max) this.results.delete(this.results.keys().next().value!);
    this.results.set(`${scope}\u0000${key}`, { fingerprint, result });
  }
}
