import {
  BreakingChangeType,
  buildASTSchema,
  findBreakingChanges,
  findDangerousChanges,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  printSchema,
  visit,
  type BreakingChange,
  type DangerousChange,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Problem } from './problems.js';

const EXPECTED_BREAKING =
  'keep it as released, or deprecate it (@deprecated(reason:)) in a release first and remove it in a later one';

/** Names of the types reachable from the root operation types (through fields, arguments, input fields, interfaces and unions). */
export function reachableTypes(schema: GraphQLSchema): Set<string> {
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [
    schema.getQueryType(),
    schema.getMutationType(),
    schema.getSubscriptionType(),
  ].filter((t) => t != null);
  const add = (t: GraphQLNamedType): void => {
    if (!seen.has(t.name)) {
      seen.add(t.name);
      queue.push(t);
    }
  };
  for (const t of queue) seen.add(t.name);
  while (queue.length > 0) {
    const t = queue.shift()!;
    if (isObjectType(t) || isInterfaceType(t)) {
      for (const f of Object.values(t.getFields())) {
        add(getNamedType(f.type));
        for (const a of f.args) add(getNamedType(a.type));
      }
      for (const i of t.getInterfaces()) add(i);
      if (isInterfaceType(t)) for (const p of schema.getPossibleTypes(t)) add(p);
    } else if (isUnionType(t)) {
      for (const p of t.getTypes()) add(p);
    } else if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) add(getNamedType(f.type));
    }
  }
  return seen;
}

const isDeprecated = (node: { directives?: readonly { name: { value: string } }[] | undefined }): boolean =>
  node.directives?.some((d) => d.name.value === 'deprecated') ?? false;

/**
 * The released schema without its deprecated elements (fields, arguments, input fields, enum
 * values), and without the types that only they made reachable: comparing the new schema with it
 * exempts exactly the removals and changes of what was already deprecated.
 */
export function withoutDeprecated(released: GraphQLSchema): GraphQLSchema {
  const drop = <T extends { directives?: readonly { name: { value: string } }[] | undefined }>(node: T): T | null =>
    isDeprecated(node) ? null : node;
  const pruned: DocumentNode = visit(parse(printSchema(released)), {
    FieldDefinition: drop,
    InputValueDefinition: drop,
    EnumValueDefinition: drop,
  });
  const before = reachableTypes(released);
  const after = reachableTypes(buildASTSchema(pruned));
  const orphaned = new Set([...before].filter((name) => !after.has(name)));
  return buildASTSchema({
    ...pruned,
    definitions: pruned.definitions.filter(
      (d) => !('name' in d && d.name && d.kind !== Kind.DIRECTIVE_DEFINITION && orphaned.has(d.name.value)),
    ),
  });
}

/** The schema coordinate a graphql-js change description is about (`Order.number`, `Query.order(id:)`, `OrderStatus.SHIPPED`). */
export function coordinateOf(change: BreakingChange | DangerousChange): string {
  const d = change.description;
  let m: RegExpMatchArray | null;
  if ((m = /^An? (?:required|optional) arg (\w+) on directive (\w+)/.exec(d))) return `@${m[2]}(${m[1]}:)`;
  if ((m = /^An? (?:required|optional) arg (\w+) on ([\w.]+)/.exec(d))) return `${m[2]}(${m[1]}:)`;
  if ((m = /^An? (?:required|optional) field (\w+) on input type (\w+)/.exec(d))) return `${m[2]}.${m[1]}`;
  if ((m = /^(\w+) was (?:removed from|added to) enum type (\w+)/.exec(d))) return `${m[2]}.${m[1]}`;
  if ((m = /^(\w+) was (?:removed from|added to) union type (\w+)/.exec(d))) return m[2]!;
  if ((m = /^([\w.]+) arg (\w+) /.exec(d))) return `${m[1]}(${m[2]}:)`;
  if ((m = / (?:from|by) (\w+)\.$/.exec(d)) && change.type.startsWith('DIRECTIVE_')) return `@${m[1]}`;
  if (change.type === BreakingChangeType.DIRECTIVE_REMOVED) return `@${d.split(' ')[0]}`;
  return /^[\w.]+/.exec(d)?.[0] ?? '(schema)';
}

/** Deprecated coordinates of a schema with their reasons: fields, arguments, input fields, enum values. */
export function deprecatedElements(schema: GraphQLSchema): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__')) continue;
    if (isObjectType(t) || isInterfaceType(t)) {
      for (const f of Object.values(t.getFields())) {
        if (f.deprecationReason != null) out.set(`${t.name}.${f.name}`, f.deprecationReason);
        for (const a of f.args)
          if (a.deprecationReason != null) out.set(`${t.name}.${f.name}(${a.name}:)`, a.deprecationReason);
      }
    } else if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields()))
        if (f.deprecationReason != null) out.set(`${t.name}.${f.name}`, f.deprecationReason);
    } else if (isEnumType(t)) {
      for (const v of t.getValues())
        if (v.deprecationReason != null) out.set(`${t.name}.${v.name}`, v.deprecationReason);
    }
  }
  return out;
}

/** The type of an element by coordinate in a schema (`String!`, `ID`), `enum value` for enum values, undefined when absent. */
function signatureOf(schema: GraphQLSchema, coordinate: string): string | undefined {
  const m = /^(\w+)\.(\w+)(?:\((\w+):\))?$/.exec(coordinate);
  if (!m) return undefined;
  const t = schema.getType(m[1]!);
  if (isEnumType(t)) return t.getValue(m[2]!) ? 'enum value' : undefined;
  if (!isObjectType(t) && !isInterfaceType(t) && !isInputObjectType(t)) return undefined;
  const f = t.getFields()[m[2]!];
  if (!f) return undefined;
  if (!m[3]) return String(f.type);
  const a = 'args' in f ? f.args.find((x) => x.name === m[3]) : undefined;
  return a ? String(a.type) : undefined;
}

/**
 * Compares the new client schema with the released one (graphql-js `findBreakingChanges`):
 * removing a type, field, enum value or argument, changing a type incompatibly, or making an
 * argument required is an error — unless the element was `@deprecated` in the released schema
 * (then it is a note). Dangerous changes (an enum value or optional argument added, a default
 * changed) are warnings. `releasedFile` names the baseline in the problems.
 */
export function compareWithReleased(released: GraphQLSchema, next: GraphQLSchema, releasedFile: string): Problem[] {
  const problems: Problem[] = [];
  for (const change of findBreakingChanges(withoutDeprecated(released), next)) {
    problems.push({
      severity: 'error',
      stage: 'breaking',
      where: coordinateOf(change),
      message: `${change.description.replace(/\.$/, '')} — breaking against ${releasedFile} (${change.type})`,
      expected: EXPECTED_BREAKING,
    });
  }
  for (const change of findDangerousChanges(released, next)) {
    problems.push({
      severity: 'warning',
      stage: 'breaking',
      where: coordinateOf(change),
      message: `${change.description.replace(/\.$/, '')} — dangerous (${change.type})`,
      expected: 'clients that switch over every value or rely on the default handle the change',
    });
  }
  for (const [coordinate, reason] of deprecatedElements(released)) {
    const before = signatureOf(released, coordinate);
    const after = signatureOf(next, coordinate);
    if (after === before) continue;
    problems.push({
      severity: 'note',
      stage: 'breaking',
      where: coordinate,
      message:
        after === undefined
          ? `removed; allowed because it was deprecated in ${releasedFile} ("${reason}")`
          : `changed from ${before} to ${after}; allowed because it was deprecated in ${releasedFile} ("${reason}")`,
    });
  }
  return problems;
}
