import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { printSchema, type GraphQLSchema } from 'graphql';
import { CONSUMERS, ErrorCode, type Consumer } from '../../canonical/index.js';
import { projectRoot } from '../../runtime/project.js';
import type { AccessRules } from '../access/rules.js';
import type { AuthConfig } from '../auth/index.js';
import { devCredentialHeader } from '../auth/devCredentials.js';
import { originAllowed } from '../pipeline/cors.js';
import { SUBSCRIPTION_RULES } from '../subscriptions/schema.js';
import { schemaForConsumer } from './schemaForConsumer.js';

/** Options of {@link explorer}. */
export interface ExplorerOptions {
  /** The gateway's authentication configuration: the explorer runs only on {@link developmentAuth}'s keys. */
  auth: AuthConfig;
  /** The schema clients see (supergraph API schema + subscriptions); undefined until loaded. */
  schema: () => GraphQLSchema | undefined;
  /** The field rules read from the supergraph (they change on hot reload). */
  rules: () => AccessRules;
  /** Origins whose pages may call the development endpoints (the example consumers). @default [] */
  corsOrigins?: readonly string[];
  /**
   * Whether the explorer and its development endpoints answer at all.
   * @default NODE_ENV is not `production` and `auth` is the development configuration
   */
  enabled?: boolean;
  /** The Vite build of the page (`npm run build`). @default '<repo>/dist/explorer' */
  assetsDir?: string;
  /** `NODE_ENV`, read once. @default process.env.NODE_ENV */
  nodeEnv?: string;
}

/** A node:http handler that Express accepts as middleware: answers its own paths, passes the rest on. */
export type ExplorerHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Where the explorer lives. `GET /graphql` with `Accept: text/html` serves the same page. */
export const EXPLORER_PATH = '/explorer';

/** Where the operations console lives (served in every environment; it holds no credential). */
export const OPS_PATH = '/ops';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/**
 * The page's Content-Security-Policy: everything from the gateway itself, nothing from a CDN. The
 * editor (Monaco) sets inline styles and runs its language services in workers from this origin.
 */
