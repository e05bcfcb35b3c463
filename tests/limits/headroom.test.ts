import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, specifiedRules, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { clientSchemaOf } from '../../gateway/governance/clientSchema.js';
import { countTokens, DEFAULT_LIMITS, limitRules, parseAndValidate } from '../../gateway/limits/index.js';
import { projectRoot } from '../../runtime/project.js';
import { codes, gql } from '../helpers/http.js';
import { FULL_ORDER } from '../helpers/orders.js';
import { limitsStack } from './harness.js';

const root = projectRoot();
const schema = clientSchemaOf(readFileSync(join(root, 'supergraph.graphql'), 'utf8'));
const operations = ['lwc', 'storefront', 'partner'].flatMap((client) =>
  readdirSync(join(root, 'operations', client))
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => ({ name: `${client}/${f}`, source: readFileSync(join(root, 'operations', client, f), 'utf8') })),
);
const FULL_PAGE = `query FullPage { orders(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...FullOrder } } } } ${FULL_ORDER}`;

let s: Stack;
beforeAll(async () => {
  s = await limitsStack();
});
afterAll(async () => {
  await s?.stop();
});

describe('headroom of the real operations', () => {
  it('should find every client operation', () => {
    expect(operations.length).toBeGreaterThanOrEqual(9);
  });

  for (const op of [...operations, { name: 'FULL_ORDER, first: 100', source: FULL_PAGE }]) {
    it(`should keep ${op.name} within every limit, at half of the token limit`, () => {
      expect(countTokens(op.source)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxTokens / 1.9);
      const errors = validate(schema, parse(op.source, { maxTokens: DEFAULT_LIMITS.maxTokens }), [
        ...specifiedRules,
        ...limitRules(DEFAULT_LIMITS),
      ]);
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }

  it('should keep FULL_ORDER with first: 100 within every limit with at least 3× cost headroom', () => {
    const tight = { ...DEFAULT_LIMITS, cost: { ...DEFAULT_LIMITS.cost, max: Math.floor(DEFAULT_LIMITS.cost.max / 3) } };
    expect(parseAndValidate(schema, FULL_PAGE, tight)).not.toBeInstanceOf(Array);
  });

  it('should run FULL_ORDER with first: 100 through the gateway without a limit error', async () => {
    const r = await gql(s.gateway.url, FULL_PAGE);
    expect(codes(r)).not.toContain('LIMIT_EXCEEDED');
    expect(r.status).toBe(200);
    expect(r.body.data.orders.edges.length).toBeGreaterThan(0);
  });

  it('should run every client query operation through the gateway without a limit error', async () => {
    for (const op of operations.filter((o) => /^\s*(#.*\n\s*)*query/.test(o.source))) {
      const r = await gql(s.gateway.url, op.source, {
        orderId: 'ORD-NONE',
        number: 'X',
        salesforceAccountId: 'X',
        customerId: 'X',
        fulfillmentNodeId: 'X',
        first: 100,
      });
      expect(codes(r), op.name).not.toContain('LIMIT_EXCEEDED');
      expect(r.status, op.name).toBe(200);
    }
  });
});
