/**
 * The ingest kit every subgraph mounts at `POST /ingest` (ARCHITECTURE.md, "Change path"): raw
 * body → HMAC signature → JSON → the system's validator → canonical CloudEvents → idempotent,
 * monotonic apply to the system's records → publish to `Streams.SOURCE`. Docs: docs/ingest.md.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { cloudEvent, ErrorCode, type CloudEvent, type EventSource } from '../../canonical/index.js';
import {
  findingEvent,
  GuardRefusal,
  RecordConflictError,
  summarize,
  type FindingSummary,
  type GuardedApply,
} from './ingestGuards.js';
import { Streams, type EventBus } from '../../events/bus.js';
import { versionIdsOfEvent, type OrderVersions } from '../../events/versions.js';
import type { Logger } from '../../runtime/logger.js';
import { SystemUnavailableError } from './errors.js';
import { MemoryIngestLedger, type IngestLedger } from './ingestLedger.js';
import { randomUUID } from 'node:crypto';
import { InvalidNotificationError } from './reader.js';
import {
  DEFAULT_TOLERANCE_SECONDS,
  MIN_SECRET_LENGTH,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from './signature.js';

export { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, MIN_SECRET_LENGTH } from './signature.js';
export { InvalidNotificationError } from './reader.js';
export {
  findingEvent,
  guarded,
  GuardRefusal,
  RecordConflictError,
  type FindingSummary,
  type GuardedApply,
} from './ingestGuards.js';

/** Largest webhook body accepted: 1 MiB. */
export const INGEST_BODY_LIMIT = 1024 * 1024;

/** What applying one event did: changed the records (or found them already so), or found them newer. */
export type ApplyResult = 'applied' | 'stale';

/** A system that emits source events (everything but the derived `visibility`). */
export type SourceSystemName = Exclude<EventSource, 'visibility'>;

/** One canonical event planned from a native notification, with how to apply it. */
export interface PlannedEvent {
  event: CloudEvent;
  /** The entity whose state it moves, e.g. `shipment:SHP-000001-1`: the monotonicity key. */
  entity: string;
  /** Applies the event to the system's records. Idempotent: applying it twice changes nothing more. */
  apply(): ApplyResult | GuardedApply | Promise<ApplyResult | GuardedApply>;
}

/** What one system contributes: its native shape's validator and its normalizer. */
export interface IngestSystem<N> {
  source: SourceSystemName;
  /** Checks the parsed body; throws {@link InvalidNotificationError} naming the bad field. */
  validate(body: unknown): N;
  /** The canonical events a valid notification means (at least one). Pure: no record is read. */
  plan(notification: N): PlannedEvent[];
}

/**
 * Builds a source event. The id derives from the native notification id (plus a suffix when one
 * notification means several events), so a replayed webhook yields the same ids.
 */
export function sourceEvent(
  source: SourceSystemName,
  nativeId: string,
  suffix: string | null,
  e: { type: string; subject: string; time: string; data: Record<string, unknown> },
): CloudEvent {
  return cloudEvent({ id: suffix ? `${source}:${nativeId}:${suffix}` : `${source}:${nativeId}`, source, ...e });
}

/** Options of {@link ingestRouter}. */
export interface IngestOptions<N> {
  /** The system's validator and normalizer. */
  system: IngestSystem<N>;
  /** Where every applied event is published, on `Streams.SOURCE`. */
  bus: EventBus;
  /** The HMAC secret shared with the sender, at least 16 characters. Never logged. */
  secret: string;
  /**
   * The order versions the gateway's caches check (ARCHITECTURE.md, "Caching without lying"). Each
   * applied event bumps its order and, for a new order, its customer's lists (`customer:<id>`), after
   * it is published and before the 2xx; a failed bump answers 503 and the retry bumps again.
   * @default none: nothing is bumped (no cache depends on this ingest)
   */
  versions?: OrderVersions;
  /** Largest body accepted, in bytes. @default 1048576 (1 MiB) */
  bodyLimitBytes?: number;
  /** How far `X-Signature-Timestamp` may be from this clock. @default 300 */
  toleranceSeconds?: number;
  /** Event ids and entities remembered for idempotency and monotonicity (in-memory ledger only). @default 100000 */
  ledgerSize?: number;
  /**
   * Where applied event ids and entity times are remembered. The visibility store's ledger is shared
   * by every replica and survives restarts: a webhook re-sent after a restart, or to another replica,
   * is answered `duplicate` and published once.
   * @default an in-process {@link MemoryIngestLedger} of `ledgerSize`
   */
  ledger?: IngestLedger;
  /**
   * Keeps a webhook refused for a reason that may heal (409: a record it needs does not exist yet, or
   * it contradicts one) as an ingest dead letter, raw with its headers, for an operator to replay.
   * Only called after the signature verified. @default none
   */
  keepRefused?: (letter: RefusedWebhook) => Promise<void>;
  /** Receives one line per webhook (outcome and event ids; never headers, secret or signature). */
  logger?: Logger;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
  /** The applier to run webhooks through, shared with the subgraph's actions. @default a new one from these options */
  applier?: IngestApplier;
}

