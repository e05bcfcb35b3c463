import type { EventBus } from '../events/bus.js';
import { devCredentialHeader } from '../gateway/auth/devCredentials.js';
import type { Logger } from '../runtime/logger.js';
import { defaultSalesforceConfig, type SalesforceConfig } from '../connectors/salesforce/config.js';
import { SalesforceConnector } from '../connectors/salesforce/connector.js';
import { startSalesforceEmulator, type SalesforceEmulator } from '../connectors/salesforce/emulator/server.js';
import { cachedOrderFacts, graphOrderFacts } from '../connectors/salesforce/facts.js';

/** The emulated org's development client (the emulator accepts it; a real org has its own). */
export const EMULATOR_CLIENT = { clientId: 'ovg-connector', clientSecret: 'dev-secret' } as const;

/** Options of {@link startEmbeddedSalesforce}. */
export interface EmbeddedSalesforceOptions {
  bus: EventBus;
  /** The gateway's GraphQL URL: order facts are read through it as the salesforce consumer. */
  graphUrl: string;
  logger: Logger;
  /** The emulator's port (0 = free). Ignored when `config` points at a real org. @default 0 */
  emulatorPort?: number;
  host?: string;
  /** A full connector config (a real org, from SALESFORCE_*); absent = the emulator with its development client. */
  config?: SalesforceConfig;
}

/** The Salesforce side of `npm start`. */
export interface EmbeddedSalesforce {
  /** Absent when the connector talks to a real org. */
  emulator?: SalesforceEmulator;
  connector: SalesforceConnector;
  stop(): Promise<void>;
}

/**
 * Starts the Salesforce API emulator (unless a real org is configured) and the connector in this
 * process, on the stack's bus: the demo's status changes arrive as Order records within seconds.
 */
export async function startEmbeddedSalesforce(o: EmbeddedSalesforceOptions): Promise<EmbeddedSalesforce> {
  const emulator = o.config
    ? undefined
    : await startSalesforceEmulator({ port: o.emulatorPort ?? 0, host: o.host ?? '127.0.0.1' });
  let credential: { header: string; until: number } | undefined;
  const facts = cachedOrderFacts(
    graphOrderFacts({
      url: o.graphUrl,
      credential: async () => {
        // A development token of the salesforce consumer, renewed before it expires.
        if (!credential || credential.until < Date.now())
          credential = {
            header: await devCredentialHeader('salesforce', { ttlSeconds: 3600 }),
            until: Date.now() + 3000_000,
          };
        return credential.header;
      },
    }),
  );
  const config =
    o.config ??
    defaultSalesforceConfig({
      loginUrl: emulator!.url,
      auth: { flow: 'client_credentials', ...EMULATOR_CLIENT },
      consumer: 'embedded',
    });
  const connector = new SalesforceConnector({
    bus: o.bus,
    config,
    logger: o.logger.child({ component: 'salesforce' }),
    facts,
  });
  try {
    await connector.start();
  } catch (err) {
    await emulator?.stop();
    throw err;
  }
  return {
    ...(emulator ? { emulator } : {}),
    connector,
    stop: async () => {
      await connector.stop();
      await emulator?.stop();
    },
  };
}
