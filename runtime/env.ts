/**
 * Typed reads of environment variables, each failing with a message that names the variable,
 * what it expects and what it received.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Collects every problem before failing, so one start-up shows them all. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  string(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    return this.numeric(name, fallback, min, max, true);
  }

  number(name: string, fallback: number, min: number, max: number): number {
    return this.numeric(name, fallback, min, max, false);
  }

  /** True when the variable is set (non-empty). */
  has(name: string): boolean {
    return this.env[name] !== undefined && this.env[name] !== '';
  }

  private numeric(name: string, fallback: number, min: number, max: number, integer: boolean): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if ((integer ? !Number.isInteger(n) : !Number.isFinite(n)) || n < min || n > max) {
      this.problems.push(
        `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; received "${raw}"`,
      );
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    this.problems.push(`${name} must be "true" or "false"; received "${raw}"`);
    return fallback;
  }

  url(name: string, fallback: string | undefined): string | undefined {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push(`${name} must be an http(s) URL; received "${raw}"`);
      return fallback;
    }
  }

  /** Throws one {@link ConfigError} listing every problem found, if any. */
  done(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }
}
