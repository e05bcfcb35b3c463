import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getNamedType,
  isCompositeType,
  isObjectType,
  isRequiredArgument,
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { readAccessRules, stripAccessDirectives, type AccessRules } from '../../gateway/access/rules.js';
import { apiSchemaOf } from '../../gateway/governance/clientSchema.js';
import { projectRoot } from '../../runtime/project.js';
import { MemoryAuditLog } from '../../subgraphs/common/auditLog.js';
import { accessStack, as, fixtures, identity, query, world, type Fixtures } from './harness.js';

/**
 * Field-level rules (`@requiresScopes` in the subgraph schemas, enforced by the gateway): every
 * annotated field is null with one FORBIDDEN error naming it for a storefront customer and a
 * partner, on their own orders, while salesforce reads a value; and the rules the gateway reads
 * from the composed supergraph are exactly the annotations of the subgraph schemas.
 */

let s: Stack;
let f: Fixtures;
const supergraphSdl = readFileSync(join(projectRoot(), 'supergraph.graphql'), 'utf8');
const rules: AccessRules = readAccessRules(supergraphSdl);
const schema: GraphQLSchema = apiSchemaOf(supergraphSdl);

beforeAll(async () => {
  // One recorded request, so that Order.auditTrail has a value to refuse (the audit log is a port).
  const audit = new MemoryAuditLog();
  await audit.append({
    orderId: world().data.oms.fulfillmentOrders[0]!.orderId,
    at: '2026-11-01T00:00:00.000Z',
    action: 'requestReturn',
    channel: 'WEB',
    actor: { kind: 'CUSTOMER', consumer: 'storefront', id: 'CUST-TEST', asserted: false },
    reasonCodes: ['SIZE_FIT'],
    result: 'REJECTED',
    detail: 'NOT_DELIVERED (line 1)',
    idempotencyKey: 'k',
  });
  ({ s } = await accessStack({ audit }));
  f = fixtures();
});
afterAll(async () => {
  await s?.stop();
});

/** Every `@requiresScopes` / `@authenticated` of subgraphs/<name>/schema.graphql, by coordinate, with its scopes. */
function subgraphAnnotations(): Map<string, string[][][]> {
  const found = new Map<string, string[][][]>();
  const dir = join(projectRoot(), 'subgraphs');
  const scopes = (d: ConstDirectiveNode): string[][] => {
    const v = d.arguments?.find((a) => a.name.value === 'scopes')?.value;
    if (v?.kind !== Kind.LIST) return [];
    return v.values.map((inner) =>
      inner.kind === Kind.LIST ? inner.values.flatMap((x) => (x.kind === Kind.STRING ? [x.value] : [])) : [],
    );
  };
  const add = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    for (const d of directives ?? []) {
      if (d.name.value !== 'requiresScopes' && d.name.value !== 'authenticated') continue;
      found.set(coordinate, [
        ...(found.get(coordinate) ?? []),
        ...(d.name.value === 'requiresScopes' ? [scopes(d)] : []),
      ]);
    }
  };
  for (const name of readdirSync(dir).sort()) {
    let text: string;
    try {
      text = readFileSync(join(dir, name, 'schema.graphql'), 'utf8');
    } catch {
      continue; // common/, not a subgraph
    }
    for (const def of parse(text).definitions) {
      if ('name' in def && def.name && 'directives' in def)
        add(def.name.value, def.directives as readonly ConstDirectiveNode[]);
      if ('fields' in def && def.fields && 'name' in def && def.name) {
        for (const field of def.fields as readonly {
          name: { value: string };
          directives?: readonly ConstDirectiveNode[];
        }[])
          add(`${def.name.value}.${field.name.value}`, field.directives);
      }
    }
  }
  return found;
}

