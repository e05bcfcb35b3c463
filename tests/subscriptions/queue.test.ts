import { describe, expect, it } from 'vitest';
import { PushQueue, QueueOverflowError } from '../../gateway/subscriptions/queue.js';

// Issue 16 #3: a subscriber's queue is bounded by bytes as well as by events, each its own budget.

describe('PushQueue byte budget', () => {
  it('should count the unread bytes and give them back as values are read', async () => {
    const q = new PushQueue<string>(100, () => {}, 10_000);
    q.push('a', 3000);
    q.push('b', 2000);
    expect(q.bytes).toBe(5000);
    expect((await q.next()).value).toBe('a');
    expect(q.bytes).toBe(2000);
  });

  it('should fail with QueueOverflowError past its byte budget, far below its event bound', async () => {
    let closed = false;
    const q = new PushQueue<string>(1000, () => (closed = true), 10_000);
    for (let i = 0; i < 3; i++) q.push(`v${i}`, 3000);
    expect(q.overflowed).toBe(false);
    q.push('v3', 3000);
    expect(q.overflowed).toBe(true);
    expect(closed).toBe(true);
    for (let i = 0; i < 3; i++) await q.next();
    const err = await q.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueOverflowError);
    expect(String((err as Error).message)).toBe('subscriber fell more than 10000 bytes behind');
  });

  it("should not let one subscriber that stops reading take another's share", async () => {
    const slow = new PushQueue<string>(1000, () => {}, 10_000);
    const fast = new PushQueue<string>(1000, () => {}, 10_000);
    for (let i = 0; i < 20; i++) {
      slow.push(`e${i}`, 1000);
      fast.push(`e${i}`, 1000);
      await fast.next();
    }
    expect(slow.overflowed).toBe(true);
    expect(fast.overflowed).toBe(false);
    expect(fast.bytes).toBe(0);
  });
});
