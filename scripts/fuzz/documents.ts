/**
 * Schema-aware random GraphQL requests: valid documents built from the client schema (random
 * fields, arguments of the right types, fragments on unions), and invalid ones made from them
 * (truncated, misspelt, wrong argument types, several operations, bad variables, deep nesting, and
 * HTTP bodies that are not a GraphQL request at all).
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import type { Rng } from '../../demo/index.js';

/** Ids and values the generator draws from, so that some requests reach real rows. */
export interface Samples {
  orderIds: readonly string[];
  orderNumbers: readonly string[];
  customerIds: readonly string[];
  nodeIds: readonly string[];
}

/** One HTTP request to the gateway's /graphql. */
export interface FuzzRequest {
  /** What kind of case this is (for the report). */
  kind: string;
  method: 'POST' | 'GET';
  contentType: string;
  /** The raw body (POST) or query string (GET). */
  body: string;
  /** The operation type the document was built as (before any mutation). */
  operation: 'query' | 'subscription';
}

const JUNK = [
  '',
  ' ',
  '{',
  '}',
  '"',
  '\\',
  '\u0000',
  '\u202e',
  '😀',
  '__proto__',
  'null',
  '-1',
  '1e309',
  'ORD-',
  'x'.repeat(300),
];

function scalarValue(name: string, rng: Rng, s: Samples): unknown {
  switch (name) {
    case 'ID':
      return rng.chance(0.7) ? rng.pick([...s.orderIds, ...s.customerIds, ...s.nodeIds]) : rng.pick(JUNK);
    case 'String':
      return rng.chance(0.6) ? rng.pick([...s.orderNumbers, ...s.nodeIds]) : rng.pick(JUNK);
    case 'Int':
      return rng.pick([0, 1, 2, 20, 100, 101, -1, 2 ** 31, rng.int(1, 50)]);
    case 'Float':
      return rng.pick([0, 1.5, -3, 1e300]);
    case 'Boolean':
      return rng.chance(0.5);
    case 'DateTime':
      return rng.pick(['2024-01-01T00:00:00Z', '2025-06-30T12:00:00.000Z', 'yesterday', '2024-13-45T99:00:00Z']);
    default:
      return rng.pick(['x', 1, true, null, {}, []]);
  }
}

/** A JSON value of `type` (sometimes of the wrong type on purpose when `sloppy`). */
export function inputValue(type: GraphQLInputType, rng: Rng, s: Samples, depth = 0, sloppy = false): unknown {
  if (sloppy && rng.chance(0.1)) return rng.pick([null, 'wrong', 42, true, [], {}, [[[]]]]);
  if (isNonNullType(type)) return inputValue(type.ofType, rng, s, depth, sloppy);
  if (isListType(type)) return depth > 2 ? [] : [inputValue(type.ofType, rng, s, depth + 1, sloppy)];
  if (isEnumType(type)) return rng.pick(type.getValues()).value as unknown;
  if (isScalarType(type)) return scalarValue(type.name, rng, s);
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || rng.chance(0.4)) out[f.name] = inputValue(f.type, rng, s, depth + 1, sloppy);
    }
    return out;
  }
  return null;
}

