/**
 * What counts as a finding. A client must get data or a clear error: a GraphQL error with a message
 * and a known `extensions.code`, or a 4xx with a message. Findings: the process exited (`crash`), a
 * 5xx, `INTERNAL_SERVER_ERROR` for what is a client's input (`internal`), no answer on a live
 * process (`no-answer`), or an answer that is neither data nor a clear error (`unclear`).
 */
import { ErrorCode } from '../../canonical/errors.js';

export type Verdict = 'ok' | 'crash' | '5xx' | 'internal' | 'no-answer' | 'unclear';

/** Codes a client may meet: the one ErrorCode enum, and graphql-js / Apollo Server's request errors. */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const hasText = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;

/** One GraphQL result (an element of a batch, or the whole body). */
function judgeResult(r: unknown): Verdict {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'unclear';
  const { data, errors } = r as { data?: unknown; errors?: unknown };
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) return 'unclear';
    for (const e of errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
      if (!hasText(e?.message)) return 'unclear';
      const code = e.extensions?.code;
      if (code === ErrorCode.INTERNAL_SERVER_ERROR) return 'internal';
      if (typeof code !== 'string' || !KNOWN_CODES.has(code)) return 'unclear';
    }
    return 'ok';
  }
  return data && typeof data === 'object' ? 'ok' : 'unclear';
}

/** A /graphql answer. */
export function judgeGraphql(status: number, text: string): Verdict {
  if (status >= 500) return '5xx';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return status >= 400 && status < 500 && hasText(text) ? 'ok' : 'unclear';
  }
  if (Array.isArray(body)) {
    if (body.length === 0) return status >= 400 ? 'ok' : 'unclear';
    const verdicts = body.map(judgeResult);
    return verdicts.find((v) => v !== 'ok') ?? 'ok';
  }
  const v = judgeResult(body);
  if (v === 'unclear' && status >= 400 && status < 500) {
    const b = body as { message?: unknown; error?: { message?: unknown } | string };
    if (hasText(b?.message) || hasText(b?.error) || hasText((b?.error as { message?: unknown })?.message)) return 'ok';
  }
  return v;
}

/** An /ingest answer: 2xx with an outcome, or 4xx saying what was wrong. */
export function judgeIngest(status: number, text: string): Verdict {
  if (status >= 500) return '5xx';
  type Answer = { status?: unknown; error?: { message?: unknown; code?: unknown }; message?: unknown } | null;
  let body: Answer;
  try {
    body = JSON.parse(text) as Answer;
  } catch {
    return status >= 400 && hasText(text) ? 'ok' : 'unclear';
  }
  if (status < 300) return hasText(body?.status) ? 'ok' : 'unclear';
  return hasText(body?.error?.message) || hasText(body?.message) ? 'ok' : 'unclear';
}
