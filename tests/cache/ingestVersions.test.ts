import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../../events/memory.js';
import { customerVersionId, MemoryOrderVersions } from '../../events/versions.js';
import { ingestRouter } from '../../subgraphs/common/ingest.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { omsIngest, type OmsNotification } from '../../subgraphs/oms/ingest.js';
import { after, freshDemo, post, SECRET } from '../ingest/harness.js';
import { sleep } from './versionsContract.js';

const ORDER_ID = 'ORD-900001';
const CUSTOMER_ID = 'CUST-90001';
const created: OmsNotification = {
  eventId: 'e-1',
  eventType: 'ORDER_CREATED',
  eventTime: after(1),
  orderId: ORDER_ID,
  order: {
    number: 'W9000001',
    channel: 'WEB',
    customer: { id: CUSTOMER_ID, name: 'Ada Lovelace' },
    lines: [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 }],
  },
};
const cancelled: OmsNotification = {
  eventId: 'e-2',
  eventType: 'ORDER_CANCELLED',
  eventTime: after(2),
  orderId: ORDER_ID,
};

/** Versions whose bumps take `delayMs` and fail while `down`. */
class SlowVersions extends MemoryOrderVersions {
  delayMs = 0;
  down = false;
  bumps: string[][] = [];
  override async bump(ids: string[]): Promise<void> {
    await sleep(this.delayMs);
    if (this.down) throw new Error('versions store down');
    this.bumps.push(ids);
    return super.bump(ids);
  }
}

let server: Server | undefined;
const bus = new MemoryEventBus();
afterEach(async () => {
  server?.close();
  if (server) await once(server, 'close');
  server = undefined;
});

async function startIngest(versions: MemoryOrderVersions): Promise<string> {
  const { data } = freshDemo(20);
  const app = express();
  app.use('/ingest', ingestRouter({ system: omsIngest(new MemoryOms(data.oms)), bus, secret: SECRET, versions }));
  server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
}

describe('ingest with order versions', () => {
  it("should bump the order and its customer's lists before answering 2xx to a new order", async () => {
    const versions = new SlowVersions();
    versions.delayMs = 200;
    const url = await startIngest(versions);
    const started = Date.now();
    const r = await post(url, created);
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const now = await versions.get([ORDER_ID, customerVersionId(CUSTOMER_ID)]);
    expect(now.get(ORDER_ID)).toBeGreaterThan(0);
    expect(now.get(customerVersionId(CUSTOMER_ID))).toBe(now.get(ORDER_ID));
  });

  it('should bump only the order for a change to an existing order, and nothing for a duplicate', async () => {
    const versions = new SlowVersions();
    const url = await startIngest(versions);
    await post(url, created);
    expect((await post(url, cancelled)).body.status).toBe('applied');
    expect((await post(url, cancelled)).body.status).toBe('duplicate');
    expect(versions.bumps).toEqual([
      [ORDER_ID, `${ORDER_ID}@oms`, customerVersionId(CUSTOMER_ID)],
      [ORDER_ID, `${ORDER_ID}@oms`],
    ]);
  });

  it('should answer 503 when the bump fails, and bump on the retry', async () => {
    const versions = new SlowVersions();
    versions.down = true;
    const url = await startIngest(versions);
    const failed = await post(url, created);
    expect(failed.status).toBe(503);
    expect(failed.body.error).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the cache version store did not record the change; retry the webhook',
    });
    expect((await versions.get([ORDER_ID])).get(ORDER_ID)).toBe(0);
    versions.down = false;
    const retried = await post(url, created);
    expect(retried.body).toEqual({ status: 'applied', events: ['oms:e-1'] });
    expect((await versions.get([ORDER_ID])).get(ORDER_ID)).toBeGreaterThan(0);
  });
});
