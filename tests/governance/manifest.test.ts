import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildManifest, serializeManifest, type PersistedQueryManifest } from '../../gateway/governance/manifest.js';
import { loadOperations, validateOperations } from '../../gateway/governance/operations.js';
import { runSchemaCheck } from '../../gateway/governance/check.js';
import { projectRoot } from '../../runtime/project.js';
import { repoOptions } from './fixtures.js';

const root = projectRoot();
const manifestText = readFileSync(join(root, 'operations', 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText) as PersistedQueryManifest;

describe('operations manifest', () => {
  it('should be up to date with operations/ (run npm run operations:manifest)', () => {
    const { operations, problems } = loadOperations(join(root, 'operations'), root);
    expect(problems).toEqual([]);
    expect(manifestText).toBe(serializeManifest(buildManifest(operations)));
  });

  it('should be in Apollo persisted query manifest format, ids the sha256 of the bodies', () => {
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    for (const op of manifest.operations) {
      expect(Object.keys(op).sort()).toEqual(['body', 'clientName', 'id', 'name', 'type']);
      expect(op.id).toBe(createHash('sha256').update(op.body).digest('hex'));
      const file = readFileSync(join(root, 'operations', op.clientName, `${op.name}.graphql`), 'utf8');
      expect(op.body).toBe(print(parse(file)));
    }
  });

  it('should hold every client with its queries, mutations and subscriptions', () => {
    const types = (client: string) =>
      manifest.operations
        .filter((o) => o.clientName === client)
        .map((o) => o.type)
        .sort();
    expect(types('lwc')).toEqual(['mutation', 'mutation', 'query', 'query', 'query', 'query', 'subscription']);
    expect(types('storefront')).toEqual(['mutation', 'mutation', 'query', 'query', 'query', 'subscription']);
    expect(types('partner')).toEqual(['query', 'query']);
  });
});

describe('operation rules', () => {
  const { clientSchema, accessRules } = runSchemaCheck(repoOptions());
  const op = (client: 'lwc' | 'storefront' | 'partner', text: string) => {
    const document = parse(text);
    const def = document.definitions[0] as OperationDefinitionNode;
    const name = def.name?.value ?? '';
    return { file: `operations/${client}/${name}.graphql`, client, text, document, name, type: def.operation };
  };

  it('should refuse internal fields in storefront operations', () => {
    const text =
      'query S($id: ID!) { order(id: $id) { erpSalesOrderId holds { reason } payments { method } statusDetail { facts { fact } } } }';
    const messages = validateOperations(clientSchema!, [op('storefront', text)], accessRules).map((p) => p.message);
    // The forbidden fields come from the @requiresScopes rules of the composed supergraph.
    expect(messages.map((m) => m.split(' ')[0])).toEqual([
      'Order.erpSalesOrderId',
      'Hold.reason',
      'Payment.method',
      'StatusExplanation.facts',
    ]);
    for (const m of messages) expect(m).toMatch(/is not visible to storefront .*may not select it/);
    expect(validateOperations(clientSchema!, [op('lwc', text)], accessRules)).toEqual([]);
  });

  it('should refuse the gateway-declared internal field OrderEvent.data in storefront subscriptions', () => {
    const text = 'subscription S($id: ID!) { orderEvents(orderId: $id) { type data } }';
    expect(validateOperations(clientSchema!, [op('storefront', text)], accessRules).map((p) => p.message)).toEqual([
      expect.stringMatching(/^OrderEvent\.data is not visible to storefront/),
    ]);
    expect(validateOperations(clientSchema!, [op('lwc', text)], accessRules)).toEqual([]);
  });

  it('should refuse ids given as literals', () => {
    const problems = validateOperations(clientSchema!, [
      op('lwc', 'query L { order(id: "ORD-000001") { id } orders(filter: { customerId: "C-1" }) { totalCount } }'),
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      'argument id is an ID given as a literal; pass it as a variable',
      'input field customerId is an ID given as a literal; pass it as a variable',
    ]);
    expect(problems[0]!.where).toBe('operations/lwc/L.graphql:1:21 L');
  });
});
