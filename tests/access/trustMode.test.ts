import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunningService } from '../../runtime/http.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { post, world } from './harness.js';

/**
 * Trust mode (`trustUnsignedRequests`), the benchmark-only switch that lets the peer gateways of
 * `npm run bench` (which sign nothing) be measured against our subgraphs: an unsigned request is
 * served as the widest reading identity, field rules included, and the switch is refused under
 * NODE_ENV=production.
 */

const running: RunningService[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});
const nodeEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = nodeEnv;
});

describe('a subgraph in trust mode', () => {
  it('should answer an unsigned request for an internal field (orders:internal) without FORBIDDEN', async () => {
    const data = world().data;
    const erp = await startErp({
      system: new MemoryErp(data.erp),
      port: 0,
      host: '127.0.0.1',
      trustUnsignedRequests: true,
    } as Parameters<typeof startErp>[0]);
    running.push(erp);
    const orderId = data.oms.orders[0]!.id;
    const r = await post(erp.url, {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id erpSalesOrderId } } }',
      variables: { r: [{ __typename: 'Order', id: orderId }] },
    });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as { _entities: { id: string }[] })._entities[0]!.id).toBe(orderId);
  });

  it('should be refused under NODE_ENV=production', async () => {
    process.env.NODE_ENV = 'production';
    await expect(
      (async () =>
        startErp({
          system: new MemoryErp(world().data.erp),
          port: 0,
          host: '127.0.0.1',
          trustUnsignedRequests: true,
        } as Parameters<typeof startErp>[0]))(),
    ).rejects.toThrow(/benchmark-only/);
  });
});
