import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../../events/index.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { StatusTracker } from '../../gateway/tracker/tracker.js';
import { createLogger } from '../../runtime/logger.js';

/** The tracker's seed reads every status through the graph; a failing read must never go unhandled. */
describe('status tracker seed', () => {
  const tracker = (seed: () => AsyncIterable<{ orderId: string; status: 'ACCEPTED' }>, lines: string[]) =>
    new StatusTracker({
      bus: new MemoryEventBus(),
      store: new MemoryStatusStore(),
      read: async () => null,
      consumer: 'seed-test',
      logger: createLogger(
        'tracker',
        'info',
        new Writable({
          write: (chunk, _enc, done) => {
            lines.push(String(chunk));
            done();
          },
        }),
      ),
      seed,
    });

  it('should settle quietly when the graph stops under a seed in progress', async () => {
    let stopped!: () => void;
    const stopping = new Promise<void>((r) => (stopped = r));
    const lines: string[] = [];
    const t = tracker(async function* () {
      yield { orderId: 'ORD-1', status: 'ACCEPTED' };
      await stopping;
      throw new Error('Cannot execute GraphQL operations after the server has stopped.');
    }, lines);
    await t.start();
    await t.stop();
    stopped();
    await expect(t.whenSeeded()).resolves.toBeUndefined();
    expect(lines.join('')).not.toMatch(/seed failed/);
  });

  it('should log a seed that fails while running and go on tracking', async () => {
    const lines: string[] = [];
    const t = tracker(async function* () {
      yield { orderId: 'ORD-1', status: 'ACCEPTED' };
      throw new Error('the oms slice is down');
    }, lines);
    await t.start();
    await expect(t.whenSeeded()).resolves.toBeUndefined();
    expect(lines.join('')).toMatch(/"err":"the oms slice is down".*status tracker seed failed; tracking without it/);
    await t.stop();
  });
});
