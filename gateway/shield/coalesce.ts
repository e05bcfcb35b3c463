/**
 * Single flight: calls with the same key made while one is in flight share its promise instead
 * of starting their own, so 100 identical concurrent fetches make one upstream call. The key is
 * forgotten as soon as the promise settles (a rejection included): the next call starts afresh.
 * Nothing is cached: this only merges calls that overlap in time.
 *
 * The key must identify everything the result depends on (for a subgraph fetch: the subgraph, the
 * serialized request and the caller's visibility scope). Sharers get the same value object, so
 * they must not mutate it.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Promise<unknown>>();

  /** Keys in flight now. */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Joins the flight for `key`, or starts it with `fn`. `shared` says whether it joined one.
   * All sharers of a key must expect the same `T`.
   */
  run<T>(key: string, fn: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const inFlight = this.flights.get(key);
    if (inFlight) return { promise: inFlight as Promise<T>, shared: true };
    const promise = (async () => fn())();
    this.flights.set(key, promise);
    // Registered before any sharer's handler, so a sharer resuming after settle finds the key gone.
    const forget = (): void => {
      if (this.flights.get(key) === promise) this.flights.delete(key);
    };
    promise.then(forget, forget);
    return { promise, shared: false };
  }
}
