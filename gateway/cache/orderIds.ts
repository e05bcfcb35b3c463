import {
  getNamedType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { accountVersionId, customerVersionId } from '../../events/versions.js';
import { CONSUMER_POLICIES, type Identity } from '../../canonical/index.js';

/** What a cached answer depends on: the version ids to check, and the tags to purge it by. */
export interface Dependencies {
  /** Order ids (their versions: any change to the order) and `customer:<id>` for a customer's lists. */
  ids: string[];
  tags: string[];
  /** The object types the answer contains (for per-type TTLs). */
  types: Set<string>;
}

/** Root fields whose answers the response cache can tie to orders. */
const ORDER_ROOTS = new Set(['order', 'orderByNumber', 'orders']);

/**
 * The orders (and customers' lists) an answer depends on, or null when the answer cannot be tied
 * to them completely — then it is not cached: a root field other than `order`, `orderByNumber`,
 * `orders`; an Order in the answer whose id was not selected (outside `order(id:)`); a list of
 * orders that is not one customer's (a new order anywhere would change it); `orderByNumber` null.
 */
export function dependenciesOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: Record<string, unknown>,
  identity: Identity,
): Dependencies | null {
  if (operation.operation !== 'query') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const query = schema.getQueryType();
  if (!query) return null;
  const ids = new Set<string>();
  const tags = new Set<string>();
  const types = new Set<string>();
  let complete = true;

  const fieldsOf = (set: SelectionSetNode, into: FieldNode[] = []): FieldNode[] => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) into.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) fieldsOf(sel.selectionSet, into);
      else {
        const def = fragments.get(sel.name.value);
        if (def) fieldsOf(def.selectionSet, into);
      }
    }
    return into;
  };
  const args = (field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const a of node.arguments ?? []) {
      const def = field.args.find((x) => x.name === a.name.value);
      if (def) out[a.name.value] = valueFromAST(a.value, def.type, variables);
    }
    return out;
  };
  /** Walks a value of `type` selected by `set`, collecting the ids of every Order in it. */
  const walk = (type: GraphQLObjectType, set: SelectionSetNode, value: unknown): void => {
    if (!complete || value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(type, set, v);
      return;
    }
    const obj = value as Record<string, unknown>;
    const fields = fieldsOf(set);
    types.add(type.name);
    if (type.name === 'Order') {
      const idNode = fields.find((f) => f.name.value === 'id');
      const id = idNode ? obj[idNode.alias?.value ?? 'id'] : undefined;
      if (typeof id !== 'string') {
        complete = false;
        return;
      }
      ids.add(id);
      tags.add(`order:${id}`);
    }
    for (const f of fields) {
      if (!f.selectionSet) continue;
      const def = type.getFields()[f.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (isObjectType(named)) walk(named, f.selectionSet, obj[f.alias?.value ?? f.name.value]);
      else complete = false; // interfaces and unions: not in this graph's order types
    }
  };

  for (const node of fieldsOf(operation.selectionSet)) {
    const name = node.name.value;
    if (name === '__typename') continue;
    if (!ORDER_ROOTS.has(name)) return null;
    const field = query.getFields()[name];
    if (!field || !node.selectionSet) return null;
    const a = args(field, node);
    const value = data[node.alias?.value ?? name];
    if (name === 'order') {
      const id = a.id;
      if (typeof id !== 'string') return null;
      ids.add(id); // a null answer depends on the order too: it may be placed later
      tags.add(`order:${id}`);
      if (value && typeof value === 'object') {
        // The id is known from the argument: the order itself need not select it.
        const named = getNamedType(field.type) as GraphQLObjectType;
        for (const f of fieldsOf(node.selectionSet)) {
          if (!f.selectionSet) continue;
          const def = named.getFields()[f.name.value];
          const sub = def && getNamedType(def.type);
          if (sub && isObjectType(sub))
            walk(sub, f.selectionSet, (value as Record<string, unknown>)[f.alias?.value ?? f.name.value]);
          else if (def) complete = false;
        }
      }
    } else if (name === 'orderByNumber') {
      if (!value) return null;
      walk(getNamedType(field.type) as GraphQLObjectType, node.selectionSet, value);
    } else {
      const filter = (a.filter ?? {}) as {
        customerId?: string | null;
        salesforceAccountId?: string | null;
        fulfillmentNodeId?: string | null;
      };
      // Which orders are at a node changes with every allocation, which bumps only the allocated
      // order — not a listed one, nor the customer's lists: such a list could not be kept current.
      if (filter.fulfillmentNodeId != null || CONSUMER_POLICIES[identity.consumer].rows === 'partner-node') return null;
      const customer = filter.customerId ?? identity.customerId;
      const account = filter.salesforceAccountId;
      if (!customer && !account) return null;
      // A new order bumps its customer's and its Salesforce Account's lists (events/versions.ts).
      if (customer) {
        ids.add(customerVersionId(customer));
        tags.add(`customer:${customer}:lists`);
      }
      if (account) ids.add(accountVersionId(account));
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return null;
      walk(named, node.selectionSet, value);
    }
    if (!complete) return null;
  }
  return complete ? { ids: [...ids], tags: [...tags], types } : null;
}

/**
 * The orders an operation starts from when it starts only from `order(id:)` root fields: every
 * subgraph fetch of such an operation reads those orders' slices, so the fetch cache keys its
 * entries on their versions. Undefined for any other operation (its fetches are not cached).
 */
export function rootOrderIdsOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): string[] | undefined {
  if (operation.operation !== 'query') return undefined;
  const field = schema.getQueryType()?.getFields().order;
  if (!field) return undefined;
  const ids: string[] = [];
  for (const sel of operation.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) return undefined;
    if (sel.name.value === '__typename') continue;
    if (sel.name.value !== 'order') return undefined;
    const arg = sel.arguments?.find((a) => a.name.value === 'id');
    const def = field.args.find((a) => a.name === 'id');
    const id = arg && def ? valueFromAST(arg.value, def.type, variables) : undefined;
    if (typeof id !== 'string') return undefined;
    ids.push(id);
  }
  return ids.length ? ids : undefined;
}
