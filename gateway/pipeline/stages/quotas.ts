import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrorCode, type Identity } from '../../../canonical/index.js';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../../runtime/logger.js';
import type { GatewayConfig } from '../../config.js';
import { costMeter } from '../../limits/index.js';
import { redisScript } from '../../../events/redisScript.js';
import { RequestRefusal } from '../errors.js';
import type { Stage } from '../stage.js';

/** What the quotas are counted per. */
const WINDOW_MS = 60_000;

/**
 * The quotas' pace in Redis, shared by every replica (KEYS[1] the caller's key; ARGV the price in
 * ms of budget, fractions allowed, and the tolerance in ms). Redis's clock, so replicas agree.
 * Returns 0 when admitted, else the ms until the operation would be.
 */
const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local paid = tonumber(redis.call('GET', KEYS[1]) or '0')
if paid < now then paid = now end
local after = paid + cost
if paid > now and after - now > tolerance then return math.max(1, math.ceil(after - now - tolerance)) end
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', string.format('%.0f', after - now + 1000))
return 0
`;

/**
 * Client quotas: each caller — a consumer and its subject (a shopper, a partner key, the
 * Salesforce org, an operator) — may make `QUOTA_<CONSUMER>_PER_MINUTE` requests per minute
 * (0 = unlimited), over HTTP and WebSocket alike (a subscription counts as one request), and its
 * operations may cost `QUOTA_<CONSUMER>_COST_PER_MINUTE` (as `LIMIT_MAX_COST` prices one; answers
 * from the response cache are not charged, nor the gateway's own reads).
 *
 * Both are paces, not windows spent at once: a generic cell rate algorithm keeps, per caller and
 * budget, the time its spending is paid up to (a request costs `60 s / quota`, an operation
 * `60 s × cost / budget`). A request or operation is admitted when that time is now or past, or
 * when adding its price leaves it at most `QUOTA_BURST_SECONDS` ahead; otherwise HTTP 429 with
 * `Retry-After` (the seconds until it would be), `RATE_LIMITED`. So a caller cannot spend a
 * minute's allowance in its first seconds — a burst of requests, or a few expensive operations
 * together — and keep one process busy at everyone else's expense. An operation that costs more
 * than the whole per-minute budget is refused as `LIMIT_EXCEEDED`. With Redis the pace is shared
 * by every replica (one Lua script, on Redis's clock); a Redis outage lets requests through
 * (logged), never fails them.
 *
 * A refusal is answered after `QUOTA_REFUSAL_DELAY_MS` (at most its `Retry-After`): a client that
 * ignores `Retry-After` and asks again the moment it is refused would otherwise make the one
 * process parse, authenticate and count thousands of requests a second, at the other callers'
 * expense. At most `QUOTA_REFUSAL_MAX_HELD` are held per caller; past that its refusals are
 * answered at once with `Connection: close` (a new connection each time is the client's cost).
 */
export function quotasStage(
  config: Pick<
    GatewayConfig,
    | 'quotas'
    | 'costQuotas'
    | 'quotaBurstSeconds'
    | 'redisKeyPrefix'
    | 'limits'
    | 'quotaRefusalDelayMs'
    | 'quotaRefusalMaxHeld'
    | 'maxCostByConsumer'
  >,
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
  // The pace (see above): per caller and budget, the time (ms) its spending is paid up to.
  const tolerance = config.quotaBurstSeconds * 1000;
  const paced = new Map<string, number>();
  const pace = redis ? redisScript(redis, 'ovgQuotaPace', PACE, 1) : undefined;
  /** Charges `costMs` of budget time to `key`: 0 when admitted, else ms until it would be. */
  const charge = async (key: string, costMs: number): Promise<number> => {
    if (pace) {
      try {
        return Number(await pace(`${config.redisKeyPrefix}quota:${key}`, costMs.toFixed(3), tolerance));
      } catch (err) {
        report(err as Error);
        return 0;
      }
    }
    const now = Date.now();
    const paidUpTo = Math.max(paced.get(key) ?? 0, now);
    const after = paidUpTo + costMs;
    if (paidUpTo > now && after - now > tolerance) return after - now - tolerance;
    if (paced.size > 100_000) for (const [k, t] of paced) if (t <= now) paced.delete(k);
    paced.set(key, after);
    return 0;
  };
  /** Refusals being held back, by caller. */
  const held = new Map<string, number>();
  /**
   * The refusal of a request or operation that would be admitted in `waitMs`: its `Retry-After`,
   * after holding it back (see above), and whether to close the connection (the caller already
   * has its share held).
   */
  const refusal = async (caller: string, waitMs: number): Promise<{ retryAfter: number; close: boolean }> => {
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    const delay = Math.min(config.quotaRefusalDelayMs, retryAfter * 1000);
    if (delay <= 0) return { retryAfter, close: false };
    const n = held.get(caller) ?? 0;
    if (n >= config.quotaRefusalMaxHeld) return { retryAfter, close: true };
    held.set(caller, n + 1);
    try {
      // Unreferenced: a held refusal never keeps a stopping process alive.
      await new Promise((r) => setTimeout(r, delay).unref());
    } finally {
      const left = (held.get(caller) ?? 1) - 1;
      if (left > 0) held.set(caller, left);
      else held.delete(caller);
    }
    return { retryAfter, close: false };
  };
  const callerKey = (identity: Identity): string =>
    `${identity.consumer}:${createHash('sha256').update(identity.subject).digest('base64url').slice(0, 22)}`;
  const admit = async (identity: Identity): Promise<void> => {
    if (identity.consumer === 'internal') return;
    const limit = config.quotas[identity.consumer];
    if (!limit) return;
    const caller = callerKey(identity);
    const waitMs = await charge(caller, WINDOW_MS / limit);
    if (waitMs <= 0) return;
    const { retryAfter, close } = await refusal(caller, waitMs);
    throw new RequestRefusal(
      429,
      ErrorCode.RATE_LIMITED,
      `${identity.consumer} quota of ${limit} requests per minute used up; retry after ${retryAfter}s`,
      { retryAfter, limit },
      { 'retry-after': String(retryAfter), ...(close ? { connection: 'close' } : {}) },
    );
  };
  const costOf = costMeter(config.limits.cost);
  return {
    name: 'client quotas',
    onRequest: (_call, context) => admit(context.identity),
    async onOperation({ schema, document, operation, context }) {
      const { identity } = context;
      const budget = identity.consumer === 'internal' ? 0 : config.costQuotas[identity.consumer];
      // Only the callers' own requests: the gateway's reads (the tracker, subscription payloads) run in process.
      if (!budget || context.transport === 'internal') return;
      const cost = costOf(schema, document, operation);
      // Over the consumer's ceiling for one operation: the operation limits stage refuses it, uncharged.
      const ceiling = identity.consumer === 'internal' ? undefined : config.maxCostByConsumer[identity.consumer];
      if (ceiling && cost > ceiling) return;
      if (cost > budget)
        throw new GraphQLError(
          `${operation.operation} cost ${cost} exceeds the ${identity.consumer} cost budget of ${budget} per minute: ask for fewer items (first:) or fewer fields`,
          {
            extensions: {
              code: ErrorCode.LIMIT_EXCEEDED,
              limit: budget,
              value: cost,
              http: { status: 400 },
            },
          },
        );
      const caller = callerKey(identity);
      const waitMs = await charge(`${caller}:cost`, (cost / budget) * WINDOW_MS);
      if (waitMs <= 0) return;
      const { retryAfter, close } = await refusal(caller, waitMs);
      const headers = new Map([['retry-after', String(retryAfter)]]);
      if (close) headers.set('connection', 'close');
      throw new GraphQLError(
        `${identity.consumer} cost budget of ${budget} per minute used up for now (this operation costs ${cost}); retry after ${retryAfter}s`,
        {
          extensions: {
            code: ErrorCode.RATE_LIMITED,
            retryAfter,
            limit: budget,
            http: { status: 429, headers },
          },
        },
      );
    },
  };
}
