/**
 * A handler's way of saying "this event will never succeed here": a consumer handler that throws a
 * {@link PermanentFailure} has its entry moved to the dead-letter stream at once — no redelivery,
 * whatever `maxDeliveries` is — with the error's message as `deadlettererror`. Any other error is
 * transient: the entry is redelivered until `maxDeliveries`.
 *
 * Example: a Salesforce record refused with `INVALID_FIELD` fails the same way on every retry, so the
 * connector throws `new PermanentFailure('INVALID_FIELD: No such column …')` and an operator replays
 * the dead letter once the mapping is fixed.
 */
export class PermanentFailure extends Error {
  /** Marks the error across module copies (an `instanceof` can fail when two copies are loaded). */
  readonly permanent = true as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

/** True when a handler error asks for dead-lettering at once ({@link PermanentFailure}). */
export function isPermanentFailure(err: unknown): boolean {
  return (
    err instanceof PermanentFailure ||
    (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true)
  );
}