/** A verified webhook refused with a 409, as {@link IngestOptions.keepRefused} receives it. */
export interface RefusedWebhook {
  system: SourceSystemName;
  rawBody: string;
  headers: Record<string, string>;
  error: string;
  /** The order its first planned event concerns (every webhook that reaches a 409 was planned). */
  orderId?: string;
  /** That event's id. */
  eventId?: string;
}

/** The answer to an accepted webhook. */
export interface IngestOutcome {
  /** applied: at least one event changed state; stale: older than what was applied; duplicate: seen before. */
  status: 'applied' | 'stale' | 'duplicate';
  /** Ids of the events applied and published by this request. */
  events: string[];
  stale?: string[];
  duplicates?: string[];
  /** What the guards refused of the applied events (published as `ingest.refused`). */
  refused?: FindingSummary[];
  /** What the guards corrected or marked (published as `ingest.corrected`). */
  corrected?: FindingSummary[];
}

/** An ingest failure with the HTTP status `/ingest` answers it with. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const problem = (res: Response, p: HttpProblem): void => {
  if (p.status === 503) res.set('retry-after', '1');
  res.status(p.status).json({ error: { code: p.code, message: p.message } });
};

const bad = (message: string): HttpProblem => new HttpProblem(400, ErrorCode.BAD_USER_INPUT, message);

/** Turns a body-parser failure (too large, aborted, encoded) into a JSON error. */
const bodyErrors: ErrorRequestHandler = (err, _req, res, _next) => {
  const e = err as { type?: string; limit?: number; length?: number; status?: number };
  if (e.type === 'entity.too.large') {
    return problem(
      res,
      new HttpProblem(
        413,
        ErrorCode.BAD_USER_INPUT,
        `request body too large: at most ${e.limit} bytes are accepted; received ${e.length ?? 'more'}`,
      ),
    );
  }
  if (e.type === 'encoding.unsupported')
    return problem(
      res,
      new HttpProblem(
        415,
        ErrorCode.BAD_USER_INPUT,
        'Content-Encoding is not supported: send the body uncompressed (identity), as it was signed',
      ),
    );
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return problem(res, bad('the request body could not be read'));
  return problem(res, new HttpProblem(500, ErrorCode.INTERNAL_SERVER_ERROR, 'internal error'));
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(req: Request, raw: Buffer): unknown {
  if (!req.is(['application/json', 'application/*+json'])) {
    throw new HttpProblem(
      415,
      ErrorCode.BAD_USER_INPUT,
      `Content-Type must be application/json; received ${JSON.stringify(req.get('content-type') ?? 'none')}`,
    );
  }
  try {
    return JSON.parse(utf8.decode(raw));
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message.slice(0, 120)}` : ' (invalid UTF-8)';
    throw bad(`request body must be valid JSON${detail}`);
  }
}

/** Applies planned events and publishes them, one batch at a time (shared by `/ingest` and the actions). */
export interface IngestApplier {
  /**
   * Applies `planned` in order (idempotent by event id, monotonic by entity), bumps the order
   * versions and publishes each applied event on `Streams.SOURCE`.
   * @throws HttpProblem (503) when the version store or the bus refused; GuardRefusal, RecordConflictError from apply.
   */
  ingest(planned: PlannedEvent[]): Promise<IngestOutcome>;
}

/**
 * The apply-and-publish half of ingest, without HTTP: `/ingest` runs webhooks through it, and a
 * subgraph's actions (docs/returns.md) run the webhook their system answers an accepted request
 * with through the same one, so an action moves the records, the caches and the subscribers exactly
 * like the system's own notification would.
 */
export function createIngestApplier(
  opts: Pick<IngestOptions<unknown>, 'system' | 'bus' | 'versions' | 'ledger' | 'ledgerSize' | 'logger' | 'now'>,
): IngestApplier {
  const { system, bus, logger, versions } = opts;
  const now = opts.now ?? Date.now;
  const ledger: IngestLedger = opts.ledger ?? new MemoryIngestLedger(opts.ledgerSize);
  const holder = `${system.source}-${randomUUID()}`;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  async function ingestAll(planned: PlannedEvent[]): Promise<IngestOutcome> {
    const applied: string[] = [];
    const stale: string[] = [];
    const duplicates: string[] = [];
    const findings: { kind: 'refused' | 'corrected'; summary: FindingSummary; event: CloudEvent }[] = [];
    for (const p of planned) {
      const { id, time } = p.event;
      // A claim, not a check: two replicas sharing the ledger never both apply and publish one event.
      const claim = await ledger.claim(id, holder);
      if (claim === 'done') {
        duplicates.push(id);
        continue;
      }
      if (claim === 'busy')
        throw new HttpProblem(
          503,
          ErrorCode.UPSTREAM_UNAVAILABLE,
          `event ${id} is being applied by another replica right now; retry the webhook`,
        );
      try {
        const entity = `${system.source}|${p.entity}`;
        if (await ledger.isStale(entity, time)) {
          await ledger.release(id, holder);
          stale.push(id);
          continue;
        }
        let outcome: ApplyResult | GuardedApply;
        try {
          outcome = await p.apply();
        } catch (err) {
          if (err instanceof GuardRefusal) await publishRefusal(p, err);
          throw err;
        }
        const result = typeof outcome === 'string' ? outcome : outcome.result;
        if (typeof outcome !== 'string') {
          const at = new Date(now()).toISOString();
          outcome.findings.forEach((f, i) => {
            const event = findingEvent(p, f, i, at);
            findings.push({ kind: f.kind, event, summary: summarize(event) });
          });
        }
        if (result === 'stale') {
          await ledger.release(id, holder);
          stale.push(id);
          continue;
        }
        await ledger.advance(entity, time);
        // Bump before publishing: whoever reacts to the event (the status tracker, a subscriber's
        // payload) must already read past every cached copy of the replaced value.
        try {
          await versions?.bump(versionIdsOfEvent(p.event));
        } catch {
          // Not marked as seen: until a bump succeeds, caches could still serve the replaced value.
          throw new HttpProblem(
            503,
            ErrorCode.UPSTREAM_UNAVAILABLE,
            'the cache version store did not record the change; retry the webhook',
          );
        }
        try {
          await bus.publish(Streams.SOURCE, p.event);
        } catch {
          // Not marked as seen either: the sender's retry applies again (a no-op) and publishes.
          throw new HttpProblem(
            503,
            ErrorCode.UPSTREAM_UNAVAILABLE,
            'the event bus did not accept the event; the webhook was not recorded, retry it',
          );
        }
      } catch (err) {
        await ledger.release(id, holder).catch(() => undefined);
        throw err;
      }
      await ledger.complete(id, holder, p.event.subject);
      applied.push(id);
    }
    for (const f of findings) {
      try {
        await bus.publish(Streams.SOURCE, f.event);
      } catch {
        // The change itself is recorded; the finding is also in the answer and on the next replay.
        logger?.warn({ system: system.source, finding: f.event.id }, 'ingest finding not published');
      }
    }
    const refused = findings.filter((f) => f.kind === 'refused').map((f) => f.summary);
    const corrected = findings.filter((f) => f.kind === 'corrected').map((f) => f.summary);
    const status = applied.length > 0 ? 'applied' : stale.length > 0 ? 'stale' : 'duplicate';
    return {
      status,
      events: applied,
      ...(stale.length ? { stale } : {}),
      ...(duplicates.length ? { duplicates } : {}),
      ...(refused.length ? { refused } : {}),
      ...(corrected.length ? { corrected } : {}),
    };
  }

  async function publishRefusal(p: PlannedEvent, err: GuardRefusal): Promise<void> {
    const event = findingEvent(
      p,
      { kind: 'refused', reason: err.reason, message: err.message, ...err.details },
      0,
      new Date(now()).toISOString(),
    );
    try {
      await bus.publish(Streams.SOURCE, event);
    } catch {
      logger?.warn({ system: system.source, finding: event.id }, 'ingest refusal not published');
    }
  }

  return { ingest: (planned) => serially(() => ingestAll(planned)) };
}

/**
 * The `/ingest` router of one subgraph. Mount it before any JSON body parser: the signature covers
 * the raw bytes. Every request is handled in turn, so two deliveries of one webhook never race.
 * @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
 */
export function ingestRouter<N>(opts: IngestOptions<N>): Router {
  checkWebhookSecret(opts.secret, `${opts.system.source} ingest secret`);
  const { system, secret, logger } = opts;
  const now = opts.now ?? Date.now;
  const applier = opts.applier ?? createIngestApplier(opts);

  /** `planned`: filled with what the webhook was planned into, so that a refusal can name its order. */
  async function handle(req: Request, res: Response, planned: PlannedEvent[]): Promise<void> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const refused = verifySignature(
      secret,
      req.get(SIGNATURE_HEADER),
      req.get(TIMESTAMP_HEADER),
      raw,
      now() / 1000,
      opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    );
    if (refused) {
      logger?.warn({ system: system.source, reason: refused }, 'webhook refused');
      throw new HttpProblem(401, ErrorCode.UNAUTHENTICATED, refused);
    }
    let notification: N;
    try {
      notification = system.validate(parseJson(req, raw));
    } catch (err) {
      if (err instanceof InvalidNotificationError) throw bad(err.message);
      throw err;
    }
    planned.push(...system.plan(notification));
    const outcome = await applier.ingest(planned);
    logger?.debug({ system: system.source, status: outcome.status, events: outcome.events }, 'webhook ingested');
    res.status(200).json(outcome);
  }

  /** A verified webhook refused with a 409 becomes an ingest dead letter (when configured); never fails the answer. */
  async function keepRefused(req: Request, error: string, planned: readonly PlannedEvent[]): Promise<void> {
    if (!opts.keepRefused || !Buffer.isBuffer(req.body)) return;
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const first = planned[0]?.event;
    try {
      await opts.keepRefused({
        system: system.source,
        rawBody: req.body.toString('utf8'),
        headers,
        error: `409: ${error}`,
        ...(first ? { orderId: first.subject, eventId: first.id } : {}),
      });
    } catch (e) {
      logger?.error(
        { system: system.source, err: (e as Error).message },
        'refused webhook could not be kept as a dead letter',
      );
    }
  }

  const router = express.Router();
  router.post(
    '/',
    express.raw({ type: () => true, limit: opts.bodyLimitBytes ?? INGEST_BODY_LIMIT, inflate: false }),
    async (req, res) => {
      const planned: PlannedEvent[] = [];
      try {
        await handle(req, res, planned);
      } catch (err) {
        if (err instanceof HttpProblem) return problem(res, err);
        if (err instanceof InvalidNotificationError) return problem(res, bad(err.message));
        if (err instanceof RecordConflictError) {
          await keepRefused(req, err.message, planned);
          return problem(res, new HttpProblem(409, ErrorCode.BAD_USER_INPUT, err.message));
        }
        if (err instanceof SystemUnavailableError)
          return problem(res, new HttpProblem(503, ErrorCode.UPSTREAM_UNAVAILABLE, err.message));
        logger?.error({ system: system.source, err: (err as Error).message }, 'webhook failed');
        problem(res, new HttpProblem(500, ErrorCode.INTERNAL_SERVER_ERROR, 'internal error'));
      }
    },
  );
  router.all('/', (_req, res) => {
    res.set('allow', 'POST');
    problem(res, new HttpProblem(405, ErrorCode.BAD_USER_INPUT, 'use POST to deliver a webhook'));
  });
  router.use(bodyErrors);
  return router;
}

/** Throws when a webhook secret is too short to be a secret; `what` names where it came from. */
export function checkWebhookSecret(secret: string, what: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `${what} must be at least ${MIN_SECRET_LENGTH} characters; received ${typeof secret === 'string' ? secret.length : 0}`,
    );
  }
}

/**
 * The write side of a system that ingest applies to, or a clear error when the given port has
 * none (a read-only adapter cannot ingest).
 */
export function recorderOf<W>(system: unknown, name: string, methods: readonly (keyof W & string)[]): W {
  const missing = methods.filter((m) => typeof (system as Record<string, unknown> | null)?.[m] !== 'function');
  if (missing.length)
    throw new Error(
      `${name} ingest needs a system that records changes; the given adapter lacks ${missing.join(', ')}`,
    );
  return system as W;
}
