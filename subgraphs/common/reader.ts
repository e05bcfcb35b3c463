import { checkId, parseDateTime } from '../../canonical/index.js';
import type { Money } from '../../canonical/index.js';

/** A native notification that does not have the expected shape: answered with HTTP 400. */
export class InvalidNotificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNotificationError';
  }
}

/** How a received value is shown in a message: short, escaped, never the whole raw input. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

const fail = (path: string, expected: string, received: unknown): never => {
  throw new InvalidNotificationError(`${path} must be ${expected}; received ${describeValue(received)}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DECIMAL = /^-?\d{1,12}(\.\d{1,4})?$/;

/**
 * A tolerant reader over a parsed JSON object: each accessor checks one field and fails with
 * `<path> must be <expected>; received <what arrived>`. Fields it is not asked about are ignored.
 */
export class Reader {
  private constructor(
    private readonly obj: Record<string, unknown>,
    readonly path: string,
  ) {}

  /** The body itself, which must be a JSON object. */
  static root(body: unknown): Reader {
    if (!isObject(body)) fail('the body', 'a JSON object', body);
    return new Reader(body as Record<string, unknown>, '');
  }

  /** The full path of a field of this object, e.g. `scans[0].occurredAt`. */
  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  string(key: string, max = 200): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v.trim().length === 0 || v.length > max)
      fail(this.at(key), `a non-empty string of at most ${max} characters`, v);
    return v as string;
  }

  optionalString(key: string, max = 200): string | null {
    return this.has(key) ? this.string(key, max) : null;
  }

  /** An identifier: 1-64 characters, no control characters. */
  id(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string') fail(this.at(key), 'an id (a string of 1-64 characters)', v);
    const problem = checkId(this.at(key), v as string);
    if (problem) throw new InvalidNotificationError(problem);
    return v as string;
  }

  optionalId(key: string): string | null {
    return this.has(key) ? this.id(key) : null;
  }

  /** An ISO-8601 date-time with a zone, normalized to UTC (`…Z`). */
  dateTime(key: string): string {
    const v = this.obj[key];
    const parsed = typeof v === 'string' ? parseDateTime(v) : null;
    if (parsed === null) fail(this.at(key), 'an ISO-8601 date-time', v);
    return parsed as string;
  }

  optionalDateTime(key: string): string | null {
    return this.has(key) ? this.dateTime(key) : null;
  }

  int(key: string, min: number, max: number): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(this.at(key), `an integer from ${min} to ${max}`, v);
    return v as number;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') fail(this.at(key), 'true or false', v);
    return v as boolean;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.obj[key];
    if (typeof v !== 'string' || !values.includes(v as T)) fail(this.at(key), `one of ${values.join(', ')}`, v);
    return v as T;
  }

  object(key: string): Reader {
    const v = this.obj[key];
    if (!isObject(v)) fail(this.at(key), 'an object', v);
    return new Reader(v as Record<string, unknown>, this.at(key));
  }

  optionalObject(key: string): Reader | null {
    return this.has(key) ? this.object(key) : null;
  }

  /** A list of objects, each read with its own path (`lines[2]`). */
  list(key: string, min: number, max: number): Reader[] {
    const v = this.obj[key];
    if (!Array.isArray(v) || v.length < min || v.length > max)
      fail(this.at(key), `an array of ${min} to ${max} objects`, v);
    return (v as unknown[]).map((item, i) => {
      const path = `${this.at(key)}[${i}]`;
      if (!isObject(item)) fail(path, 'an object', item);
      return new Reader(item as Record<string, unknown>, path);
    });
  }

  /** Money: `{ amount: "12.34", currency: "USD" }` (a non-negative decimal string, never a float). */
  money(key: string): Money {
    const m = this.object(key);
    const amount = m.obj.amount;
    if (typeof amount !== 'string' || !DECIMAL.test(amount))
      fail(m.at('amount'), 'a decimal string such as "129.90"', amount);
    if ((amount as string).startsWith('-'))
      fail(
        m.at('amount'),
        'a non-negative amount (a refund or credit is its own event, never a negative amount)',
        amount,
      );
    const currency = m.obj.currency;
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
      fail(m.at('currency'), 'an ISO-4217 code such as "USD"', currency);
    return { amount: amount as string, currency: currency as string };
  }

  /** Quantity lines `[{ lineNumber, quantity }]` with distinct line numbers. */
  qtyLines(key: string, minQuantity = 1): Reader[] {
    const lines = this.list(key, 1, 500);
    const seen = new Set<number>();
    for (const l of lines) {
      const n = l.int('lineNumber', 1, 10_000);
      if (seen.has(n)) fail(l.at('lineNumber'), 'a line number not already listed', n);
      seen.add(n);
      l.int('quantity', minQuantity, 100_000);
    }
    return lines;
  }

  /** Fails at this object's path (or one of its fields) with what was expected. */
  fail(key: string | null, expected: string): never {
    return fail(
      key === null ? this.path || 'the body' : this.at(key),
      expected,
      key === null ? this.obj : this.obj[key],
    );
  }
}
