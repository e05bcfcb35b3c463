import type { RunningService } from '../../runtime/http.js';
import { MemoryAuditLog } from '../common/auditLog.js';
import { GatewayClient } from '../common/gatewayClient.js';
import { queuedBefore } from '../common/keyedLock.js';
import { recorderOf } from '../common/ingest.js';
import {
  applierFromOptions,
  identityCheckFromOptions,
  ingestFromOptions,
  startSubgraphServer,
  type SubgraphServiceOptions,
} from '../common/server.js';
import { ShipmentLedger } from '../common/shipmentLedger.js';
import { ReturnsActions } from './actions.js';
import { returnsIngest } from './ingest.js';
import { createLoaders, type ReturnsContext } from './loaders.js';
import type { ReturnsPort, ReturnsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** What the returns subgraph's `start()` takes. */
export interface ReturnsServiceOptions extends SubgraphServiceOptions<ReturnsPort> {
  /** The clock the return window is judged against at write time, ms. @default Date.now */
  now?: () => number;
}

/**
 * Starts the returns subgraph over its system's port, with `POST /ingest` when `bus` and
 * `webhookSecret` are given, and the `requestReturn` action when `bus` is given and the port
 * records changes (it re-reads the policy's inputs through `gatewayUrl`).
 */
export async function start(opts: ReturnsServiceOptions): Promise<RunningService> {
  const recording = typeof (opts.system as Partial<ReturnsRecorder>).openReturn === 'function';
  const parcels = opts.bus && new ShipmentLedger(opts.bus);
  const ingest = recording ? returnsIngest(opts.system as unknown as ReturnsRecorder, parcels) : undefined;
  const applier = ingest && applierFromOptions(opts, ingest);
  const identity = identityCheckFromOptions('returns', opts);
  const audit = opts.audit ?? new MemoryAuditLog();
  const actions =
    ingest && applier
      ? new ReturnsActions({
          port: opts.system,
          applier,
          ingest,
          audit,
          now: opts.now,
          // Replicas share the store's lock and results; this process's requests queue in memory first.
          lock: opts.actionLock && queuedBefore(opts.actionLock),
          results: opts.actionResults,
          gateway: new GatewayClient(opts.gatewayUrl, identity.secret, 'returns-service'),
        })
      : undefined;
  return startSubgraphServer<ReturnsContext>({
    name: 'returns',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system), actions, audit }),
    listen: opts,
    logger: opts.logger,
    identity,
    ingest: ingestFromOptions(
      opts,
      () =>
        ingest ??
        returnsIngest(recorderOf<ReturnsRecorder>(opts.system, 'returns', ['openReturn', 'advanceReturn']), parcels),
      applier,
    ),
  });
}
