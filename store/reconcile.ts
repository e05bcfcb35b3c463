import type { Clock } from './clock.js';
import { isoNN, type Db } from './db.js';
import { exceptionFromRow, type ExceptionRecord } from './exceptions.js';

/** An open dead letter as the exception rules read it. */
export interface OpenLetterRef {
  id: string;
  /** When it first failed (ISO-8601 UTC). */
  since: string;
  group: string | null;
  error: string;
}

/** What reconciling one order's exceptions reads besides its facts. */
export interface ReconcileInputs {
  /** Its open exceptions, oldest first. */
  open: ExceptionRecord[];
  /** Its open dead letters, newest first (at most {@link MAX_LETTERS}). */
  letters: OpenLetterRef[];
  /** The order row's channel (null without a row or a channel). */
  channel: string | null;
}

/** The most open letters of one order the rules look at. */
export const MAX_LETTERS = 50;

/** The result of {@link ReconcileRows.fold}. */
export interface Folded<F> {
  /** The facts before (null when the order had none). */
  prev: Record<string, unknown> | null;
  facts: F;
  /** False when `fn` returned the facts as they were (nothing written). */
  changed: boolean;
  inputs: ReconcileInputs;
}

type Row = Record<string, unknown>;

/**
 * The order's facts and everything a reconciliation reads, in ONE statement: the exception engine
 * used to spend four on it (facts, open exceptions, open letters, the order row) per event. The
 * letters are the newest {@link MAX_LETTERS} open ones, like `DeadLetters.list({ orderId, state: 'open' })`.
 */
const READ = `SELECT o.facts, o.channel,
  (SELECT COALESCE(json_agg(e ORDER BY e.id), '[]'::json) FROM exceptions e WHERE e.order_id = $1 AND e.closed_at IS NULL) AS open,
  (SELECT COALESCE(json_agg(l), '[]'::json) FROM (
    SELECT d.id, d.first_failed_at, d.group_name, d.error FROM dead_letters d
    WHERE d.state = 'open' AND d.order_id = $1 ORDER BY d.last_failed_at DESC, d.id DESC LIMIT ${MAX_LETTERS}) l) AS letters
  FROM (SELECT $1::text AS order_id) k LEFT JOIN orders o ON o.order_id = k.order_id`;

function inputsOf(r: Row | undefined): ReconcileInputs {
  const json = <T>(v: unknown): T[] => (typeof v === 'string' ? (JSON.parse(v) as T[]) : ((v as T[] | null) ?? []));
  return {
    open: json<Row>(r?.open).map(exceptionFromRow),
    letters: json<Row>(r?.letters).map((l) => ({
      id: l.id as string,
      since: isoNN(l.first_failed_at),
      group: (l.group_name as string | null) ?? null,
      error: l.error as string,
    })),
    channel: (r?.channel as string | null) ?? null,
  };
}

/** JSON with object keys sorted (jsonb does not keep key order). */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** The exception engine's reads and writes of an order's facts, with what a reconciliation needs. */
export class ReconcileRows {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** What reconciling `orderId` reads besides its facts (one statement). */
  async inputs(orderId: string): Promise<ReconcileInputs & { facts: Record<string, unknown> | null }> {
    const [r] = await this.db.query<Row>(READ, [orderId]);
    const facts = r?.facts as Record<string, unknown> | null | undefined;
    return { ...inputsOf(r), facts: facts && Object.keys(facts).length > 0 ? facts : null };
  }

  /**
   * Read-modify-write of an order's facts, reading in the same statement what reconciling it
   * needs; nothing is written when `fn` returns the facts unchanged. Optimistic: the write is a
   * compare-and-set on the facts read (an insert when the order had no row), read again when another
   * writer (replica) got there first — so no update is lost, as under `OrderRows.updateFacts`'s row
   * lock, in two statements instead of a transaction of four plus three reads.
   */
  async fold<F>(orderId: string, fn: (prev: Record<string, unknown> | null) => F): Promise<Folded<F>> {
    for (let round = 0; round < MAX_FOLD_ROUNDS; round++) {
      const [r] = await this.db.query<Row>(READ, [orderId]);
      // facts is NOT NULL: null here means the order has no row yet.
      const stored = (r?.facts as Record<string, unknown> | null | undefined) ?? null;
      const prev = stored && Object.keys(stored).length > 0 ? stored : null;
      const facts = fn(prev);
      const changed = stableJson(facts) !== stableJson(prev ?? {});
      const done = (): Folded<F> => ({ prev, facts, changed, inputs: inputsOf(r) });
      if (!changed) return done();
      const at = new Date(this.now());
      const written = stored
        ? await this.db.query(
            'UPDATE orders SET facts = $2, updated_at = $3 WHERE order_id = $1 AND facts = $4::jsonb RETURNING 1',
            [orderId, JSON.stringify(facts), at, JSON.stringify(stored)],
          )
        : await this.db.query(
            `INSERT INTO orders (order_id, facts, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (order_id) DO UPDATE SET facts = EXCLUDED.facts, updated_at = EXCLUDED.updated_at
            WHERE orders.facts = '{}'::jsonb RETURNING 1`,
            [orderId, JSON.stringify(facts), at],
          );
      if (written.length > 0) return done();
    }
    throw new Error(`the facts of ${orderId} kept changing under ${MAX_FOLD_ROUNDS} rounds; will retry`);
  }
}

/** Compare-and-set rounds of one fold before the event is left to the bus's redelivery. */
const MAX_FOLD_ROUNDS = 5;
