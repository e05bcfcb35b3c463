import { pino, type Logger } from 'pino';

/**
 * The process logger (JSON lines on stdout). `LOG_LEVEL` sets the level (default `info`; tests run
 * `silent`). Secrets never go through it: headers and credentials are not logged.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.secret', '*.password'] });
}

export type { Logger };
