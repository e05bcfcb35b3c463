import { NODES } from '../demo/catalogue.js';
import type { OwnSubgraphName } from '../canonical/index.js';
import type { DemoData } from '../demo/records.js';
import type { EventBus } from '../events/bus.js';
import { MemoryOrderVersions, type OrderVersions } from '../events/versions.js';
import type { StatusStore } from '../gateway/tracker/store.js';
import { defaultGatewayConfig, type GatewayConfig } from '../gateway/config.js';
import type { SystemName as SubgraphName } from '../canonical/systems.js';
import { startGateway, type GatewayService } from '../gateway/server.js';
import { ForegroundWork } from '../runtime/foreground.js';
import type { RunningService } from '../runtime/http.js';
import { componentLogger, createLogger, type Logger } from '../runtime/logger.js';
import { MemoryCarrier } from '../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../subgraphs/carrier/server.js';
import type { AuditLog } from '../subgraphs/common/auditLog.js';
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
import { signWebhook } from '../subgraphs/common/ingest.js';
import { startVisibility, type RunningVisibility } from '../subgraphs/visibility/service.js';
import { openStore, type ExceptionSlas, type RetentionConfig, type VisibilityStore } from '../store/index.js';

/** The demo's fulfillment nodes, as `DEV_PARTNER_NODES` lists them. */
export const DEMO_PARTNER_NODES = NODES.map((n) => n.id).join(',');

