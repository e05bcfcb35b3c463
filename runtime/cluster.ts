import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.js';

/** The message a primary sends a worker to stop it the way SIGTERM would (once, cleanly). */
export const SHUTDOWN_MESSAGE = 'ovg:shutdown';

export interface ClusterOptions {
  /** Worker processes to keep running (≥ 2; one worker is no cluster). */
  workers: number;
  logger: Logger;
  /** A worker that exits this many times in a row before it listened stops the whole cluster. @default 3 */
  maxStartFailures?: number;
  /** How long a worker may take to stop before it is killed, ms. @default 15000 */
  stopTimeoutMs?: number;
}

/**
 * The primary of a node:cluster (Node 20 has no `reusePort`, so one process accepts and hands each
 * connection to a worker, round-robin on Linux). Forks `workers` copies of this script; a worker
 * that dies is replaced (a worker that keeps dying before it listens ends the cluster with exit
 * 1, rather than looping); SIGINT/SIGTERM stop every worker cleanly and exit 0 when they all did.
 *
 * Workers share nothing in memory: everything shared (the bus, the tracker's store, caches,
 * versions, shield buckets, quotas) must live in Redis and PostgreSQL — the caller refuses
 * `workers > 1` without them.
 */
export function runPrimary(opts: ClusterOptions): void {
  const { logger } = opts;
  const maxStartFailures = opts.maxStartFailures ?? 3;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 15_000;
  const listening = new Set<number>();
  let startFailures = 0;
  let stopping = false;
  let failed = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.once('listening', (address) => {
      listening.add(worker.id);
      startFailures = 0;
      logger.info({ worker: worker.id, pid: worker.process.pid, port: address.port }, 'gateway worker listening');
      if (listening.size === opts.workers)
        logger.info({ workers: opts.workers, port: address.port }, 'all gateway workers listening');
    });
    return worker;
  };

  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    failed ||= code !== 0;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    logger.info({ workers: workers.length }, 'stopping gateway workers');
    if (workers.length === 0) process.exit(failed ? 1 : 0);
    for (const w of workers) {
      // A worker that already got the terminal's SIGINT treats this as the same request (not a second signal).
      if (w.isConnected()) w.send(SHUTDOWN_MESSAGE);
      setTimeout(() => w.isDead() || w.process.kill('SIGKILL'), stopTimeoutMs).unref();
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker.id);
    if (stopping) {
      failed ||= code !== 0;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    if (!wasListening && ++startFailures >= maxStartFailures) {
      logger.error(
        { worker: worker.id, code, signal, failures: startFailures },
        'gateway workers keep exiting before they listen; stopping',
      );
      stopAll(1);
      return;
    }
    logger.warn(
      { worker: worker.id, pid: worker.process.pid, code, signal },
      'gateway worker exited; starting another',
    );
    fork();
  });

  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
  logger.info({ workers: opts.workers, pid: process.pid }, 'starting gateway workers');
  for (let i = 0; i < opts.workers; i++) fork();
}

/** In a worker: calls `stop` when the primary asks (see {@link SHUTDOWN_MESSAGE}). */
export function onPrimaryShutdown(stop: () => void): void {
  if (!cluster.isWorker) return;
  process.on('message', (message) => {
    if (message === SHUTDOWN_MESSAGE) stop();
  });
}
