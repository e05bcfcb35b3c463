/**
 * The changes the bench makes: signed ERP webhooks that move ALLOCATED demo orders to ON_HOLD (hold
 * placed) or back (hold released), alternating, each on a different order.
 */
import { signWebhook } from '../../subgraphs/common/signature.js';
import { now } from './numbers.js';

export interface HoldWebhooksOptions {
  /** The ERP subgraph's /ingest URL. */
  ingestUrl: string;
  /** The ERP webhook secret. */
  secret: string;
  /** ALLOCATED orders without a hold, in the order the bench uses them. */
  candidates: readonly string[];
  onFatal: (why: string) => never;
}

export class HoldWebhooks {
  /** ALLOCATED orders without a bench hold. */
  private readonly free: string[];
  /** ON_HOLD orders, oldest first. */
  private readonly held: string[] = [];
  private lastPostedMs = 0;
  private seq = 0;
  private readonly runTag = Date.now().toString(36);

  constructor(private readonly options: HoldWebhooksOptions) {
    this.free = [...options.candidates];
  }

  /** Posts one webhook; t0 is when its 2xx arrived here. Anything but `applied` fails the run. */
  async post(orderId: string, placed: boolean): Promise<{ sentAt: number; t0: number }> {
    this.lastPostedMs = Math.max(Date.now(), this.lastPostedMs + 1);
    const type = placed ? 'HOLD_PLACED' : 'HOLD_RELEASED';
    const body = JSON.stringify({
      notificationId: `BENCH-${this.runTag}-${++this.seq}`,
      eventType: type,
      postedAt: new Date(this.lastPostedMs).toISOString(),
      salesOrder: { orderRef: orderId },
      hold: { type: 'CREDIT', reason: 'benchmark' },
    });
    const sentAt = now();
    const res = await fetch(this.options.ingestUrl, {
      method: 'POST',
      headers: signWebhook(this.options.secret, body),
      body,
    });
    const t0 = now();
    const text = await res.text();
    if (!res.ok) this.options.onFatal(`webhook ${type} on ${orderId} answered ${res.status}: ${text.slice(0, 300)}`);
    const status = (JSON.parse(text) as { status?: string }).status;
    if (status !== 'applied')
      this.options.onFatal(`webhook on ${orderId} answered ${status}, not applied: ${text.slice(0, 300)}`);
    return { sentAt, t0 };
  }

  /** Places a hold on the next free order (the warm-up: later phases release holds placed seconds earlier). */
  async placeOne(): Promise<void> {
    const orderId = this.free.shift();
    if (!orderId) this.options.onFatal('ran out of ALLOCATED orders during the warm-up; use more --orders');
    this.held.push(orderId);
    await this.post(orderId, true);
  }

  /** The `k`-th change of the alternating sequence: place a hold on a free order, or release the oldest held one. */
  next(k: number): { orderId: string; placed: boolean } {
    const placed = k % 2 === 0;
    const orderId = placed ? this.free.shift() : this.held.shift();
    if (!orderId) {
      this.options.onFatal(`ran out of ${placed ? 'ALLOCATED' : 'held'} orders; use more --orders or fewer --events`);
    }
    (placed ? this.held : this.free).push(orderId);
    return { orderId, placed };
  }
}
