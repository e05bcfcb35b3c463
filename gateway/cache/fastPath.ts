import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ErrorCode, type Consumer, type Identity } from '../../canonical/index.js';
import type { VerifiedCredentials } from '../plugins/authentication.js';
import { sendQuotaRefusal, type QuotaRefusal } from '../plugins/quotas.js';
import { LOOKED_UP, responseCacheKey } from './responseCache.js';
import type { TaggedCache } from './tagged.js';

/** Options of {@link cachedAnswers}. */
export interface CachedAnswersOptions {
  cache: TaggedCache;
  /** Credentials the authentication middleware verified recently (the fast path verifies nothing itself). */
  verified: VerifiedCredentials;
  /** Counts the request against the caller's quota (the same counter as the quota middleware). */
  admit: (identity: Identity) => Promise<QuotaRefusal | undefined>;
  /** Consumers that may only run persisted operations: never served here. */
  persistedOnly: ReadonlySet<Consumer>;
  /** Larger bodies go the usual way. @default 65536 */
  maxBodyBytes?: number;
}

/**
 * The cache-hit path, before Express and the Apollo pipeline: a `POST /graphql` with a JSON
 * body, from a caller whose credential was verified moments ago, whose answer is in the response
 * cache and still current (the order versions are read, as on every hit), is answered here, after
 * the quota is counted. Anything else — a browser request (CORS), an unknown credential, a
 * persisted-only consumer, a large or odd body, a miss — goes to `app` with the body already read
 * and parsed (`req.body`), so nothing is read twice. The answer is the same as Express would give.
 */
export function cachedAnswers(app: RequestListener, opts: CachedAnswersOptions): RequestListener {
  const maxBody = opts.maxBodyBytes ?? 65_536;
  return (req, res) => {
    const length = Number(req.headers['content-length']);
    if (
      req.method !== 'POST' || req.url !== '/graphql' || req.headers.origin !== undefined ||
      !req.headers['content-type']?.startsWith('application/json') || !(length > 0 && length <= maxBody)
    ) return app(req, res);
    const who = opts.verified.get(req.headers.authorization, req.headers['x-api-key']);
    if (!who || (who.identity.consumer !== 'internal' && opts.persistedOnly.has(who.identity.consumer))) return app(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void answer(req, res, Buffer.concat(chunks).toString('utf8'), who).catch(() => {
        if (!res.headersSent) app(req, res);
      });
    });
  };

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string, who: { identity: Identity; scope: string }): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: [{ message: 'request body must be valid JSON', extensions: { code: ErrorCode.BAD_USER_INPUT } }] }));
      return;
    }
    const r = req as IncomingMessage & { body?: unknown; [LOOKED_UP]?: string };
    r.body = body;
    const params = body as { query?: unknown; operationName?: unknown; variables?: unknown } | null;
    if (!params || Array.isArray(params) || typeof params.query !== 'string') return app(req, res);
    const key = responseCacheKey(who.scope, params.query, params.operationName, params.variables);
    const hit = await opts.cache.get(key);
    if (hit === undefined) {
      r[LOOKED_UP] = key;
      return app(req, res);
    }
    const refusal = await opts.admit(who.identity);
    if (refusal) return sendQuotaRefusal(res, refusal);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(hit), 'x-cache': 'hit' });
    res.end(hit);
  }
}
