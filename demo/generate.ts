/**
 * The deterministic demo dataset: retail orders split across the ERP, OMS, WMS, carrier and
 * returns systems, each in its own native records (demo/records.ts). The same options always
 * give deep-equal data; nothing reads the clock or `Math.random`.
 */
import { CHANNEL_LETTER, NODES } from './catalogue.js';
import { customerId, makeCustomers } from './customers.js';
import { planOrder } from './lifecycle.js';
import { Interner, Materializer } from './materialize.js';
import type { OrderPlan, PlanContext } from './plan.js';
import { SYSTEM_NAMES } from '../canonical/systems.js';
import type { DemoData, SystemName } from './records.js';
import { Rng } from './rng.js';
import { DEMO_SCENARIOS, SCENARIO_TABLE, type DemoScenario } from './scenarios.js';

export { DEMO_SCENARIOS, SCENARIO_STATUSES, SCENARIO_WEIGHTS, type DemoScenario } from './scenarios.js';

/** Every order's life ends before this instant; orders are placed in the {@link DEMO_HISTORY_DAYS} before it. */
export const DEMO_EPOCH = '2026-11-01T00:00:00.000Z';
export const DEMO_HISTORY_DAYS = 120;
/** The five systems, in the order of {@link DemoData}. */
export { SYSTEM_NAMES };
/** The largest `DEMO_ORDERS` / `DEMO_SEED` the environment may ask for. */
export const DEMO_ENV_MAX = 1_000_000;

const EPOCH_MINUTE = Date.parse(DEMO_EPOCH) / 60_000;
const HISTORY_MINUTES = DEMO_HISTORY_DAYS * 24 * 60;

export interface DemoOptions {
  /** Seed of every random draw. @default 42 */
  seed?: number;
  /** Number of orders. @default 2000 */
  orders?: number;
  /** Number of customers. @default max(10, floor(orders / 5)) */
  customers?: number;
  /**
   * Slices to keep; the others come back empty. The random stream is the same whatever is kept,
   * so a slice is identical whether generated alone or with the others. @default all five
   */
  systems?: readonly SystemName[];
}

export interface GeneratedDemo {
  /**
   * One slice per system; slices not requested are empty. Equal `Money` values are one shared,
   * frozen object (replace a Money, never mutate it); timestamps are minute-resolution ISO strings.
   */
  data: DemoData;
  /** The ids of the orders generated for each scenario, in order. */
  scenarios: Record<DemoScenario, string[]>;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`DemoOptions.${name} must be an integer ≥ ${min}; received ${String(value)}`);
  }
}

function emptyData(): DemoData {
  return {
    oms: { customers: [], nodes: [], orders: [], fulfillmentOrders: [] },
    erp: { orders: [], payments: [] },
    wms: { fulfillmentOrders: [], shipments: [], receipts: [] },
    carrier: { shipments: [] },
    returns: { returns: [] },
  };
}

/** The absolute minute an order is placed: late enough that its life is recent when in flight, early enough that it ends before the epoch. */
function placementMinute(rng: Rng, p: OrderPlan): number {
  const room = Math.max(1, HISTORY_MINUTES - p.end - 1);
  return EPOCH_MINUTE - p.end - rng.int(1, Math.min(room, p.maxIdle));
}

/**
 * Generates the demo world. The first orders cycle through every {@link DemoScenario} (so even
 * 25 orders hold each at least once); the rest are drawn by {@link SCENARIO_WEIGHTS}. Linear in
 * `orders`: one plan at a time, records only for the requested systems.
 * @throws RangeError on a seed, order or customer count that is not a suitable integer, or an unknown system.
 */
export function generateDemo(opts: DemoOptions = {}): GeneratedDemo {
  const seed = opts.seed ?? 42;
  const orders = opts.orders ?? 2000;
  const customers = opts.customers ?? Math.max(10, Math.floor(orders / 5));
  checkInteger('seed', seed, Number.MIN_SAFE_INTEGER);
  checkInteger('orders', orders, 0);
  checkInteger('customers', customers, 1);
  const keep = new Set<SystemName>(opts.systems ?? SYSTEM_NAMES);
  for (const s of keep) {
    if (!SYSTEM_NAMES.includes(s))
      throw new RangeError(
        `DemoOptions.systems must list only ${SYSTEM_NAMES.join(', ')}; received ${JSON.stringify(s)}`,
      );
  }
  const data = emptyData();
  if (keep.has('oms')) {
    data.oms.customers = makeCustomers(new Rng(seed, 1), customers);
    data.oms.nodes = NODES.map((n) => ({ id: n.id, type: n.type, name: n.name }));
  }
  // Orders share their customer's id string rather than each holding a copy.
  const customerIds = keep.has('oms')
    ? data.oms.customers.map((c) => c.id)
    : Array.from({ length: customers }, (_, i) => customerId(i + 1));
  const scenarios = Object.fromEntries(DEMO_SCENARIOS.map((s) => [s, [] as string[]])) as Record<
    DemoScenario,
    string[]
  >;
  const rng = new Rng(seed, 2);
  const ctx: PlanContext = { rng, shipmentCount: 0 };
  const out = new Materializer(
    data,
    keep,
    new Interner(EPOCH_MINUTE - HISTORY_MINUTES, HISTORY_MINUTES + 30 * 24 * 60),
  );
  // CUST-00001 is a heavy account; of the others, the first tenth are regulars (30% of orders).
  const heavyShare = Math.min(0.25, Math.max(0.005, 100 / Math.max(orders, 1)));
  for (let n = 1; n <= orders; n++) {
    const scenario = n <= DEMO_SCENARIOS.length ? DEMO_SCENARIOS[n - 1]! : rng.weighted(SCENARIO_TABLE);
    const r = rng.next();
    const customer =
      customers === 1 || rng.chance(heavyShare) ? 0 : 1 + Math.floor((customers - 1) * (rng.chance(0.3) ? 0.1 * r : r));
    const plan = planOrder(ctx, scenario);
    const placed = placementMinute(rng, plan);
    scenarios[scenario].push(out.write(n, customerIds[customer]!, CHANNEL_LETTER[plan.channel], plan, placed));
  }
  return { data, scenarios };
}

/** Reads one positive integer variable (up to {@link DEMO_ENV_MAX}); unset or blank means "use the default". */
function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > DEMO_ENV_MAX) {
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
    throw new Error(`${name} must be a positive integer up to ${DEMO_ENV_MAX}; received ${JSON.stringify(shown)}`);
  }
  return Number(value);
}

/**
 * Demo options from the environment: `DEMO_SEED` and `DEMO_ORDERS`, each a positive integer up
 * to 1,000,000. Unset or blank variables leave the defaults.
 * @throws Error naming the variable, what was expected and what was received.
 */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoOptions {
  const opts: DemoOptions = {};
  const seed = positiveIntFromEnv(env, 'DEMO_SEED');
  const orders = positiveIntFromEnv(env, 'DEMO_ORDERS');
  if (seed !== undefined) opts.seed = seed;
  if (orders !== undefined) opts.orders = orders;
  return opts;
}
