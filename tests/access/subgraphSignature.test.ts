import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../canonical/index.js';
import { gatewaySignature } from '../helpers/http.js';
import type { Stack } from '../../embedded/stack.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../../canonical/systems.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';
import { accessStack, fixtures, get, identity, post, postAs, type Fixtures } from './harness.js';

/**
 * Subgraphs serve only the gateway: every /graphql request must carry the identity the gateway
 * signed (x-gateway-identity, HMAC with GATEWAY_IDENTITY_SECRET, at most 60 s old). Without it —
 * absent, signed with another secret, stale, from the future, or altered after signing — the
 * answer is 401 UNAUTHENTICATED, so an `_entities` fetch cannot skip the guarded entry points.
 * With it, the subgraph applies its own row rules to the signed identity.
 */

let s: Stack;
let f: Fixtures;
beforeAll(async () => {
  ({ s } = await accessStack());
  f = fixtures();
});
afterAll(async () => {
  await s?.stop();
});

const OPS: Identity = { consumer: 'ops', subject: 'tests', scopes: ['ops'] };
const SDL = { query: '{ _service { sdl } }' };

/** The header values a subgraph must refuse. */
function badSignatures(): Record<string, Record<string, string>> {
  const valid = signIdentity(OPS, DEV_IDENTITY_SECRET);
  const [version, , signature] = valid.split('.') as [string, string, string];
  const claims = { c: 'ops', s: 'attacker', sc: ['ops'], iat: Math.floor(Date.now() / 1000) };
  return {
    'no header': {},
    'an empty header': { [IDENTITY_HEADER]: '' },
    'a header signed with another secret': {
      [IDENTITY_HEADER]: signIdentity(OPS, 'not-the-gateway-secret-but-long-enough-0123'),
    },
    'a header issued 2 minutes ago': {
      [IDENTITY_HEADER]: signIdentity(OPS, DEV_IDENTITY_SECRET, Date.now() - 120_000),
    },
    'a header issued a minute in the future': {
      [IDENTITY_HEADER]: signIdentity(OPS, DEV_IDENTITY_SECRET, Date.now() + 60_000),
    },
    'a payload altered after signing': {
      [IDENTITY_HEADER]: `${version}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`,
    },
    'a signature altered': { [IDENTITY_HEADER]: `${valid.slice(0, -2)}${valid.endsWith('AA') ? 'BB' : 'AA'}` },
    'another version': { [IDENTITY_HEADER]: valid.replace(/^v1\./, 'v2.') },
    'a garbage value': { [IDENTITY_HEADER]: 'v1.e30.e30' },
  };
}

