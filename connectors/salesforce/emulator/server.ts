import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatedOrg, type EmulatedOrgOptions, type OrgResponse } from './org.js';

/** Options of {@link startSalesforceEmulator}. */
export interface SalesforceEmulatorOptions extends EmulatedOrgOptions {
  /** 0 = a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** An org to serve (its state survives `down()`/`up()`). @default a new {@link EmulatedOrg} from the other options */
  org?: EmulatedOrg;
}

/** A running emulator. */
export interface SalesforceEmulator {
  /** Base URL: the login URL and the `instance_url` alike, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly org: EmulatedOrg;
  /** Stops listening and drops every connection (an outage: clients see connection refused). Idempotent. */
  down(): Promise<void>;
  /** Listens again on the same port with the same org. Idempotent. */
  up(): Promise<void>;
  /** Stops for good. */
  stop(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;
const API_VERSIONS = ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0'];

/**
 * A Salesforce REST API emulator on a real HTTP server — enough of an org for jsforce, the connector,
 * its tests, the demo and the benchmark: OAuth 2.0 token endpoint, upsert by external id (single and
 * sObject Collections), platform-event publish, SOQL query, `/limits`, `Sforce-Limit-Info` on every
 * counted call, and fault injection (see {@link EmulatedOrg.faults}, and `POST /__emulator/faults`).
 * Resource paths follow https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm.
 */
export async function startSalesforceEmulator(opts: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  const org = opts.org ?? new EmulatedOrg(opts);
  const host = opts.host ?? '127.0.0.1';
  let port = opts.port ?? 0;
  let server: Server | undefined;
  let baseUrl = '';

  const listen = async (): Promise<void> => {
    if (server) return;
    const s = createServer((req, res) => {
      handle(org, baseUrl, req, res).catch((err: unknown) => {
        // Never a stack to the client: a 500 with Salesforce's error shape.
        if (!res.headersSent)
          send(res, {
            status: 500,
            body: [
              {
                message: `emulator error: ${err instanceof Error ? err.message : String(err)}`,
                errorCode: 'UNKNOWN_EXCEPTION',
              },
            ],
          });
      });
    });
    s.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    baseUrl = `http://${host}:${port}`;
    server = s;
  };
  const close = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get url() {
      return baseUrl;
    },
    org,
    down: close,
    up: listen,
    stop: close,
  };
}

async function handle(org: EmulatedOrg, baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';

  if (path === '/services/oauth2/token') {
    if (method !== 'POST')
      return send(res, {
        status: 405,
        body: { error: 'invalid_request', error_description: `expected POST; received ${method}` },
      });
    return send(res, org.token(new URLSearchParams(await readBody(req)), baseUrl));
  }
  if (path === '/services/data') {
    // The versions list does not count against the allocation.
    return send(res, {
      status: 200,
      body: API_VERSIONS.map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })),
    });
  }
  if (path.startsWith('/__emulator')) return send(res, await admin(org, path, method, req));
  if (path.startsWith('/id/')) {
    return send(res, {
      status: 200,
      body: {
        id: `${baseUrl}${path}`,
        organization_id: org.orgId,
        user_id: org.userId,
        username: 'integration@ovg.example',
      },
    });
  }

  const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(path);
  if (!m)
    return send(res, {
      status: 404,
      body: [{ message: `The requested resource does not exist: ${path}`, errorCode: 'NOT_FOUND' }],
    });
  const [, version, rest = ''] = m;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const route = resolve(method, parts);
  if (!route)
    return send(res, {
      status: 404,
      body: [{ message: `The requested resource does not exist: ${method} ${path}`, errorCode: 'NOT_FOUND' }],
    });

  const body = method === 'GET' ? undefined : await readBody(req);
  const refused = org.admit(req.headers.authorization, route.kind);
  if (refused) return send(res, refused, refused.status === 401 ? undefined : org);
  let json: unknown;
  if (body !== undefined && body !== '') {
    try {
      json = JSON.parse(body);
    } catch {
      return send(
        res,
        { status: 400, body: [{ message: 'The request body is not valid JSON', errorCode: 'JSON_PARSER_ERROR' }] },
        org,
      );
    }
  }
  return send(res, route.run(org, json, url, version!), org);
}

interface Route {
  kind: string;
  run(org: EmulatedOrg, body: unknown, url: URL, version: string): OrgResponse;
}

