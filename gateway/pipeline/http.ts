import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ErrorCode } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import { gatewayContext, type GatewayContext } from './context.js';
import { corsHeaders } from './cors.js';
import { errorAnswer, RequestRefusal, type Answer } from './errors.js';
import { describeJsonError } from './jsonBody.js';
import { checkParams } from './params.js';
import type { Pipeline } from './pipeline.js';
import type { Call, GraphQLParams } from './stage.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/** Options of {@link httpTransport}. */
export interface HttpTransportOptions {
  pipeline: Pipeline;
  /** Plans and executes operations (with the pipeline's execution hooks). */
  apollo: ApolloServer<GatewayContext>;
  /**
   * Every other route (health, the explorer): the HTTP route list. Register a route there
   * (gateway/server.ts); `/graphql` itself never reaches it.
   */
  routes: RequestListener;
  corsOrigins: readonly string[];
  /** Largest request body, bytes. */
  bodyLimitBytes: number;
  logger: Logger;
  /** @default '/graphql' */
  path?: string;
}

/**
 * The media type of an answer (GraphQL over HTTP): `application/graphql-response+json` when the
 * client prefers it, otherwise `application/json` (also for no Accept or `*∕*`, as Apollo Server
 * chooses). `explicitJson`: the client named `application/json` and not the other — then a
 * GraphQL request error answers 200 (the spec's SHOULD), not 400.
 */
export function negotiate(accept: string | undefined): { type: string; explicitJson: boolean } {
  if (!accept) return { type: JSON_TYPE, explicitJson: false };
  let json = 0;
  let gql = 0;
  let any = 0;
  for (const part of accept.toLowerCase().split(',')) {
    const [range = '', ...params] = part
      .trim()
      .split(';')
      .map((p) => p.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
    if (range === 'application/json') json = Math.max(json, q);
    else if (range === 'application/graphql-response+json') gql = Math.max(gql, q);
    else if (range === '*/*' || range === 'application/*') any = Math.max(any, q);
  }
  if (gql > 0 && gql > json) return { type: GRAPHQL_RESPONSE_TYPE, explicitJson: false };
  return { type: JSON_TYPE, explicitJson: json > 0 && gql === 0 };
}

/** Reads the body, refusing more than `limit` bytes (413, LIMIT_EXCEEDED) without reading it all. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = (size: number | undefined) =>
    new RequestRefusal(
      413,
      ErrorCode.LIMIT_EXCEEDED,
      `request body too large: body size ${size ?? 'over the limit'} bytes exceeds the limit of ${limit} bytes`,
      { limit, ...(size !== undefined ? { value: size } : {}) },
    );
  if (declared > limit) return Promise.reject(tooLarge(declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(undefined));
      } else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The GraphQL parameters of a GET (`variables` and `extensions` are JSON strings there). */
function paramsOfSearch(search: URLSearchParams): GraphQLParams {
  const json = (name: string): unknown => {
    const raw = search.get(name);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw new RequestRefusal(
        400,
        ErrorCode.BAD_USER_INPUT,
        `the ${name} parameter must be JSON: ${describeJsonError(raw, err as Error).replace('request body must be valid JSON: ', '')}`,
      );
    }
  };
  return {
    query: search.get('query') ?? undefined,
    operationName: search.get('operationName') ?? undefined,
    variables: json('variables'),
    extensions: json('extensions') as GraphQLParams['extensions'],
  };
}

/** A POST body must be JSON in UTF-8 (GraphQL over HTTP); says what arrived otherwise. */
function checkContentType(value: string | undefined): void {
  const [type = '', ...params] = (value ?? '')
    .toLowerCase()
    .split(';')
    .map((p) => p.trim());
  if (type !== 'application/json' && type !== 'application/graphql-response+json') {
    throw new RequestRefusal(
      415,
      ErrorCode.BAD_USER_INPUT,
      `expected Content-Type: application/json on a POST; received ${value ? JSON.stringify(value.slice(0, 100)) : 'none'}`,
    );
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new RequestRefusal(
      415,
      ErrorCode.BAD_USER_INPUT,
      `expected a UTF-8 body (charset=utf-8); received charset=${charset.slice(0, 40)}`,
    );
  }
}

/**
 * The HTTP transport: node:http, no framework on the GraphQL path. `/graphql` runs the pipeline —
 * CORS, authentication (before the body is read), the body (JSON, at most `bodyLimitBytes`), the
 * `onRequest` stages (quotas, persisted operations, the response cache's early answer), then
 * Apollo Server with the execution hooks — and every other path goes to `routes`. Every refusal
 * is the same GraphQL error body ({@link errorAnswer}) in the negotiated media type.
 */
