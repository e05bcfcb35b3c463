import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../canonical/index.js';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { DemoData, SystemName } from '../../demo/records.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { startLifecycle, type Lifecycle, type LifecycleOptions } from '../../embedded/lifecycle/index.js';
import type { RunningService } from '../../runtime/http.js';
import { gql } from '../helpers/http.js';
import { SECRET, startSubgraph } from '../ingest/harness.js';

/** The five subgraphs with ingest on one memory bus, over one shared demo world (as the embedded mode runs them). */
interface Five {
  data: DemoData;
  bus: MemoryEventBus;
  services: Record<SystemName, RunningService>;
  stop(): Promise<void>;
}

async function five(orders = 300): Promise<Five> {
  const { data } = generateDemo({ orders });
  const bus = new MemoryEventBus();
  const started = await Promise.all(SYSTEM_NAMES.map((n) => startSubgraph(n, data, bus)));
  const services = Object.fromEntries(SYSTEM_NAMES.map((n, i) => [n, started[i]!])) as Record<
    SystemName,
    RunningService
  >;
  return {
    data,
    bus,
    services,
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
      await bus.close();
    },
  };
}

const ingestUrls = (f: Five) =>
  Object.fromEntries(SYSTEM_NAMES.map((n) => [n, `${f.services[n].origin}/ingest`])) as Record<SystemName, string>;
const events = async (f: Five): Promise<CloudEvent[]> =>
  (await f.bus.read(Streams.SOURCE, { count: 10_000 })).map((e) => e.event);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

let f: Five | undefined;
let life: Lifecycle | undefined;
afterEach(async () => {
  await life?.stop();
  await f?.stop();
  life = undefined;
  f = undefined;
});

async function run(opts: Partial<LifecycleOptions>, ms: number): Promise<{ f: Five; life: Lifecycle }> {
  f = await five();
  life = startLifecycle({ data: f.data, ingest: ingestUrls(f), secret: SECRET, ...opts });
  await sleep(ms);
  await life.stop();
  return { f, life };
}

describe('lifecycle simulator', () => {
  it('should move orders through their life with signed webhooks to every system, changing what the subgraphs answer', async () => {
    const timersBefore = timers();
    const { f, life } = await run({ ratePerSecond: 20, newOrderShare: 0.2 }, 1500);
    const { sent, failed } = life.stats();
    expect(failed).toBe(0);
    expect(sent).toBeGreaterThanOrEqual(20);
    const published = await events(f);
    expect(published.length).toBeGreaterThanOrEqual(20);
    expect(new Set(published.map((e) => e.source)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(published.map((e) => e.type)).size).toBeGreaterThanOrEqual(5);

    const placed = published.find((e) => e.type === 'order.placed');
    expect(placed).toBeDefined();
    const order = await gql(f.services.oms.url, 'query ($id: ID!) { order(id: $id) { id number lines { sku } } }', {
      id: placed!.subject,
    });
    expect(order.body.data.order).toMatchObject({ id: placed!.subject, number: placed!.data.number });

    const lastScan = new Map<string, CloudEvent>();
    for (const e of published) if (e.source === 'carrier') lastScan.set(String(e.data.shipmentId), e);
    for (const [id, e] of lastScan) {
      const r = await gql(
        f.services.carrier.url,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shipment { status } } }',
        { r: [{ __typename: 'Shipment', id }] },
      );
      expect(r.body.data._entities[0].status).toBe(e.data.status);
    }

    // Stopped means stopped: nothing more is sent and no timer is left behind.
    await sleep(300);
    expect(life.stats().sent).toBe(sent);
    expect((await events(f)).length).toBe(published.length);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });

  it('should make the same choices for the same seed', async () => {
    const signature = async (seed: number): Promise<string[]> => {
      const { f } = await run({ ratePerSecond: 40, seed, maxInFlight: 1 }, 700);
      const list = (await events(f)).map((e) => `${e.type} ${e.subject}`);
      await life!.stop();
      await f.stop();
      life = undefined;
      return list;
    };
    const a = await signature(7);
    const b = await signature(7);
    const n = Math.min(a.length, b.length);
    expect(n).toBeGreaterThan(5);
    expect(a.slice(0, n)).toEqual(b.slice(0, n));
    const c = await signature(8);
    expect(c.slice(0, 5)).not.toEqual(a.slice(0, 5));
  });

  it('should refuse options that cannot work with a message naming them', () => {
    const data = generateDemo({ orders: 1 }).data;
    const ingest = Object.fromEntries(SYSTEM_NAMES.map((n) => [n, 'http://127.0.0.1:9/ingest'])) as Record<
      SystemName,
      string
    >;
    expect(() => startLifecycle({ data, ingest, secret: SECRET, ratePerSecond: 0 })).toThrow(
      'ratePerSecond must be a number above 0 and at most 1000; received 0',
    );
    expect(() => startLifecycle({ data, ingest, secret: SECRET, newOrderShare: 2 })).toThrow(
      'newOrderShare must be from 0 to 1; received 2',
    );
  });
});
