import {
  getLocation,
  Kind,
  parse,
  Source,
  type ASTNode,
  type DefinitionNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type StringValueNode,
} from 'graphql';
import type { Problem } from './problems.js';

/** Type, enum, input, scalar, interface and union names: `OrderStatus`, `JSON`. */
export const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
/** Field, argument, input field and directive names: `salesforceAccountId`. */
export const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
/** Enum values: `PARTIALLY_SHIPPED`. */
export const UPPER_SNAKE_CASE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

type Kindish = 'type' | 'field' | 'argument' | 'input field' | 'enum value' | 'directive';

interface Element {
  coordinate: string;
  kind: Kindish;
  name: string;
  node: ASTNode;
  description: StringValueNode | undefined;
  needsDescription: boolean;
}

function elementsOf(def: DefinitionNode): Element[] {
  const out: Element[] = [];
  const args = (owner: string, list: readonly InputValueDefinitionNode[] | undefined): void => {
    for (const a of list ?? [])
      out.push({
        coordinate: `${owner}(${a.name.value}:)`,
        kind: 'argument',
        name: a.name.value,
        node: a,
        description: a.description,
        needsDescription: true,
      });
  };
  const fields = (type: string, list: readonly FieldDefinitionNode[] | undefined): void => {
    for (const f of list ?? []) {
      out.push({
        coordinate: `${type}.${f.name.value}`,
        kind: 'field',
        name: f.name.value,
        node: f,
        description: f.description,
        needsDescription: true,
      });
      args(`${type}.${f.name.value}`, f.arguments);
    }
  };
  switch (def.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_EXTENSION: {
      const extension = def.kind === Kind.OBJECT_TYPE_EXTENSION || def.kind === Kind.INTERFACE_TYPE_EXTENSION;
      out.push({
        coordinate: def.name.value,
        kind: 'type',
        name: def.name.value,
        node: def,
        description: extension ? undefined : def.description,
        needsDescription: !extension,
      });
      fields(def.name.value, def.fields);
      break;
    }
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION: {
      const extension = def.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION;
      out.push({
        coordinate: def.name.value,
        kind: 'type',
        name: def.name.value,
        node: def,
        description: extension ? undefined : def.description,
        needsDescription: !extension,
      });
      for (const f of def.fields ?? [])
        out.push({
          coordinate: `${def.name.value}.${f.name.value}`,
          kind: 'input field',
          name: f.name.value,
          node: f,
          description: f.description,
          needsDescription: true,
        });
      break;
    }
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION: {
      const extension = def.kind === Kind.ENUM_TYPE_EXTENSION;
      out.push({
        coordinate: def.name.value,
        kind: 'type',
        name: def.name.value,
        node: def,
        description: extension ? undefined : def.description,
        needsDescription: !extension,
      });
      for (const v of def.values ?? [])
        out.push({
          coordinate: `${def.name.value}.${v.name.value}`,
          kind: 'enum value',
          name: v.name.value,
          node: v,
          description: v.description,
          needsDescription: true,
        });
      break;
    }
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.UNION_TYPE_DEFINITION:
      out.push({
        coordinate: def.name.value,
        kind: 'type',
        name: def.name.value,
        node: def,
        description: def.description,
        needsDescription: true,
      });
      break;
    case Kind.DIRECTIVE_DEFINITION:
      out.push({
        coordinate: `@${def.name.value}`,
        kind: 'directive',
        name: def.name.value,
        node: def,
        description: def.description,
        needsDescription: true,
      });
      args(`@${def.name.value}`, def.arguments);
      break;
    default:
      break; // schema definitions and extensions (`extend schema @link(…)`) carry no names of ours
  }
  return out;
}

const NAMING: Record<Kindish, { pattern: RegExp; style: string }> = {
  type: { pattern: PASCAL_CASE, style: 'PascalCase' },
  field: { pattern: CAMEL_CASE, style: 'camelCase' },
  argument: { pattern: CAMEL_CASE, style: 'camelCase' },
  'input field': { pattern: CAMEL_CASE, style: 'camelCase' },
  directive: { pattern: CAMEL_CASE, style: 'camelCase' },
  'enum value': { pattern: UPPER_SNAKE_CASE, style: 'UPPER_SNAKE_CASE' },
};

/**
 * Lints one SDL document: every type, field, argument, input field, enum value and directive has
 * a non-empty description, and every name follows the conventions (types PascalCase, fields and
 * arguments camelCase, enum values UPPER_SNAKE_CASE). `file` names the document in the problems
 * (`file:line`); a document that does not parse is one problem.
 */
export function lintSdl(sdl: string, file: string): Problem[] {
  const source = new Source(sdl, file);
  let doc;
  try {
    doc = parse(source);
  } catch (err) {
    return [{ severity: 'error', stage: 'lint', where: file, message: `does not parse: ${(err as Error).message}` }];
  }
  const problems: Problem[] = [];
  for (const def of doc.definitions) {
    for (const e of elementsOf(def)) {
      const where = `${file}:${e.node.loc ? getLocation(source, e.node.loc.start).line : '?'} ${e.coordinate}`;
      if (e.needsDescription && !e.description?.value.trim()) {
        problems.push({
          severity: 'error',
          stage: 'lint',
          where,
          message: `${e.kind} has no description`,
          expected: 'a "…" description saying what it means and which system is its source of truth',
        });
      }
      const naming = NAMING[e.kind];
      if (!naming.pattern.test(e.name)) {
        problems.push({
          severity: 'error',
          stage: 'lint',
          where,
          message: `${e.kind} name "${e.name}" is not ${naming.style}`,
          expected: `a ${naming.style} name`,
        });
      }
    }
  }
  return problems;
}

/** The coordinates of every type, field, argument, input field and enum value without a description. */
export function undescribed(sdl: string): string[] {
  return parse(sdl)
    .definitions.flatMap(elementsOf)
    .filter((e) => e.needsDescription && !e.description?.value.trim())
    .map((e) => e.coordinate);
}
