import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compareWithReleased } from '../../gateway/governance/breaking.js';

const released = buildSchema(`
  type Query {
    order(id: ID!, channel: String): Order
    legacy: Legacy @deprecated(reason: "Use order.")
    search(term: String @deprecated(reason: "Use q."), q: String): [Order!]!
  }
  type Order { id: ID! number: String! status: Status code: String @deprecated(reason: "Use number.") }
  type Legacy { id: ID! }
  enum Status { OPEN SHIPPED LOST @deprecated(reason: "Never used.") }
`);
const compare = (next: string) => compareWithReleased(released, buildSchema(next), 'released.graphql');
const summary = (next: string) => compare(next).map((p) => `${p.severity} ${p.where}`);

describe('comparison with the released schema', () => {
  it('should find nothing when nothing changed', () => {
    expect(
      compare(`
      type Query { order(id: ID!, channel: String): Order legacy: Legacy @deprecated(reason: "Use order.") search(term: String @deprecated(reason: "Use q."), q: String): [Order!]! }
      type Order { id: ID! number: String! status: Status code: String @deprecated(reason: "Use number.") }
      type Legacy { id: ID! }
      enum Status { OPEN SHIPPED LOST @deprecated(reason: "Never used.") }`),
    ).toEqual([]);
  });

  it('should allow removing deprecated fields, arguments and enum values, and types only they reached', () => {
    expect(
      summary(`
      type Query { order(id: ID!, channel: String): Order search(q: String): [Order!]! }
      type Order { id: ID! number: String! status: Status }
      enum Status { OPEN SHIPPED }`).sort(),
    ).toEqual(['note Order.code', 'note Query.legacy', 'note Query.search(term:)', 'note Status.LOST']);
  });

  it('should refuse removing, retyping or requiring what was not deprecated, by coordinate', () => {
    expect(
      summary(`
      type Query { order(id: ID!, channel: String!): Order legacy: Legacy @deprecated(reason: "Use order.") search(term: String, q: String): [Order!]! }
      type Order { id: ID! number: Int! code: String }
      type Legacy { id: ID! }
      enum Status { OPEN SHIPPED LOST }`).sort(),
    ).toEqual(['error Order.number', 'error Order.status', 'error Query.order(channel:)']);
  });
});
