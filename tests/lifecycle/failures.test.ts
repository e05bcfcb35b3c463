import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { startLifecycle, type Lifecycle } from '../../embedded/lifecycle/index.js';
import { MemoryEventBus } from '../../events/memory.js';
import type { RunningService } from '../../runtime/http.js';
import { SECRET, startSubgraph } from '../ingest/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An OMS /ingest that refuses every webhook: a 409 (an order number already taken) or, every other
 * time, a connection reset (ECONNRESET) before any answer.
 */
async function refusingOms(): Promise<{ url: string; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const server: Server = createServer((req, res) => {
    seen++;
    req.resume();
    req.on('end', () => {
      if (seen % 2 === 0) {
        req.socket.destroy();
        return;
      }
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'order number W9000001 is already taken by another order' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    seen: () => seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) await d();
});

describe('lifecycle simulator when a system refuses its webhooks', () => {
  it('should log and forget failed creates (409, ECONNRESET) and keep moving the other orders, never throwing', async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    disposers.push(async () => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    });

    const { data } = generateDemo({ orders: 200 });
    const bus = new MemoryEventBus();
    const others = SYSTEM_NAMES.filter((n) => n !== 'oms');
    const services = await Promise.all(others.map((n) => startSubgraph(n, data, bus)));
    disposers.push(async () => {
      await Promise.all(services.map((s: RunningService) => s.stop()));
      await bus.close();
    });
    const oms = await refusingOms();
    disposers.push(oms.close);
    const ingest = Object.fromEntries(others.map((n, i) => [n, `${services[i]!.origin}/ingest`])) as Record<
      SystemName,
      string
    >;
    ingest.oms = oms.url;

    const lines: { msg: string; detail?: string }[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(JSON.parse(String(chunk)) as { msg: string; detail?: string });
          cb();
        },
      }),
    );
    // Half the changes create an order, and every create fails; the other half pick orders, mostly
    // from the working set that a failed create used to join before it existed.
    const life: Lifecycle = startLifecycle({
      data,
      ingest,
      secret: SECRET,
      ratePerSecond: 60,
      newOrderShare: 0.5,
      logger,
    });
    disposers.push(() => life.stop());
    await sleep(1200);
    const early = life.stats();
    await sleep(800);
    const late = life.stats();
    await life.stop();

    expect(crashes).toEqual([]);
    expect(oms.seen()).toBeGreaterThanOrEqual(4);
    expect(late.failed).toBeGreaterThanOrEqual(4);
    expect(late.sent).toBeGreaterThan(0);
    expect(late.sent + late.failed).toBeGreaterThan(early.sent + early.failed); // still running after the failures
    const failedLogs = lines.filter((l) => l.msg === 'lifecycle webhook failed');
    expect(failedLogs.some((l) => l.detail?.includes('already taken'))).toBe(true);
    expect(failedLogs.some((l) => /ECONNRESET|socket hang up/.test(l.detail ?? ''))).toBe(true);
  });
});
