import { describe, expect, it } from 'vitest';
import { ForegroundWork } from '../../runtime/foreground.js';

describe('ForegroundWork', () => {
  it('should resolve idle() when the foreground work ends', async () => {
    const work = new ForegroundWork();
    let end!: () => void;
    const running = work.run(() => new Promise<void>((r) => (end = r)));
    let idle = false;
    const waiting = work.idle(60_000).then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false);
    expect(work.waiting).toBe(1);
    end();
    await running;
    await waiting;
    expect(work.waiting).toBe(0);
  });

  it('should keep nothing of a wait that timed out while the foreground work never paused', async () => {
    const work = new ForegroundWork();
    let end!: () => void;
    const running = work.run(() => new Promise<void>((r) => (end = r)));
    // The exception engine waits at most 500 ms per event; here 200 waits of 1 ms, none ever idle.
    for (let i = 0; i < 200; i++) await work.idle(1);
    expect(work.running).toBe(1);
    expect(work.waiting).toBe(0);
    end();
    await running;
  });
});
