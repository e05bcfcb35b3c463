import {
  getNamedType,
  isCompositeType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** What a rule makes of one field: `children` measures the field's own selection set (0 when it has none). */
export type FieldMeasure = (
  field: FieldNode,
  def: GraphQLField<unknown, unknown> | undefined,
  parentType: GraphQLNamedType | undefined,
  children: () => number,
) => number;

export interface Measure {
  /** Combines the values of the selections of one selection set: sum or max. */
  combine: 'sum' | 'max';
  field: FieldMeasure;
  /** What an inline fragment or a fragment spread adds beside its selections (e.g. its directives). @default 0 */
  fragment?: (node: SelectionNode) => number;
}

function fieldDef(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent && parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return parent && isCompositeType(parent) && 'getFields' in parent ? parent.getFields()[name] : undefined;
}

export function rootType(schema: GraphQLSchema, op: OperationDefinitionNode): GraphQLNamedType | undefined {
  return (
    (op.operation === 'query'
      ? schema.getQueryType()
      : op.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType()) ?? undefined
  );
}

/**
 * Measures an operation through its fragments (inline and named). Each named fragment is measured
 * once and remembered, so `...A ...A` nested fifty deep costs fifty measurements, not 2^50; a
 * fragment cycle (refused later by graphql's own NoFragmentCycles) counts as 0.
 */
export function measureOperation(ctx: ValidationContext, op: OperationDefinitionNode, m: Measure): number {
  const schema = ctx.getSchema();
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const join = m.combine === 'sum' ? (a: number, b: number) => a + b : Math.max;
  const set = (selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const sel of selectionSet.selections) {
      let v: number;
      if (sel.kind === Kind.FIELD) {
        const def = fieldDef(schema, type, sel.name.value);
        v = m.field(sel, def, type, () =>
          sel.selectionSet ? set(sel.selectionSet, def ? getNamedType(def.type) : undefined) : 0,
        );
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        v = (m.fragment?.(sel) ?? 0) + set(sel.selectionSet, t);
      } else {
        const name = sel.name.value;
        let inner = memo.get(name);
        if (inner === undefined) {
          const frag = ctx.getFragment(name);
          if (!frag || visiting.has(name)) inner = 0;
          else {
            visiting.add(name);
            inner = set(frag.selectionSet, schema.getType(frag.typeCondition.name.value));
            visiting.delete(name);
            memo.set(name, inner);
          }
        }
        v = (m.fragment?.(sel) ?? 0) + inner;
      }
      total = join(total, v);
    }
    return total;
  };
  return set(op.selectionSet, rootType(schema, op));
}
