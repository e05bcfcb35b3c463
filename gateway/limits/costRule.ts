import {
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  Kind,
  TypeInfo,
  ValidationContext,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { limitExceeded } from './limitExceeded.js';
import { measureOperation } from './measure.js';
import { operationRule } from './operationRule.js';

/** How {@link costRule} prices an operation. */
export interface CostOptions {
  /** Most an operation may cost. @default 100000 */
  max: number;
  /** A list field without a `first`/`last` argument is assumed to hold this many items. @default 10 */
  defaultListSize: number;
  /**
   * `first`/`last` given as a variable is priced at this many items (validation runs before the
   * variables are known, and the result is cached per document): the largest page the graph serves.
   * @default 100
   */
  variableListSize: number;
  /** Weight of a field returning an object (a fetch or an entity to resolve). @default 1 */
  objectWeight: number;
  /** Weight of a field returning a scalar or an enum. @default 0 */
  leafWeight: number;
  /** Weights of particular fields, by `Type.field`, replacing the two above. @default {} */
  fieldWeights: Record<string, number>;
}

export const DEFAULT_COST: CostOptions = {
  max: 100_000,
  defaultListSize: 10,
  variableListSize: 100,
  objectWeight: 1,
  leafWeight: 0,
  fieldWeights: {},
};

function pageSize(field: FieldNode, variableListSize: number): number | undefined {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    if (arg.value.kind === Kind.VARIABLE) return variableListSize;
  }
  return undefined;
}

/**
 * List-size-aware cost: a field costs its weight plus its selections' cost times its size — its
 * `first`/`last` argument, else `defaultListSize` when it returns a list. The list of a connection
 * (`OrderConnection.edges`) counts once: its size is the page size already counted on the field
 * that took `first`. So `orders(first: 100) { edges { node { shipments { events { … } } } } }`
 * costs 100 × 10 × 10 × … and a page of full orders is priced like the fan-out it causes.
 */
export function costRule(opts: CostOptions): ValidationRule {
  return operationRule((ctx, op) => {
    const cost = priceOperation(ctx, op, opts);
    if (cost > opts.max) ctx.reportError(limitExceeded(`${op.operation} cost`, cost, opts.max, op));
  });
}

/** What {@link costRule} charges an operation. */
function priceOperation(ctx: ValidationContext, op: OperationDefinitionNode, opts: CostOptions): number {
  return measureOperation(ctx, op, {
    combine: 'sum',
    field: (f, def, parent, children) => {
      if (!def) return opts.objectWeight + children();
      const named = getNamedType(def.type);
      const weight =
        opts.fieldWeights[`${parent?.name}.${f.name.value}`] ??
        (isLeafType(named) ? opts.leafWeight : opts.objectWeight);
      const connectionList = parent?.name.endsWith('Connection') ?? false;
      const size =
        pageSize(f, opts.variableListSize) ??
        (isListType(getNullableType(def.type)) && !connectionList ? opts.defaultListSize : 1);
      return weight + size * children();
    },
  });
}

/**
 * The cost {@link costRule} gives an operation of a validated document, for a stage that charges
 * it (the cost budgets of client quotas). It depends on the document alone — a page size given as a
 * variable is priced at `variableListSize` — so it is remembered per operation node: Apollo Server
 * hands the same parsed document to every request of the same text.
 */
export function costMeter(
  opts: CostOptions,
): (schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode) => number {
  const known = new WeakMap<OperationDefinitionNode, number>();
  return (schema, document, op) => {
    let cost = known.get(op);
    if (cost === undefined) {
      const ctx = new ValidationContext(schema, document, new TypeInfo(schema), () => {});
      known.set(op, (cost = priceOperation(ctx, op, opts)));
    }
    return cost;
  };
}
