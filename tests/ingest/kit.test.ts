import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { carrierCodesFor } from '../../canonical/index.js';
import type { CarrierShipment } from '../../demo/records.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../../subgraphs/carrier/server.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { after, freshDemo, harness, post, SECRET, type Harness } from './harness.js';

let h: Harness | undefined;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const c of cleanup.splice(0)) await c();
});

const TRACKING =
  'query ($n: String!) { tracking(trackingNumber: $n) { id status carrierStatusCode lastScanAt events { carrierCode } } }';

function webhook(
  s: CarrierShipment,
  eventId: string,
  occurredAt = after(60),
  status: 'OUT_FOR_DELIVERY' | 'DELIVERED' = 'OUT_FOR_DELIVERY',
) {
  return {
    eventId,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    references: s.references,
    scans: [
      {
        code: carrierCodesFor(s.carrier, status)[0]!,
        occurredAt,
        description: 'Out for delivery',
        location: 'Denver, CO, US',
      },
    ],
  };
}

async function start(): Promise<{ h: Harness; s: CarrierShipment; before: unknown }> {
  h = await harness('carrier');
  const s = h.data.carrier.shipments.find((x) => x.scans.length > 0)!;
  const before = (await h.query(TRACKING, { n: s.trackingNumber })).body.data;
  return { h, s, before };
}

/** Nothing was published and the parcel reads as before. */
async function expectUnchanged(x: { h: Harness; s: CarrierShipment; before: unknown }): Promise<void> {
  expect(await x.h.published()).toEqual([]);
  expect((await x.h.query(TRACKING, { n: x.s.trackingNumber })).body.data).toEqual(x.before);
}

