import { PortInUseError } from './http.js';
import type { Logger } from './logger.js';

/**
 * For every ApolloServer in a process that {@link stopOnSignal} stops: Apollo's own handler (on
 * unless NODE_ENV is test) stops only its server and re-sends the signal, which killed the process
 * before it had closed its bus and store (PGlite's files, the DATA_DIR lock).
 */
export const PROCESS_OWNS_SHUTDOWN = { stopOnTerminationSignals: false } as const;

/**
 * Stops cleanly on SIGINT/SIGTERM (Ctrl-C): runs `stop` once and exits 0, or 1 if stopping fails.
 * A second signal while stopping exits at once. Returns the same stop for other triggers (a
 * cluster primary's request): calling it while already stopping does nothing.
 * @param signals the signals that stop. @default ['SIGINT', 'SIGTERM']
 */
export function stopOnSignal(
  stop: () => Promise<void>,
  logger: Logger,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): (reason: string) => void {
  let stopping = false;
  const begin = (reason: string): void => {
    stopping = true;
    logger.info({ signal: reason }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    begin(signal);
  };
  for (const signal of signals) process.once(signal, onSignal);
  return (reason) => {
    if (!stopping) begin(reason);
  };
}

/**
 * Prints a start-up failure without a stack (configuration errors say what to fix) and exits 1.
 * A busy port is named with the variable that chose it: `portVariable(service)` (e.g. `PORT`,
 * `ERP_PORT`), so the message says what to change.
 */
export function failStartup(err: unknown, portVariable?: (service: string) => string | undefined): never {
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof PortInUseError) {
    const variable = portVariable?.(err.service);
    message += variable
      ? ` (chosen by ${variable}=${err.port}); stop what uses it, or set ${variable} to another port (0: any free port)`
      : '; stop what uses it, or choose another port';
  }
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
