import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../runtime/logger.js';
import type { Stage } from '../stage.js';

/** The request id header: accepted from the client when sane, else generated; echoed and forwarded. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id the gateway accepts from a client: 1–128 of letters, digits and `._:-`. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's request id when sane, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The access log: one pino line per HTTP request (`"msg":"request"`) with the request id,
 * transport, method, consumer, operation name, acting user, HTTP status and duration. It logs
 * only those fields — never a header, a credential or a body — and the logger redacts the
 * secret-bearing header names besides (runtime/logger.ts). Also the request id: taken from
 * `x-request-id` when sane (else generated), echoed in the response, forwarded to every subgraph
 * fetch. Outermost stage: it sees every answer, refusals included.
 */
export function accessLogStage(logger: Logger): Stage {
  return {
    name: 'access log',
    async aroundRequest(call, next) {
      const started = performance.now();
      const requestId = requestIdOf(call.headers[REQUEST_ID_HEADER] as string | string[] | undefined);
      call.requestId = requestId;
      call.responseHeaders[REQUEST_ID_HEADER] = requestId;
      let status = 500;
      try {
        status = await next();
        return status;
      } finally {
        const context = call.context;
        logger.info(
          {
            requestId,
            transport: call.transport,
            method: call.method,
            consumer: context?.identity.consumer ?? 'anonymous',
            operation: context?.facts.operationName ?? operationNameOf(call.operations[0]?.operationName),
            ...(context?.actingUser
              ? { actingUser: context.actingUser.actingUser, assertedBy: context.actingUser.assertedBy }
              : {}),
            status,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
          },
          'request',
        );
      }
    },
    onSubgraphFetch(fetch, next) {
      const id = fetch.context.requestId;
      if (id !== undefined) (fetch.headers ??= {})[REQUEST_ID_HEADER] = id;
      return next();
    },
  };
}

/** A client-given operation name, bounded (it is only logged; metrics use the manifest's names). */
export function operationNameOf(name: unknown): string | undefined {
  return typeof name === 'string' && name !== '' ? name.slice(0, 100) : undefined;
}
