/**
 * The benchmarks' command line: `--name value` or `--name=value` flags from a known set; an unknown
 * flag or a bad number exits 2 with the usage line and what was wrong.
 */
export interface Cli {
  /** Whether `--name` was given. */
  flag(name: string): boolean;
  /** The value of `--name`, if given. */
  option(name: string): string | undefined;
  /** `--name` as a number ≥ `min` (an integer unless `integer` is false; `_` separators allowed), else `fallback`. */
  num(name: string, fallback: number, min: number, integer?: boolean): number;
  /** Prints `<program>: <problem>` and the usage line, and exits 2. */
  usage(problem: string): never;
}

export function parseCli(
  program: string,
  usageLine: string,
  known: readonly string[],
  argv = process.argv.slice(2),
): Cli {
  const usage = (problem: string): never => {
    console.error(`${program}: ${problem}\nusage: ${usageLine}`);
    process.exit(2);
  };
  const names = new Set(known);
  for (const a of argv) if (a.startsWith('--') && !names.has(a.slice(2).split('=')[0]!)) usage(`unknown flag ${a}`);
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  return {
    flag: (name) => argv.includes(`--${name}`),
    option,
    num(name, fallback, min, integer = true) {
      const raw = option(name);
      if (raw === undefined) return fallback;
      const n = Number(raw.replace(/_/g, ''));
      if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
        usage(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}; received ${JSON.stringify(raw)}`);
      return n;
    },
    usage,
  };
}
