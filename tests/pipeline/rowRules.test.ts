/**
 * Row rules are declared where they are enforced (`@rowRules` in a subgraph's schema, composed
 * into the supergraph), and the gateway derives from them which subgraph fetches it may share
 * across callers: adding a row rule to another subgraph's entity makes that subgraph's fetches
 * per caller.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { isSharedFetch, readRowRules, stripRowRules } from '../../gateway/access/rowRules.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { composeSupergraph } from '../../gateway/supergraph/compose.js';
import { projectRoot } from '../../runtime/project.js';
import { credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), 'ovg-rowrules-'));
const ORDERS = 30;
let s: Stack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The supergraph with erp's schema changed by `edit`. */
function supergraphWithErp(edit: (erp: string) => string): string {
  writeFileSync(join(tmp, 'erp.graphql'), edit(readFileSync(join(root, 'subgraphs/erp/schema.graphql'), 'utf8')));
  const yaml = readFileSync(join(root, 'supergraph.yaml'), 'utf8').replaceAll('./subgraphs/', `${root}/subgraphs/`);
  const config = join(tmp, 'supergraph.yaml');
  writeFileSync(config, yaml.replace(`${root}/subgraphs/erp/schema.graphql`, join(tmp, 'erp.graphql')));
  const path = join(tmp, 'supergraph.graphql');
  writeFileSync(path, composeSupergraph(config));
  return path;
}

/** erp's schema with a row rule on its Order entity (the edit a subgraph would make). */
const erpWithRowRule = (erp: string): string => {
  const linked = erp.replace(
    /@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.5", import: \[([^\]]*)\]\)/,
    (_m, imports: string) =>
      `@link(url: "https://specs.apollo.dev/federation/v2.5", import: [${imports}, "@composeDirective"])\n  @link(url: "https://specs.order-visibility.dev/rowRules/v0.1", import: ["@rowRules"])\n  @composeDirective(name: "@rowRules")\n\n"Row rules."\ndirective @rowRules("The subgraph." subgraph: String!) repeatable on OBJECT | FIELD_DEFINITION`,
  );
  const ruled = linked.replace(
    /\ntype Order @key\(fields: "id"\)/,
    '\ntype Order @key(fields: "id") @rowRules(subgraph: "erp")',
  );
  expect(ruled).not.toBe(linked);
  return ruled;
};

/** erp fetches made for `order(id)` read by two different callers, the second after the first. */
async function erpFetchesOfSecondCaller(): Promise<number> {
  const order = demo(ORDERS).data.oms.orders[3]!;
  const query = `{ order(id: "${order.id}") { id acceptedAt } }`;
  const first = await gql(s!.gateway.url, query);
  expect(first.body.errors).toBeUndefined();
  const before = s!.gateway.upstreamFetches().erp!;
  // The order's own shopper: another visibility scope than salesforce's.
  const second = await gql(
    s!.gateway.url,
    query,
    undefined,
    await credential('storefront', { customerId: order.customerId }),
  );
  expect(second.body.errors).toBeUndefined();
  return s!.gateway.upstreamFetches().erp! - before;
}

describe('row rules declared in the subgraph schemas', () => {
  it('should read the oms row rules from the composed supergraph, and strip them for ApolloGateway', () => {
    const sdl = readFileSync(join(root, 'supergraph.graphql'), 'utf8');
    const rules = readRowRules(sdl);
    expect([...rules.keys()]).toEqual(['oms']);
    expect([...rules.get('oms')!].sort()).toEqual([
      'Customer',
      'FulfillmentOrder',
      'Mutation.requestCancellation',
      'Order',
      'Query.order',
      'Query.orderByNumber',
      'Query.orders',
    ]);
    expect(stripRowRules(sdl)).not.toMatch(/rowRules/);
  });

  it('should share only entity fetches of types the subgraph does not row-rule', () => {
    const entities =
      'query($representations:[_Any!]!){_entities(representations:$representations){...on Order{acceptedAt}}}';
    expect(isSharedFetch(entities, new Set(['Order']))).toBe(false);
    expect(isSharedFetch(entities, new Set(['Customer']))).toBe(true);
    expect(isSharedFetch(entities, undefined)).toBe(true);
    expect(isSharedFetch('{ order(id: "1") { id } }', undefined)).toBe(false);
  });

  it("should share erp's entity fetches across callers while erp declares no row rule", async () => {
    s = await stack({
      orders: ORDERS,
      gateway: {
        supergraphPath: supergraphWithErp((erp) => erp),
        cache: { ...defaultGatewayConfig().cache, responseTtlMs: 0 },
      },
    });
    expect(await erpFetchesOfSecondCaller()).toBe(0);
  });

  it("should stop sharing erp's entity fetches once erp's schema marks Order @rowRules", async () => {
    s = await stack({
      orders: ORDERS,
      gateway: {
        supergraphPath: supergraphWithErp(erpWithRowRule),
        cache: { ...defaultGatewayConfig().cache, responseTtlMs: 0 },
      },
    });
    expect(await erpFetchesOfSecondCaller()).toBe(1);
  });

  it('should refuse a row rule that names no subgraph of the supergraph', () => {
    const path = supergraphWithErp((erp) =>
      erpWithRowRule(erp).replace('@rowRules(subgraph: "erp")', '@rowRules(subgraph: "epr")'),
    );
    expect(() => readRowRules(readFileSync(path, 'utf8'))).toThrow(
      /@rowRules on Order must name a subgraph of this supergraph \(.*\) in subgraph:; received "epr"/,
    );
  });
});
