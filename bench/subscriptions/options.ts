/**
 * The command line of `npm run bench:subscriptions`: flags, defaults, and the printed command.
 */

/** What one run measures. */
export interface SubscriptionBenchOptions {
  /** Sizes 1 and 1,000, fewer events, no per-order pass, no BENCHMARKS.md. @default false */
  quick: boolean;
  /** Demo orders in the server. @default 2000 */
  orders: number;
  /** Subscriber counts measured, ascending. @default 1,1000,10000 (quick: 1,1000) */
  sizes: number[];
  /** Webhooks per size, even (every hold placed is released). @default 20 (quick: 8) */
  events: number;
  /** Milliseconds between webhooks. @default 250 */
  intervalMs: number;
  /** Clients connected at once while growing. @default 500 */
  batch: number;
  /** Events of the profiled pass at the largest size (0: no profile). @default 8 (quick: 4) */
  profileEvents: number;
  /** Run the per-order scenario. @default true in full runs */
  filtered: boolean;
  /** Replace `## Subscriptions` in BENCHMARKS.md. @default true in full runs */
  writeMd: boolean;
  /** How long to wait for every delivery of a phase. @default 90000 */
  drainTimeoutMs: number;
  /** Events of the spaced pass at the largest size (0: none). @default 6 (quick: 0) */
  spacedEvents: number;
  /** Milliseconds between the spaced pass's webhooks. @default 2000 */
  spacedIntervalMs: number;
}

const USAGE =
  'usage: npm run bench:subscriptions -- [--quick] [--orders N] [--sizes 1,1000,10000] [--events N] [--interval-ms MS] ' +
  '[--batch N] [--profile-events N] [--spaced-events N] [--spaced-interval-ms MS] [--filtered|--no-filtered] ' +
  '[--write-md|--no-write-md] [--drain-timeout-ms MS]';

const KNOWN = new Set([
  'quick',
  'orders',
  'sizes',
  'events',
  'interval-ms',
  'batch',
  'profile-events',
  'spaced-events',
  'spaced-interval-ms',
  'filtered',
  'no-filtered',
  'write-md',
  'no-write-md',
  'drain-timeout-ms',
]);

/** Prints what is wrong with the command line and the usage, and exits 2. */
export function usage(problem: string): never {
  console.error(`bench:subscriptions: ${problem}\n${USAGE}`);
  process.exit(2);
}

/** Reads the flags; an unknown flag or a bad value exits 2 with the usage. */
export function parseOptions(argv: readonly string[]): SubscriptionBenchOptions {
  for (const a of argv) {
    if (a.startsWith('--') && !KNOWN.has(a.slice(2).split('=')[0]!)) usage(`unknown flag ${a}`);
  }
  const flag = (name: string): boolean => argv.includes(`--${name}`);
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const int = (name: string, fallback: number, min: number): number => {
    const raw = option(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min)
      usage(`--${name} must be an integer ≥ ${min}; received ${JSON.stringify(raw)}`);
    return n;
  };
  const even = (n: number): number => (n % 2 === 0 ? n : n + 1);
  const quick = flag('quick');
  const sizes = (option('sizes') ?? (quick ? '1,1000' : '1,1000,10000'))
    .split(',')
    .map((s) => {
      const n = Number(s.replace(/_/g, ''));
      if (!Number.isSafeInteger(n) || n < 1)
        usage(`--sizes must list positive integers; received ${JSON.stringify(s)}`);
      return n;
    })
    .sort((a, b) => a - b);
  return {
    quick,
    orders: int('orders', 2000, 50),
    sizes,
    // Every hold placed in a phase is matched by a release.
    events: even(int('events', quick ? 8 : 20, 2)),
    intervalMs: int('interval-ms', 250, 1),
    batch: int('batch', 500, 1),
    profileEvents: even(int('profile-events', quick ? 4 : 8, 0)),
    filtered: flag('filtered') || (!quick && !flag('no-filtered')),
    writeMd: flag('write-md') || (!quick && !flag('no-write-md')),
    drainTimeoutMs: int('drain-timeout-ms', 90_000, 100),
    spacedEvents: even(int('spaced-events', quick ? 0 : 6, 0)),
    spacedIntervalMs: int('spaced-interval-ms', 2000, 1),
  };
}

/** The command as the user typed it, for the report. */
export function commandLine(argv: readonly string[]): string {
  const rest = argv.length ? ` ${argv.join(' ')}` : '';
  return process.env.npm_lifecycle_event === 'bench:subscriptions'
    ? `npm run bench:subscriptions${argv.length ? ` --${rest}` : ''}`
    : `node --import tsx bench/subscriptions.ts${rest}`;
}