export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The development explorer: GraphiQL bundled by Vite (no CDN) at `/explorer` and on a browser's
 * `GET /graphql`, and the development-only endpoints the page and the example consumers use:
 *
 * - `GET /explorer/api/setup` — the consumers and the partner nodes that have development keys;
 * - `POST /explorer/api/credential` `{ consumer, customerId?, partnerNodeId? }` — a credential
 *   signed with the development keys, as `npm run -s token` prints it (`{ name, value, header }`);
 * - `GET /explorer/api/schema?consumer=<c>` — the client schema (SDL) filtered by that consumer's
 *   field rules, so the page shows what the consumer may select while introspection stays ops-only.
 *
 * Also the operations console at `/ops` (its page shell, in every environment: each call it makes
 * carries the operator's ops credential, and it uses the graph only: queries, and the ops-only dead-letter mutations).
 *
 * The explorer is off (its requests passed on, so its paths answer 404) when `NODE_ENV=production`
 * or when the gateway does not run on the development keys. The page shell needs no credential; every GraphQL
 * request it makes carries the one it was given, on HTTP and in graphql-ws `connection_init`.
 */
export function explorer(options: ExplorerOptions): ExplorerHandler {
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const enabled = options.enabled ?? (nodeEnv !== 'production' && options.auth.development);
  if (enabled && nodeEnv === 'production')
    throw new Error(
      'the development explorer cannot be enabled when NODE_ENV=production: it hands out development credentials',
    );
  const assetsDir = options.assetsDir ?? join(projectRoot(), 'dist', 'explorer');
  const partnerNodes = [...new Set(options.auth.partnerKeys.map((k) => k.nodeId))];
  const corsOrigins = options.corsOrigins ?? [];
  const schemas = new WeakMap<GraphQLSchema, Map<Consumer, string>>();

  const sdlFor = (consumer: Consumer): string | undefined => {
    const schema = options.schema();
    if (!schema) return undefined;
    let byConsumer = schemas.get(schema);
    if (!byConsumer) schemas.set(schema, (byConsumer = new Map()));
    let sdl = byConsumer.get(consumer);
    if (sdl === undefined) {
      const rules = new Map([...options.rules(), ...SUBSCRIPTION_RULES]);
      sdl = printSchema(schemaForConsumer(schema, rules, consumer));
      byConsumer.set(consumer, sdl);
    }
    return sdl;
  };

  const page = (res: ServerResponse, head: boolean, file = 'index.html'): void => {
    const index = join(assetsDir, file);
    if (!existsSync(index)) {
      send(
        res,
        503,
        'text/plain; charset=utf-8',
        `The explorer is not built: expected ${index}. Run \`npm run build\` (it bundles GraphiQL with Vite into dist/explorer).\n`,
      );
      return;
    }
    res.setHeader('content-security-policy', EXPLORER_CSP);
    res.setHeader('x-frame-options', 'DENY');
    send(res, 200, CONTENT_TYPES['.html']!, head ? '' : readFileSync(index));
  };

  const asset = (res: ServerResponse, path: string, head: boolean): void => {
    const file = normalize(join(assetsDir, path));
    if (!file.startsWith(assetsDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      send(res, 404, 'text/plain; charset=utf-8', `no explorer asset ${JSON.stringify(path.slice(0, 200))}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    if (head) res.end();
    else createReadStream(file).pipe(res);
  };

  const serveAsset = (res: ServerResponse, path: string, head: boolean): void => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path.slice(EXPLORER_PATH.length + 1));
    } catch {
      problem(res, 400, 'expected a URL-encoded asset path');
      return;
    }
    asset(res, decoded, head);
  };

  const api = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    query: URLSearchParams,
  ): Promise<void> => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && originAllowed(origin, corsOrigins)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', 'content-type');
        res.setHeader('access-control-max-age', '600');
        send(res, 204, 'text/plain', '');
        return;
      }
    }
    const expect = (method: string): boolean => {
      if (req.method === method) return true;
      problem(res, 405, `expected ${method} ${EXPLORER_PATH}/api/${route}; received ${req.method}`);
      return false;
    };
    switch (route) {
      case 'setup':
        if (expect('GET')) sendJson(res, 200, { consumers: CONSUMERS, partnerNodes, graphqlPath: '/graphql' });
        return;
      case 'schema': {
        if (!expect('GET')) return;
        const consumer = query.get('consumer') ?? '';
        if (!isConsumer(consumer))
          return problem(
            res,
            400,
            `expected ?consumer= one of ${CONSUMERS.join(', ')}; received ${JSON.stringify(consumer.slice(0, 64))}`,
          );
        const sdl = sdlFor(consumer);
        if (sdl === undefined) return problem(res, 503, 'the supergraph is not loaded yet; try again in a moment');
        send(res, 200, 'text/plain; charset=utf-8', sdl);
        return;
      }
      case 'credential': {
        if (!expect('POST')) return;
        const body = await readJson(req, 4096);
        if (!body.ok) return problem(res, 400, body.problem);
        const { consumer, customerId, partnerNodeId } = body.value as Record<string, unknown>;
        if (typeof consumer !== 'string' || !isConsumer(consumer))
          return problem(
            res,
            400,
            `expected "consumer" to be one of ${CONSUMERS.join(', ')}; received ${JSON.stringify(consumer)?.slice(0, 64)}`,
          );
        if (consumer === 'storefront' && (typeof customerId !== 'string' || !/^\S{1,128}$/.test(customerId))) {
          return problem(
            res,
            400,
            `a storefront credential needs "customerId" (1–128 characters without spaces, e.g. CUST-00001); received ${JSON.stringify(customerId)?.slice(0, 64)}`,
          );
        }
        if (consumer === 'partner' && (typeof partnerNodeId !== 'string' || !partnerNodes.includes(partnerNodeId))) {
          return problem(
            res,
            400,
            `a partner credential needs "partnerNodeId", one of ${partnerNodes.join(', ')}; received ${JSON.stringify(partnerNodeId)?.slice(0, 64)}`,
          );
        }
        const header = await devCredentialHeader(consumer, {
          ...(consumer === 'storefront' ? { customerId: customerId as string } : {}),
          ...(consumer === 'partner' ? { partnerNodeId: partnerNodeId as string } : {}),
        });
        const i = header.indexOf(': ');
        sendJson(res, 200, { name: header.slice(0, i).toLowerCase(), value: header.slice(i + 2), header });
        return;
      }
      default:
        problem(
          res,
          404,
          `no explorer endpoint ${JSON.stringify(route.slice(0, 64))}; expected setup, credential or schema`,
        );
    }
  };

  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://explorer.invalid');
    const path = url.pathname;
    const head = req.method === 'HEAD';
    // The operations console's shell is public in every environment (each call it makes carries
    // the operator's ops credential); so are the bundled assets it shares with the explorer.
    if ((req.method === 'GET' || head) && (path === OPS_PATH || path === `${OPS_PATH}/`))
      return page(res, head, 'ops.html');
    if ((req.method === 'GET' || head) && path.startsWith(`${EXPLORER_PATH}/assets/`))
      return serveAsset(res, path, head);
    if (!enabled) return next();
    if ((req.method === 'GET' || head) && path === '/graphql' && url.search === '' && acceptsHtml(req))
      return page(res, head);
    if (path === EXPLORER_PATH || path === `${EXPLORER_PATH}/`) {
      if (req.method === 'GET' || head) return page(res, head);
      return problem(res, 405, `expected GET ${EXPLORER_PATH}; received ${req.method}`);
    }
    if (!path.startsWith(`${EXPLORER_PATH}/`)) return next();
    const rest = path.slice(EXPLORER_PATH.length + 1);
    if (rest.startsWith('api/')) {
      api(req, res, rest.slice(4), url.searchParams).catch(next);
      return;
    }
    if (req.method !== 'GET' && !head)
      return problem(res, 405, `expected GET for explorer assets; received ${req.method}`);
    serveAsset(res, path, head);
  };
}

const isConsumer = (c: string): c is Consumer => (CONSUMERS as readonly string[]).includes(c);

/** A browser navigating (not a GraphQL client asking for JSON). */
function acceptsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A refusal in the gateway's error shape: what was expected and what arrived. */
function problem(res: ServerResponse, status: number, message: string): void {
  const code = status === 503 ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.BAD_USER_INPUT;
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

async function readJson(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; problem: string }> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    return {
      ok: false,
      problem: `expected content-type application/json; received ${JSON.stringify(type.slice(0, 64))}`,
    };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return { ok: false, problem: `expected a JSON body of at most ${limit} bytes; received more` };
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, problem: 'expected a JSON object like {"consumer":"storefront","customerId":"CUST-00001"}' };
    return { ok: true, value };
  } catch {
    return { ok: false, problem: 'expected a JSON body; received text that does not parse' };
  }
}
