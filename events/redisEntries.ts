import type { CloudEvent } from '../canonical/index.js';
import { compareIds, CursorExpiredError, type Envelope, type StreamId } from './bus.js';

/** The one field of a stream entry: the event as JSON. */
export const EVENT_FIELD = 'event';

/** An entry as ioredis returns it: `[id, [field, value, ...]]`. */
export type RawEntry = [id: string, fields: string[]];

/** XADD arguments after the key: trim to about `maxLen`, server-assigned id, the event field. */
export function xaddArgs(maxLen: number, event: CloudEvent): string[] {
  return ['MAXLEN', '~', String(maxLen), '*', EVENT_FIELD, JSON.stringify(event)];
}

/** The event with `recordedtime` stamped now. */
export const stamped = (event: CloudEvent): CloudEvent => ({ ...event, recordedtime: new Date().toISOString() });

/** Decodes one entry; throws when it does not hold a JSON event (not written by this bus). */
export function decodeEntry([id, fields]: RawEntry): Envelope {
  const i = fields.indexOf(EVENT_FIELD);
  const json = i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
  if (json === undefined)
    throw new Error(
      `stream entry ${id}: expected a field "${EVENT_FIELD}", got fields ${JSON.stringify(fields.filter((_, n) => n % 2 === 0))}`,
    );
  return { id, event: JSON.parse(json) as CloudEvent };
}

/** Decodes entries, reporting (and skipping) the undecodable ones. */
export function decodeEntries(raw: RawEntry[], onBad: (id: string, err: Error) => void): Envelope[] {
  const out: Envelope[] = [];
  for (const r of raw) {
    try {
      out.push(decodeEntry(r));
    } catch (err) {
      onBad(r[0], err as Error);
    }
  }
  return out;
}

/** What XINFO STREAM tells about retention (https://redis.io/docs/latest/commands/xinfo-stream/). */
export interface StreamInfo {
  length: number;
  /** `entries-added`: every entry ever added (Redis 7). */
  added: number;
  /** `recorded-first-entry-id`: the oldest retained id, `0-0` when empty (Redis 7). */
  first: StreamId;
  lastGenerated: StreamId;
}

/** Parses the flat `[name, value, ...]` reply of XINFO STREAM. */
export function parseStreamInfo(reply: unknown): StreamInfo {
  if (!Array.isArray(reply)) throw new Error(`XINFO STREAM: expected a flat array reply, got ${typeof reply}`);
  const field = (name: string): unknown => reply[reply.indexOf(name) + 1];
  const added = field('entries-added');
  if (added === undefined) throw new Error('XINFO STREAM: no entries-added field (Redis 7 or later is required)');
  return {
    length: Number(field('length')),
    added: Number(added),
    first: String(field('recorded-first-entry-id') ?? '0-0'),
    lastGenerated: String(field('last-generated-id') ?? '0-0'),
  };
}

/**
 * The cursor rule: a cursor has missed entries when entries were trimmed (`entries-added` >
 * `length`) and it is older than the oldest retained id. Redis does not record the newest trimmed id
 * (trimming leaves `max-deleted-entry-id` alone), so a cursor equal to it counts as expired too — a
 * conservative answer for exactly one id. An emptied stream expires every cursor before its last id.
 */
export function expiredCursor(cursor: StreamId, info: StreamInfo | null): CursorExpiredError | null {
  if (!info || info.added <= info.length) return null;
  if (info.length === 0) {
    return compareIds(cursor, info.lastGenerated) < 0 ? new CursorExpiredError(cursor, null) : null;
  }
  return compareIds(cursor, info.first) < 0 ? new CursorExpiredError(cursor, info.first) : null;
}

/** True for the error XINFO STREAM gives for a missing key. */
export const isNoSuchKey = (err: unknown): boolean => err instanceof Error && /no such key/i.test(err.message);
