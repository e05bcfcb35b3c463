/**
 * The one list of the systems of record this graph federates. Configuration, defaults, the demo
 * world, the event sources and the subgraph processes all derive from it; add a system here and
 * nowhere else (its subgraph folder, schema and supergraph.yaml entry aside).
 */
export interface SystemInfo {
  /** Lower-case name: the subgraph's name in supergraph.yaml, the CloudEvents `source`, the folder under subgraphs/. */
  readonly name: string;
  /** What the system owns, in a few words (logs, docs, health). */
  readonly title: string;
  /** The port its subgraph listens on by default (the supergraph's routing_url). */
  readonly defaultPort: number;
  /**
   * How long the gateway may keep this system's answers, seconds: the subgraph sends it as
   * `Cache-Control: max-age`, and the gateway's fetch-cache TTL defaults to it. Ingest bumps order
   * versions on every change, so this only bounds how long a change the system did not announce
   * stays unseen.
   */
  readonly cacheMaxAgeSeconds: number;
}

export const SYSTEMS = [
  { name: 'erp', title: 'acceptance, holds, invoices, payments', defaultPort: 4001, cacheMaxAgeSeconds: 60 },
  { name: 'oms', title: 'order identity, lines, split fulfillment', defaultPort: 4002, cacheMaxAgeSeconds: 30 },
  {
    name: 'wms',
    title: 'pick, pack and ship at DCs, stores and drop-ship partners',
    defaultPort: 4003,
    cacheMaxAgeSeconds: 15,
  },
  { name: 'carrier', title: 'tracking scans, delivery', defaultPort: 4004, cacheMaxAgeSeconds: 10 },
  { name: 'returns', title: 'RMAs, refunds', defaultPort: 4005, cacheMaxAgeSeconds: 30 },
] as const satisfies readonly SystemInfo[];

/** A system of record's name. */
export type SystemName = (typeof SYSTEMS)[number]['name'];

/** The systems' names, in the list's order. */
export const SYSTEM_NAMES: readonly SystemName[] = SYSTEMS.map((s) => s.name);

/** One system's entry. */
export function systemInfo(name: SystemName): SystemInfo {
  const info = SYSTEMS.find((s) => s.name === name);
  if (!info) throw new Error(`unknown system "${String(name)}"; expected one of ${SYSTEM_NAMES.join(', ')}`);
  return info;
}

/** A value per system, computed from its entry. */
export function perSystem<T>(f: (info: (typeof SYSTEMS)[number]) => T): Record<SystemName, T> {
  return Object.fromEntries(SYSTEMS.map((s) => [s.name, f(s)])) as Record<SystemName, T>;
}

/** `true` when `name` is one of the systems. */
export function isSystemName(name: string): name is SystemName {
  return (SYSTEM_NAMES as readonly string[]).includes(name);
}

/** The environment variable prefix of a system's settings: `ERP`, `OMS`, … (`ERP_URL`, `ERP_WEBHOOK_SECRET`). */
export function envPrefix(name: SystemName): string {
  return name.toUpperCase();
}

/**
 * The graph's own subgraphs: not systems of record (no webhooks, no simulator, no event source),
 * but served over the visibility store. The gateway federates {@link SUBGRAPHS}: the systems and these.
 */
export const OWN_SUBGRAPHS = [
  {
    name: 'visibility',
    title: 'exceptions, timelines, dead letters, operations health',
    defaultPort: 4006,
    cacheMaxAgeSeconds: 0,
  },
] as const satisfies readonly SystemInfo[];

/** One of the graph's own subgraphs. */
export type OwnSubgraphName = (typeof OWN_SUBGRAPHS)[number]['name'];

/** Every subgraph the gateway federates: the systems of record, then the graph's own. */
export const SUBGRAPHS: readonly SystemInfo[] = [...SYSTEMS, ...OWN_SUBGRAPHS];

/** Every federated subgraph's name. */
export const ALL_SUBGRAPH_NAMES: ReadonlyArray<SystemName | OwnSubgraphName> = SUBGRAPHS.map(
  (s) => s.name as SystemName | OwnSubgraphName,
);
