import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type StringValueNode,
  type ValueNode,
} from 'graphql';

/**
 * Field-level access rules, declared once in the subgraph schemas with `@authenticated` and
 * `@requiresScopes` (federation 2.5) and read here from the composed supergraph.
 *
 * ApolloGateway refuses to load a supergraph whose `@link`s are `for: SECURITY`
 * (FEDERATION_NOTES.md), so the gateway reads the rules from the composed SDL with
 * {@link readAccessRules} and hands ApolloGateway the copy {@link stripAccessDirectives} returns.
 */

/** What one field (or every field returning one type) requires. */
export interface FieldRule {
  /** `@authenticated`: any established identity. */
  authenticated: boolean;
  /**
   * `@requiresScopes(scopes: [[a, b], [c]])`: one of the inner lists must be held entirely
   * (a AND b, OR c). Several annotations (field and return type) must all hold.
   */
  scopes: string[][][];
}

/** The rules by schema coordinate: `Type.field`, and `Type` for type-level annotations. */
export type AccessRules = ReadonlyMap<string, FieldRule>;

const SPECS = {
  authenticated: 'https://specs.apollo.dev/authenticated/',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/',
} as const;

/** The names the supergraph uses for the two directives (`@link(as:)` may rename them). */
function directiveNames(doc: DocumentNode): { authenticated?: string; requiresScopes?: string } {
  const names: { authenticated?: string; requiresScopes?: string } = {};
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      if (d.name.value !== 'link') continue;
      const url = stringArg(d, 'url');
      if (!url) continue;
      for (const [key, prefix] of Object.entries(SPECS) as [keyof typeof SPECS, string][]) {
        if (url.startsWith(prefix)) names[key] = stringArg(d, 'as') ?? key;
      }
    }
  }
  return names;
}

function stringArg(d: DirectiveNode, name: string): string | undefined {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.STRING ? (v as StringValueNode).value : undefined;
}

function scopesOf(d: ConstDirectiveNode): string[][] {
  const v = d.arguments?.find((a) => a.name.value === 'scopes')?.value;
  const list = (n: ValueNode | undefined): ValueNode[] => (n?.kind === Kind.LIST ? [...n.values] : n ? [n] : []);
  return list(v).map((inner) => list(inner).flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])));
}

/** Every `@authenticated` / `@requiresScopes` of the composed supergraph, by coordinate. */
export function readAccessRules(supergraphSdl: string): AccessRules {
  const doc = parse(supergraphSdl);
  const names = directiveNames(doc);
  const rules = new Map<string, FieldRule>();
  const add = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    for (const d of directives ?? []) {
      const isAuth = d.name.value === names.authenticated;
      const isScopes = d.name.value === names.requiresScopes;
      if (!isAuth && !isScopes) continue;
      const rule = rules.get(coordinate) ?? { authenticated: false, scopes: [] };
      if (isAuth) rule.authenticated = true;
      if (isScopes) rule.scopes.push(scopesOf(d));
      rules.set(coordinate, rule);
    }
  };
  for (const def of doc.definitions) {
    if (
      def.kind === Kind.OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.OBJECT_TYPE_EXTENSION ||
      def.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      def.kind === Kind.INTERFACE_TYPE_EXTENSION
    ) {
      add(def.name.value, def.directives);
      for (const f of def.fields ?? []) add(`${def.name.value}.${f.name.value}`, f.directives);
    } else if (def.kind === Kind.SCALAR_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_DEFINITION) {
      add(def.name.value, def.directives);
    }
  }
  return rules;
}

/**
 * The supergraph without the security features ApolloGateway refuses: their `@link`s, directive
 * definitions, the spec's own scalars (`requiresScopes__Scope`) and every use of the directives.
 * Everything else is printed back unchanged in meaning.
 */
export function stripAccessDirectives(supergraphSdl: string): string {
  const doc = parse(supergraphSdl);
  const names = directiveNames(doc);
  const drop = new Set([names.authenticated, names.requiresScopes].filter((n): n is string => n !== undefined));
  if (drop.size === 0) return supergraphSdl;
  const specPrefixes = Object.values(SPECS);
  const specScalars = new Set([...drop].map((n) => `${n}__Scope`));
  const stripped = visit(doc, {
    Directive(node) {
      if (drop.has(node.name.value)) return null;
      if (node.name.value === 'link') {
        const url = stringArg(node, 'url');
        if (url && specPrefixes.some((p) => url.startsWith(p))) return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      return drop.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return specScalars.has(node.name.value) ? null : undefined;
    },
  });
  return print(stripped);
}

/** Whether a caller with these scopes (and authenticated or not) satisfies `rule`. */
export function satisfies(rule: FieldRule, authenticated: boolean, granted: ReadonlySet<string>): boolean {
  if (rule.authenticated && !authenticated) return false;
  return rule.scopes.every((anyOf) => anyOf.some((allOf) => authenticated && allOf.every((s) => granted.has(s))));
}

/** The requirement, in words, for error messages: `scope "orders:internal"`, `authentication`. */
export function describeRule(rule: FieldRule): string {
  const parts: string[] = [];
  if (rule.authenticated) parts.push('authentication');
  for (const anyOf of rule.scopes) {
    parts.push(anyOf.map((allOf) => allOf.map((s) => `scope ${JSON.stringify(s)}`).join(' and ')).join(' or '));
  }
  return parts.join(' and ');
}
