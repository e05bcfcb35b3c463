import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierCodesFor } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { projectRoot } from '../../runtime/project.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { identity } from '../access/harness.js';
import { waitFor } from '../events/harness.js';
import { credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

/**
 * The visibility subgraph's field rules, end to end through the gateway: every `@requiresScopes`
 * field is null with one FORBIDDEN error naming it for a storefront customer (their own order) and a
 * partner; `orders:internal` fields answer salesforce and ops; `ops:operational` ones only ops.
 */
const SECRET = 'visibility-rules-webhook-secret-01';
const ORDERS = 120;
const d = demo(ORDERS);
let s: Stack;
let store: VisibilityStore;
let bus: MemoryEventBus;
let letterId: string;
const orderId = d.scenarios['in-transit'][0]!;
const order = d.data.oms.orders.find((o) => o.id === orderId)!;
const nodeId = d.data.oms.fulfillmentOrders.find((fo) => fo.orderId === orderId)!.nodeId;

beforeAll(async () => {
  store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
  bus = new MemoryEventBus();
  s = await stack({
    orders: ORDERS,
    bus,
    store,
    statusStore: storeStatusStore(store),
    seedTracker: true,
    webhookSecret: SECRET,
  });
  await s.gateway.tracker!.whenSeeded();
  const send = (system: 'carrier' | 'erp', body: unknown) => {
    const raw = JSON.stringify(body);
    return fetch(s.subgraphs[system].ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
      body: raw,
    });
  };
  const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
  await send('carrier', {
    eventId: 'RULES-X',
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    references: shipment.references,
    scans: [
      {
        code: carrierCodesFor(shipment.carrier, 'EXCEPTION')[0]!,
        occurredAt: new Date().toISOString(),
        description: 'x',
        location: null,
      },
    ],
  });
  await send('erp', {
    notificationId: 'RULES-409',
    eventType: 'HOLD_PLACED',
    postedAt: new Date().toISOString(),
    salesOrder: { orderRef: 'ORD-999998' },
    hold: { type: 'FRAUD' },
  });
  await waitFor(
    'an exception and a letter',
    async () => (await store.exceptions.openFor(orderId)).length > 0 && (await store.deadLetters.depth()).ingest === 1,
    10_000,
  );
  letterId = (await store.deadLetters.list({}, 1)).nodes[0]!.id;
  await store.deadLetters.discard(letterId, { actor: 'setup', reason: 'so that replays answer NOOP' });
});
afterAll(async () => {
  await s?.stop();
  await bus?.close();
  await store?.close();
});

/** How to read each annotated field: the operation, its variables, the path to the field, and whether it is ops only. */
const CASES: Record<string, { doc: string; vars?: () => Record<string, unknown>; path: string[]; opsOnly: boolean }> = {
  'Query.exceptions': { doc: 'query { exceptions(first: 5) { nodes { id } } }', path: ['exceptions'], opsOnly: false },
  'Query.ordersInStatus': {
    doc: 'query { ordersInStatus(status: SHIPPED, longerThan: "PT0S") { nodes { since } } }',
    path: ['ordersInStatus'],
    opsOnly: false,
  },
  'Query.operationsHealth': {
    doc: 'query { operationsHealth { generatedAt } }',
    path: ['operationsHealth'],
    opsOnly: true,
  },
  'Query.deadLetters': { doc: 'query { deadLetters { nodes { id } } }', path: ['deadLetters'], opsOnly: true },
  'Query.deadLetter': {
    doc: 'query ($id: ID!) { deadLetter(id: $id) { id } }',
    vars: () => ({ id: letterId }),
    path: ['deadLetter'],
    opsOnly: true,
  },
  'Mutation.replayDeadLetter': {
    doc: 'mutation ($id: ID!) { replayDeadLetter(id: $id, reason: "rules") { outcome } }',
    vars: () => ({ id: letterId }),
    path: ['replayDeadLetter'],
    opsOnly: true,
  },
  'Mutation.replayDeadLetters': {
    doc: 'mutation { replayDeadLetters(filter: { state: DISCARDED }, reason: "rules") { outcome } }',
    path: ['replayDeadLetters'],
    opsOnly: true,
  },
  'Mutation.discardDeadLetter': {
    doc: 'mutation ($id: ID!) { discardDeadLetter(id: $id, reason: "rules") { outcome } }',
    vars: () => ({ id: letterId }),
    path: ['discardDeadLetter'],
    opsOnly: true,
  },
  'Order.exceptions': {
    doc: 'query ($id: ID!) { order(id: $id) { id exceptions { type } } }',
    vars: () => ({ id: orderId }),
    path: ['order', 'exceptions'],
    opsOnly: false,
  },
  'Order.timeline': {
    doc: 'query ($id: ID!) { order(id: $id) { id timeline { status } } }',
    vars: () => ({ id: orderId }),
    path: ['order', 'timeline'],
    opsOnly: false,
  },
};

const at = (data: unknown, path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), data);

describe('visibility field rules', () => {
  it('should cover every @requiresScopes field of the visibility schema', () => {
    const annotated = parse(
      readFileSync(join(projectRoot(), 'subgraphs/visibility/schema.graphql'), 'utf8'),
    ).definitions.flatMap((def) =>
      'fields' in def && def.fields && 'name' in def && def.name
        ? (def.fields as readonly { name: { value: string }; directives?: readonly ConstDirectiveNode[] }[])
            .filter((f) =>
              f.directives?.some(
                (x) => x.name.value === 'requiresScopes' && x.arguments?.[0]?.value.kind === Kind.LIST,
              ),
            )
            .map((f) => `${def.name!.value}.${f.name.value}`)
        : [],
    );
    expect(annotated.sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.keys(CASES))(
    'should answer %s to its consumers and null with FORBIDDEN naming it to the others',
    async (coordinate) => {
      const c = CASES[coordinate]!;
      const vars = c.vars?.() ?? {};
      const ask = async (who: 'ops' | 'salesforce' | 'storefront') =>
        (
          await gql(
            s.gateway.url,
            c.doc,
            vars,
            await credential(who, who === 'storefront' ? { customerId: order.customerId } : {}),
          )
        ).body;
      const ops = await ask('ops');
      expect(ops.errors, JSON.stringify(ops.errors)).toBeUndefined();
      expect(at(ops.data, c.path), 'ops reads it').not.toBeNull();
      const refused = [
        ['storefront', await ask('storefront')],
        ['partner', await s.gateway.execute(c.doc, vars, identity.partner(nodeId))],
      ] as Array<
        [string, { data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }]
      >;
      const sf = await ask('salesforce');
      if (c.opsOnly) refused.push(['salesforce', sf]);
      else {
        expect(sf.errors, JSON.stringify(sf.errors)).toBeUndefined();
        expect(at(sf.data, c.path), 'salesforce reads it').not.toBeNull();
      }
      for (const [who, body] of refused) {
        expect(at(body.data, c.path) ?? null, `${who}: null`).toBeNull();
        const forbidden = (body.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');
        expect(forbidden, `${who}: ${JSON.stringify(body.errors)}`).toHaveLength(1);
        expect(forbidden[0]!.message, who).toContain(coordinate);
      }
    },
  );
});
