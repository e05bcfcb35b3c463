/** Options of {@link Throttle}. */
export interface ThrottleOptions {
  /**
   * The share of the org's daily API allocation above which the connector slows down (0–1). Below it,
   * calls go out as batches fill; above it, calls are spaced so what is left lasts the rolling 24 h.
   * @default 0.8
   */
  limitShare: number;
  /** The longest wait between two calls while throttled, ms. @default 60000 */
  maxIntervalMs: number;
  /** The allocation's window, ms (Salesforce counts API calls over a rolling 24 h). @default 86400000 */
  windowMs?: number;
}

/** The usage `Sforce-Limit-Info: api-usage=<used>/<limit>` reported on the last call. */
export interface ApiUsage {
  used: number;
  limit: number;
}

/**
 * Reads the org's API usage from each response's `Sforce-Limit-Info` header
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm;
 * jsforce parses it into `connection.limitInfo.apiUsage`) and decides how long the next call waits.
 * Under the share: no wait. Over it: `window / (limit − used)`, capped at `maxIntervalMs` — the calls
 * left are spread over the window, and since every call carries up to 200 records, fewer calls means
 * fuller batches, not lost changes.
 */
export class Throttle {
  private usage: ApiUsage | undefined;
  private lastCallAt = 0;
  private readonly windowMs: number;

  constructor(private readonly opts: ThrottleOptions) {
    this.windowMs = opts.windowMs ?? 86_400_000;
  }

  /** Records a call and the usage its response reported. */
  observe(usage: ApiUsage | undefined, at = Date.now()): void {
    this.lastCallAt = at;
    if (usage && usage.limit > 0) this.usage = usage;
  }

  /** The last usage seen, if any. */
  get lastUsage(): ApiUsage | undefined {
    return this.usage;
  }

  /** True when the last usage is at or over the share. */
  get engaged(): boolean {
    return this.usage !== undefined && this.usage.used / this.usage.limit >= this.opts.limitShare;
  }

  /** Milliseconds the next call must wait (0 = go). */
  delayMs(now = Date.now()): number {
    if (!this.engaged || !this.usage) return 0;
    const left = Math.max(1, this.usage.limit - this.usage.used);
    const interval = Math.min(this.opts.maxIntervalMs, this.windowMs / left);
    return Math.max(0, this.lastCallAt + interval - now);
  }
}
