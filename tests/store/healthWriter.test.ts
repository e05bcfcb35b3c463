import { afterEach, describe, expect, it } from 'vitest';
import { openStore, startHealthWriter, type BreakerState, type VisibilityStore } from '../../store/index.js';
import { waitFor } from '../events/harness.js';

describe('the gateway health writer', () => {
  let store: VisibilityStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('should write what the gateway reads every interval, so operationsHealth sees breaker changes, and survive a failed read', async () => {
    store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    let breaker: BreakerState = 'CLOSED';
    let fail = false;
    const errors: string[] = [];
    const writer = startHealthWriter({
      store,
      reporter: 'gw-test',
      intervalMs: 20,
      onError: (e) => errors.push(e.message),
      read: () => {
        if (fail) throw new Error('shields unavailable');
        return [{ system: 'erp', breaker, lastSuccessAt: new Date().toISOString(), lastFailureAt: null }];
      },
    });
    try {
      await waitFor('the first report', async () => (await store!.health.systems()).length === 1);
      breaker = 'OPEN';
      await waitFor('the breaker change', async () => (await store!.health.systems())[0]?.breaker === 'OPEN');
      fail = true;
      await waitFor('a reported failure', () => errors.length > 0);
      expect(errors[0]).toBe('shields unavailable');
      fail = false;
      breaker = 'CLOSED';
      await waitFor('recovery', async () => (await store!.health.systems())[0]?.breaker === 'CLOSED', 15_000);
    } finally {
      await writer.stop();
    }
  });
});
