import { afterAll, describe, expect, it } from 'vitest';
import { runSchemaCheck } from '../../gateway/governance/check.js';
import type { Problem } from '../../gateway/governance/problems.js';
import {
  edit,
  releasedWithOrderNumberDeprecated,
  releasedWithShipmentOrderDeprecated,
  repoOptions,
  tempGraph,
  withoutOrderNumber,
  withoutShipmentOrder,
  type TempGraph,
} from './fixtures.js';

const temps: TempGraph[] = [];
afterAll(() => {
  for (const t of temps) t.remove();
});
const check = (...args: Parameters<typeof tempGraph>) => {
  const t = tempGraph(...args);
  temps.push(t);
  return runSchemaCheck(t.options).problems;
};
const errors = (problems: Problem[], stage?: Problem['stage']) =>
  problems.filter((p) => p.severity === 'error' && (!stage || p.stage === stage));

describe('schema check', () => {
  it('should pass on the repository as it is', () => {
    const { problems, operations } = runSchemaCheck(repoOptions());
    expect(errors(problems)).toEqual([]);
    expect(problems.filter((p) => p.severity === 'warning')).toEqual([]);
    expect(new Set(operations.map((o) => o.client))).toEqual(new Set(['lwc', 'storefront', 'partner']));
  });

  it('should report a removed field used by an LWC operation as a breaking change and as invalid operations', () => {
    const problems = check({ oms: withoutOrderNumber });
    expect(errors(problems, 'breaking')).toEqual([
      expect.objectContaining({ where: 'Order.number', message: expect.stringContaining('Order.number was removed') }),
    ]);
    const ops = errors(problems, 'operations');
    expect(ops.map((p) => p.where)).toContainEqual(
      expect.stringMatching(/^operations\/lwc\/AgentOrderDetail\.graphql:\d+:\d+ AgentOrderDetail$/),
    );
    expect(ops.every((p) => p.message === 'Cannot query field "number" on type "Order".')).toBe(true);
    expect(errors(problems, 'lint')).toEqual([]);
  });

  it('should allow removing a field deprecated in the released schema', () => {
    const problems = check({ wms: withoutShipmentOrder }, releasedWithShipmentOrderDeprecated);
    expect(errors(problems)).toEqual([]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'note',
        where: 'Shipment.order',
        message: expect.stringContaining('removed; allowed because it was deprecated'),
      }),
    );
  });

  it('should warn about operations that use a deprecated field', () => {
    const problems = check({
      oms: (s) => edit(s, '  number: String!\n', '  number: String! @deprecated(reason: "Use id.")\n'),
    });
    expect(errors(problems)).toEqual([]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        stage: 'operations',
        where: expect.stringMatching(/^operations\/lwc\/AgentOrderDetail\.graphql:/),
        message: 'The field Order.number is deprecated. Use id.',
      }),
    );
  });

  it('should still fail the operations that use a removed deprecated field', () => {
    const problems = check({ oms: withoutOrderNumber }, releasedWithOrderNumberDeprecated);
    expect(errors(problems, 'breaking')).toEqual([]);
    expect(errors(problems, 'operations').length).toBeGreaterThan(0);
  });

  it('should report a changed field type and a newly required argument as breaking', () => {
    const problems = check({
      oms: (s) =>
        edit(
          edit(
            s,
            'orderByNumber("The order number printed on confirmations, e.g. `W100001`." number: String!): Order',
            'orderByNumber("The order number printed on confirmations, e.g. `W100001`." number: String!, "The channel." channel: Channel!): Order',
          ),
          '  "Full name."\n  name: String!',
          '  "Full name."\n  name: Int!',
        ),
    });
    const breaking = errors(problems, 'breaking').map((p) => p.where);
    expect(breaking).toEqual(expect.arrayContaining(['Query.orderByNumber(channel:)', 'Customer.name']));
  });

  it('should print a dangerous change as a warning without failing', () => {
    const problems = check({
      wms: (s) => edit(s, '  "Destroyed."\n  SCRAP\n', '  "Destroyed."\n  SCRAP\n  "Given to charity."\n  DONATE\n'),
    });
    expect(errors(problems)).toEqual([]);
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'warning', where: 'Disposition.DONATE' }));
  });

  it('should report a missing description and a badly named field with file and line', () => {
    const problems = check({
      wms: (s) =>
        edit(
          s,
          '  "When the node handed it to the carrier."\n  shippedAt: DateTime!\n',
          '  "When the node handed it to the carrier."\n  shippedAt: DateTime!\n  Tracking_code: String\n',
        ),
    });
    const lint = errors(problems, 'lint');
    expect(lint).toHaveLength(2);
    expect(lint.map((p) => p.message)).toEqual([
      'field has no description',
      'field name "Tracking_code" is not camelCase',
    ]);
    expect(lint[0]!.where).toMatch(/schema-check-.*\/wms\.graphql:\d+ Shipment\.Tracking_code$/);
  });

  it('should list composition errors and skip the schema comparison', () => {
    const problems = check({
      erp: (s) =>
        edit(
          s,
          '  "Decimal amount, e.g. `129.90`."\n  amount: String!',
          '  "Decimal amount, e.g. `129.90`."\n  amount: Float!',
        ),
    });
    expect(errors(problems, 'compose').length).toBeGreaterThan(0);
    expect(errors(problems, 'breaking')).toEqual([]);
  });
});
