import {
  print, visit, GraphQLError,
  type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type VariableDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../../canonical/index.js';
import type { ExecuteOperation } from '../execute.js';


const ORDER_ID_VARIABLE = 'ovgSubscriptionOrderId';

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

  constructor(private readonly execute: ExecuteOperation, private readonly keepMs = 10_000) {}

  resolve(orderId: string, eventId: string, scope: string, info: GraphQLResolveInfo): Promise<unknown> {
    const { query, variables } = orderQuery(info, orderId);
    const key = `${eventId}\u0000${scope}\u0000${query}\u0000${JSON.stringify(variables)}`;
    let result = this.inflight.get(key);
    if (!result) {
      this.executions++;
      result = this.run(query, variables, scope);
      this.inflight.set(key, result);
      // Subscribers of one event are served within moments of each other; keep briefly, then forget.
      setTimeout(() => this.inflight.delete(key), this.keepMs).unref();
    }
    return result;
  }

  private async run(query: string, variables: Record<string, unknown>, scope: string): Promise<unknown> {
    const r = await this.execute(query, variables, scope);
    const order = r.data?.order ?? null;
    if (order === null && r.errors?.length) {
      const first = r.errors[0]!;
      throw new GraphQLError(first.message, { extensions: { code: first.extensions?.code ?? ErrorCode.UPSTREAM_UNAVAILABLE } });
    }
    return order;
  }
}

/** The printed query and the names of the subscriber's variables it uses, per `order` field node. */
const queries = new WeakMap<object, { query: string; variableNames: string[] }>();

/**
 * The query that fetches exactly what the subscriber selected under `order`. Printed once per
 * document (subscribers sending the same text share one parsed document): only the variable
 * values are taken per call.
 */
export function orderQuery(info: GraphQLResolveInfo, orderId: string): { query: string; variables: Record<string, unknown> } {
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
  const defs: VariableDefinitionNode[] = (info.operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const selection = info.fieldNodes.map((n) => (n.selectionSet ? print(n.selectionSet).slice(1, -1) : '')).join(' ');
  const varDefs = [`$${ORDER_ID_VARIABLE}: ID!`, ...defs.map((d) => print(d))].join(', ');
  const body = `query SubscriptionOrder(${varDefs}) { order(id: $${ORDER_ID_VARIABLE}) { ${selection} } }`;
  const fragmentText = [...fragments.values()].map((f) => print(f)).join('\n');
  return { query: fragmentText ? `${body}\n${fragmentText}` : body, variableNames: defs.map((d) => d.variable.name.value) };
}

/**
 * Field resolver for the payload's `order` subtree, which holds the graph's JSON answer keyed by
 * response name: aliases are read by alias.
 */
export function aliasAwareFieldResolver(source: unknown, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  const s = source as Record<string, unknown>;
  const key = info.path.key as string;
  return key in s ? s[key] : s[info.fieldName];
}
