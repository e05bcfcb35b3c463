import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type StringValueNode,
} from 'graphql';

/**
 * Row rules, declared where they are enforced: a subgraph that answers differently by caller
 * (rows filtered by who asks) marks its row-ruled entry points in its schema —
 * `type Order @rowRules(subgraph: "oms")` for the entities it resolves by reference, and its root
 * fields — with `@rowRules` from {@link ROW_RULES_SPEC}, composed into the supergraph
 * (`@composeDirective`). Composition merges a type's directives from every subgraph, so each use
 * names the subgraph that applies it.
 *
 * The gateway reads them here ({@link readRowRules}) and derives which subgraph fetches may be
 * shared across callers: an `_entities` fetch of a type no row rule covers in that subgraph
 * answers the same to everyone; anything else is keyed by the caller's scope. ApolloGateway gets
 * the supergraph without them ({@link stripRowRules}).
 */
export const ROW_RULES_SPEC = 'https://specs.order-visibility.dev/rowRules/';

/** Per subgraph, the types (and `Type.field` root entry points) whose answers depend on the caller. */
export type RowRules = ReadonlyMap<string, ReadonlySet<string>>;

function stringArg(d: DirectiveNode, name: string): string | undefined {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.STRING ? (v as StringValueNode).value : undefined;
}

/** The name the supergraph uses for `@rowRules` (`@link(as:)` may rename it), if it links the spec. */
function directiveName(doc: DocumentNode): string | undefined {
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      const url = d.name.value === 'link' ? stringArg(d, 'url') : undefined;
      if (url?.startsWith(ROW_RULES_SPEC)) return stringArg(d, 'as') ?? 'rowRules';
    }
  }
  return undefined;
}

/**
 * Every `@rowRules(subgraph:)` of the composed supergraph, by subgraph.
 * @throws Error when a use names a subgraph the supergraph does not have (a typo would share answers)
 */
export function readRowRules(supergraphSdl: string): RowRules {
  const doc = parse(supergraphSdl);
  const name = directiveName(doc);
  const rules = new Map<string, Set<string>>();
  if (!name) return rules;
  const graphs = new Set<string>();
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'join__Graph') {
      for (const v of def.values ?? [])
        for (const d of v.directives ?? []) if (d.name.value === 'join__graph') graphs.add(stringArg(d, 'name') ?? '');
    }
  }
  const add = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    for (const d of directives ?? []) {
      if (d.name.value !== name) continue;
      const subgraph = stringArg(d, 'subgraph');
      if (!subgraph || !graphs.has(subgraph)) {
        throw new Error(
          `@${name} on ${coordinate} must name a subgraph of this supergraph (${[...graphs].join(', ')}) in subgraph:; received ${JSON.stringify(subgraph ?? null)}`,
        );
      }
      let set = rules.get(subgraph);
      if (!set) rules.set(subgraph, (set = new Set()));
      set.add(coordinate);
    }
  };
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    add(def.name.value, def.directives);
    for (const f of def.fields ?? []) add(`${def.name.value}.${f.name.value}`, f.directives);
  }
  return rules;
}

/** The supergraph without `@rowRules`: its `@link`, its definition and every use. */
export function stripRowRules(supergraphSdl: string): string {
  const doc = parse(supergraphSdl);
  const name = directiveName(doc);
  if (!name) return supergraphSdl;
  return print(
    visit(doc, {
      Directive(node) {
        if (node.name.value === name) return null;
        if (node.name.value === 'link' && stringArg(node, 'url')?.startsWith(ROW_RULES_SPEC)) return null;
        return undefined;
      },
      DirectiveDefinition(node) {
        return node.name.value === name ? null : undefined;
      },
    }),
  );
}

/**
 * Whether a subgraph fetch answers the same to every caller: an `_entities` fetch none of whose
 * types (`... on T`) the subgraph row-rules. Root fetches are never shared.
 */
export function isSharedFetch(query: string, ruled: ReadonlySet<string> | undefined): boolean {
  if (!query.includes('_entities(')) return false;
  if (!ruled || ruled.size === 0) return true;
  for (const m of query.matchAll(/\.\.\.\s*on\s+([_A-Za-z]\w*)/g)) if (ruled.has(m[1]!)) return false;
  return true;
}
