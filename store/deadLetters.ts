import { createHash } from 'node:crypto';
import type { CloudEvent } from '../canonical/index.js';
import { withoutDeadLetter, type DeadLetterEvent } from '../events/deadLetter.js';
import type { Clock } from './clock.js';
import { iso, isoNN, type Db } from './db.js';
import { decodeCursor, encodeCursor, type Page } from './page.js';

/**
 * A *consumer* letter: an event a consumer group failed its maximum number of times (drained from
 * the bus's dead-letter streams). An *ingest* letter: a webhook refused for a reason that may heal
 * (a 409, an unknown order), kept raw with its headers.
 */
export type DeadLetterKind = 'consumer' | 'ingest';
/** open → replaying → replayed, or open → discarded; a replayed letter that fails again is open again. */
export type DeadLetterState = 'open' | 'replaying' | 'replayed' | 'discarded';

export interface DeadLetter {
  id: string;
  kind: DeadLetterKind;
  state: DeadLetterState;
  /** consumer: the stream and the group that gave up. */
  stream: string | null;
  group: string | null;
  /** The system whose event or webhook it is (the event's source; the ingest endpoint's system). */
  system: string | null;
  eventId: string | null;
  eventType: string | null;
  orderId: string | null;
  /** consumer: the original event (without the `deadletter*` attributes). */
  event: CloudEvent | null;
  /** ingest: the raw body as received (UTF-8) and its headers (signature headers included). */
  rawBody: string | null;
  headers: Record<string, string> | null;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  replays: number;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
}

/** One audited operator action on a letter. */
export interface DeadLetterAudit {
  letterId: string;
  action: 'replay' | 'discard';
  actor: string;
  reason: string;
  /** `replayed`, `discarded`, `noop: <state>` (idempotent repeat) or `failed: <error>`. */
  outcome: string;
  at: string;
}

/** Who acts and why: every replay and discard is audited with it. */
export interface OperatorAction {
  /** The operator (their subject / client id). */
  actor: string;
  /** Why (free text, required for a discard). */
  reason: string;
}

/** The outcome of one replay or discard. */
export interface LetterOutcome {
  letter: DeadLetter;
  /** `replayed` / `discarded`: done now; `noop`: it was already in a final state; `failed`: the redelivery threw (the letter stays open). */
  outcome: 'replayed' | 'discarded' | 'noop' | 'failed';
  error?: string;
}

/** How a replay re-delivers a letter: the store stays free of the bus and of HTTP. */
export interface Redeliverer {
  /** Re-delivers a consumer letter's event to its group only (`EventBus.redeliver`). */
  consumer(letter: DeadLetter & { event: CloudEvent; stream: string; group: string }): Promise<void>;
  /** Re-posts an ingest letter's raw body to its system's `/ingest` (re-signed); throws unless 2xx. */
  ingest(letter: DeadLetter & { rawBody: string; system: string }): Promise<void>;
}

/** The filter of {@link DeadLetters.list} and {@link DeadLetters.replayMatching}. */
export interface DeadLetterFilter {
  kind?: DeadLetterKind | null;
  /** @default any state */
  state?: DeadLetterState | null;
  system?: string | null;
  group?: string | null;
  orderId?: string | null;
}

/** What {@link DeadLetters.recordIngest} keeps of a refused webhook. */
export interface IngestLetterInput {
  system: string;
  rawBody: string;
  headers: Record<string, string>;
  /** The refusal (status and message). */
  error: string;
  /** The order it concerns, when the body was readable enough to say. */
  orderId?: string | null;
  eventId?: string | null;
}

type Row = Record<string, unknown>;

const toLetter = (r: Row): DeadLetter => ({
  id: r.id as string,
  kind: r.kind as DeadLetterKind,
  state: r.state as DeadLetterState,
  stream: (r.stream as string | null) ?? null,
  group: (r.group_name as string | null) ?? null,
  system: (r.system as string | null) ?? null,
  eventId: (r.event_id as string | null) ?? null,
  eventType: (r.event_type as string | null) ?? null,
  orderId: (r.order_id as string | null) ?? null,
  event: (r.payload as CloudEvent | null) ?? null,
  rawBody: (r.raw_body as string | null) ?? null,
  headers: (r.headers as Record<string, string> | null) ?? null,
  error: r.error as string,
  attempts: Number(r.attempts),
  firstFailedAt: isoNN(r.first_failed_at),
  lastFailedAt: isoNN(r.last_failed_at),
  replays: Number(r.replays),
  resolvedAt: iso(r.resolved_at),
  resolvedBy: (r.resolved_by as string | null) ?? null,
  resolution: (r.resolution as string | null) ?? null,
});

/** Headers never kept with an ingest letter (credentials of the sender's transport). */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

/** The dead letters' one home: record (idempotent), list, inspect, replay one or a filtered set, discard — audited. */
export class DeadLetters {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** The letter id of a consumer dead letter: one per (stream, group, event id). */
  static consumerId(stream: string, group: string, eventId: string): string {
    return `consumer:${stream}:${group}:${eventId}`;
  }