describe.each(SUBGRAPH_NAMES.map((n) => [n]))('the %s subgraph', (name) => {
  it('should refuse /graphql without a valid gateway signature, 401 UNAUTHENTICATED, saying nothing of why', async () => {
    const url = s.subgraphs[name].service.url;
    for (const [what, headers] of Object.entries(badSignatures())) {
      s.subgraphs[name].sim.resetCalls();
      const r = await post(url, SDL, headers);
      expect(r.status, what).toBe(401);
      expect(r.body.data, what).toBeUndefined();
      expect(
        r.body.errors?.map((e) => e.extensions?.code),
        what,
      ).toEqual(['UNAUTHENTICATED']);
      expect(r.text, what).not.toMatch(/expired|secret|signature does not|stale|future/i);
      expect(s.subgraphs[name].sim.callCount(), `${what}: the system behind ${name} was not called`).toBe(0);
    }
  });

  it('should refuse an _entities fetch without the signature', async () => {
    const r = await post(s.subgraphs[name].service.url, {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      variables: { r: [{ __typename: 'Order', id: f.orderB }] },
    });
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("should answer with the gateway's signature, and its health endpoints without one", async () => {
    const r = await postAs(s.subgraphs[name].service.url, SDL, OPS);
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(r.body.data._service.sdl).toContain('type Query');
    for (const path of ['/health/live', '/health/ready'])
      expect((await get(`${s.subgraphs[name].service.origin}${path}`)).status, path).toBe(200);
  });
});

describe('row rules in the subgraphs, for a signed identity', () => {
  it('should answer the OMS order, orderByNumber and Order entity of B null to customer A', async () => {
    const url = s.subgraphs.oms.service.url;
    const q = {
      query: `query ($id: ID!, $n: String!, $r: [_Any!]!) { order(id: $id) { id } orderByNumber(number: $n) { id } _entities(representations: $r) { ... on Order { id customerId: customer { id } } } }`,
      variables: {
        id: f.orderB,
        n: f.orderNumberB,
        r: [
          { __typename: 'Order', id: f.orderB },
          { __typename: 'Order', id: f.orderA },
        ],
      },
    };
    const ops = await postAs(url, q, OPS);
    expect(ops.body.data).toMatchObject({
      order: { id: f.orderB },
      orderByNumber: { id: f.orderB },
      _entities: [{ id: f.orderB }, { id: f.orderA }],
    });
    const a = await postAs(url, q, identity.customer(f.customerA));
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data).toEqual({
      order: null,
      orderByNumber: null,
      _entities: [null, { id: f.orderA, customerId: { id: f.customerA } }],
    });
    const partner = await postAs(url, q, identity.partner(f.partnerNode));
    expect(partner.body.data).toEqual({ order: null, orderByNumber: null, _entities: [null, null] });
  });

  it.each([
    ['erp', 'payment', 'query ($id: ID!) { payment(id: $id) { id } }', () => f.paymentB],
    ['wms', 'shipment', 'query ($id: ID!) { shipment(id: $id) { id } }', () => f.shipmentB],
    ['returns', 'return', 'query ($id: ID!) { return(id: $id) { id } }', () => f.returnB],
    ['carrier', 'tracking', 'query ($id: String!) { tracking(trackingNumber: $id) { id } }', () => f.trackingB],
  ] as const)(
    "should answer the %s lookup %s null to a storefront customer and a partner (the subgraph's own check)",
    async (name, field, q, id) => {
      const url = s.subgraphs[name].service.url;
      const ops = await postAs(url, { query: q, variables: { id: id() } }, OPS);
      expect(ops.body.data[field], ops.text.slice(0, 200)).not.toBeNull();
      for (const who of [identity.customer(f.customerB), identity.partner(f.partnerNode)]) {
        const r = await postAs(url, { query: q, variables: { id: id() } }, who);
        expect(r.body.data, `${who.consumer} on ${name}`).toEqual({ [field]: null });
        // Its own @requiresScopes(orders:all) refuses first (defence in depth), saying which scope it needs.
        expect(
          r.body.errors?.map((e) => e.extensions?.code),
          `${who.consumer} on ${name}`,
        ).toEqual(['FORBIDDEN']);
      }
    },
  );
});

describe('the identity header bound to one fetch (issue 16 #5)', () => {
  const entities = (id: string) => ({
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }',
    variables: { r: [{ __typename: 'Order', id }] },
  });

  it('should refuse a captured header replayed with another body, to another subgraph, or after 30 s — 401', async () => {
    const oms = s.subgraphs.oms.service.url;
    const erp = s.subgraphs.erp.service.url;
    const body = JSON.stringify(entities(f.orderA));
    const captured = await gatewaySignature(oms, body, OPS);
    expect((await post(oms, body, captured)).status, 'the fetch it was signed for').toBe(200);
    const other = await post(oms, JSON.stringify(entities(f.orderB)), captured);
    expect(other.status, 'another body').toBe(401);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await post(erp, body, captured)).status, 'another subgraph').toBe(401);
    const old = await gatewaySignature(oms, body, OPS, { now: Date.now() - 31_000 });
    expect((await post(oms, body, old)).status, 'signed 31 s ago').toBe(401);
    const unbound = { [IDENTITY_HEADER]: signIdentity(OPS, DEV_IDENTITY_SECRET) };
    expect((await post(oms, body, unbound)).status, 'a header bound to nothing').toBe(401);
  });

  it('should accept a single-use header for a row-ruled _entities fetch once, and refuse it the second time', async () => {
    const oms = s.subgraphs.oms.service.url;
    const body = JSON.stringify(entities(f.orderA));
    const header = await gatewaySignature(oms, body, OPS, { singleUse: true });
    const first = await post(oms, body, header);
    expect(first.status).toBe(200);
    expect(first.body.data._entities).toEqual([{ id: f.orderA }]);
    const replay = await post(oms, body, header);
    expect(replay.status).toBe(401);
    expect(replay.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('should answer an internal field null with FORBIDDEN to a non-ops identity asking the subgraph directly (its own @requiresScopes)', async () => {
    const erp = s.subgraphs.erp.service.url;
    const q = {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id erpSalesOrderId } } }',
      variables: { r: [{ __typename: 'Order', id: f.orderA }] },
    };
    const ops = await postAs(erp, q, OPS);
    expect(ops.body.data._entities[0].erpSalesOrderId, ops.text.slice(0, 300)).toEqual(expect.any(String));
    for (const who of [identity.customer(f.customerA), identity.partner(f.partnerNode)]) {
      const r = await postAs(erp, q, who);
      expect(r.status).toBe(200);
      expect(r.body.data._entities[0]?.erpSalesOrderId ?? null, who.consumer).toBeNull();
      expect(
        r.body.errors?.map((e) => e.extensions?.code),
        who.consumer,
      ).toContain('FORBIDDEN');
      expect(r.body.errors?.[0]?.message).toContain('orders:internal');
    }
  });
});
