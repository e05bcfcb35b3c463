import { join } from 'node:path';
import { EnvReader } from '../runtime/env.js';
import { projectRoot } from '../runtime/project.js';

/** The subgraphs of this graph, as named in supergraph.yaml. */
export const SUBGRAPH_NAMES = ['erp', 'oms', 'wms', 'carrier', 'returns'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The gateway's configuration: one typed, validated place; defaults beside each option. */
export interface GatewayConfig {
  /** Port to listen on (`PORT`). @default 4000 */
  port: number;
  /** Interface to listen on (`HOST`). @default '127.0.0.1' */
  host: string;
  /** The composed supergraph (`SUPERGRAPH_PATH`); hot-reloaded when it changes. @default '<repo>/supergraph.graphql' */
  supergraphPath: string;
  /**
   * Where each subgraph really is (`ERP_URL`, `OMS_URL`, …), overriding the supergraph's
   * routing_url (which names the default local ports). @default {}
   */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** Largest request body accepted, in bytes (`BODY_LIMIT_BYTES`). @default 1048576 */
  bodyLimitBytes: number;
  /** Answer `Apollo-Query-Plan-Experimental: 1` with the query plan (`EXPOSE_QUERY_PLAN`); for tests and diagnosis. @default false */
  exposeQueryPlan: boolean;
  /** Timeout of one subgraph health probe in `/health/ready`, ms (`HEALTH_PROBE_TIMEOUT_MS`). @default 1000 */
  healthProbeTimeoutMs: number;
  /** Events a subscriber may fall behind before it is dropped as a slow consumer (`WS_MAX_QUEUED_EVENTS`). @default 1000 */
  maxQueuedEvents: number;
  /** Unsent bytes a subscriber's socket may hold before it is dropped (`WS_MAX_BUFFERED_BYTES`). @default 1048576 */
  maxBufferedBytes: number;
  /** A WebSocket that sends no `connection_init` within this time is closed, ms (`WS_INIT_TIMEOUT_MS`). @default 3000 */
  wsInitTimeoutMs: number;
  /** The status tracker first records every order's current status (`TRACKER_SEED`). @default true */
  trackerSeed: boolean;
}

export const DEFAULT_GATEWAY_PORT = 4000;

/** Reads and validates the gateway configuration; throws a ConfigError naming every bad value. */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const r = new EnvReader(env);
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = r.url(`${name.toUpperCase()}_URL`, undefined);
    if (url) subgraphUrls[name] = url;
  }
  const config: GatewayConfig = {
    port: r.int('PORT', DEFAULT_GATEWAY_PORT, 0, 65535),
    host: r.string('HOST', '127.0.0.1'),
    supergraphPath: r.string('SUPERGRAPH_PATH', join(projectRoot(), 'supergraph.graphql')),
    subgraphUrls,
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    exposeQueryPlan: r.bool('EXPOSE_QUERY_PLAN', false),
    healthProbeTimeoutMs: r.int('HEALTH_PROBE_TIMEOUT_MS', 1000, 50, 30_000),
    maxQueuedEvents: r.int('WS_MAX_QUEUED_EVENTS', 1000, 1, 1_000_000),
    maxBufferedBytes: r.int('WS_MAX_BUFFERED_BYTES', 1_048_576, 1024, 1_073_741_824),
    wsInitTimeoutMs: r.int('WS_INIT_TIMEOUT_MS', 3000, 100, 60_000),
    trackerSeed: r.bool('TRACKER_SEED', true),
  };
  r.done();
  return config;
}

/** The configuration with every default, for embedding and tests. */
export function defaultGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return { ...gatewayConfigFromEnv({}), ...overrides };
}
