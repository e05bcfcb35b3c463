import { readFileSync } from 'node:fs';
import type { StringKeyValueCache } from '../../cache/keyValueCache.js';
import { ErrorCode, type Consumer, type Identity } from '../../../canonical/index.js';
import { sha256Hex, type ManifestOperation, type PersistedQueryManifest } from '../../governance/manifest.js';
import { CONSUMER_OF_CLIENT, type ClientName } from '../../governance/operations.js';
import { RequestRefusal } from '../errors.js';
import type { GraphQLParams, Stage } from '../stage.js';

/** Which client's operations (operations/<client>/) each consumer runs; ops has none. */
export const CLIENT_OF: Readonly<Record<Consumer, ClientName | null>> = {
  salesforce: null,
  storefront: null,
  partner: null,
  ops: null,
  ...Object.fromEntries(Object.entries(CONSUMER_OF_CLIENT).map(([client, consumer]) => [consumer, client])),
};

/** Options of {@link persistedOperationsStage}. */
export interface PersistedOperationsOptions {
  /** The operations of operations/manifest.json (`npm run operations:manifest`). */
  manifest: PersistedQueryManifest;
  /** The consumers that may only run their client's manifest operations (partner, always). */
  persistedOnly: ReadonlySet<Consumer>;
  /** Automatic persisted queries (APQ): where registrations are kept, and for how long (seconds). Absent: APQ off. */
  apq?: { cache: StringKeyValueCache; ttlSeconds: number };
}

/** Reads operations/manifest.json (or another path), refusing a file that is not Apollo's format. */
export function readManifest(path: string): PersistedQueryManifest {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PersistedQueryManifest>;
  if (parsed.format !== 'apollo-persisted-query-manifest' || !Array.isArray(parsed.operations)) {
    throw new Error(`${path} is not an apollo-persisted-query-manifest (run npm run operations:manifest)`);
  }
  return parsed as PersistedQueryManifest;
}

/** The persisted-operation rule for one request: the manifest operation it names, or why it is refused. */
export type PersistedOperationCheck = (
  identity: Identity,
  params: GraphQLParams,
) => { op?: ManifestOperation } | { refusal: string };

/** The rule of {@link persistedOperationsStage}. */
export function persistedOperationCheck(
  opts: Pick<PersistedOperationsOptions, 'manifest' | 'persistedOnly'>,
): PersistedOperationCheck {
  const byHash = new Map<string, ManifestOperation>(opts.manifest.operations.map((op) => [op.id, op]));
  return (identity, params) => {
    const hash = params.extensions?.persistedQuery?.sha256Hash;
    const op = typeof hash === 'string' ? byHash.get(hash) : undefined;
    if (identity.consumer === 'internal' || !opts.persistedOnly.has(identity.consumer)) return { op };
    const client = CLIENT_OF[identity.consumer];
    const why =
      typeof hash !== 'string'
        ? 'an ad-hoc document'
        : !op
          ? 'an unknown sha256Hash'
          : op.clientName !== client
            ? `${op.clientName}'s operation ${op.name}`
            : params.query !== undefined &&
                params.query !== null &&
                (typeof params.query !== 'string' || sha256Hex(params.query) !== hash)
              ? 'a query that does not match its sha256Hash'
              : null;
    if (why === null) return { op };
    return {
      refusal: `${identity.consumer} may only run its persisted operations (operations/${client}/, sent as extensions.persistedQuery.sha256Hash); received ${why}`,
    };
  };
}

/**
 * `extensions.persistedQuery`, when sent, must be what Apollo's protocol defines: an object with
 * `version: 1` and a `sha256Hash` of 64 hex digits. Anything else is the client's mistake, refused
 * 400 `BAD_USER_INPUT` saying what was expected (Apollo Server would answer it as an internal error).
 */
function checkPersistedQueryShape(params: GraphQLParams): void {
  // `extensions` itself is an object here (the request reader refuses anything else).
  const pq = (params.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery;
  if (pq === undefined || pq === null) return;
  const expected = 'extensions.persistedQuery must be { "version": 1, "sha256Hash": "<64 hex digits>" }';
  if (typeof pq !== 'object' || Array.isArray(pq))
    throw new RequestRefusal(400, ErrorCode.BAD_USER_INPUT, `${expected}; received ${describe(pq)}`);
  const { version, sha256Hash } = pq as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1)
    throw new RequestRefusal(400, ErrorCode.BAD_USER_INPUT, `${expected}; received version ${describe(version)}`);
  if (typeof sha256Hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hash))
    throw new RequestRefusal(400, ErrorCode.BAD_USER_INPUT, `${expected}; received sha256Hash ${describe(sha256Hash)}`);
}

const describe = (v: unknown): string =>
  v === undefined ? 'nothing' : Array.isArray(v) ? 'an array' : (JSON.stringify(v) ?? typeof v).slice(0, 80);

/** An APQ registration whose hash is not the document's: refused as the client's mistake it is. */
function checkApqHash(params: GraphQLParams): void {
  const hash = params.extensions?.persistedQuery?.sha256Hash;
  if (typeof hash !== 'string' || typeof params.query !== 'string' || params.query === '') return;
  const actual = sha256Hex(params.query);
  if (actual === hash.toLowerCase()) return;
  throw new RequestRefusal(
    400,
    ErrorCode.BAD_USER_INPUT,
    `extensions.persistedQuery.sha256Hash must be the SHA-256 (hex) of query; received ${JSON.stringify(hash.slice(0, 80))} for a query whose SHA-256 is ${actual}`,
  );
}

/**
 * Persisted operations, before any parsing:
 * - a request carrying `extensions.persistedQuery.sha256Hash` of a manifest operation and no
 *   `query` runs that operation (POST, GET and WebSocket alike), for every consumer — safelisted
 *   operations never need an APQ registration round-trip;
 * - a consumer in `persistedOnly` (the partner) may run nothing else: an ad-hoc document, an
 *   unknown hash or another client's operation is refused with HTTP 403 and
 *   `PERSISTED_QUERY_NOT_ALLOWED`;
 * - everything else goes on: APQ registrations and lookups (Apollo Server's, on `apq`; a
 *   registration whose hash is not its document's is refused 400 `BAD_USER_INPUT`), plain documents.
 */
export function persistedOperationsStage(opts: PersistedOperationsOptions): Stage {
  const check = persistedOperationCheck(opts);
  return {
    name: 'persisted operations',
    serverOptions: { persistedQueries: opts.apq ? { cache: opts.apq.cache, ttl: opts.apq.ttlSeconds } : false },
    onRequest(call, context) {
      for (const params of call.operations) {
        checkPersistedQueryShape(params);
        const verdict = check(context.identity, params);
        if ('refusal' in verdict) throw new RequestRefusal(403, ErrorCode.PERSISTED_QUERY_NOT_ALLOWED, verdict.refusal);
        if (verdict.op && (params.query === undefined || params.query === null || params.query === ''))
          params.query = verdict.op.body;
        else if (!verdict.op) checkApqHash(params);
      }
    },
  };
}
