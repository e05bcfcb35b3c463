/**
 * The lifecycle simulator gives the business exceptions something to show (`npm start`): shipped
 * orders now and then run into trouble, sent as each system's own accepted webhooks, and the
 * exception engine opens exceptions of several types from them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { startLifecycle, type Lifecycle } from '../../embedded/lifecycle/index.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import type { RunningService } from '../../runtime/http.js';
import { ExceptionEngine, openStore, type VisibilityStore } from '../../store/index.js';
import { waitFor } from '../events/harness.js';
import { SECRET, startSubgraph } from '../ingest/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('lifecycle simulator and business exceptions', () => {
  it('should open exceptions of several types from the troubles it sends, every webhook accepted', async () => {
    const { data } = generateDemo({ orders: 300 });
    const bus = new MemoryEventBus();
    cleanups.push(() => bus.close());
    const store: VisibilityStore = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    cleanups.push(() => store.close());
    const engine = new ExceptionEngine({ bus, store, consumer: 'lifecycle-test', sweepTimer: false });
    await engine.start();
    cleanups.push(() => engine.stop());
    const started = await Promise.all(SYSTEM_NAMES.map((n) => startSubgraph(n, data, bus)));
    cleanups.push(() => Promise.all(started.map((s) => s.stop())));
    const services = Object.fromEntries(SYSTEM_NAMES.map((n, i) => [n, started[i]!])) as Record<
      SystemName,
      RunningService
    >;
    const ingest = Object.fromEntries(SYSTEM_NAMES.map((n) => [n, `${services[n].origin}/ingest`])) as Record<
      SystemName,
      string
    >;

    // Every shipped order runs into trouble once (the default is a tenth of them).
    const life: Lifecycle = startLifecycle({
      data,
      ingest,
      secret: SECRET,
      ratePerSecond: 40,
      troubleShare: 1,
      seed: 11,
    });
    cleanups.push(() => life.stop());
    await new Promise((r) => setTimeout(r, 4000));
    await life.stop();
    expect(life.stats().failed).toBe(0);

    const events = async () =>
      (await bus.read(Streams.SOURCE, { count: 100_000 })).length +
      (await bus.read(Streams.VISIBILITY, { count: 100_000 })).length;
    const published = await events();
    // The engine's pace is the machine's: on a loaded 2-core machine it may take most of a minute.
    await waitFor('the engine to handle every event', () => engine.handled >= published, 90_000);
    const types = new Set((await store.exceptions.list({}, 200)).nodes.map((x) => x.type));
    expect(
      [...types].filter((t) =>
        [
          'HOLD_AFTER_PARTIAL_FULFILLMENT',
          'CANCEL_AFTER_SHIPMENT',
          'RETURN_WITHOUT_DELIVERY',
          'OVER_RECEIPT',
          'DELIVERY_PROBLEM',
          'FULFILLMENT_DECLINED',
          'DEAD_LETTER',
        ].includes(t),
      ).length,
      [...types].join(', '),
    ).toBeGreaterThanOrEqual(4);
  }, 150_000);

  it('should refuse a troubleShare outside 0..1 with a message naming it', () => {
    const data = generateDemo({ orders: 1 }).data;
    const ingest = Object.fromEntries(SYSTEM_NAMES.map((n) => [n, 'http://127.0.0.1:9/ingest'])) as Record<
      SystemName,
      string
    >;
    expect(() => startLifecycle({ data, ingest, secret: SECRET, troubleShare: 1.5 })).toThrow(
      'troubleShare must be from 0 to 1; received 1.5',
    );
  });
});