/** The REST resources under `/services/data/vXX.X`. */
function resolve(method: string, p: string[]): Route | undefined {
  if (method === 'GET' && p.length === 1 && p[0] === 'limits') return { kind: 'limits', run: (org) => org.limits() };
  if (method === 'GET' && p.length === 1 && p[0] === 'query')
    return { kind: 'query', run: (org, _b, url, v) => org.query(url.searchParams.get('q'), v) };
  if (method === 'PATCH' && p.length === 4 && p[0] === 'sobjects')
    return { kind: 'upsert', run: (org, body) => org.upsertOne(p[1]!, p[2]!, p[3]!, body) };
  if (method === 'POST' && p.length === 2 && p[0] === 'sobjects')
    return { kind: 'publish', run: (org, body) => org.publishOne(p[1]!, body) };
  if (method === 'PATCH' && p.length === 4 && p[0] === 'composite' && p[1] === 'sobjects')
    return { kind: 'upsert-collection', run: (org, body) => org.upsertCollection(p[2]!, p[3]!, body) };
  if (method === 'POST' && p.length === 2 && p[0] === 'composite' && p[1] === 'sobjects')
    return { kind: 'publish-collection', run: (org, body) => org.publishCollection(body) };
  return undefined;
}

/**
 * The emulator's own control surface (not Salesforce's): `GET /__emulator` (stats), `GET
 * /__emulator/records/<Object>`, `POST /__emulator/faults` with any of `{ unavailableCalls,
 * requestLimitExceeded, lockedRows, expireSessions: true, apiUsed, dailyApiLimit,
 * recordErrors: { "<external id>": { statusCode, message, fields?, times? } } }`.
 */
async function admin(org: EmulatedOrg, path: string, method: string, req: IncomingMessage): Promise<OrgResponse> {
  if (method === 'GET' && path === '/__emulator') {
    const { calls: _calls, ...stats } = org.stats;
    return {
      status: 200,
      body: {
        orgId: org.orgId,
        apiUsed: org.apiUsed,
        dailyApiLimit: org.dailyApiLimit,
        ...stats,
        events: org.events.length,
      },
    };
  }
  const rec = /^\/__emulator\/records\/(\w+)$/.exec(path);
  if (method === 'GET' && rec) return { status: 200, body: org.list(rec[1]!) };
  if (method === 'POST' && path === '/__emulator/faults') {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { error: 'expected a JSON object of faults' } };
    }
    if (typeof f['unavailableCalls'] === 'number') org.faults.unavailableCalls = f['unavailableCalls'];
    if (typeof f['requestLimitExceeded'] === 'boolean') org.faults.requestLimitExceeded = f['requestLimitExceeded'];
    if (typeof f['lockedRows'] === 'number') org.faults.lockedRows = f['lockedRows'];
    if (f['expireSessions'] === true) org.expireSessions();
    if (typeof f['dailyApiLimit'] === 'number') org.dailyApiLimit = f['dailyApiLimit'];
    if (typeof f['apiUsed'] === 'number') org.setApiUsed(f['apiUsed']);
    if (typeof f['recordErrors'] === 'object' && f['recordErrors'] !== null) {
      for (const [k, v] of Object.entries(
        f['recordErrors'] as Record<string, { statusCode: string; message: string; fields?: string[]; times?: number }>,
      )) {
        org.faults.recordErrors.set(k, {
          statusCode: v.statusCode,
          message: v.message,
          fields: v.fields ?? [],
          ...(v.times !== undefined ? { times: v.times } : {}),
        });
      }
    }
    return { status: 204 };
  }
  return { status: 404, body: { error: `no emulator resource ${method} ${path}` } };
}

/** Writes a JSON answer; counted calls carry `Sforce-Limit-Info: api-usage=<used>/<limit>`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm). */
function send(res: ServerResponse, r: OrgResponse, org?: EmulatedOrg): void {
  const headers: Record<string, string> = {};
  if (org) headers['sforce-limit-info'] = `api-usage=${org.apiUsed}/${org.dailyApiLimit}`;
  if (r.body === undefined) {
    res.writeHead(r.status, headers).end();
    return;
  }
  const text = JSON.stringify(r.body);
  res
    .writeHead(r.status, {
      ...headers,
      'content-type': 'application/json;charset=UTF-8',
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error(`request body above ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