describe('the field rules the gateway enforces', () => {
  it('should be exactly the annotations of the subgraph schemas, none lost in composition or stripping', () => {
    const annotated = subgraphAnnotations();
    expect(annotated.size).toBeGreaterThan(0);
    expect(rules.size).toBeGreaterThan(0);
    expect([...rules.keys()].sort()).toEqual([...annotated.keys()].sort());
    for (const [coordinate, scopes] of annotated) expect(rules.get(coordinate)!.scopes, coordinate).toEqual(scopes);
    // The copy ApolloGateway loads has none of them left, but still every annotated field.
    const stripped = stripAccessDirectives(supergraphSdl);
    expect(stripped).not.toMatch(/requiresScopes|@authenticated/);
    expect(readAccessRules(stripped).size).toBe(0);
    for (const coordinate of rules.keys()) {
      const [type, field] = coordinate.split('.') as [string, string?];
      const t = schema.getType(type) as GraphQLObjectType | undefined;
      expect(t, coordinate).toBeDefined();
      if (field) expect(t!.getFields()[field], coordinate).toBeDefined();
    }
  });
});

/** Arguments of the root lookups, for a row that exists (B's: salesforce must get a value). */
const lookupArgs = (): Record<string, Record<string, string>> => ({
  'Query.payment': { id: f.paymentB },
  'Query.shipment': { id: f.shipmentB },
  'Query.return': { id: f.returnB },
  'Query.tracking': { trackingNumber: f.trackingB },
});

/** The shortest chain of fields (without required arguments) from Order to `type`. */
function pathFromOrder(type: string): string[] {
  const start = schema.getType('Order') as GraphQLObjectType;
  const queue: { t: GraphQLObjectType; path: string[] }[] = [{ t: start, path: [] }];
  const seen = new Set([start.name]);
  while (queue.length) {
    const { t, path } = queue.shift()!;
    if (t.name === type) return path;
    for (const field of Object.values(t.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || seen.has(named.name) || field.args.some(isRequiredArgument)) continue;
      seen.add(named.name);
      queue.push({ t: named, path: [...path, field.name] });
    }
  }
  throw new Error(`no path from Order to ${type}: teach this test how to reach it`);
}

/** The node of an order's first fulfillment order, if it has one. */
const nodeOf = (orderId: string): string | undefined =>
  world().data.oms.fulfillmentOrders.find((fo) => fo.orderId === orderId)?.nodeId;

/** `a { b { c { <leaf> } } }` */
const nest = (path: string[], leaf: string): string => path.reduceRight((inner, name) => `${name} { ${inner} }`, leaf);

/** The selection of the annotated field itself (a composite field selects `__typename`). */
function leafOf(coordinate: string): string {
  const [type, field] = coordinate.split('.') as [string, string];
  const def = (schema.getType(type) as GraphQLObjectType).getFields()[field]!;
  return isCompositeType(getNamedType(def.type)) ? `${field} { __typename }` : field;
}

/** Every value at `path` under `value`, lists flattened. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return [value];
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

/**
 * The visibility subgraph's annotated fields (exceptions, timelines, ops-only dead letters and
 * health, mutations) need live data and ops credentials: tests/visibility/fieldRules.test.ts covers
 * each of them, against the same list.
 */
const visibilityCoordinates = new Set(
  parse(readFileSync(join(projectRoot(), 'subgraphs/visibility/schema.graphql'), 'utf8')).definitions.flatMap((def) =>
    'fields' in def && def.fields && 'name' in def && def.name
      ? (def.fields as readonly { name: { value: string }; directives?: readonly ConstDirectiveNode[] }[])
          .filter((fd) => fd.directives?.some((d) => d.name.value === 'requiresScopes'))
          .map((fd) => `${def.name!.value}.${fd.name.value}`)
      : [],
  ),
);