/** A value as a GraphQL literal. */
function literal(type: GraphQLInputType, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const named = getNamedType(type);
  if (Array.isArray(value)) {
    const inner = isNonNullType(type) ? type.ofType : type;
    const of = isListType(inner) ? inner.ofType : inner;
    return `[${value.map((v) => literal(of as GraphQLInputType, v)).join(', ')}]`;
  }
  if (isEnumType(named) && typeof value === 'string') return value;
  if (named instanceof GraphQLInputObjectType && typeof value === 'object') {
    const fields = named.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal((fields[k]?.type ?? named) as GraphQLInputType, v)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** Builds one document over the schema; `vars` collects the variables it declares. */
class DocumentBuilder {
  readonly variables: Record<string, unknown> = {};
  readonly declarations: string[] = [];
  constructor(
    private readonly rng: Rng,
    private readonly s: Samples,
    private readonly maxDepth: number,
  ) {}

  args(args: readonly GraphQLArgument[]): string {
    const parts: string[] = [];
    for (const a of args) {
      if (!isNonNullType(a.type) && !this.rng.chance(0.35)) continue;
      const value = inputValue(a.type, this.rng, this.s);
      if (this.rng.chance(0.3)) {
        const name = `v${this.declarations.length}`;
        this.declarations.push(`$${name}: ${String(a.type)}`);
        this.variables[name] = value;
        parts.push(`${a.name}: $${name}`);
      } else {
        parts.push(`${a.name}: ${literal(a.type, value)}`);
      }
    }
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  selection(type: GraphQLOutputType, depth: number): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    if (isUnionType(named)) {
      const members = named.getTypes();
      const picked = members.filter(() => this.rng.chance(0.6));
      const inline = picked.map((m) => `... on ${m.name} ${this.fields(m, depth + 1)}`);
      return `{ __typename ${inline.join(' ')} }`;
    }
    if (isObjectType(named) || isInterfaceType(named)) return this.fields(named as GraphQLObjectType, depth + 1);
    return '';
  }

  fields(type: GraphQLObjectType, depth: number): string {
    const all = Object.values(type.getFields()) as GraphQLField<unknown, unknown>[];
    const leaves = all.filter((f) => isLeafType(getNamedType(f.type)));
    const nested = all.filter((f) => !isLeafType(getNamedType(f.type)));
    const chosen = new Set<GraphQLField<unknown, unknown>>();
    const n = this.rng.int(1, 4);
    for (let i = 0; i < n; i++) {
      const pool = depth >= this.maxDepth || nested.length === 0 || this.rng.chance(0.5) ? leaves : nested;
      if (pool.length) chosen.add(this.rng.pick(pool));
    }
    if (chosen.size === 0) return '{ __typename }';
    const parts = [...chosen].map((f) => {
      const alias = this.rng.chance(0.1) ? `a${this.rng.int(0, 99)}: ` : '';
      return `${alias}${f.name}${this.args(f.args)} ${this.selection(f.type, depth)}`.trim();
    });
    return `{ ${parts.join(' ')} }`;
  }
}

/** A valid-by-construction operation (a query, or sometimes a subscription sent over HTTP). */
export function validOperation(
  schema: GraphQLSchema,
  rng: Rng,
  s: Samples,
): { query: string; variables: Record<string, unknown>; name: string } {
  const root =
    rng.chance(0.95) || !schema.getSubscriptionType() ? schema.getQueryType()! : schema.getSubscriptionType()!;
  const keyword = root === schema.getQueryType() ? 'query' : 'subscription';
  const b = new DocumentBuilder(rng, s, rng.int(1, 4));
  const field = rng.pick(Object.values(root.getFields()) as GraphQLField<unknown, unknown>[]);
  const body = `{ ${field.name}${b.args(field.args)} ${b.selection(field.type, 0)} }`;
  const name = `Fuzz${rng.int(0, 9999)}`;
  const decl = b.declarations.length ? `(${b.declarations.join(', ')})` : '';
  return { query: `${keyword} ${name}${decl} ${body}`, variables: b.variables, name };
}

/** Breaks a document the way a client might: every result is still sent as a request. */
function mutateDocument(
  doc: { query: string; variables: Record<string, unknown>; name: string },
  rng: Rng,
): { kind: string; payload: Record<string, unknown>; rawVariables?: string } {
  const q = doc.query;
  switch (rng.int(0, 11)) {
    case 0:
      return { kind: 'truncated', payload: { query: q.slice(0, rng.int(0, q.length - 1)), variables: doc.variables } };
    case 1: {
      const i = rng.int(0, q.length);
      return {
        kind: 'inserted-junk',
        payload: {
          query: q.slice(0, i) + rng.pick(['{', '}', '(', ')', '$', '!', '@', '...', '"', 'zz', ':', '#']) + q.slice(i),
          variables: doc.variables,
        },
      };
    }
    case 2:
      return { kind: 'unknown-field', payload: { query: q.replace(/\{ (\w+)/, '{ $1Typo'), variables: doc.variables } };
    case 3:
      return {
        kind: 'two-operations-no-name',
        payload: { query: `${q}\nquery Other { __typename }`, variables: doc.variables },
      };
    case 4:
      return {
        kind: 'operation-name-names-none',
        payload: { query: q, variables: doc.variables, operationName: 'NoSuchOperation' },
      };
    case 5:
      return {
        kind: 'wrong-variable-types',
        payload: {
          query: q,
          variables: Object.fromEntries(
            Object.keys(doc.variables).map((k) => [k, rng.pick([{}, [1], 'x', Number.MAX_VALUE, true])]),
          ),
        },
      };
    case 6: {
      // Built as text: a value this deep would overflow JSON.stringify's stack here.
      const n = rng.int(100, 5000);
      return {
        kind: 'deep-variables',
        payload: { query: q },
        rawVariables: `{"v0":${'['.repeat(n)}1${']'.repeat(n)}}`,
      };
    }
    case 7: {
      const n = rng.int(50, 3000);
      return rng.chance(0.5)
        ? { kind: 'deep-selection', payload: { query: `${'{ a '.repeat(n)}${'}'.repeat(n)}` } }
        : { kind: 'many-aliases', payload: { query: `{ ${'x: __typename '.repeat(n)}}` } };
    }
    case 8:
      return { kind: 'variables-not-object', payload: { query: q, variables: rng.pick(['x', 1, [1, 2], true]) } };
    case 9:
      return { kind: 'query-not-string', payload: { query: rng.pick([1, null, { a: 1 }, ['q'], true]) } };
    case 10:
      return {
        kind: 'mutation-keyword',
        payload: { query: q.replace(/^(query|subscription)/, 'mutation'), variables: doc.variables },
      };
    default:
      return {
        kind: 'extensions-junk',
        payload: {
          query: q,
          variables: doc.variables,
          extensions: rng.pick([
            { persistedQuery: { version: 1, sha256Hash: 'abc' } },
            { persistedQuery: 'x' },
            'x',
            { persistedQuery: { version: 2 } },
          ]),
        },
      };
  }
}

/** Bodies that are not a GraphQL request at all, or a batch. */
function brokenHttp(rng: Rng, valid: Record<string, unknown>): Omit<FuzzRequest, 'operation'> {
  const json = JSON.stringify(valid);
  switch (rng.int(0, 5)) {
    case 0:
      return {
        kind: 'body-not-json',
        method: 'POST',
        contentType: 'application/json',
        body: json.slice(0, rng.int(0, json.length - 1)),
      };
    case 1:
      return {
        kind: 'body-json-not-object',
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify(rng.pick([1, 'q', null, true])),
      };
    case 2:
      return {
        kind: 'batch',
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify([valid, valid].slice(0, rng.int(0, 2))),
      };
    case 3:
      return {
        kind: 'wrong-content-type',
        method: 'POST',
        contentType: rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']),
        body: json,
      };
    case 4: {
      const params = new URLSearchParams({
        query: String(valid.query ?? ''),
        variables: JSON.stringify(valid.variables ?? {}),
      });
      return { kind: 'get', method: 'GET', contentType: '', body: params.toString() };
    }
    default:
      return {
        kind: 'body-huge-string',
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ query: `{ ${'__typename '.repeat(rng.int(1000, 20000))}}` }),
      };
  }
}

/** One request: half valid documents, the rest broken ones and broken HTTP. */
export function graphqlCase(schema: GraphQLSchema, rng: Rng, s: Samples): FuzzRequest {
  const doc = validOperation(schema, rng, s);
  const operation = doc.query.startsWith('subscription') ? ('subscription' as const) : ('query' as const);
  const valid = { query: doc.query, variables: doc.variables, operationName: doc.name };
  const roll = rng.next();
  if (roll < 0.5)
    return { kind: 'valid', method: 'POST', contentType: 'application/json', body: JSON.stringify(valid), operation };
  if (roll < 0.85) {
    const m = mutateDocument(doc, rng);
    const json = JSON.stringify(m.payload);
    const body = m.rawVariables ? `${json.slice(0, -1)},"variables":${m.rawVariables}}` : json;
    return { kind: m.kind, method: 'POST', contentType: 'application/json', body, operation };
  }
  return { ...brokenHttp(rng, valid), operation };
}

/** A persisted operation by hash with random (often wrong) variables: what a persisted-only client sends. */
export function persistedCase(
  ops: readonly { id: string; body: string; type?: string }[],
  rng: Rng,
  s: Samples,
): FuzzRequest {
  const op = rng.pick(ops);
  const vars: Record<string, unknown> = {};
  for (const m of op.body.matchAll(/\$(\w+):\s*([\w![\]]+)/g)) {
    const [, name, type] = m;
    vars[name!] = type!.startsWith('ID')
      ? rng.pick([...s.orderIds, ...s.nodeIds, ...JUNK])
      : type!.startsWith('Int')
        ? rng.pick([1, 50, 100, 101, -5, 'x'])
        : rng.pick([...s.orderNumbers, ...JUNK, 3]);
  }
  const hash = rng.chance(0.9) ? op.id : `${op.id.slice(0, 60)}ffff`;
  return {
    kind: hash === op.id ? 'persisted' : 'persisted-unknown-hash',
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify({ variables: vars, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    operation: op.type === 'subscription' ? 'subscription' : 'query',
  };
}
