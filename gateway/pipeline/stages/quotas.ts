import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrorCode, type Identity } from '../../../canonical/index.js';
import type { Logger } from '../../../runtime/logger.js';
import type { GatewayConfig } from '../../config.js';
import { RequestRefusal } from '../errors.js';
import type { Stage } from '../stage.js';

/** The quota window. */
const WINDOW_MS = 60_000;

/**
 * Client quotas: each caller — a consumer and its subject (a shopper, a partner key, the
 * Salesforce org, an operator) — may make `QUOTA_<CONSUMER>_PER_MINUTE` requests per minute
 * (fixed one-minute windows; 0 = unlimited), over HTTP and WebSocket alike (a subscription counts
 * as one request). Over quota: HTTP 429 with `Retry-After` (seconds to the next window),
 * `RATE_LIMITED`. With Redis the count is shared by every replica (INCR + PEXPIRE); a Redis
 * outage lets requests through (logged), never fails them.
 */
export function quotasStage(
  config: Pick<GatewayConfig, 'quotas' | 'redisKeyPrefix'>,
  logger: Logger,
  redis: Redis | undefined,
): Stage {
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
        const [[, n]] = (await redis
          .multi()
          .incr(k)
          .pexpire(k, WINDOW_MS * 2)
          .exec()) as [[unknown, number]];
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
  const admit = async (identity: Identity): Promise<void> => {
    if (identity.consumer === 'internal') return;
    const limit = config.quotas[identity.consumer];
    if (!limit) return;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${identity.consumer}:${createHash('sha256').update(identity.subject).digest('base64url').slice(0, 22)}`;
    if ((await count(key, window)) <= limit) return;
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    throw new RequestRefusal(
      429,
      ErrorCode.RATE_LIMITED,
      `${identity.consumer} quota of ${limit} requests per minute used up; retry after ${retryAfter}s`,
      { retryAfter, limit },
      { 'retry-after': String(retryAfter) },
    );
  };
  return { name: 'client quotas', onRequest: (_call, context) => admit(context.identity) };
}