describe('every annotated field', () => {
  const fieldCoordinates = [...rules.keys()].filter((c) => c.includes('.') && !visibilityCoordinates.has(c));

  it.each(fieldCoordinates)(
    'should answer %s null with FORBIDDEN naming it to storefront and partner, a value to salesforce',
    async (coordinate) => {
      const [type, field] = coordinate.split('.') as [string, string];
      let q: string;
      let variables: Record<string, unknown>;
      let path: string[];
      let orderId: string | undefined;
      if (type === 'Query') {
        const args = lookupArgs()[coordinate];
        expect(args, `arguments for ${coordinate} (add them to lookupArgs)`).toBeDefined();
        const def = schema.getQueryType()!.getFields()[field]!;
        const varDefs = def.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
        q = `query (${varDefs}) { ${field}(${def.args.map((a) => `${a.name}: $${a.name}`).join(', ')}) { __typename } }`;
        variables = args!;
        path = [field];
      } else {
        const chain = [...pathFromOrder(type), field];
        // The order to read: the first one (of all, as salesforce) where the field has a value.
        const scan = `query ($after: String) { orders(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id ${nest(chain.slice(0, -1), leafOf(coordinate))} } } } }`;
        let after: string | null = null;
        do {
          const r = await query(s.gateway.url, await as.salesforce(), scan, { after });
          expect(r.body.errors, r.text.slice(0, 300)).toBeUndefined();
          const page = r.body.data.orders;
          // ...and a fulfillment order, so that a partner (of that node) may read the order too.
          orderId = page.edges
            .map((e: any) => e.node)
            .find((n: any) => nodeOf(n.id) && valuesAt(n, chain).some((v) => v !== null && v !== undefined))?.id;
          after = orderId || !page.pageInfo.hasNextPage ? null : page.pageInfo.endCursor;
        } while (after);
        expect(orderId, `an order where ${coordinate} has a value`).toBeDefined();
        q = `query ($id: ID!) { order(id: $id) { id ${nest(chain.slice(0, -1), leafOf(coordinate))} } }`;
        variables = { id: orderId };
        path = ['order', ...chain];
      }

      const sf = await query(s.gateway.url, await as.salesforce(), q, variables);
      expect(sf.body.errors, sf.text.slice(0, 300)).toBeUndefined();
      expect(
        valuesAt(sf.body.data, path).some((v) => v !== null && v !== undefined),
        `salesforce reads ${coordinate}`,
      ).toBe(true);

      const order = orderId ? world().data.oms.orders.find((o) => o.id === orderId)! : undefined;
      const customerId = order?.customerId ?? f.customerA;
      const nodeId = (orderId && nodeOf(orderId)) || f.partnerNode;
      const storefront = await query(s.gateway.url, await as.customer(customerId), q, variables);
      const partner = await s.gateway.execute(q, variables, identity.partner(nodeId));
      for (const [who, status, body] of [
        ['storefront', storefront.status, storefront.body],
        ['partner', 200, partner],
      ] as const) {
        expect(status, who).toBe(200);
        const values = valuesAt(body.data, path);
        expect(values.length, `${who}: ${coordinate} is in the answer`).toBeGreaterThan(0);
        expect(
          values.every((v) => v === null),
          `${who}: ${coordinate} is null: ${JSON.stringify(body.data).slice(0, 300)}`,
        ).toBe(true);
        if (orderId) expect((body.data as any).order.id, `${who} reads the rest of its own order`).toBe(orderId);
        expect(body.errors, who).toHaveLength(1);
        const error = body.errors![0]!;
        expect(error.extensions, who).toMatchObject({ code: 'FORBIDDEN', field: coordinate });
        expect(error.message, who).toContain(coordinate);
        expect(error.path?.[0], who).toBe(path[0]);
        expect(error.path?.at(-1), who).toBe(field);
      }
    },
  );
});

