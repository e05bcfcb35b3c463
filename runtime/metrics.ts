import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, type RunningService } from './http.js';
import { ErrorCode } from '../canonical/index.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric name starts with this (docs/operations.md, "Metrics, traces and logs"). */
export const METRIC_PREFIX = 'ovg_';

/** Latency buckets, seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Event lag buckets, seconds: 5 ms to 5 min. */
export const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** What the visibility store reports at every scrape (it owns the numbers; the metrics only read them). */
export interface VisibilityCounts {
  /** Open dead letters by kind (the store's dead-letter kinds). */
  deadLetters: Readonly<Record<string, number>>;
  /** Open business exceptions by type. */
  openExceptions: Readonly<Record<string, number>>;
}

/**
 * The small interface the visibility store feeds: `ovg_dead_letters_open{kind}` and
 * `ovg_exceptions_open{type}` are read from `source` at every scrape; openings and closings are
 * counted as they happen. One per service ({@link ServiceMetrics.visibility}).
 */
export interface VisibilityCollector {
  /** Where the open counts come from; read at every scrape (a failing read leaves the gauges empty for that scrape). */
  source(read: () => Promise<VisibilityCounts> | VisibilityCounts): void;
  exceptionOpened(type: string): void;
  exceptionClosed(type: string): void;
}

/** What an event consumer (the bus's work-shared groups) reports per delivery. */
export interface ConsumerMetrics {
  /** One delivery handled by `group`: `ok`, `retry` (will be redelivered) or `dead` (dead-lettered); `seconds` in the handler. */
  handled(group: string, outcome: 'ok' | 'retry' | 'dead', seconds: number): void;
}

/**
 * The metrics of one service (the gateway, one subgraph) in a registry of its own — several
 * services share one process in the embedded stack and the tests — with the Node.js process
 * metrics (`ovg_process_*`, `ovg_nodejs_*`) and a `service` label on everything.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly visibility: VisibilityCollector;
  readonly consumers: ConsumerMetrics;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    let read: (() => Promise<VisibilityCounts> | VisibilityCounts) | undefined;
    // One read per scrape feeds both gauges.
    let pending: Promise<VisibilityCounts | undefined> | undefined;
    const counts = (): Promise<VisibilityCounts | undefined> => {
      if (!read) return Promise.resolve(undefined);
      pending ??= Promise.resolve()
        .then(read)
        .catch(() => undefined)
        .finally(() =>
          setImmediate(() => {
            pending = undefined;
          }),
        );
      return pending;
    };
    const fill = (gauge: Gauge<string>, values: Readonly<Record<string, number>> | undefined, label: string): void => {
      gauge.reset();
      for (const [key, n] of Object.entries(values ?? {})) gauge.set({ [label]: key }, n);
    };
    const deadLetters: Gauge<string> = this.gauge(
      'ovg_dead_letters_open',
      'Open dead letters in the visibility store, by kind',
      ['kind'],
      async () => {
        fill(deadLetters, (await counts())?.deadLetters, 'kind');
      },
    );
    const exceptions: Gauge<string> = this.gauge(
      'ovg_exceptions_open',
      'Open business exceptions in the visibility store, by type',
      ['type'],
      async () => {
        fill(exceptions, (await counts())?.openExceptions, 'type');
      },
    );
    const opened = this.counter('ovg_exceptions_opened_total', 'Business exceptions opened, by type', ['type']);
    const closed = this.counter('ovg_exceptions_closed_total', 'Business exceptions closed, by type', ['type']);
    this.visibility = {
      source: (r) => {
        read = r;
      },
      exceptionOpened: (type) => opened.inc({ type }),
      exceptionClosed: (type) => closed.inc({ type }),
    };
    const events = this.counter(
      'ovg_consumer_events_total',
      'Event deliveries handled by a consumer group, by outcome (ok, retry, dead)',
      ['group', 'outcome'],
    );
    const handleSeconds = this.histogram(
      'ovg_consumer_handle_duration_seconds',
      'Time a consumer group spent handling one delivery',
      ['group'],
      LATENCY_BUCKETS,
    );
    this.consumers = {
      handled: (group, outcome, seconds) => {
        events.inc({ group, outcome });
        handleSeconds.observe({ group }, seconds);
      },
    };
  }

  /** A counter in this registry; `collect` (optional) catches it up at every scrape. */
  counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Counter<L>) => void | Promise<void>,
  ): Counter<L> {
    return new Counter({
      name: checked(name),
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect } : {}),
    });
  }

  /** A histogram in this registry. @param buckets @default LATENCY_BUCKETS */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets = LATENCY_BUCKETS,
  ): Histogram<L> {
    return new Histogram({ name: checked(name), help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge in this registry; `collect` (optional) refreshes it at every scrape. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return new Gauge({
      name: checked(name),
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect } : {}),
    });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Answers a scrape: 200 with the exposition text. */
  async answer(res: ServerResponse): Promise<void> {
    const body = await this.text();
    res.writeHead(200, {
      'content-type': this.registry.contentType,
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
    });
    res.end(body);
  }
}

function checked(name: string): string {
  if (!name.startsWith(METRIC_PREFIX)) throw new Error(`metric names start with ${METRIC_PREFIX}; received ${name}`);
  return name;
}

/**
 * `GET /metrics` for a caller `allowed` says may read it (an ops credential); anyone else gets 403
 * with a JSON body saying what was expected — never the metrics.
 */
export async function answerMetrics(
  metrics: ServiceMetrics,
  req: IncomingMessage,
  res: ServerResponse,
  allowed: (req: IncomingMessage) => Promise<boolean>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET', 'content-type': 'application/json; charset=utf-8' });
    return void res.end(
      JSON.stringify({
        errors: [
          { message: `expected GET /metrics; received ${req.method}`, extensions: { code: ErrorCode.BAD_USER_INPUT } },
        ],
      }),
    );
  }
  if (!(await allowed(req))) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    return void res.end(
      JSON.stringify({
        errors: [
          {
            message: 'expected an ops credential to read /metrics (or scrape the metrics port, METRICS_PORT)',
            extensions: { code: ErrorCode.FORBIDDEN },
          },
        ],
      }),
    );
  }
  await metrics.answer(res);
}

/**
 * The separate metrics listener (`METRICS_PORT`): `GET /metrics` without a credential, for a
 * scraper on a private network; every other path 404. Bind it where only the scraper reaches.
 */
export function startMetricsServer(metrics: ServiceMetrics, port: number, host: string): Promise<RunningService> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics') return void answerMetrics(metrics, req, res, async () => true).catch(() => res.destroy());
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        errors: [
          {
            message: `this port serves GET /metrics only; received ${path.slice(0, 100)}`,
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          },
        ],
      }),
    );
  });
  return listen(
    `${metrics.service} metrics`,
    server,
    port,
    host,
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}
