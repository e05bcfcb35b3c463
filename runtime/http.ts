import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRequestHandler } from 'express';
import { ErrorCode } from '../canonical/index.js';

/** A started HTTP service. */
export interface RunningService {
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  origin: string;
  /** GraphQL endpoint URL (`<origin>/graphql`). */
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

/** The port a service was to listen on is taken; `failStartup` names the variable that chose it. */
export class PortInUseError extends Error {
  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(`${service} cannot listen on ${host}:${port}: the port is in use`);
    this.name = 'PortInUseError';
  }
}

/**
 * Starts `httpServer` listening and describes it. `stop` runs `close` once, however often called.
 * @throws PortInUseError when the port is taken (`EADDRINUSE`)
 */
export async function listen(
  name: string,
  httpServer: Server,
  port: number,
  host: string,
  close: () => Promise<void>,
): Promise<RunningService> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(name, host, port) : err),
    );
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const actual = (httpServer.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const origin = `http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}`;
  let stopping: Promise<void> | undefined;
  return { name, origin, url: `${origin}/graphql`, port: actual, httpServer, stop: () => (stopping ??= close()) };
}

/**
 * Body-parser and routing failures answer with a JSON GraphQL-style error and the right 4xx,
 * never Express's default HTML page with a stack.
 */
export const jsonErrorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  const tooLarge = status === 413 && typeof err.limit === 'number';
  const message =
    status === 413
      ? `request body too large: body size ${err.length ?? 'over the limit'} bytes exceeds the limit of ${err.limit ?? 'the configured'} bytes`
      : status === 400 && err?.type === 'entity.parse.failed'
        ? 'request body must be valid JSON'
        : status < 500
          ? String(err?.message ?? 'bad request')
          : 'internal error';
  const code = tooLarge
    ? ErrorCode.LIMIT_EXCEEDED
    : status < 500
      ? ErrorCode.BAD_USER_INPUT
      : ErrorCode.INTERNAL_SERVER_ERROR;
  const extensions = tooLarge
    ? { code, limit: err.limit, ...(typeof err.length === 'number' ? { value: err.length } : {}) }
    : { code };
  res.status(status).json({ errors: [{ message, extensions }] });
};