describe('internal fields for a storefront customer', () => {
  const ORDER = `query ($id: ID!) { order(id: $id) {
    id status erpSalesOrderId holds { type reason } statusDetail { status facts { fact } } payments { method status }
  } }`;
  let held: { id: string; customerId: string };
  beforeAll(() => {
    const d = world();
    const id = d.scenarios['held-accepted-in-oms'].find((o) =>
      d.data.erp.orders.find((e) => e.orderId === o)?.holds.some((h) => h.reason),
    )!;
    held = { id, customerId: d.data.oms.orders.find((o) => o.id === id)!.customerId };
  });

  it('should answer the rest of an own order, each internal field null with one FORBIDDEN error naming it, HTTP 200', async () => {
    const sf = await query(s.gateway.url, await as.salesforce(), ORDER, { id: held.id });
    expect(sf.body.errors).toBeUndefined();
    expect(sf.body.data.order.erpSalesOrderId).toEqual(expect.any(String));
    expect(sf.body.data.order.holds.some((h: any) => h.reason)).toBe(true);
    const r = await query(s.gateway.url, await as.customer(held.customerId), ORDER, { id: held.id });
    expect(r.status).toBe(200);
    const order = r.body.data.order;
    expect(order).toMatchObject({
      id: held.id,
      status: sf.body.data.order.status,
      erpSalesOrderId: null,
      statusDetail: { status: sf.body.data.order.statusDetail.status, facts: null },
    });
    expect(order.holds).toEqual(sf.body.data.order.holds.map((h: any) => ({ type: h.type, reason: null })));
    expect(order.payments).toEqual(sf.body.data.order.payments.map((p: any) => ({ method: null, status: p.status })));
    expect(r.body.errors!.map((e) => e.extensions!.field).sort()).toEqual([
      'Hold.reason',
      'Order.erpSalesOrderId',
      'Payment.method',
      'StatusExplanation.facts',
    ]);
    for (const e of r.body.errors!) expect(e.extensions!.code).toBe('FORBIDDEN');
  });

  it('should not be fooled by aliases, fragments or inline fragments', async () => {
    const q = `query ($id: ID!) { mine: order(id: $id) { id
      so: erpSalesOrderId
      ...Internal
      h: holds { why: reason }
      ... on Order { holds { reason } }
    } }
    fragment Internal on Order { sd: statusDetail { ...Facts } payments { ... on Payment { method } } }
    fragment Facts on StatusExplanation { facts { fact } }`;
    const r = await query(s.gateway.url, await as.customer(held.customerId), q, { id: held.id });
    expect(r.status).toBe(200);
    const order = r.body.data.mine;
    expect(order.so).toBeNull();
    expect(order.sd.facts).toBeNull();
    expect(order.h.length).toBeGreaterThan(0);
    for (const h of order.h) expect(h.why).toBeNull();
    for (const h of order.holds) expect(h.reason).toBeNull();
    for (const p of order.payments) expect(p.method).toBeNull();
    expect(r.body.errors!.map((e) => e.extensions!.field).sort()).toEqual([
      'Hold.reason',
      'Hold.reason',
      'Order.erpSalesOrderId',
      'Payment.method',
      'StatusExplanation.facts',
    ]);
    const sf = (await query(s.gateway.url, await as.salesforce(), q, { id: held.id })).body.data.mine;
    const secrets = [
      sf.so,
      ...sf.holds.map((h: any) => h.reason),
      ...sf.payments.map((p: any) => p.method),
      ...sf.sd.facts.map((x: any) => x.fact),
    ];
    expect(secrets.filter(Boolean).length).toBeGreaterThan(0);
    for (const secret of secrets.filter(Boolean)) expect(r.text).not.toContain(JSON.stringify(secret));
    // The same document printed differently is the same answer (no cached plan of another caller).
    const again = await query(s.gateway.url, await as.customer(held.customerId), print(parse(q)), { id: held.id });
    expect(again.body.data).toEqual(r.body.data);
  });

  it('should not share a plan between a caller allowed the fields and one who is not', async () => {
    const sfFirst = await query(s.gateway.url, await as.salesforce(), ORDER, { id: held.id });
    const shopper = await query(s.gateway.url, await as.customer(held.customerId), ORDER, { id: held.id });
    const sfAfter = await query(s.gateway.url, await as.salesforce(), ORDER, { id: held.id });
    expect(shopper.body.data.order.erpSalesOrderId).toBeNull();
    expect(sfAfter.body).toEqual(sfFirst.body);
  });
});