/** Options of {@link startStack}. */
export interface StackOptions {
  /** The demo world the simulators serve. */
  data: DemoData;
  /** Port per subgraph; 0 or absent = a free port. */
  ports?: Partial<Record<SubgraphName | OwnSubgraphName | 'gateway', number>>;
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
  /** The key the oms subgraph signs `orders` cursors with (`ORDERS_CURSOR_SECRET`). @default DEV_CURSOR_SECRET (development only) */
  cursorSecret?: string;
  /** The order versions ingest bumps and the gateway's caches check. @default one in memory, shared by all */
  versions?: OrderVersions;
  /** Where the oms and returns actions record the audit trail (one log for both). @default the store's (`VisibilityStore.audit`) */
  audit?: AuditLog;
  /** Days after the last delivery a line can be returned (`RETURN_WINDOW_DAYS`). @default 30 */
  returnWindowDays?: number;
  /** The clock of the oms's derived fields and the actions, ms. @default Date.now */
  now?: () => number;
  /**
   * The visibility store: ingest's shared ledger and refused-webhook letters, the exception engine,
   * the visibility subgraph. @default an in-memory PGlite store, closed with the stack
   */
  store?: VisibilityStore;
  /** The exception SLAs. @default DEFAULT_SLAS */
  slas?: ExceptionSlas;
  /** What the store prunes and how often (store/retention.ts). @default DEFAULT_RETENTION */
  retention?: RetentionConfig;
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
  /** The sixth subgraph (exceptions, timelines, dead letters) with the exception engine (when there is a bus). */
  visibility: RunningVisibility;
  /** The visibility store the stack runs on. */
  store: VisibilityStore;
  /** The memory systems behind the subgraphs: another replica of a subgraph serves the same system (tests/returns/replicas.test.ts). */
  systems: { erp: MemoryErp; oms: MemoryOms; wms: MemoryWms; carrier: MemoryCarrier; returns: MemoryReturns };
  /** The Salesforce connector and emulator, when asked for. */
  salesforce?: EmbeddedSalesforce;
  /**
   * Stops one subgraph's server as a crash would (its open connections dropped, no draining);
   * `revive` starts it again on the same port over the same system and store, as a restarted
   * process would. For `npm run chaos`.
   */
  kill(name: SubgraphName | 'visibility'): Promise<{ revive(): Promise<void> }>;
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
  // Development partner keys for the demo's fulfillment nodes (configuration, not a gateway import of demo/).
  const config = defaultGatewayConfig(
    { ...opts.gateway, port: ports.gateway ?? 0, host },
    { DEV_PARTNER_NODES: DEMO_PARTNER_NODES },
  );
  // One version store for the subgraphs' ingest (writers) and the gateway's caches (readers).
  const versions = opts.versions ?? new MemoryOrderVersions();
  // The actions re-read through the gateway, which starts after the subgraphs: its URL once known.
  let gatewayUrl: string | undefined;
  const secretOf = (name: SubgraphName) =>
    typeof opts.webhookSecret === 'string' ? opts.webhookSecret : opts.webhookSecret?.[name];
  const store = opts.store ?? (await openStore({ databaseUrl: null, dataDir: '', schema: 'public' }));
  const ownsStore = opts.store === undefined;
  // The oms and returns actions record into one audit trail: the store's, unless the caller gives one.
  const audit = opts.audit ?? store.audit;
  const ingest = (name: SubgraphName) => {
    const secret = secretOf(name);
    // The subgraphs verify the identity the gateway signs, with the same secret.
    return {
      port: ports[name],
      host,
      bus: opts.bus,
      webhookSecret: secret,
      logger: componentLogger(logger, name),
      identitySecret: config.auth.identitySecret,
      versions,
      // Ingest's idempotency ledger and refused webhooks live in the shared store.
      ledger: store.ledger,
      gatewayUrl: () => gatewayUrl,
      audit,
      actionLock: store.actionLocks,
      actionResults: store.actionResults,
      keepRefused: async (l: Parameters<VisibilityStore['deadLetters']['recordIngest']>[0]) =>
        void (await store.deadLetters.recordIngest(l)),
    };
  };
  let visibility: RunningVisibility | undefined;
  // The tracker (webhook → change published) is this process's latency-critical work; the exception
  // engine beside it is eventually consistent and gives way to it (runtime/foreground.ts).
  const foreground = new ForegroundWork();
  try {
    // How each subgraph starts, on a given port: once here, again when `kill`'s revive restarts it.
    const starters: Record<SubgraphName, (port: number | undefined) => Promise<RunningService>> = {
      erp: (port) => startErp({ system: adapters.erp, ...ingest('erp'), port }),
      oms: (port) =>
        startOms({
          system: adapters.oms,
          ...ingest('oms'),
          port,
          cursorSecret: opts.cursorSecret,
          returnWindowDays: opts.returnWindowDays,
          now: opts.now,
        }),
      wms: (port) => startWms({ system: adapters.wms, ...ingest('wms'), port }),
      carrier: (port) => startCarrier({ system: adapters.carrier, ...ingest('carrier'), port }),
      returns: (port) => startReturns({ system: adapters.returns, ...ingest('returns'), port, now: opts.now }),
    };
    const [erp, oms, wms, carrier, returns] = await Promise.all([
      starters.erp(ports.erp),
      starters.oms(ports.oms),
      starters.wms(ports.wms),
      starters.carrier(ports.carrier),
      starters.returns(ports.returns),
    ]);
    started.push(erp, oms, wms, carrier, returns);
    const services = { erp, oms, wms, carrier, returns };
    const ingestUrls = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [name, `${s.origin}/ingest`]),
    ) as Record<string, string>;
    const startVisibilityOn = (port: number | undefined) =>
      startVisibility({
        store,
        bus: opts.bus,
        host,
        port,
        logger: componentLogger(logger, 'visibility'),
        identitySecret: config.auth.identitySecret,
        slas: opts.slas,
        ...(opts.retention ? { retention: opts.retention } : {}),
        yieldTo: foreground,
        ingestUrl: (system) => ingestUrls[system],
        sign: (system, raw) => signWebhook(secretOf(system as SubgraphName) ?? '', raw),
      });
    visibility = await startVisibilityOn(ports.visibility);
    // The gateway federates the sixth subgraph too (its name is not a system's: see OWN_SUBGRAPHS in canonical/systems.ts).
    const subgraphUrls = {
      ...Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.url])),
      visibility: visibility.service.url,
    } as GatewayConfig['subgraphUrls'];
    const gateway = await startGateway(
      { ...config, subgraphUrls },
      {
        logger: componentLogger(logger, 'gateway'),
        bus: opts.bus,
        statusStore: opts.statusStore,
        seedTracker: opts.seedTracker,
        foreground,
        versions,
        store,
      },
    );
    gatewayUrl = gateway.url;
    const subgraphs = Object.fromEntries(
      Object.entries(services).map(([name, service]) => [
        name,
        { service, sim: adapters[name as SubgraphName].sim, ingestUrl: `${service.origin}/ingest` },
      ]),
    ) as Record<SubgraphName, RunningSubgraph>;
    const salesforce =
      opts.salesforce && opts.bus
        ? await startEmbeddedSalesforce({
            ...opts.salesforce,
            bus: opts.bus,
            graphUrl: gateway.url,
            logger: componentLogger(logger, 'salesforce'),
            host,
          }).catch(async (err: unknown) => {
            await gateway.stop();
            throw err;
          })
        : undefined;
    const stack: Stack = {
      gateway,
      subgraphs,
      visibility,
      store,
      systems: adapters,
      ...(salesforce ? { salesforce } : {}),
      kill: async (name) => {
        if (name === 'visibility') {
          const port = stack.visibility.service.port;
          stack.visibility.service.httpServer.closeAllConnections();
          await stack.visibility.stop();
          return { revive: async () => void (stack.visibility = await startVisibilityOn(port)) };
        }
        const sg = stack.subgraphs[name];
        const port = sg.service.port;
        sg.service.httpServer.closeAllConnections();
        await sg.service.stop();
        return {
          revive: async () => {
            const service = await starters[name](port);
            started[started.indexOf(sg.service)] = service;
            sg.service = service;
          },
        };
      },
      stop: async () => {
        await salesforce?.stop();
        await gateway.stop();
        await Promise.all(started.map((s) => s.stop()));
        await stack.visibility.stop();
        if (ownsStore) await store.close();
      },
    };
    return stack;
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    await visibility?.stop().catch(() => undefined);
    if (ownsStore) await store.close().catch(() => undefined);
    throw err;
  }
}
