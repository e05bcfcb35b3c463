import {
  print,
  visit,
  GraphQLError,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type VariableDefinitionNode,
} from 'graphql';
import { CONSUMER_POLICIES, ErrorCode, type Identity } from '../../canonical/index.js';
import type { ExecuteOperation } from '../execute.js';

const ORDER_ID_VARIABLE = 'ovgSubscriptionOrderId';
const VISIBLE_QUERY = 'query SubscriptionVisible($id: ID!) { order(id: $id) { id } }';

/** Who a subscription runs as. */
export interface Caller {
  identity: Identity;
  /** visibilityScope(identity). */
  scope: string;
}

/**
 * Resolves the `order` of a subscription payload through the federated graph, so a subscriber may
 * select any Order field of any subgraph. One execution per event for each distinct
 * (selection, variables, caller scope) — 10,000 subscribers with the same selection cost one
 * gateway execution per event, not 10,000.
 */
export class OrderPayloads {
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Executions run (for metrics, tests and the benchmark). */
  executions = 0;

  constructor(
    private readonly execute: ExecuteOperation,
    private readonly keepMs = 10_000,
  ) {}

  /** The subscriber's `order` selection for this event, resolved as the subscriber. */
  resolve(orderId: string, eventId: string, caller: Caller, info: GraphQLResolveInfo): Promise<unknown> {
    const { query, variables } = orderQuery(info, orderId);
    const key = `${eventId}\u0000${caller.scope}\u0000${query}\u0000${JSON.stringify(variables)}`;
    return this.once(key, () => {
      this.executions++;
      return this.run(query, variables, caller.identity);
    });
  }

  /**
   * Whether the subscriber may see the order this event is about: the row rules of the entry
   * point `order(id)`, applied by the OMS to the subscriber's identity. One probe per event and
   * visibility scope; identities that see every order skip it.
   */
  async visible(orderId: string, eventId: string, caller: Caller): Promise<boolean> {
    if (CONSUMER_POLICIES[caller.identity.consumer].rows === 'all') return true;
    const key = `${eventId}\u0000${caller.scope}\u0000visible`;
    const seen = await this.once(key, async () => {
      const r = await this.execute(VISIBLE_QUERY, { id: orderId }, caller.identity);
      return Boolean(r.data?.order);
    });
    return seen === true;
  }

  private once(key: string, run: () => Promise<unknown>): Promise<unknown> {
    let result = this.inflight.get(key);
    if (!result) {
      result = run();
      this.inflight.set(key, result);
      // Subscribers of one event are served within moments of each other; keep briefly, then forget.
      setTimeout(() => this.inflight.delete(key), this.keepMs).unref();
    }
    return result;
  }

  private async run(query: string, variables: Record<string, unknown>, identity: Identity): Promise<unknown> {
    const r = await this.execute(query, variables, identity);
    const order = r.data?.order ?? null;
    if (order === null && r.errors?.length) {
      const first = r.errors[0]!;
      throw new GraphQLError(first.message, {
        extensions: { code: first.extensions?.code ?? ErrorCode.UPSTREAM_UNAVAILABLE },
      });
    }
    // A field the subscriber may not see answers null with its FORBIDDEN error, as over HTTP.
    for (const e of r.errors ?? []) {
      if (e.extensions?.code !== ErrorCode.FORBIDDEN || e.path?.[0] !== 'order') continue;
      markForbidden(
        order,
        e.path.slice(1),
        new ForbiddenValue(new GraphQLError(e.message, { extensions: { ...e.extensions } })),
      );
    }
    return order;
  }
}

/** Stands in a payload for a field the subscriber may not see: reading it raises the field's FORBIDDEN error. */
class ForbiddenValue {
  constructor(readonly error: GraphQLError) {}
}

/** Puts `marker` where `path` (response keys and list indices) ends under `value`, if a null is there. */
function markForbidden(value: unknown, path: readonly (string | number)[], marker: ForbiddenValue): void {
  let at: unknown = value;
  for (const key of path.slice(0, -1)) {
    if (at === null || typeof at !== 'object') return;
    at = (at as Record<string | number, unknown>)[key];
  }
  const last = path.at(-1);
  if (last === undefined || at === null || typeof at !== 'object') return;
  const container = at as Record<string | number, unknown>;
  if (container[last] === null) container[last] = marker;
}

/** The printed query and the names of the subscriber's variables it uses, per `order` field node. */
const queries = new WeakMap<object, { query: string; variableNames: string[] }>();

/**
 * The query that fetches exactly what the subscriber selected under `order`. Printed once per
 * document (subscribers sending the same text share one parsed document): only the variable
 * values are taken per call.
 */
export function orderQuery(
  info: GraphQLResolveInfo,
  orderId: string,
): { query: string; variables: Record<string, unknown> } {
  const node = info.fieldNodes[0]!;
  let built = queries.get(node);
  if (!built) queries.set(node, (built = buildOrderQuery(info)));
  const variables: Record<string, unknown> = { [ORDER_ID_VARIABLE]: orderId };
  for (const name of built.variableNames) variables[name] = info.variableValues[name];
  return { query: built.query, variables };
}

function buildOrderQuery(info: GraphQLResolveInfo): { query: string; variableNames: string[] } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const used = new Set<string>();
  const collect = (node: FieldNode | FragmentDefinitionNode): void => {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const def = info.fragments[name];
        if (def && !fragments.has(name)) {
          fragments.set(name, def);
          collect(def);
        }
      },
      Variable(v) {
        used.add(v.name.value);
      },
    });
  };
  for (const node of info.fieldNodes) collect(node);
  const defs: VariableDefinitionNode[] = (info.operation.variableDefinitions ?? []).filter((d) =>
    used.has(d.variable.name.value),
  );
  const selection = info.fieldNodes.map((n) => (n.selectionSet ? print(n.selectionSet).slice(1, -1) : '')).join(' ');
  const varDefs = [`$${ORDER_ID_VARIABLE}: ID!`, ...defs.map((d) => print(d))].join(', ');
  const body = `query SubscriptionOrder(${varDefs}) { order(id: $${ORDER_ID_VARIABLE}) { ${selection} } }`;
  const fragmentText = [...fragments.values()].map((f) => print(f)).join('\n');
  return {
    query: fragmentText ? `${body}\n${fragmentText}` : body,
    variableNames: defs.map((d) => d.variable.name.value),
  };
}

/**
 * Field resolver for the payload's `order` subtree, which holds the graph's JSON answer keyed by
 * response name: aliases are read by alias; a field the subscriber may not see raises its FORBIDDEN error.
 */
export function aliasAwareFieldResolver(
  source: unknown,
  _args: unknown,
  _ctx: unknown,
  info: GraphQLResolveInfo,
): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  const s = source as Record<string, unknown>;
  const key = info.path.key as string;
  const value = key in s ? s[key] : s[info.fieldName];
  if (value instanceof ForbiddenValue) throw value.error;
  return value;
}
