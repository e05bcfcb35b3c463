/**
 * What each consumer's callers may take by default — requests and cost a minute, subscriptions,
 * one operation's cost — and the reader of their `<PREFIX><CONSUMER>` overrides. Sized per core
 * for a shopper (docs/caching.md, "Why a shopper's defaults are this small").
 */
import { CONSUMERS, type Consumer } from '../canonical/index.js';
import type { EnvReader } from '../runtime/env.js';

/**
 * Requests per minute per caller: a shopper, a partner key, the Salesforce org, an operator. A
 * shopper's 600 (10 a second, 200 at once) is sized to what one core can give every shopper at
 * once, not to what a shopper needs (a page view is a few requests): at 12,000 a minute one shopper
 * spending only cache hits took a tenth of a core, and moved every other client's p99
 * (RELIABILITY.md, "Noisy client").
 */
export const DEFAULT_QUOTAS: Readonly<Record<Consumer, number>> = {
  salesforce: 600_000,
  storefront: 600,
  partner: 60_000,
  ops: 60_000,
};

/**
 * Default cost budgets per caller and minute: a shopper's own operations cost at most ~100 (up to
 * 60 such uncached requests a minute; cache hits are not charged), the largest it may run
 * ({@link DEFAULT_CONSUMER_MAX_COST}, 2,000) one every 20 s. At about 0.07 ms of one process per
 * unit of cost, a shopper at this budget takes under 1 % of a core. The other consumers are one
 * org, a partner's fixed persisted operations, or operators: unlimited.
 */
export const DEFAULT_COST_QUOTAS: Readonly<Record<Consumer, number>> = {
  salesforce: 0,
  storefront: 6_000,
  partner: 0,
  ops: 0,
};

/**
 * Default per-consumer subscription caps. A shopper watches the orders it has open (one per order
 * page: a handful of tabs), so its cap is sized to that, not to what a server-side consumer such as
 * the Salesforce org (every agent's console through one identity) needs: at 500 subscriptions one
 * shopper on an order changing 4 times a second made the gateway write 2,000 frames a second
 * (RELIABILITY.md, "Noisy client").
 */
export const DEFAULT_SUBSCRIPTION_CAPS: Readonly<Partial<Record<Consumer, number>>> = { storefront: 20 };

/**
 * Default per-consumer ceilings on one operation's cost. A shopper's own operations cost at most
 * about 100 (ShopperOrderHistory, 20 orders a page: 101), so 2,000 leaves them twenty times that
 * and still refuses a page of 100 full orders (6,200: 177 KB, about 400 ms of one process),
 * which a cost budget could only space out: each one held every other client up while it ran
 * (RELIABILITY.md, "Noisy client").
 */
export const DEFAULT_CONSUMER_MAX_COST: Readonly<Partial<Record<Consumer, number>>> = { storefront: 2000 };

/** `<prefix><CONSUMER>` for every consumer that has it or a default. */
export function perConsumer(
  r: EnvReader,
  prefix: string,
  defaults: Readonly<Partial<Record<Consumer, number>>>,
  max: number,
): Partial<Record<Consumer, number>> {
  const values: Partial<Record<Consumer, number>> = {};
  for (const c of CONSUMERS) {
    const name = `${prefix}${c.toUpperCase()}`;
    const fallback = defaults[c];
    if (r.has(name) || fallback !== undefined) values[c] = r.int(name, fallback ?? 0, 1, max);
  }
  return values;
}
