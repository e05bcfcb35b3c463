import {
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  printSchema,
  visit,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { grantedScopes, type Consumer } from '../../canonical/index.js';
import { satisfies, type AccessRules, type FieldRule } from '../access/rules.js';

/**
 * The client schema as `consumer` may see it: every field whose rule (its own, or its return
 * type's, as the gateway's field-access plugin checks them) the consumer's granted scopes do not
 * satisfy is removed, and so is every type whose own rule is not satisfied, with the fields that
 * return it. A type left without fields goes too, until nothing changes.
 *
 * For the development explorer only: it shows a consumer what it may select without granting it
 * introspection, which stays ops-only. The scopes come from the consumer policy
 * ({@link grantedScopes}), exactly as for a real request.
 */
export function schemaForConsumer(schema: GraphQLSchema, rules: AccessRules, consumer: Consumer): GraphQLSchema {
  const scopes = new Set(grantedScopes({ consumer, subject: 'explorer', scopes: [] }));
  const allowed = (rule: FieldRule | undefined): boolean => rule === undefined || satisfies(rule, true, scopes);
  const hiddenTypes = new Set<string>();
  const hiddenFields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (!allowed(rules.get(type.name))) hiddenTypes.add(type.name);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!allowed(rules.get(`${type.name}.${field.name}`))) hiddenFields.add(`${type.name}.${field.name}`);
    }
  }
  let doc: DocumentNode = parse(printSchema(schema));
  for (;;) {
    const before = hiddenTypes.size;
    doc = visit(doc, {
      ObjectTypeDefinition: (node) => (hiddenTypes.has(node.name.value) ? null : undefined),
      InterfaceTypeDefinition: (node) => (hiddenTypes.has(node.name.value) ? null : undefined),
      ScalarTypeDefinition: (node) => (hiddenTypes.has(node.name.value) ? null : undefined),
      EnumTypeDefinition: (node) => (hiddenTypes.has(node.name.value) ? null : undefined),
    });
    doc = visit(doc, {
      enter(node, _key, _parent, _path, ancestors) {
        if (node.kind !== Kind.FIELD_DEFINITION) return undefined;
        const owner = ancestors[ancestors.length - 1];
        const ownerName =
          owner && 'kind' in owner && 'name' in owner && owner.name ? (owner.name as { value: string }).value : '';
        let t = node.type;
        while (t.kind !== Kind.NAMED_TYPE) t = t.type;
        if (hiddenFields.has(`${ownerName}.${node.name.value}`) || hiddenTypes.has(t.name.value)) return null;
        return undefined;
      },
    });
    for (const def of doc.definitions) {
      if (
        (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) &&
        (def.fields?.length ?? 0) === 0
      ) {
        hiddenTypes.add(def.name.value);
      }
    }
    if (hiddenTypes.size === before) break;
  }
  return buildASTSchema(doc, { assumeValidSDL: false });
}

/** Every `Type.field` of `schema` (for tests and diagnostics). */
export function fieldCoordinates(schema: GraphQLSchema): Set<string> {
  const out = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (!isObjectType(type) && !isInterfaceType(type))) continue;
    for (const f of Object.values(type.getFields())) out.add(`${type.name}.${f.name}`);
  }
  return out;
}
