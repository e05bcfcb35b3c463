import type { DemoData } from '../demo/records.js';
import type { EventBus } from '../events/bus.js';
import { MemoryOrderVersions, type OrderVersions } from '../events/versions.js';
import type { StatusStore } from '../gateway/tracker/store.js';
import { defaultGatewayConfig, type GatewayConfig, type SubgraphName } from '../gateway/config.js';
import { startGateway, type GatewayService } from '../gateway/server.js';
import type { RunningService } from '../runtime/http.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { MemoryCarrier } from '../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../subgraphs/carrier/server.js';
import type { FaultKnobs, SystemSimulator } from '../subgraphs/common/simulator.js';
import { MemoryErp } from '../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../subgraphs/erp/server.js';
import { MemoryOms } from '../subgraphs/oms/adapters/memory.js';
import { start as startOms } from '../subgraphs/oms/server.js';
import { MemoryReturns } from '../subgraphs/returns/adapters/memory.js';
import { start as startReturns } from '../subgraphs/returns/server.js';
import { MemoryWms } from '../subgraphs/wms/adapters/memory.js';
import { start as startWms } from '../subgraphs/wms/server.js';
import { startEmbeddedSalesforce, type EmbeddedSalesforce, type EmbeddedSalesforceOptions } from './salesforce.js';

/** Options of {@link startStack}. */
export interface StackOptions {
  /** The demo world the simulators serve. */
  data: DemoData;
  /** Port per subgraph; 0 or absent = a free port. */
  ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  /** @default '127.0.0.1' */
  host?: string;
  /** Initial fault knobs per simulated system. */
  faults?: Partial<Record<SubgraphName, Partial<FaultKnobs>>>;
  /** Gateway options beyond ports and subgraph URLs. */
  gateway?: Partial<GatewayConfig>;
  logger?: Logger;
  /** The event bus: subgraphs publish ingested events to it; the gateway serves subscriptions from it. */
  bus?: EventBus;
  /** With a bus: the status tracker's store (the gateway then runs a tracker). */
  statusStore?: StatusStore;
  /** Record every order's status before tracking. @default false */
  seedTracker?: boolean;
  /** With a bus: each subgraph serves `POST /ingest` verifying this secret (one, or one per system). */
  webhookSecret?: string | Partial<Record<SubgraphName, string>>;
  /** The order versions ingest bumps and the gateway's caches check. @default one in memory, shared by all */
  versions?: OrderVersions;
  /**
   * With a bus: the Salesforce connector (and, unless `config` names a real org, the Salesforce API
   * emulator it writes to) in this process, consuming the tracker's `order.status_changed`. @default off
   */
  salesforce?: Pick<EmbeddedSalesforceOptions, 'emulatorPort' | 'config'>;
}

/** One running subgraph and the simulator behind it. */
export interface RunningSubgraph {
  service: RunningService;
  sim: SystemSimulator;
  /** `POST` endpoint for the system's webhooks (served when the stack has a bus and a secret). */
  ingestUrl: string;
}

/** The whole graph in one process. */
export interface Stack {
  gateway: GatewayService;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  /** The Salesforce connector and emulator, when asked for. */
  salesforce?: EmbeddedSalesforce;
  /** Stops everything, gateway first. */
  stop(): Promise<void>;
}

/**
 * Starts the five subgraphs on their simulators and the gateway in front of them, in one process:
 * the embedded default behind `npm start`, and what the end-to-end tests run against.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const host = opts.host ?? '127.0.0.1';
  const f = opts.faults ?? {};
  const ports = opts.ports ?? {};
  const adapters = {
    erp: new MemoryErp(opts.data.erp, f.erp),
    oms: new MemoryOms(opts.data.oms, f.oms),
    wms: new MemoryWms(opts.data.wms, f.wms),
    carrier: new MemoryCarrier(opts.data.carrier, f.carrier),
    returns: new MemoryReturns(opts.data.returns, f.returns),
  };
  const started: RunningService[] = [];
  const logger = opts.logger ?? createLogger('embedded');
  const config = defaultGatewayConfig({ ...opts.gateway, port: ports.gateway ?? 0, host });
  // One version store for the subgraphs' ingest (writers) and the gateway's caches (readers).
  const versions = opts.versions ?? new MemoryOrderVersions();
  const ingest = (name: SubgraphName) => {
    const secret = typeof opts.webhookSecret === 'string' ? opts.webhookSecret : opts.webhookSecret?.[name];
    // The subgraphs verify the identity the gateway signs, with the same secret.
    return { port: ports[name], host, bus: opts.bus, webhookSecret: secret, logger, identitySecret: config.auth.identitySecret, versions };
  };
  try {
    const [erp, oms, wms, carrier, returns] = await Promise.all([
      startErp({ system: adapters.erp, ...ingest('erp') }),
      startOms({ system: adapters.oms, ...ingest('oms') }),
      startWms({ system: adapters.wms, ...ingest('wms') }),
      startCarrier({ system: adapters.carrier, ...ingest('carrier') }),
      startReturns({ system: adapters.returns, ...ingest('returns') }),
    ]);
    started.push(erp, oms, wms, carrier, returns);
    const services = { erp, oms, wms, carrier, returns };
    const gateway = await startGateway(
      { ...config, subgraphUrls: Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.url])) },
      { logger, bus: opts.bus, statusStore: opts.statusStore, seedTracker: opts.seedTracker, versions },
    );
    const subgraphs = Object.fromEntries(
      Object.entries(services).map(([name, service]) => [name, { service, sim: adapters[name as SubgraphName].sim, ingestUrl: `${service.origin}/ingest` }]),
    ) as Record<SubgraphName, RunningSubgraph>;
    const salesforce = opts.salesforce && opts.bus
      ? await startEmbeddedSalesforce({ ...opts.salesforce, bus: opts.bus, graphUrl: gateway.url, logger, host }).catch(async (err: unknown) => {
        await gateway.stop();
        throw err;
      })
      : undefined;
    return {
      gateway,
      subgraphs,
      ...(salesforce ? { salesforce } : {}),
      stop: async () => {
        await salesforce?.stop();
        await gateway.stop();
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
}
