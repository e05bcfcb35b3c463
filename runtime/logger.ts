import { pino, type DestinationStream, type Logger } from 'pino';

/** Header names that carry secrets: credentials, the gateway's signed identity, cookies, webhook signatures. */
export const SECRET_HEADERS = [
  'authorization',
  'x-api-key',
  'x-gateway-identity',
  'cookie',
  'set-cookie',
  'x-signature',
  'proxy-authorization',
] as const;

/**
 * What pino redacts in every line (access logs log chosen fields only; this catches a header
 * object logged by mistake): the secret headers under `headers`, `req.headers` and `res.headers`,
 * and any `secret`, `password`, `token`, `apiKey` property one level down.
 */
export const REDACTED_PATHS: string[] = [
  ...['headers', 'req.headers', 'res.headers', '*.headers'].flatMap((base) =>
    SECRET_HEADERS.map((h) => `${base}["${h}"]`),
  ),
  ...['secret', 'password', 'token', 'apiKey'].flatMap((k) => [k, `*.${k}`]),
];

/** Where the loggers this module made write, so a component's logger writes to the same place. */
const destinations = new WeakMap<Logger, DestinationStream>();

/**
 * The logger of one component (JSON lines on stdout, `"name"` = the component: `gateway`, `erp`,
 * `events`, …). `LOG_LEVEL` sets the level (default `info`; tests run `silent`). Secrets never go
 * through it: headers and credentials are not logged.
 * @param destination @default stdout
 */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  destination: DestinationStream = pino.destination(1),
): Logger {
  const logger = pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
  destinations.set(logger, destination);
  return logger;
}

/**
 * The logger of a component inside a process that runs several (the embedded stack runs the
 * gateway, five subgraphs and the lifecycle simulator): same level and destination as `parent`,
 * its own `"name"`. A logger made elsewhere (a test's) gets a `component` binding instead.
 */
export function componentLogger(parent: Logger, name: string): Logger {
  const destination = destinations.get(parent);
  return destination ? createLogger(name, parent.level, destination) : parent.child({ component: name });
}

let shared: Map<string, Logger> | undefined;

/** The process-wide logger of a library component (`events`, `cache`), for errors no caller can catch. */
export function libraryLogger(name: string): Logger {
  shared ??= new Map();
  let logger = shared.get(name);
  if (!logger) shared.set(name, (logger = createLogger(name)));
  return logger;
}

export type { Logger };
