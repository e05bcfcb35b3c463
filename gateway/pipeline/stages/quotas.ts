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

/** The quota window. */
const WINDOW_MS = 60_000;

/**
 * The cost budgets' pace in Redis, shared by every replica (KEYS[1] the caller's key; ARGV the
 * operation's cost in ms of budget and the tolerance in ms). Redis's clock, so replicas agree.
 * Returns 0 when admitted, else the ms until the operation would be.
 */
const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local paid = tonumber(redis.call('GET', KEYS[1]) or '0')
if paid < now then paid = now end
local after = paid + cost
if paid > now and after - now > tolerance then return after - now - tolerance end
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', string.format('%.0f', after - now + 1000))
return 0
`;

/**
 * Client quotas: each caller — a consumer and its subject (a shopper, a partner key, the
 * Salesforce org, an operator) — may make `QUOTA_<CONSUMER>_PER_MINUTE` requests per minute
 * (fixed one-minute windows; 0 = unlimited), over HTTP and WebSocket alike (a subscription counts
 * as one request). Over quota: HTTP 429 with `Retry-After` (seconds to the next window),
 * `RATE_LIMITED`. With Redis the count is shared by every replica (INCR + PEXPIRE); a Redis
 * outage lets requests through (logged), never fails them.
 *
 * A request counts the same whatever it asks for, so each caller also has a cost budget
 * (`QUOTA_<CONSUMER>_COST_PER_MINUTE`): every operation the gateway executes for it is charged
 * its cost (as `LIMIT_MAX_COST` prices it). The budget is a pace, not a window: a generic cell
 * rate algorithm keeps, per caller, the time its spending is paid up to (`budget / 60` a second);
 * an operation runs when that time is now or past, or when adding its cost leaves it at most
 * `QUOTA_COST_BURST_SECONDS` ahead; otherwise 429 with the seconds until it would. So a caller
 * cannot spend a minute's budget on a few expensive operations at once: each runs alone, spaced
 * by its cost. Answers from the response cache are not charged (no work is done for them), nor
 * the gateway's own reads. An operation that costs more than the whole per-minute budget is
 * refused as `LIMIT_EXCEEDED`.
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
    | 'quotaCostBurstSeconds'
    | 'redisKeyPrefix'
    | 'limits'
    | 'quotaRefusalDelayMs'
    | 'quotaRefusalMaxHeld'
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
  const local = new Map<string, { window: number; count: number }>();
  const count = async (key: string, window: number, by: number): Promise<number> => {
    if (redis) {
      try {
        const k = `${config.redisKeyPrefix}quota:${key}:${window}`;
        const [[, n]] = (await redis
          .multi()
          .incrby(k, by)
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
      local.set(key, { window, count: by });
      return by;
    }
    return (entry.count += by);
  };
  // The cost budgets' pace (see above): per caller, the time (ms) its spending is paid up to.
  const tolerance = config.quotaCostBurstSeconds * 1000;
  const paced = new Map<string, number>();
  const pace = redis ? redisScript(redis, 'ovgQuotaCostPace', PACE, 1) : undefined;
  /** Charges `costMs` of budget time to `key`: 0 when admitted, else ms until it would be. */
  const charge = async (key: string, costMs: number): Promise<number> => {
    if (pace) {
      try {
        return Number(await pace(`${config.redisKeyPrefix}quota:${key}`, Math.ceil(costMs), tolerance));
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
  /** Waits before a refusal (see above); false when the caller already has its share held. */
  const holdBack = async (caller: string, retryAfterS: number): Promise<boolean> => {
    const delay = Math.min(config.quotaRefusalDelayMs, retryAfterS * 1000);
    if (delay <= 0) return true;
    const n = held.get(caller) ?? 0;
    if (n >= config.quotaRefusalMaxHeld) return false;
    held.set(caller, n + 1);
    try {
      // Unreferenced: a held refusal never keeps a stopping process alive.
      await new Promise((r) => setTimeout(r, delay).unref());
    } finally {
      const left = (held.get(caller) ?? 1) - 1;
      if (left > 0) held.set(caller, left);
      else held.delete(caller);
    }
    return true;
  };
  const callerKey = (identity: Identity): string =>
    `${identity.consumer}:${createHash('sha256').update(identity.subject).digest('base64url').slice(0, 22)}`;
  const retryAfterS = (now: number, window: number): number =>
    Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  const admit = async (identity: Identity): Promise<void> => {
    if (identity.consumer === 'internal') return;
    const limit = config.quotas[identity.consumer];
    if (!limit) return;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const caller = callerKey(identity);
    if ((await count(caller, window, 1)) <= limit) return;
    const retryAfter = retryAfterS(now, window);
    const waited = await holdBack(caller, retryAfter);
    throw new RequestRefusal(
      429,
      ErrorCode.RATE_LIMITED,
      `${identity.consumer} quota of ${limit} requests per minute used up; retry after ${retryAfter}s`,
      { retryAfter, limit },
      {
        'retry-after': String(retryAfter),
        ...(waited ? {} : { connection: 'close' }),
      },
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
      const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
      const waited = await holdBack(caller, retryAfter);
      const headers = new Map([['retry-after', String(retryAfter)]]);
      if (!waited) headers.set('connection', 'close');
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
