import { afterEach } from 'vitest';
import { cloudEvent, ORDER_STATUS_CHANGED, type CloudEvent } from '../../../canonical/index.js';
import type { EventBus } from '../../../events/bus.js';
import { defaultSalesforceConfig, type SalesforceConfig } from '../../../connectors/salesforce/config.js';
import { SalesforceConnector, type SalesforceConnectorOptions } from '../../../connectors/salesforce/connector.js';
import type { OrderFacts, OrderFactsSource } from '../../../connectors/salesforce/facts.js';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../../connectors/salesforce/emulator/server.js';
import { createLogger } from '../../../runtime/logger.js';

export const CLIENT = { clientId: 'ovg-connector', clientSecret: 'dev-secret' };

/** A 18-character Account id of the emulated org. */
export const accountId = (n: number): string => `0015e00000${String(n).padStart(5, '0')}AAA`;

/** An `order.status_changed` event as the status tracker publishes it. */
export function statusChanged(
  orderId: string,
  version: number,
  status: string,
  previousStatus: string | null = null,
): CloudEvent {
  return cloudEvent({
    id: `${orderId}:v${version}`,
    source: 'visibility',
    type: ORDER_STATUS_CHANGED,
    subject: orderId,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
    data: {
      orderId,
      customerId: 'CUST-1',
      previousStatus,
      status,
      version,
      cause: { cursor: '1-0', event: { id: 'x' } },
    },
  });
}

/** Facts for every order `ORD-<n>`: number `SO-<n>`, placed 2026-01-0<n%9+1>, Account `accountId(n)`. */
export const facts: OrderFactsSource = async (ids) => {
  const out = new Map<string, OrderFacts | null>();
  for (const id of ids) {
    const n = Number(id.replace(/\D/g, '')) || 1;
    out.set(id, {
      number: `SO-${n}`,
      placedAt: `2026-01-0${(n % 9) + 1}T10:00:00.000Z`,
      salesforceAccountId: accountId(n),
    });
  }
  return out;
};

/** Emulators and connectors of one test, stopped after it. */
export function salesforceHarness(): {
  emulator: (opts?: SalesforceEmulatorOptions) => Promise<SalesforceEmulator>;
  connector: (
    bus: EventBus,
    emulator: SalesforceEmulator,
    config?: Partial<SalesforceConfig>,
    opts?: Partial<SalesforceConnectorOptions>,
  ) => SalesforceConnector;
} {
  const emulators: SalesforceEmulator[] = [];
  const connectors: SalesforceConnector[] = [];
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.stop()));
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
  });
  return {
    emulator: async (opts) => {
      const e = await startSalesforceEmulator(opts);
      emulators.push(e);
      return e;
    },
    connector: (bus, emulator, config = {}, opts = {}) => {
      const c = new SalesforceConnector({
        bus,
        logger: createLogger('salesforce-test'),
        facts,
        config: defaultSalesforceConfig({
          loginUrl: emulator.url,
          auth: { flow: 'client_credentials', ...CLIENT },
          flushMs: 50,
          retryBaseMs: 20,
          retryMaxMs: 200,
          ...config,
        }),
        ...opts,
      });
      connectors.push(c);
      return c;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
