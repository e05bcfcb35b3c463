import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { DEFAULT_LIMITS } from '../../gateway/limits/index.js';
import { FULL_ORDER } from '../helpers/orders.js';
import { gql } from '../helpers/http.js';
import { expectRefused, limitsStack, times } from './harness.js';

let s: Stack;
beforeAll(async () => {
  s = await limitsStack();
});
afterAll(async () => {
  await s?.stop();
});

const L = DEFAULT_LIMITS;
/** One document per limit, each just over its default and within every other. */
const cases: { rule: string; query: string; message: RegExp; limit: number }[] = [
  {
    rule: 'maxDepthRule',
    // __type → fields → type → ofType × 14 → name: 18 levels, one list (cheap), one `fields` (within graphql's own introspection depth rule)
    query: `{ __type(name: "Order") { fields { type { ${'ofType { '.repeat(14)} name ${'} '.repeat(14)} } } } }`,
    message: new RegExp(`^query depth 18 exceeds the limit of ${L.maxDepth}$`),
    limit: L.maxDepth,
  },
  {
    rule: 'maxAliasesRule',
    query: `{ ${times(L.maxAliases + 1, (i) => `a${i}: __typename`)} }`,
    message: new RegExp(`^query alias count ${L.maxAliases + 1} exceeds the limit of ${L.maxAliases}$`),
    limit: L.maxAliases,
  },
  {
    rule: 'maxRootFieldsRule',
    query: `{ ${times(L.maxRootFields + 1, () => '__typename')} }`,
    message: new RegExp(`^query root field count ${L.maxRootFields + 1} exceeds the limit of ${L.maxRootFields}$`),
    limit: L.maxRootFields,
  },
  {
    rule: 'maxDirectivesRule (per field)',
    query: `{ __typename ${times(L.maxDirectivesPerField + 1, () => '@include(if: true)')} }`,
    message: new RegExp(
      `^directive count on field __typename ${L.maxDirectivesPerField + 1} exceeds the limit of ${L.maxDirectivesPerField}$`,
    ),
    limit: L.maxDirectivesPerField,
  },
  {
    rule: 'maxDirectivesRule (total)',
    query: `{ orders(first: 1) { edges { node { ${times(L.maxDirectives + 1, () => 'id @include(if: true)')} } } } }`,
    message: new RegExp(`^query directive count ${L.maxDirectives + 1} exceeds the limit of ${L.maxDirectives}$`),
    limit: L.maxDirectives,
  },
  {
    rule: 'costRule',
    query: `{ ${times(5, (i) => `p${i}: orders(first: 100) { edges { node { ...FullOrder } } }`)} } ${FULL_ORDER}`,
    message: new RegExp(`^query cost \\d+ exceeds the limit of ${L.cost.max}$`),
    limit: L.cost.max,
  },
  {
    rule: 'token limit (parse maxTokens)',
    query: `{ ${times(L.maxTokens + 1, () => '__typename')} }`,
    message: new RegExp(`^document token count ${L.maxTokens + 3} exceeds the limit of ${L.maxTokens}$`),
    limit: L.maxTokens,
  },
];

describe('operation limits, one per rule', () => {
  for (const c of cases) {
    it(`should refuse over ${c.rule} with LIMIT_EXCEEDED naming the limit and the value`, async () => {
      await expectRefused(s, () => gql(s.gateway.url, c.query), c.message, c.limit);
    });
  }
});