describe('ingest kit', () => {
  it('should apply a signed webhook, show the change through GraphQL and publish one canonical CloudEvent', async () => {
    const { h, s } = await start();
    const r = await h.post(webhook(s, 'evt-1'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'applied', events: ['carrier:evt-1'] });
    const t = (await h.query(TRACKING, { n: s.trackingNumber })).body.data.tracking;
    expect(t.status).toBe('OUT_FOR_DELIVERY');
    expect(t.lastScanAt).toBe(after(60));
    const [event, ...rest] = await h.published();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      specversion: '1.0',
      id: 'carrier:evt-1',
      source: 'carrier',
      type: 'shipment.tracking_updated',
      subject: s.references.orderId,
      time: after(60),
      datacontenttype: 'application/json',
      data: { shipmentId: s.references.shipmentId, status: 'OUT_FOR_DELIVERY' },
    });
    expect(event!.recordedtime).toMatch(/Z$/);
  });

  it('should refuse an unsigned webhook with 401 UNAUTHENTICATED and record nothing', async () => {
    const x = await start();
    const r = await x.h.post(webhook(x.s, 'evt-1'), { sign: false });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/missing x-signature header/) },
    });
    await expectUnchanged(x);
  });

  it('should refuse a forged or malformed signature with 401', async () => {
    const x = await start();
    const forged = await x.h.post(webhook(x.s, 'evt-1'), { secret: 'someone-elses-secret-0000' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toMatch(/does not match/);
    const malformed = await x.h.post(webhook(x.s, 'evt-1'), { headers: { 'x-signature': 'md5=abc' } });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error.message).toMatch(/malformed/);
    const tampered = signWebhook(SECRET, JSON.stringify(webhook(x.s, 'evt-1')));
    const r = await fetch(`${x.h.service.origin}/ingest`, {
      method: 'POST',
      headers: tampered,
      body: JSON.stringify(webhook(x.s, 'evt-2')),
    });
    expect(r.status).toBe(401);
    await expectUnchanged(x);
  });

  it('should refuse a signature older or newer than 5 minutes with 401', async () => {
    const x = await start();
    // Taken per request, rounded away from now: a request after a slow one (CI) must not find a
    // "301 s ahead" stamp taken a second earlier only 300 s ahead.
    for (const offset of [-301, 301]) {
      const seconds = Date.now() / 1000;
      const at = offset < 0 ? Math.floor(seconds) + offset : Math.ceil(seconds) + offset;
      const r = await x.h.post(webhook(x.s, 'evt-1'), { nowSeconds: at });
      expect(r.status).toBe(401);
      expect(r.body.error.message).toMatch(/at most 300 s allowed/);
    }
    expect((await x.h.post(webhook(x.s, 'evt-1'), { nowSeconds: Math.floor(Date.now() / 1000) - 290 })).status).toBe(
      200,
    );
  });

  it('should refuse a body over 1 MiB with 413 and a clear JSON message', async () => {
    const x = await start();
    const big = { ...webhook(x.s, 'evt-1'), padding: 'x'.repeat(1024 * 1024) };
    const r = await x.h.post(big);
    expect(r.status).toBe(413);
    expect(r.body.error).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/too large: at most 1048576 bytes/),
    });
    await expectUnchanged(x);
  });

  it('should refuse malformed JSON with 400 and a body that is not JSON with 415', async () => {
    const x = await start();
    const r = await x.h.post('{"eventId": "evt-1",');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^request body must be valid JSON/);
    const text = await x.h.post(webhook(x.s, 'evt-1'), { headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error.message).toMatch(/Content-Type must be application\/json; received "text\/plain"/);
    await expectUnchanged(x);
  });

  it('should refuse a missing or invalid field with 400 naming the field, what it expects and what it received', async () => {
    const x = await start();
    const bad = webhook(x.s, 'evt-1');
    bad.scans[0]!.occurredAt = 'yesterday';
    const r = await x.h.post(bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'scans[0].occurredAt must be an ISO-8601 date-time; received "yesterday"',
    });
    const { trackingNumber: _, ...missing } = webhook(x.s, 'evt-2');
    expect((await x.h.post(missing)).body.error.message).toBe(
      'trackingNumber must be an id (a string of 1-64 characters); received nothing',
    );
    expect((await x.h.post({ ...webhook(x.s, 'evt-3'), carrier: 'ACME' })).body.error.message).toBe(
      'carrier must be one of UPS, FEDEX, USPS, DHL; received "ACME"',
    );
    expect((await x.h.post([1, 2])).body.error.message).toBe('the body must be a JSON object; received an array of 2');
    await expectUnchanged(x);
  });

  it('should answer a replayed webhook 200 duplicate and publish its event once', async () => {
    const { h, s } = await start();
    const w = webhook(s, 'evt-1');
    expect((await h.post(w)).body.status).toBe('applied');
    const again = await h.post(w);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', events: [] });
    expect((await h.published()).map((e) => e.id)).toEqual(['carrier:evt-1']);
  });

  it('should answer 503 without recording the event when the bus refuses it, and apply it once on retry', async () => {
    const { data } = freshDemo();
    const bus = new MemoryEventBus();
    let refuse = true;
    const flaky = Object.assign(Object.create(bus) as MemoryEventBus, {
      publish: (stream: string, e: Parameters<MemoryEventBus['publish']>[1]) =>
        refuse ? Promise.reject(new Error('bus down')) : bus.publish(stream, e),
    });
    const service = await startCarrier({
      system: new MemoryCarrier(data.carrier),
      port: 0,
      bus: flaky,
      webhookSecret: SECRET,
    });
    cleanup.push(
      () => service.stop(),
      () => bus.close(),
    );
    const s = data.carrier.shipments.find((x) => x.scans.length > 0)!;
    const w = webhook(s, 'evt-1');
    const failed = await post(`${service.origin}/ingest`, w);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(failed.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    refuse = false;
    expect((await post(`${service.origin}/ingest`, w)).body).toEqual({ status: 'applied', events: ['carrier:evt-1'] });
    expect((await post(`${service.origin}/ingest`, w)).body.status).toBe('duplicate');
    expect((await bus.read(Streams.SOURCE)).map((e) => e.event.id)).toEqual(['carrier:evt-1']);
    expect(s.scans.filter((x) => x.occurredAt === after(60))).toHaveLength(1);
  });

  it('should answer 405 to other methods, and have no /ingest without a bus and a secret', async () => {
    const { h } = await start();
    const get = await fetch(`${h.service.origin}/ingest`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const { data } = freshDemo();
    const plain = await startCarrier({ system: new MemoryCarrier(data.carrier), port: 0 });
    cleanup.push(() => plain.stop());
    expect((await post(`${plain.origin}/ingest`, {})).status).toBe(404);
  });

  it('should refuse a secret shorter than 16 characters at start-up', async () => {
    const { data } = freshDemo();
    await expect(
      startCarrier({
        system: new MemoryCarrier(data.carrier),
        port: 0,
        bus: new MemoryEventBus(),
        webhookSecret: 'short',
      }),
    ).rejects.toThrow('carrier ingest secret must be at least 16 characters; received 5');
  });

  it('should never log the secret or the signature', async () => {
    const { data } = freshDemo();
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const bus = new MemoryEventBus();
    const service = await startCarrier({
      system: new MemoryCarrier(data.carrier),
      port: 0,
      bus,
      webhookSecret: SECRET,
      logger,
    });
    cleanup.push(
      () => service.stop(),
      () => bus.close(),
    );
    const s = data.carrier.shipments[0]!;
    const body = JSON.stringify(webhook(s, 'evt-1'));
    const headers = signWebhook(SECRET, body);
    await fetch(`${service.origin}/ingest`, { method: 'POST', headers, body });
    await post(`${service.origin}/ingest`, webhook(s, 'evt-2'), { secret: 'someone-elses-secret-0000' });
    const log = lines.join('');
    expect(log).toMatch(/webhook ingested/);
    expect(log).toMatch(/webhook refused/);
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(headers['x-signature']!.slice(7));
  });
});
