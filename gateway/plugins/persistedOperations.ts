import { readFileSync } from 'node:fs';
import type { Request, RequestHandler } from 'express';
import { ErrorCode, type Consumer, type Identity } from '../../canonical/index.js';
import { sha256Hex, type ManifestOperation, type PersistedQueryManifest } from '../governance/manifest.js';
import { CONSUMER_OF_CLIENT, type ClientName } from '../governance/operations.js';

/** Which client's operations (operations/<client>/) each consumer runs; ops has none. */
export const CLIENT_OF: Readonly<Record<Consumer, ClientName | null>> = {
  salesforce: null, storefront: null, partner: null, ops: null,
  ...Object.fromEntries(Object.entries(CONSUMER_OF_CLIENT).map(([client, consumer]) => [consumer, client])),
};

/** Options of {@link persistedOperations}. */
export interface PersistedOperationsOptions {
  /** The operations of operations/manifest.json (`npm run operations:manifest`). */
  manifest: PersistedQueryManifest;
  /** The consumers that may only run their client's manifest operations (partner, always). */
  persistedOnly: ReadonlySet<Consumer>;
}

/** Reads operations/manifest.json (or another path), refusing a file that is not Apollo's format. */
export function readManifest(path: string): PersistedQueryManifest {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PersistedQueryManifest>;
  if (parsed.format !== 'apollo-persisted-query-manifest' || !Array.isArray(parsed.operations)) {
    throw new Error(`${path} is not an apollo-persisted-query-manifest (run npm run operations:manifest)`);
  }
  return parsed as PersistedQueryManifest;
}

/** The GraphQL parameters of one request, as far as persisted operations care. */
export interface GraphQLParams {
  query?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | undefined;
}

/**
 * Persisted operations, before Apollo Server sees the request:
 * - a request carrying `extensions.persistedQuery.sha256Hash` of a manifest operation and no
 *   `query` runs that operation (POST and GET alike), for every consumer — safelisted operations
 *   never need an APQ registration round-trip;
 * - a consumer in `persistedOnly` (the partner) may run nothing else: an ad-hoc document, an
 *   unknown hash or another client's operation is refused with HTTP 403 and
 *   `PERSISTED_QUERY_NOT_ALLOWED`, before parsing;
 * - everything else (APQ registration and lookups, plain queries) goes on to Apollo Server.
 */
export function persistedOperations(opts: PersistedOperationsOptions): RequestHandler {
  const check = persistedOperationCheck(opts);
  return (req, res, next) => {
    const identity = res.locals.identity as Identity;
    const requests = Array.isArray(req.body) ? (req.body as GraphQLParams[]) : [paramsOf(req)];
    for (const params of requests) {
      const verdict = check(identity, params);
      if ('refusal' in verdict) {
        res.status(403).json({ errors: [{ message: verdict.refusal, extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_ALLOWED } }] });
        return;
      }
      if (verdict.op && (params.query === undefined || params.query === null)) setQuery(req, params, verdict.op.body);
    }
    next();
  };
}

/** The persisted-operation rule for one request: the manifest operation it names, or why it is refused. */
export type PersistedOperationCheck = (identity: Identity, params: GraphQLParams) => { op?: ManifestOperation } | { refusal: string };

/** The rule of {@link persistedOperations}, shared with graphql-ws `onSubscribe`. */
export function persistedOperationCheck(opts: PersistedOperationsOptions): PersistedOperationCheck {
  const byHash = new Map<string, ManifestOperation>(opts.manifest.operations.map((op) => [op.id, op]));
  return (identity, params) => {
    const hash = params.extensions?.persistedQuery?.sha256Hash;
    const op = typeof hash === 'string' ? byHash.get(hash) : undefined;
    if (identity.consumer === 'internal' || !opts.persistedOnly.has(identity.consumer)) return { op };
    const client = CLIENT_OF[identity.consumer];
    const why = typeof hash !== 'string' ? 'an ad-hoc document'
      : !op ? 'an unknown sha256Hash'
      : op.clientName !== client ? `${op.clientName}'s operation ${op.name}`
      : params.query !== undefined && params.query !== null && (typeof params.query !== 'string' || sha256Hex(params.query) !== hash) ? 'a query that does not match its sha256Hash'
      : null;
    if (why === null) return { op };
    return { refusal: `${identity.consumer} may only run its persisted operations (operations/${client}/, sent as extensions.persistedQuery.sha256Hash); received ${why}` };
  };
}

/** The GraphQL parameters of a POST body or a GET query string (`extensions` is JSON there). */
function paramsOf(req: Request): GraphQLParams {
  if (req.method !== 'GET') return (req.body ?? {}) as GraphQLParams;
  const search = new URLSearchParams(req.url.split('?')[1] ?? '');
  let extensions: GraphQLParams['extensions'];
  try {
    extensions = JSON.parse(search.get('extensions') ?? 'null') ?? undefined;
  } catch {
    extensions = undefined; // Apollo Server answers the malformed parameter itself.
  }
  return { query: search.get('query') ?? undefined, extensions };
}

function setQuery(req: Request, params: GraphQLParams, body: string): void {
  if (req.method !== 'GET') {
    params.query = body;
    return;
  }
  const [path, search = ''] = req.url.split('?') as [string, string?];
  const next = new URLSearchParams(search);
  next.set('query', body);
  req.url = `${path}?${next.toString()}`;
}
