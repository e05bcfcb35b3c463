/**
 * A bounded push → pull bridge: producers `push`, graphql-ws pulls with `for await`. Past
 * `maxBuffered` unread values the queue fails with {@link QueueOverflowError} instead of growing:
 * memory per subscriber stays bounded whatever the consumer does.
 */
export class QueueOverflowError extends Error {
  constructor(
    readonly limit: number,
    unit: 'events' | 'bytes' = 'events',
  ) {
    super(`subscriber fell more than ${limit} ${unit} behind`);
    this.name = 'QueueOverflowError';
  }
}

export class PushQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly sizes: number[] = [];
  /** Bytes of the values waiting to be read (as the producer measured them). */
  bytes = 0;
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((e: unknown) => void) | undefined;
  private done = false;
  private error: unknown;
  /** True once the consumer fell more than `maxBuffered` values behind. */
  overflowed = false;

  /**
   * @param maxBuffered unread values before the queue fails
   * @param maxBytes unread bytes (as `push` is told them) before the queue fails: each subscriber
   *   has its own budget, so one that stops reading cannot take the memory of the others.
   *   @default unbounded by bytes
   */
  constructor(
    private readonly maxBuffered: number,
    private readonly onClose: () => void,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Adds a value of `bytes` bytes (measured once by the producer, shared by every queue it feeds). */
  push(value: T, bytes = 0): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.maxBuffered) {
      this.overflowed = true;
      this.fail(new QueueOverflowError(this.maxBuffered));
      return;
    }
    if (this.bytes + bytes > this.maxBytes) {
      this.overflowed = true;
      this.fail(new QueueOverflowError(this.maxBytes, 'bytes'));
      return;
    }
    this.buffer.push(value);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Ends the iteration with an error (delivered after what is buffered). */
  fail(error: unknown): void {
    if (this.done) return;
    this.error = error;
    this.finish();
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) {
      this.bytes -= this.sizes.shift() ?? 0;
      return Promise.resolve({ value: this.buffer.shift()!, done: false });
    }
    if (this.done) return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.sizes.length = 0;
    this.bytes = 0;
    this.error = undefined;
    this.finish();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
  }
}
