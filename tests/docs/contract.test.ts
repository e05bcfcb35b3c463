import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, graphqlSync } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CONTRACT_INTROSPECTION, contractGaps, type IntrospectedType } from '../../scripts/contract-check.js';

const root = join(import.meta.dirname, '../..');

function typesOf(sdl: string): IntrospectedType[] {
  const r = graphqlSync({ schema: buildSchema(sdl), source: CONTRACT_INTROSPECTION });
  expect(r.errors).toBeUndefined();
  return (r.data as { __schema: { types: IntrospectedType[] } }).__schema.types;
}

describe('npm run contract:check', () => {
  it('should find the released client schema (schema/released.graphql) serving the whole contract', () => {
    expect(contractGaps(typesOf(readFileSync(join(root, 'schema', 'released.graphql'), 'utf8')))).toEqual([]);
  });

  it('should name each missing type, field, enum and enum value', () => {
    const sdl = `type Query { order(id: ID!): Order orders: Int }
      type Order { id: ID! number: String! }
      enum OrderStatus { PENDING }`;
    const gaps = contractGaps(typesOf(sdl));
    expect(gaps).toContain('Query.orderByNumber');
    expect(gaps).toContain('Order.status');
    expect(gaps).toContain('type Shipment');
    expect(gaps).toContain('OrderStatus.DELIVERED');
    expect(gaps).toContain('enum ShipmentStatus');
    expect(gaps).not.toContain('Order.id');
  });
});
