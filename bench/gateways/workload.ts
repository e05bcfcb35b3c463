/**
 * The "order-visibility mix" of `bench/gateways.ts`: which requests, in which order, with which
 * credentials. Built in the load process (bench/gateways/load.ts) from the demo world's OMS slice
 * (the same seed and size as the subgraphs', so every id exists there).
 *
 *   70% storefront order status  operations/storefront/ShopperOrderStatus.graphql  storefront token of the order's customer
 *   20% LWC order detail         operations/lwc/AgentOrderDetail.graphql           salesforce token (every slice)
 *   10% customer order history   operations/lwc/AgentOrderSearch.graphql, first 20 salesforce token
 *
 * Order ids are Zipf-distributed (exponent `zipfS`, 1 by default) over every demo order, ranks
 * assigned by a seeded shuffle; history requests take the customer (Salesforce Account) of a
 * Zipf-drawn order. Every sequence is deterministic for a seed, so every target gets the same
 * requests in the same order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../../demo/index.js';
import { devCredentialHeader } from '../../gateway/auth/devCredentials.js';

export type Op = 'status' | 'detail' | 'history';
export const OPS: readonly Op[] = ['status', 'detail', 'history'];
export const MIX: Record<Op, number> = { status: 0.7, detail: 0.2, history: 0.1 };

/** The real client operations, read from operations/ (what the storefront and the LWC send). */
export const OPERATION_FILES: Record<Op, { file: string; name: string }> = {
  status: { file: 'operations/storefront/ShopperOrderStatus.graphql', name: 'ShopperOrderStatus' },
  detail: { file: 'operations/lwc/AgentOrderDetail.graphql', name: 'AgentOrderDetail' },
  history: { file: 'operations/lwc/AgentOrderSearch.graphql', name: 'AgentOrderSearch' },
};
export const HISTORY_PAGE = 20;

/** mulberry32: small, seeded, good enough for sampling. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s) over n ranks: rank r (0-based) has weight 1/(r+1)^s; `sample` maps a uniform draw to a rank. */
export function zipf(n: number, s: number): (u: number) => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let r = 0; r < n; r++) cdf[r] = acc += 1 / (r + 1) ** s;
  for (let r = 0; r < n; r++) cdf[r]! /= acc;
  return (u) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** One request of a sequence: the operation and the index of its order (status, detail) or customer (history). */
export interface Sequence {
  ops: Uint8Array;
  /** Order index (status, detail) or customer index (history). */
  refs: Int32Array;
}

export interface WorkloadOptions {
  orders: number;
  /** The demo seed, the same as the subgraphs'. */
  demoSeed: number;
  zipfS: number;
  /** Lengths of the measured, warm-up and shielding sequences (each target replays the same from its start; wraps when exhausted). */
  mainLength: number;
  warmLength: number;
  /** Distinct requests in the hot (cache-hit) set. */
  hotKeys: number;
  /** Lifetime of the minted credentials, seconds. */
  tokenTtlSeconds: number;
}

/** A built workload: the demo ids, the sequences, request bodies and credentials. */
export class Workload {
  readonly orderIds: string[];
  private readonly orderCustomer: Int32Array;
  readonly customerIds: string[];
  private readonly accountIds: (string | null)[];
  readonly main: Sequence;
  readonly warm: Sequence;
  /** The hot set: the most requested distinct requests of `main`, cycled uniformly at random. */
  readonly hot: Sequence;
  private readonly prefix: Record<Op, string>;
  private readonly tokens = new Map<number, string>();
  private salesforce = '';
  readonly stats: {
    distinctOrders: number;
    distinctStorefrontCustomers: number;
    hotShareOfMain: number;
    tokenMintMs: number;
  } = { distinctOrders: 0, distinctStorefrontCustomers: 0, hotShareOfMain: 0, tokenMintMs: 0 };

