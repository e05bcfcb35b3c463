import {
  getNamedType,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  Kind,
  visit,
  GraphQLError,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../canonical/index.js';
import { describeRule, satisfies, type AccessRules, type FieldRule } from './rules.js';

/** One selected field the caller may not see. */
export interface ForbiddenField {
  /** `Type.field`. */
  coordinate: string;
  /** Response keys from the root to the field (aliases as sent), without list indices. */
  path: string[];
  /** The node removed from the document. */
  node: FieldNode;
  rule: FieldRule;
}

/** Who is asking, as the rules see it. */
export interface Caller {
  authenticated: boolean;
  scopes: ReadonlySet<string>;
}

/**
 * Every field of the operation the caller may not see: walks the selected operation through its
 * fragments with the schema's types, checking the field's own rule and its return type's rule.
 */
export function findForbidden(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rules: AccessRules,
  caller: Caller,
): ForbiddenField[] {
  if (rules.size === 0) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const found: ForbiddenField[] = [];
  const walk = (
    type: GraphQLCompositeType,
    set: SelectionSetNode,
    path: string[],
    spreading: ReadonlySet<string>,
  ): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (name.startsWith('__') || (isAbstractType(type) && !isInterfaceType(type))) continue;
        const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
        if (!field) continue;
        const key = sel.alias?.value ?? name;
        const named = getNamedType(field.type);
        const rule = merge(rules.get(`${type.name}.${name}`), rules.get(named.name));
        if (rule && !satisfies(rule, caller.authenticated, caller.scopes)) {
          found.push({ coordinate: `${type.name}.${name}`, path: [...path, key], node: sel, rule });
          continue;
        }
        if (sel.selectionSet) walk(named as GraphQLCompositeType, sel.selectionSet, [...path, key], spreading);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition
          ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType | undefined)
          : type;
        if (cond) walk(cond, sel.selectionSet, path, spreading);
      } else {
        const name = sel.name.value;
        const def = fragments.get(name);
        if (!def || spreading.has(name)) continue;
        const cond = schema.getType(def.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (cond) walk(cond, def.selectionSet, path, new Set([...spreading, name]));
      }
    }
  };
  if (root) walk(root, operation.selectionSet, [], new Set());
  return found;
}

function merge(a: FieldRule | undefined, b: FieldRule | undefined): FieldRule | undefined {
  if (!a || !b) return a ?? b;
  return { authenticated: a.authenticated || b.authenticated, scopes: [...a.scopes, ...b.scopes] };
}

/** Selected in place of a selection set left empty, and removed from the answer again. */
const PLACEHOLDER = 'ovgForbiddenPlaceholder';

/**
 * The document without the forbidden fields; a selection set left empty selects `__typename`
 * (aliased, removed again by {@link markForbidden}), so the document stays valid and its parent
 * still answers, as an object whose forbidden fields are null.
 */
export function withoutForbidden(document: DocumentNode, forbidden: readonly ForbiddenField[]): DocumentNode {
  const remove = new Set(forbidden.map((f) => f.node));
  return visit(document, {
    Field: { enter: (node) => (remove.has(node) ? null : undefined) },
    SelectionSet: {
      leave: (node) =>
        node.selections.length > 0
          ? undefined
          : {
              ...node,
              selections: [
                {
                  kind: Kind.FIELD,
                  alias: { kind: Kind.NAME, value: PLACEHOLDER },
                  name: { kind: Kind.NAME, value: '__typename' },
                },
              ],
            },
    },
  });
}

/**
 * Puts the forbidden fields back into the result as null, each with one `FORBIDDEN` error naming
 * it (its path is the first place it appears in the data; absent when it appears nowhere).
 */
export function markForbidden(
  data: Record<string, unknown> | null | undefined,
  forbidden: readonly ForbiddenField[],
): GraphQLError[] {
  return forbidden.map((f) => {
    const first = data ? setNull(data, f.path, []) : undefined;
    return new GraphQLError(
      `Not authorized to read ${f.coordinate}: it requires ${describeRule(f.rule)}, which this credential does not grant`,
      {
        path: first,
        extensions: { code: ErrorCode.FORBIDDEN, field: f.coordinate },
      },
    );
  });
}

/** Sets the last key of `path` to null everywhere it exists under `value`; returns the first concrete path. */
function setNull(value: unknown, path: readonly string[], at: (string | number)[]): (string | number)[] | undefined {
  if (Array.isArray(value)) {
    let first: (string | number)[] | undefined;
    value.forEach((item, i) => {
      const p = setNull(item, path, [...at, i]);
      first ??= p;
    });
    return first;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    obj[key] = null;
    delete obj[PLACEHOLDER];
    return [...at, key];
  }
  return key in obj ? setNull(obj[key], rest, [...at, key]) : undefined;
}