export function httpTransport(opts: HttpTransportOptions): RequestListener {
  const path = opts.path ?? '/graphql';
  const send = (res: ServerResponse, answer: Answer, extra: Record<string, string>, type: string): void => {
    if (res.headersSent) return void res.end();
    const headers = {
      'content-type': type,
      ...extra,
      ...answer.headers,
      'content-length': String(Buffer.byteLength(answer.body)),
    };
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  async function graphql(
    req: IncomingMessage,
    res: ServerResponse,
    search: string,
    call: Call,
    media: ReturnType<typeof negotiate>,
  ): Promise<void> {
    const extra = call.responseHeaders;
    const identity = await opts.pipeline.authenticate(call);
    let body: unknown;
    if (call.method === 'POST') {
      checkContentType(req.headers['content-type']);
      const text = await readBody(req, opts.bodyLimitBytes);
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new RequestRefusal(400, ErrorCode.BAD_USER_INPUT, describeJsonError(text, err as Error));
      }
      call.batch = Array.isArray(body);
      const list = call.batch ? (body as unknown[]) : [body];
      call.operations = list.map((p) =>
        p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as GraphQLParams) : {},
      );
    } else if (call.method === 'GET') {
      call.operations = [paramsOfSearch(new URLSearchParams(search))];
    }
    for (const params of call.operations) checkParams(params);
    const context = gatewayContext(identity, 'http');
    context.requestId = call.requestId;
    call.context = context;
    const early = await opts.pipeline.onRequest(call, context);
    if (early) return send(res, early, extra, media.type);
    // A persisted operation run by hash travels on with its document.
    const query = call.operations[0]?.query;
    let apolloSearch = search;
    if (call.method === 'GET' && typeof query === 'string') {
      const next = new URLSearchParams(search);
      next.set('query', query);
      apolloSearch = next.toString();
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const response = await opts.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: call.method, headers, search: apolloSearch, body },
      context: async () => context,
    });
    let status = response.status ?? 200;
    // GraphQL over HTTP: with Accept: application/json, a GraphQL request error (parse, validation,
    // variable coercion, bad parameters) answers 200 with `errors`; with graphql-response+json, 4xx.
    if (status === 400 && media.explicitJson) status = 200;
    for (const [name, value] of response.headers) extra[name] = value;
    if (response.body.kind === 'complete') {
      extra['content-length'] = String(Buffer.byteLength(response.body.string));
      res.writeHead(status, extra);
      res.end(response.body.string);
      return;
    }
    res.writeHead(status, extra);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    // Every other path, and a browser asking for a page at /graphql (the development explorer), go to the routes.
    if (pathname !== path || (req.method === 'GET' && q < 0 && (req.headers.accept ?? '').includes('text/html')))
      return opts.routes(req, res);
    const cors = corsHeaders(req.headers.origin, req.method, opts.corsOrigins);
    const media = negotiate(req.headers.accept);
    if (cors.preflight) {
      if (cors.preflight.status === 204) {
        res.writeHead(204, cors.headers);
        return void res.end();
      }
      return send(
        res,
        errorAnswer(new RequestRefusal(403, ErrorCode.FORBIDDEN, cors.preflight.message)),
        cors.headers,
        media.type,
      );
    }
    const extra = { ...cors.headers };
    const call: Call = {
      transport: 'http',
      method: req.method ?? 'GET',
      headers: req.headers,
      operations: [],
      batch: false,
      responseHeaders: extra,
    };
    // The aroundRequest stages (request id, access log, trace span, metrics) see the status sent.
    opts.pipeline
      .aroundRequest(call, () =>
        graphql(req, res, q < 0 ? '' : url.slice(q + 1), call, media)
          .catch((err: unknown) => {
            if (!(err instanceof RequestRefusal)) opts.logger.error({ err }, 'request failed');
            const answer = errorAnswer(err);
            if (answer.status === 400 && media.explicitJson && err instanceof RequestRefusal && err.isRequestError)
              answer.status = 200;
            send(res, answer, extra, media.type);
          })
          .then(() => res.statusCode),
      )
      .catch((err: unknown) => {
        opts.logger.error({ err }, 'request observation failed');
        if (!res.headersSent) send(res, errorAnswer(err), extra, media.type);
      });
  };
}
