import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  getLocation,
  getNamedType,
  GraphQLError,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  Source,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type OperationTypeNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { grantedScopes, type Consumer } from '../../canonical/index.js';
import { satisfies, type AccessRules } from '../access/rules.js';
import type { Problem } from './problems.js';

/** The clients with operations under `operations/<client>/`. */
export const CLIENTS = ['lwc', 'storefront', 'partner'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The consumer each client's operations run as. */
export const CONSUMER_OF_CLIENT: Readonly<Record<ClientName, Consumer>> = {
  lwc: 'salesforce',
  storefront: 'storefront',
  partner: 'partner',
};

/**
 * Fields a client must not select: those whose `@authenticated` / `@requiresScopes` rule its
 * consumer does not satisfy (e.g. the internal fields, for the storefront). The gateway answers
 * them with `FORBIDDEN` anyway; the check keeps them out of the operations in the first place.
 */
export function forbiddenFieldsOf(client: ClientName, rules: AccessRules): string[] {
  const scopes = new Set(grantedScopes({ consumer: CONSUMER_OF_CLIENT[client], subject: client, scopes: [] }));
  return [...rules]
    .filter(([coordinate, rule]) => coordinate.includes('.') && !satisfies(rule, true, scopes))
    .map(([coordinate]) => coordinate);
}

/** One operation document: `operations/<client>/<OperationName>.graphql`. */
export interface OperationFile {
  /** Path as shown in problems (relative to `displayRoot`). */
  file: string;
  client: ClientName;
  /** The file's text as written. */
  text: string;
  document: DocumentNode;
  /** The operation's name. */
  name: string;
  type: OperationTypeNode;
}

const isClient = (name: string): name is ClientName => (CLIENTS as readonly string[]).includes(name);

const located = (source: Source, file: string, error: GraphQLError): string => {
  const loc =
    error.locations?.[0] ?? (error.positions?.[0] != null ? getLocation(source, error.positions[0]) : undefined);
  return loc ? `${file}:${loc.line}:${loc.column}` : file;
};

/**
 * Reads every `.graphql` document under `dir/<client>/` (sorted by path). Each must parse and hold
 * exactly one named operation (plus any fragments it uses), named like its file, with a name
 * unique across all clients. Problems name the files relative to `displayRoot`.
 */
export function loadOperations(dir: string, displayRoot: string): { operations: OperationFile[]; problems: Problem[] } {
  const operations: OperationFile[] = [];
  const problems: Problem[] = [];
  const show = (p: string): string => (relative(displayRoot, p).startsWith('..') ? p : relative(displayRoot, p));
  const error = (where: string, message: string, expected?: string): void => {
    problems.push({ severity: 'error', stage: 'operations', where, message, ...(expected ? { expected } : {}) });
  };
  const entries = readdirSync(dir).sort();
  for (const entry of entries) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) {
      if (entry.endsWith('.graphql'))
        error(show(path), 'operation outside a client folder', `operations/<${CLIENTS.join('|')}>/${entry}`);
      continue;
    }
    if (!isClient(entry)) {
      error(show(path), `unknown client folder "${entry}"`, `one of ${CLIENTS.join(', ')}`);
      continue;
    }
    for (const name of readdirSync(path)
      .filter((f) => f.endsWith('.graphql'))
      .sort()) {
      const file = show(join(path, name));
      const text = readFileSync(join(path, name), 'utf8');
      const source = new Source(text, file);
      let document: DocumentNode;
      try {
        document = parse(source);
      } catch (err) {
        error(
          err instanceof GraphQLError ? located(source, file, err) : file,
          `does not parse: ${(err as Error).message}`,
        );
        continue;
      }
      const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      const op = ops[0];
      if (ops.length !== 1 || !op) {
        error(file, `holds ${ops.length} operations`, 'exactly one named operation per file');
        continue;
      }
      if (!op.name) {
        error(file, 'the operation is anonymous', `a named operation, e.g. query ${basename(name, '.graphql')}`);
        continue;
      }
      if (`${op.name.value}.graphql` !== name)
        error(file, `operation ${op.name.value} is in ${name}`, `the file name ${op.name.value}.graphql`);
      const clash = operations.find((o) => o.name === op.name!.value);
      if (clash)
        error(
          file,
          `operation name ${op.name.value} is already used by ${clash.file}`,
          'operation names unique across all clients',
        );
      operations.push({ file, client: entry, text, document, name: op.name.value, type: op.operation });
    }
  }
  return { operations, problems };
}

/** Ids are always variables: a literal id in a persisted operation would fix it to one order. */
export function NoIdLiteralsRule(context: ValidationContext): ASTVisitor {
  const check = (value: ValueNode, what: string): void => {
    if (value.kind === Kind.STRING || value.kind === Kind.INT) {
      context.reportError(
        new GraphQLError(`${what} is an ID given as a literal; pass it as a variable`, { nodes: value }),
      );
    } else if (value.kind === Kind.LIST) {
      for (const v of value.values) check(v, what);
    }
  };
  return {
    Argument(node) {
      const arg = context.getArgument();
      if (arg && getNamedType(arg.type).name === 'ID') check(node.value, `argument ${node.name.value}`);
    },
    ObjectField(node) {
      const type = context.getInputType();
      if (type && getNamedType(type).name === 'ID') check(node.value, `input field ${node.name.value}`);
    },
  };
}

/** A validation rule refusing the given `Type.field` coordinates. */
export function forbiddenFieldsRule(
  client: string,
  forbidden: readonly string[],
): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    Field(node) {
      const parent = context.getParentType();
      const coordinate = parent ? `${parent.name}.${node.name.value}` : '';
      if (forbidden.includes(coordinate)) {
        context.reportError(
          new GraphQLError(
            `${coordinate} is not visible to ${client} (its @requiresScopes / @authenticated rule): ${client} may not select it`,
            { nodes: node },
          ),
        );
      }
    },
  });
}

/**
 * Validates each operation against the client schema: graphql-js's specified rules (fields,
 * arguments, variables, subscriptions with one root field…), ids only as variables, and the
 * client's forbidden fields. One problem per error, at `file:line:column`; a use of a deprecated
 * field, argument or enum value is a warning (it will fail once the element is removed).
 */
export function validateOperations(
  schema: GraphQLSchema,
  operations: readonly OperationFile[],
  accessRules: AccessRules = new Map(),
): Problem[] {
  const problems: Problem[] = [];
  for (const op of operations) {
    const rules = [
      ...specifiedRules,
      NoIdLiteralsRule,
      forbiddenFieldsRule(op.client, forbiddenFieldsOf(op.client, accessRules)),
    ];
    const source = new Source(op.text, op.file);
    for (const err of validate(schema, op.document, rules)) {
      problems.push({
        severity: 'error',
        stage: 'operations',
        where: `${located(source, op.file, err)} ${op.name}`,
        message: err.message,
        expected:
          'an operation valid against the new client schema: change the operation, or keep (deprecate) what it uses',
      });
    }
    for (const err of validate(schema, op.document, [NoDeprecatedCustomRule])) {
      problems.push({
        severity: 'warning',
        stage: 'operations',
        where: `${located(source, op.file, err)} ${op.name}`,
        message: err.message,
        expected: 'the operation moved off it before it is removed',
      });
    }
  }
  return problems;
}
