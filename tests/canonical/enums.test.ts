import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnumTypeDefinitionNode, type EnumTypeExtensionNode, Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ALL_SUBGRAPH_NAMES } from '../../canonical/systems.js';
import {
  CHANNELS,
  DISPOSITIONS,
  HOLD_TYPES,
  NODE_TYPES,
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  RETURN_STATUSES,
  SHIPMENT_STATUSES,
  SOURCE_SYSTEMS,
  FULFILLMENT_STATES,
  FINANCIAL_STATES,
  RETURN_STATES,
  REFUND_STATES,
  WAREHOUSE_STATUSES,
} from '../../canonical/vocabularies.js';

/**
 * Every GraphQL enum a subgraph declares, and the canonical vocabulary it spells. An enum added to a
 * schema without a line here fails the first test: add its vocabulary to canonical/ first.
 */
const CANONICAL: Record<string, readonly string[]> = {
  OrderStatus: ORDER_STATUSES,
  ShipmentStatus: SHIPMENT_STATUSES,
  ReturnStatus: RETURN_STATUSES,
  PaymentStatus: PAYMENT_STATUSES,
  HoldType: HOLD_TYPES,
  Disposition: DISPOSITIONS,
  Channel: CHANNELS,
  NodeType: NODE_TYPES,
  WarehouseStatus: WAREHOUSE_STATUSES,
  SourceSystem: SOURCE_SYSTEMS,
  FulfillmentState: FULFILLMENT_STATES,
  FinancialState: FINANCIAL_STATES,
  ReturnState: RETURN_STATES,
  RefundState: REFUND_STATES,
};

const root = join(import.meta.dirname, '../..');

/** Each subgraph's enums, definitions and extensions merged, with the printed value definitions. */
function subgraphEnums(): { subgraph: string; name: string; values: string[]; printed: string[] }[] {
  const out: { subgraph: string; name: string; values: string[]; printed: string[] }[] = [];
  for (const subgraph of readdirSync(join(root, 'subgraphs')).sort()) {
    let sdl: string;
    try {
      sdl = readFileSync(join(root, 'subgraphs', subgraph, 'schema.graphql'), 'utf8');
    } catch {
      continue;
    }
    const byName = new Map<string, EnumTypeDefinitionNode['values'][]>();
    for (const def of parse(sdl).definitions) {
      if (def.kind !== Kind.ENUM_TYPE_DEFINITION && def.kind !== Kind.ENUM_TYPE_EXTENSION) continue;
      const node = def as EnumTypeDefinitionNode | EnumTypeExtensionNode;
      byName.set(node.name.value, [...(byName.get(node.name.value) ?? []), node.values]);
    }
    for (const [name, parts] of byName) {
      const values = parts.flatMap((p) => p ?? []);
      out.push({
        subgraph,
        name,
        values: values.map((v) => v.name.value),
        // Value, deprecation and any other directive, without descriptions (wording may differ).
        printed: values.map((v) => print({ ...v, description: undefined })),
      });
    }
  }
  return out;
}

describe('subgraph enums and canonical vocabularies', () => {
  const enums = subgraphEnums();

  it('should find the enums of every subgraph schema', () => {
    expect(new Set(enums.map((e) => e.subgraph))).toEqual(new Set(ALL_SUBGRAPH_NAMES));
    expect(enums.length).toBeGreaterThanOrEqual(Object.keys(CANONICAL).length);
  });

  it('should tie every enum of every subgraph schema to a canonical vocabulary, or keep it to one subgraph', () => {
    // A vocabulary (a value two systems or clients share) lives in canonical/ and is checked value by
    // value below. An enum that only one subgraph's own API uses (an action's result or error codes,
    // a dead letter's kind) may stay in that schema, but never spread to a second one untied.
    const owners = new Map<string, Set<string>>();
    for (const e of enums) owners.set(e.name, (owners.get(e.name) ?? new Set()).add(e.subgraph));
    const untied = enums
      .filter((e) => !(e.name in CANONICAL) && owners.get(e.name)!.size > 1)
      .map((e) => `${e.subgraph}: enum ${e.name}`);
    expect(untied, 'an enum shared by two subgraphs with no vocabulary in canonical/').toEqual([]);
  });

  it('should give each enum exactly the values of its canonical vocabulary', () => {
    const differing = enums
      .filter((e) => e.name in CANONICAL)
      .map((e) => {
        const canonical = new Set(CANONICAL[e.name]);
        const schema = new Set(e.values);
        return {
          where: `${e.subgraph}: enum ${e.name}`,
          missing: [...canonical].filter((v) => !schema.has(v)),
          extra: [...schema].filter((v) => !canonical.has(v)),
        };
      })
      .filter((d) => d.missing.length > 0 || d.extra.length > 0);
    expect(differing).toEqual([]);
  });

  it('should declare an enum used by two subgraphs identically in both (values, order, deprecations)', () => {
    const byName = new Map<string, { subgraph: string; printed: string[] }[]>();
    for (const e of enums) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
    const shared = [...byName].filter(([, list]) => list.length > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const [name, [first, ...rest]] of shared) {
      for (const other of rest) {
        expect(other.printed, `enum ${name}: ${other.subgraph} against ${first!.subgraph}`).toEqual(first!.printed);
      }
    }
  });
});
