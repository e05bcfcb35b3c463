import { defaultFieldResolver, GraphQLError, isObjectType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';
import { ErrorCode, grantedScopes, type Identity } from '../../canonical/index.js';

/** A field's `@requiresScopes(scopes: [[a, b], [c]])`: one inner list must be held entirely. */
type ScopeRule = string[][];

function scopesOf(value: ValueNode | undefined): ScopeRule | undefined {
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [],
  );
}

/**
 * Defence in depth (issue 16 #5): the subgraph enforces the `@requiresScopes` of its own schema on
 * the identity the gateway signed, not only the gateway before planning. A field the caller may
 * not see resolves to null with a `FORBIDDEN` error naming the scopes it needs — on an `_entities`
 * fetch as on a root field. `identityOf` finds the caller in the request context.
 * @returns the coordinates guarded (for tests and logs)
 */
export function enforceFieldRules(
  schema: GraphQLSchema,
  identityOf: (context: unknown) => Identity | undefined,
): string[] {
  const guarded: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const directive = field.astNode?.directives?.find((d) => d.name.value === 'requiresScopes');
      const rule = scopesOf(directive?.arguments?.find((a) => a.name.value === 'scopes')?.value);
      if (!rule) continue;
      const coordinate = `${type.name}.${field.name}`;
      guarded.push(coordinate);
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const identity = identityOf(context);
        const held = new Set(identity ? grantedScopes(identity) : []);
        if (!rule.some((all) => all.every((s) => held.has(s)))) {
          throw new GraphQLError(
            `${coordinate} requires the scopes ${rule.map((all) => all.join(' and ')).join(' or ')}; this caller (${identity?.consumer ?? 'unknown'}) holds ${[...held].join(', ') || 'none'}`,
            {
              extensions: { code: ErrorCode.FORBIDDEN },
            },
          );
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return guarded;
}
