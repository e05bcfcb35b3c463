import { afterEach } from 'vitest';
import { cloudEvent, type CloudEvent } from '../../canonical/index.js';
import type { EventBus } from '../../events/bus.js';
import type { BusErrorHandler } from '../../events/options.js';

/** Options a contract test may ask of the adapter under test. */
export interface BusOptions {
  maxLen?: number;
}

export type ContractBusOptions = BusOptions & { onError: BusErrorHandler };

/** Builds a fresh bus of the adapter under test. */
export type MakeBus = (opts: ContractBusOptions) => EventBus | Promise<EventBus>;

/** A canonical event numbered `n` (id `e<n>`, subject the order `O-<n>`). */
export function ev(n: number, type = 'order.created'): CloudEvent {
  return cloudEvent({
    id: `e${n}`,
    source: 'oms',
    type,
    subject: `O-${n}`,
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    data: { n },
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Per-test buses (closed after each test), the errors they reported, and fresh stream names. */
export function busHarness<B extends EventBus, O extends object = BusOptions>(
  makeBus: (opts: O & { onError: BusErrorHandler }) => B | Promise<B>,
): {
  bus: (opts?: O) => Promise<B>;
  stream: () => string;
  errors: string[];
} {
  const open: B[] = [];
  const errors: string[] = [];
  let streams = 0;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    errors.length = 0;
  });
  return {
    errors,
    stream: () => `contract.s${++streams}`,
    bus: async (opts = {} as O) => {
      const b = await makeBus({ ...opts, onError: (err, context) => errors.push(`${context}: ${err.message}`) });
      open.push(b);
      return b;
    },
  };
}
