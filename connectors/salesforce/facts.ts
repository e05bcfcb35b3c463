/** What the default mapping needs of an order beyond its status event: its number, placement and Account. */
export interface OrderFacts {
  number: string;
  /** ISO-8601 UTC. */
  placedAt: string;
  /** The customer's Salesforce Account id, null when the customer has none. */
  salesforceAccountId: string | null;
}

/**
 * The order-facts port: facts of each id asked for (null for an order the graph does not know).
 * Rejects when the source is unreachable (the connector retries: a transient failure).
 */
export type OrderFactsSource = (orderIds: readonly string[]) => Promise<Map<string, OrderFacts | null>>;

/** Options of {@link graphOrderFacts}. */
export interface GraphOrderFactsOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** The credential header, `Name: value` (e.g. `Authorization: Bearer …` of the salesforce consumer); called per request so it can rotate. */
  credential: () => string | Promise<string>;
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * Reads order facts through the federated graph: one GraphQL request per batch, one aliased
 * `order(id:)` field per order (the gateway batches the subgraph fetches). Facts never change after
 * an order is placed, so {@link cachedOrderFacts} keeps them.
 */
export function graphOrderFacts(opts: GraphOrderFactsOptions): OrderFactsSource {
  return async (ids) => {
    const out = new Map<string, OrderFacts | null>();
    if (ids.length === 0) return out;
    const fields = ids
      .map((_, i) => `o${i}: order(id: $id${i}) { number placedAt customer { salesforceAccountId } }`)
      .join(' ');
    const query = `query ConnectorOrderFacts(${ids.map((_, i) => `$id${i}: ID!`).join(', ')}) { ${fields} }`;
    const variables = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
    const header = await opts.credential();
    const colon = header.indexOf(':');
    const res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header.slice(0, colon).trim()]: header.slice(colon + 1).trim() },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`order facts: the graph answered HTTP ${res.status} at ${opts.url}`);
    const body = (await res.json()) as {
      data?: Record<
        string,
        { number: string; placedAt: string; customer: { salesforceAccountId: string | null } | null } | null
      > | null;
      errors?: { message: string }[];
    };
    if (!body.data)
      throw new Error(
        `order facts: the graph answered no data (${body.errors?.map((e) => e.message).join('; ') ?? 'no errors either'})`,
      );
    ids.forEach((id, i) => {
      const o = body.data![`o${i}`];
      out.set(
        id,
        o
          ? { number: o.number, placedAt: o.placedAt, salesforceAccountId: o.customer?.salesforceAccountId ?? null }
          : null,
      );
    });
    return out;
  };
}

/** Keeps up to `max` known facts (an order's facts never change); unknown orders are asked again next time. */
export function cachedOrderFacts(source: OrderFactsSource, max = 50_000): OrderFactsSource {
  const cache = new Map<string, OrderFacts>();
  return async (ids) => {
    const out = new Map<string, OrderFacts | null>();
    const missing = ids.filter((id) => {
      const f = cache.get(id);
      if (f) out.set(id, f);
      return !f;
    });
    if (missing.length === 0) return out;
    for (const [id, f] of await source(missing)) {
      out.set(id, f);
      if (!f) continue;
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(id, f);
    }
    return out;
  };
}
