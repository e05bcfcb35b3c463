import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { ErrorCode, type Identity } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import type { GatewayConfig } from '../config.js';

/** An over-quota answer: HTTP 429 with `Retry-After` and this GraphQL error body. */
export interface QuotaRefusal {
  retryAfter: number;
  body: string;
}

export function sendQuotaRefusal(res: ServerResponse, refusal: QuotaRefusal): void {
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(refusal.retryAfter) });
  res.end(refusal.body);
}

/** The quota window. */
const WINDOW_MS = 60_000;

/**
 * Client quotas: each caller — a consumer and its subject (a shopper, a partner key, the
 * Salesforce org, an operator) — may make `QUOTA_<CONSUMER>_PER_MINUTE` requests per minute
 * (fixed one-minute windows; 0 = unlimited). Over quota: HTTP 429 with `Retry-After` (seconds to
 * the next window) and a GraphQL error body, `RATE_LIMITED`. With REDIS_URL the count is shared
 * by every replica through `redis` (INCR + PEXPIRE); a Redis outage lets requests through (logged),
 * never fails them.
 */
export function clientQuotas(
  config: Pick<GatewayConfig, 'quotas' | 'redisKeyPrefix'>, logger: Logger, redis: Redis | undefined,
): { middleware: RequestHandler; admit(identity: Identity): Promise<QuotaRefusal | undefined> } {
  let reported = 0;
  const report = (err: Error): void => {
    if (Date.now() - reported > 10_000) {
      reported = Date.now();
      logger.warn({ err: err.message }, 'client quotas unavailable: letting requests through');
    }
  };
  const local = new Map<string, { window: number; count: number }>();
  const count = async (key: string, window: number): Promise<number> => {
    if (redis) {
      try {
        const k = `${config.redisKeyPrefix}quota:${key}:${window}`;
        const [[, n]] = (await redis.multi().incr(k).pexpire(k, WINDOW_MS * 2).exec()) as [[unknown, number]];
        return n;
      } catch (err) {
        report(err as Error);
        return 0;
      }
    }
    const entry = local.get(key);
    if (!entry || entry.window !== window) {
      if (local.size > 100_000) local.clear();
      local.set(key, { window, count: 1 });
      return 1;
    }
    return ++entry.count;
  };
  /** Counts one request of `identity`: undefined when within its quota, else the refusal to send. */
  const admit = async (identity: Identity): Promise<QuotaRefusal | undefined> => {
    if (identity.consumer === 'internal') return undefined;
    const limit = config.quotas[identity.consumer];
    if (!limit) return undefined;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${identity.consumer}:${createHash('sha256').update(identity.subject).digest('base64url').slice(0, 22)}`;
    if ((await count(key, window)) <= limit) return undefined;
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    return {
      retryAfter,
      body: JSON.stringify({
        errors: [{
          message: `${identity.consumer} quota of ${limit} requests per minute used up; retry after ${retryAfter}s`,
          extensions: { code: ErrorCode.RATE_LIMITED, retryAfter, limit },
        }],
      }),
    };
  };
  const middleware: RequestHandler = (req, res, next) => {
    const identity = res.locals.identity as Identity | undefined;
    if (!identity || req.method === 'OPTIONS') return next();
    admit(identity).then((refusal) => (refusal ? sendQuotaRefusal(res, refusal) : next()), next);
  };
  return { middleware, admit };
}