  constructor(
    root: string,
    readonly opts: WorkloadOptions,
  ) {
    // The OMS slice alone: the generator's random stream does not depend on the slices kept.
    const demo = generateDemo({ seed: opts.demoSeed, orders: opts.orders, systems: ['oms'] });
    const oms = demo.data.oms;
    this.customerIds = oms.customers.map((c) => c.id);
    this.accountIds = oms.customers.map((c) => c.salesforceAccountId);
    const customerIndex = new Map(this.customerIds.map((id, i) => [id, i]));
    this.orderIds = oms.orders.map((o) => o.id);
    this.orderCustomer = Int32Array.from(oms.orders, (o) => customerIndex.get(o.customerId) ?? -1);
    this.prefix = Object.fromEntries(
      OPS.map((op) => {
        const { file, name } = OPERATION_FILES[op];
        const query = readFileSync(join(root, file), 'utf8');
        // Body = prefix + variables JSON + '}' (operationName first, then query, then variables).
        return [op, `{"operationName":${JSON.stringify(name)},"query":${JSON.stringify(query)},"variables":`];
      }),
    ) as Record<Op, string>;

    const n = this.orderIds.length;
    // Rank → order: a seeded shuffle, so the popular orders are spread over every scenario.
    const byRank = Int32Array.from({ length: n }, (_, i) => i);
    const shuffle = rng(opts.demoSeed * 7919 + 17);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      const t = byRank[i]!;
      byRank[i] = byRank[j]!;
      byRank[j] = t;
    }
    const rank = zipf(n, opts.zipfS);
    const draw = (r: () => number): number => byRank[rank(r())]!;
    const build = (length: number, seed: number): Sequence => {
      const r = rng(seed);
      const ops = new Uint8Array(length);
      const refs = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        const u = r();
        const op: Op = u < MIX.status ? 'status' : u < MIX.status + MIX.detail ? 'detail' : 'history';
        ops[i] = OPS.indexOf(op);
        if (op !== 'history') {
          refs[i] = draw(r);
          continue;
        }
        let c = -1;
        for (let tries = 0; tries < 50 && (c < 0 || this.accountIds[c] === null); tries++)
          c = this.orderCustomer[draw(r)]!;
        refs[i] = c;
      }
      return { ops, refs };
    };
    this.main = build(opts.mainLength, 1);
    this.warm = build(opts.warmLength, 2);

    // Hot set: the most frequent distinct requests of the measured sequence.
    const counts = new Map<number, number>();
    for (let i = 0; i < this.main.ops.length; i++) {
      const k = this.main.ops[i]! * 0x10000000 + this.main.refs[i]!;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, opts.hotKeys);
    const hotTotal = top.reduce((s, [, c]) => s + c, 0);
    this.stats.hotShareOfMain = Math.round((hotTotal / this.main.ops.length) * 1000) / 10;
    const hr = rng(3);
    const hotLength = Math.max(opts.hotKeys * 50, 10_000);
    this.hot = { ops: new Uint8Array(hotLength), refs: new Int32Array(hotLength) };
    for (let i = 0; i < hotLength; i++) {
      const [k] = top[i < top.length ? i : Math.floor(hr() * top.length)]!; // each hot key once first, then at random
      this.hot.ops[i] = Math.floor(k / 0x10000000);
      this.hot.refs[i] = k % 0x10000000;
    }
    const orders = new Set<number>();
    for (const s of [this.main, this.warm, this.hot])
      for (let i = 0; i < s.ops.length; i++) if (OPS[s.ops[i]!] !== 'history') orders.add(s.refs[i]!);
    this.stats.distinctOrders = orders.size;
  }

  /** Mints every credential the sequences need, before any run (never during one). */
  async mintCredentials(): Promise<void> {
    const t = performance.now();
    const customers = new Set<number>();
    for (const s of [this.main, this.warm, this.hot]) {
      for (let i = 0; i < s.ops.length; i++)
        if (OPS[s.ops[i]!] === 'status') customers.add(this.orderCustomer[s.refs[i]!]!);
    }
    this.stats.distinctStorefrontCustomers = customers.size;
    this.salesforce = await credential('salesforce', {}, this.opts.tokenTtlSeconds);
    for (const c of customers)
      this.tokens.set(
        c,
        await credential('storefront', { customerId: this.customerIds[c]! }, this.opts.tokenTtlSeconds),
      );
    this.stats.tokenMintMs = Math.round(performance.now() - t);
  }

  /** The request body of entry i of a sequence (the exact bytes sent; also the bare server's lookup key). */
  body(s: Sequence, i: number): string {
    const op = OPS[s.ops[i]!]!;
    const ref = s.refs[i]!;
    const vars =
      op === 'history'
        ? `{"salesforceAccountId":${JSON.stringify(this.accountIds[ref])},"first":${HISTORY_PAGE}}`
        : `{"orderId":"${this.orderIds[ref]}"}`;
    return `${this.prefix[op]}${vars}}`;
  }

  /** The `authorization` header value of entry i. */
  authorization(s: Sequence, i: number): string {
    const op = OPS[s.ops[i]!]!;
    return op === 'status' ? this.tokens.get(this.orderCustomer[s.refs[i]!]!)! : this.salesforce;
  }

  op(s: Sequence, i: number): Op {
    return OPS[s.ops[i]!]!;
  }

  /** The order (or customer, for history) an entry reads, as a string key: "what was read before" in the shielding run. */
  subject(s: Sequence, i: number): string {
    const op = OPS[s.ops[i]!]!;
    return op === 'history' ? `customer:${this.customerIds[s.refs[i]!]}` : `order:${this.orderIds[s.refs[i]!]}`;
  }
}

// ---- seam: credentials --------------------------------------------------------------------------
/**
 * SEAM (auth): the `authorization` header value for a consumer, from the development credentials
 * the gateway accepts outside production (gateway/auth/devCredentials.ts). Adjust here if the
 * header or the credential kind changes.
 */
export async function credential(
  consumer: 'storefront' | 'salesforce',
  o: { customerId?: string },
  ttlSeconds: number,
): Promise<string> {
  const line = await devCredentialHeader(consumer, { ...o, ttlSeconds });
  const i = line.indexOf(':');
  if (i < 0 || line.slice(0, i).trim().toLowerCase() !== 'authorization')
    throw new Error(`devCredentialHeader(${consumer}) gave an unexpected header: ${line.slice(0, 40)}`);
  return line.slice(i + 1).trim();
}