  /** The letter id of an ingest letter: one per (system, body bytes). */
  static ingestId(system: string, rawBody: string): string {
    return `ingest:${system}:${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
  }

  /**
   * Records a bus dead letter of `stream` (its event as on the `.dead` stream). The same event dead
   * again (e.g. after a replay that failed too) updates the same letter and re-opens it.
   */
  async recordConsumer(stream: string, dead: DeadLetterEvent): Promise<DeadLetter> {
    const event = withoutDeadLetter(dead);
    delete (event as Partial<CloudEvent>).recordedtime;
    const id = DeadLetters.consumerId(stream, dead.deadlettergroup, event.id);
    const at = new Date(this.now());
    const [r] = await this.db.query<Row>(
      `INSERT INTO dead_letters (id, kind, stream, group_name, system, event_id, event_type, order_id, payload, error, attempts, first_failed_at, last_failed_at)
      VALUES ($1, 'consumer', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
      ON CONFLICT (id) DO UPDATE SET error = EXCLUDED.error, attempts = dead_letters.attempts + EXCLUDED.attempts,
        last_failed_at = EXCLUDED.last_failed_at, state = CASE WHEN dead_letters.state = 'discarded' THEN 'discarded' ELSE 'open' END
      RETURNING *`,
      [
        id,
        stream,
        dead.deadlettergroup,
        event.source,
        event.id,
        event.type,
        event.subject || null,
        JSON.stringify(event),
        dead.deadlettererror,
        dead.deadletterdeliveries,
        at,
      ],
    );
    return toLetter(r!);
  }

  /** Records a refused webhook (raw, with its headers minus transport credentials); the same bytes again count one more attempt. */
  async recordIngest(input: IngestLetterInput): Promise<DeadLetter> {
    const id = DeadLetters.ingestId(input.system, input.rawBody);
    const headers = Object.fromEntries(
      Object.entries(input.headers).filter(([k]) => !DROPPED_HEADERS.has(k.toLowerCase())),
    );
    const at = new Date(this.now());
    const [r] = await this.db.query<Row>(
      `INSERT INTO dead_letters (id, kind, system, event_id, order_id, raw_body, headers, error, attempts, first_failed_at, last_failed_at)
      VALUES ($1, 'ingest', $2, $3, $4, $5, $6, $7, 1, $8, $8)
      ON CONFLICT (id) DO UPDATE SET error = EXCLUDED.error, attempts = dead_letters.attempts + 1, last_failed_at = EXCLUDED.last_failed_at,
        state = CASE WHEN dead_letters.state = 'discarded' THEN 'discarded' ELSE 'open' END
      RETURNING *`,
      [
        id,
        input.system,
        input.eventId ?? null,
        input.orderId ?? null,
        input.rawBody,
        JSON.stringify(headers),
        input.error,
        at,
      ],
    );
    return toLetter(r!);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const [r] = await this.db.query<Row>('SELECT * FROM dead_letters WHERE id = $1', [id]);
    return r ? toLetter(r) : null;
  }

  /** The audit trail of a letter, oldest first. */
  async audit(id: string): Promise<DeadLetterAudit[]> {
    const rows = await this.db.query<Row>('SELECT * FROM dead_letter_audit WHERE letter_id = $1 ORDER BY id', [id]);
    return rows.map((r) => ({
      letterId: r.letter_id as string,
      action: r.action as 'replay' | 'discard',
      actor: r.actor as string,
      reason: r.reason as string,
      outcome: r.outcome as string,
      at: isoNN(r.at),
    }));
  }

  /** A page of letters, most recently failed first. */
  async list(filter: DeadLetterFilter, first: number, after?: string | null): Promise<Page<DeadLetter>> {
    const { where, params } = this.where(filter);
    if (after) {
      const c = decodeCursor(after);
      params.push(c.at, c.key);
      where.push(`(last_failed_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(first + 1);
    const rows = await this.db.query<Row>(
      `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY last_failed_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, first).map(toLetter);
    const last = nodes.at(-1);
    return {
      nodes,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor(last.lastFailedAt, last.id) : null,
    };
  }

  /** Open letters counted by kind. */
  async depth(): Promise<{ consumer: number; ingest: number }> {
    const rows = await this.db.query<{ kind: DeadLetterKind; n: number }>(
      "SELECT kind, count(*)::int AS n FROM dead_letters WHERE state = 'open' GROUP BY kind",
    );
    const by = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    return { consumer: by.consumer ?? 0, ingest: by.ingest ?? 0 };
  }

  /**
   * THE replay: re-delivers one open letter — a consumer letter to its group only, an ingest letter
   * re-posted to its `/ingest` — exactly once however many operators (or processes) ask at the same
   * time: the letter moves open → replaying atomically, so only one caller re-delivers; the others
   * (and any later call) get `noop`. A failed redelivery leaves it open (`failed`). Audited.
   */
  async replay(id: string, who: OperatorAction, redeliver: Redeliverer): Promise<LetterOutcome> {
    assertAction(who, false);
    const claimed = await this.db.query<Row>(
      "UPDATE dead_letters SET state = 'replaying' WHERE id = $1 AND state = 'open' RETURNING *",
      [id],
    );
    if (!claimed[0]) {
      const letter = await this.get(id);
      if (!letter) throw new UnknownDeadLetterError(id);
      await this.audit_(id, 'replay', who, `noop: ${letter.state}`);
      return { letter, outcome: 'noop' };
    }
    const letter = toLetter(claimed[0]);
    try {
      if (letter.kind === 'consumer') {
        if (!letter.event || !letter.stream || !letter.group)
          throw new Error(`consumer letter ${id} lacks its event, stream or group`);
        await redeliver.consumer({ ...letter, event: letter.event, stream: letter.stream, group: letter.group });
      } else {
        if (letter.rawBody === null || !letter.system) throw new Error(`ingest letter ${id} lacks its body or system`);
        await redeliver.ingest({ ...letter, rawBody: letter.rawBody, system: letter.system });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const [r] = await this.db.query<Row>(
        "UPDATE dead_letters SET state = 'open', error = $2, last_failed_at = $3 WHERE id = $1 RETURNING *",
        [id, `replay failed: ${message}`, new Date(this.now())],
      );
      await this.audit_(id, 'replay', who, `failed: ${message}`);
      return { letter: toLetter(r!), outcome: 'failed', error: message };
    }
    const [r] = await this.db.query<Row>(
      `UPDATE dead_letters SET state = 'replayed', replays = replays + 1, resolved_at = $2, resolved_by = $3, resolution = $4
      WHERE id = $1 RETURNING *`,
      [id, new Date(this.now()), who.actor, who.reason],
    );
    await this.audit_(id, 'replay', who, 'replayed');
    return { letter: toLetter(r!), outcome: 'replayed' };
  }

  /** Replays every open letter matching `filter` (at most `limit`, oldest failure first), one by one. */
  async replayMatching(
    filter: DeadLetterFilter,
    who: OperatorAction,
    redeliver: Redeliverer,
    limit = 500,
  ): Promise<LetterOutcome[]> {
    const { where, params } = this.where({ ...filter, state: 'open' });
    params.push(limit);
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY last_failed_at, id LIMIT $${params.length}`,
      params,
    );
    const out: LetterOutcome[] = [];
    for (const { id } of rows) out.push(await this.replay(id, who, redeliver));
    return out;
  }

  /** Discards an open letter with a reason (required); idempotent (`noop` when already final). Audited. */
  async discard(id: string, who: OperatorAction): Promise<LetterOutcome> {
    assertAction(who, true);
    const rows = await this.db.query<Row>(
      `UPDATE dead_letters SET state = 'discarded', resolved_at = $2, resolved_by = $3, resolution = $4
      WHERE id = $1 AND state = 'open' RETURNING *`,
      [id, new Date(this.now()), who.actor, who.reason],
    );
    if (!rows[0]) {
      const letter = await this.get(id);
      if (!letter) throw new UnknownDeadLetterError(id);
      await this.audit_(id, 'discard', who, `noop: ${letter.state}`);
      return { letter, outcome: 'noop' };
    }
    await this.audit_(id, 'discard', who, 'discarded');
    return { letter: toLetter(rows[0]), outcome: 'discarded' };
  }

  private where(filter: DeadLetterFilter): { where: string[]; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const cols: Array<[keyof DeadLetterFilter, string]> = [
      ['kind', 'kind'],
      ['state', 'state'],
      ['system', 'system'],
      ['group', 'group_name'],
      ['orderId', 'order_id'],
    ];
    for (const [key, col] of cols) {
      const v = filter[key];
      if (v == null) continue;
      params.push(v);
      where.push(`${col} = $${params.length}`);
    }
    if (where.length === 0) where.push('TRUE');
    return { where, params };
  }

  private async audit_(
    letterId: string,
    action: 'replay' | 'discard',
    who: OperatorAction,
    outcome: string,
  ): Promise<void> {
    await this.db.query(
      'INSERT INTO dead_letter_audit (letter_id, action, actor, reason, outcome, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [letterId, action, who.actor, who.reason, outcome, new Date(this.now())],
    );
  }
}

/** No letter has this id. */
export class UnknownDeadLetterError extends Error {
  constructor(readonly id: string) {
    super(`no dead letter with id ${JSON.stringify(id)}; list them with deadLetters(filter)`);
    this.name = 'UnknownDeadLetterError';
  }
}

function assertAction(who: OperatorAction, reasonRequired: boolean): void {
  if (typeof who.actor !== 'string' || who.actor.trim() === '')
    throw new TypeError(`dead-letter action: expected the acting operator, got ${JSON.stringify(who.actor)}`);
  if (typeof who.reason !== 'string' || (reasonRequired && who.reason.trim() === '') || who.reason.length > 500) {
    throw new TypeError(
      `dead-letter action: expected a reason (${reasonRequired ? '1' : '0'} to 500 characters), got ${JSON.stringify(typeof who.reason === 'string' ? who.reason.slice(0, 40) : who.reason)}`,
    );
  }
}
