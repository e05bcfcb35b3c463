import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { customerVersionId, type OrderVersions } from '../../events/versions.js';
import { CacheTags, tagsOfEvent, type CacheStore, type TaggedCache } from '../../gateway/cache/index.js';
import { sleep } from './versionsContract.js';

/** One cache under test, the versions ingest bumps, and the store beneath the cache (to see what is really stored). */
export interface TaggedSetup {
  cache: TaggedCache;
  /** The versions as ingest writes them (may be another connection to the cache's store). */
  ingest: OrderVersions;
  /** Reads the cache's entries directly, without version checks. */
  raw: CacheStore;
  /** Wraps the store's `set` so that `before` runs before each write goes out. */
  beforeEachWrite(before: () => Promise<void>): void;
  close(): Promise<void>;
}

export type MakeTagged = () => Promise<TaggedSetup>;

const TTL = 60_000;
let run = 0;

/** Polls `check` until it holds (the cache deletes stale entries without waiting). */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The TaggedCache behaviour (gateway/cache/tagged.ts), over every store/index/versions combination. */
export function taggedCacheContract(name: string, make: MakeTagged): void {
  describe(`${name}: TaggedCache`, () => {
    const open: TaggedSetup[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const setup = async (): Promise<TaggedSetup> => {
      const s = await make();
      open.push(s);
      return s;
    };
    /** Ids and keys unique to this test (setups may share a Redis prefix). */
    const unique = (): { order: string; other: string; customer: string; key: (k: string) => string } => {
      run += 1;
      return { order: `ORD-${run}`, other: `ORD-${run}-B`, customer: `CUST-${run}`, key: (k) => `${k}:${run}` };
    };

    it('should serve what was set while its orders are unchanged, and miss an unknown key', async () => {
      const { cache } = await setup();
      const u = unique();
      const before = (await cache.snapshot([u.order]))!;
      expect(
        await cache.set(u.key('response'), '{"order":1}', {
          ttlMs: TTL,
          versions: before,
          tags: [CacheTags.order(u.order)],
        }),
      ).toBe(true);
      expect(await cache.get(u.key('response'))).toBe('{"order":1}');
      expect(await cache.get(u.key('never-set'))).toBeUndefined();
    });

    it('should return any string exactly as set, and treat an entry it cannot read as a miss it deletes', async () => {
      const { cache, raw } = await setup();
      const u = unique();
      const value = '{"data":{"order":{"note":"line 1\\nline 2"}}}\n\n"quoted"\u2028ünïcode';
      await cache.set(u.key('odd'), value, { ttlMs: TTL, versions: (await cache.snapshot([u.order]))! });
      expect(await cache.get(u.key('odd'))).toBe(value);
      await raw.set(u.key('garbage'), 'not an entry', TTL);
      expect(await cache.get(u.key('garbage'))).toBeUndefined();
      await eventually(
        'the unreadable entry to be deleted',
        async () => (await raw.get(u.key('garbage'))) === undefined,
      );
    });

    it('should miss once any recorded order is bumped, and delete the stale entry', async () => {
      const { cache, ingest, raw } = await setup();
      const u = unique();
      const before = (await cache.snapshot([u.order, u.other]))!;
      await cache.set(u.key('two-orders'), 'v', { ttlMs: TTL, versions: before });
      expect(await cache.get(u.key('two-orders'))).toBe('v');
      await ingest.bump([u.other]);
      expect(await cache.get(u.key('two-orders'))).toBeUndefined();
      await eventually('the stale entry to be deleted', async () => (await raw.get(u.key('two-orders'))) === undefined);
    });

    it('should not store a value whose order was bumped between the snapshot and the set (the fetch raced a webhook)', async () => {
      const { cache, ingest, raw } = await setup();
      const u = unique();
      const before = (await cache.snapshot([u.order]))!;
      await ingest.bump([u.order]); // the webhook's 2xx, while the upstream fetch ran
      expect(await cache.set(u.key('raced'), 'old value', { ttlMs: TTL, versions: before })).toBe(false);
      expect(await cache.get(u.key('raced'))).toBeUndefined();
      expect(await raw.get(u.key('raced'))).toBeUndefined();
    });

    it('should never serve a value whose order was bumped while it was being written', async () => {
      const s = await setup();
      const u = unique();
      const before = (await s.cache.snapshot([u.order]))!;
      s.beforeEachWrite(() => s.ingest.bump([u.order]));
      expect(await s.cache.set(u.key('racing-write'), 'old value', { ttlMs: TTL, versions: before })).toBe(true);
      expect(await s.raw.get(u.key('racing-write'))).toBeDefined();
      expect(await s.cache.get(u.key('racing-write'))).toBeUndefined();
    });

    it('should keep a fresher entry when a slower fetch of older data finishes later', async () => {
      const { cache, ingest } = await setup();
      const u = unique();
      const slow = (await cache.snapshot([u.order]))!;
      await ingest.bump([u.order]);
      const fast = (await cache.snapshot([u.order]))!;
      expect(await cache.set(u.key('k'), 'new', { ttlMs: TTL, versions: fast })).toBe(true);
      expect(await cache.set(u.key('k'), 'old', { ttlMs: TTL, versions: slow })).toBe(false);
      expect(await cache.get(u.key('k'))).toBe('new');
    });

    it("should make a customer's cached lists stale when an order is placed for the customer", async () => {
      const { cache, ingest } = await setup();
      const u = unique();
      const listBefore = (await cache.snapshot([customerVersionId(u.customer)]))!;
      await cache.set(u.key('list'), '[]', {
        ttlMs: TTL,
        versions: listBefore,
        tags: [CacheTags.customerLists(u.customer)],
      });
      const orderBefore = (await cache.snapshot([u.other]))!;
      await cache.set(u.key('unrelated-order'), 'o', { ttlMs: TTL, versions: orderBefore });
      expect(await cache.get(u.key('list'))).toBe('[]');
      await ingest.bump([u.order, customerVersionId(u.customer)]); // order.placed for the customer
      expect(await cache.get(u.key('list'))).toBeUndefined();
      expect(await cache.get(u.key('unrelated-order'))).toBe('o');
    });

    it('should record the orders a list turned out to contain, and refuse the list when one changed during the fetch', async () => {
      const { cache, ingest } = await setup();
      const u = unique();
      const before = (await cache.snapshot([customerVersionId(u.customer)]))!;
      // The fetch finds two orders; nothing changed meanwhile: stored, and a later bump of either makes it stale.
      expect(
        await cache.set(u.key('list'), '[A,B]', { ttlMs: TTL, versions: before, discoveredIds: [u.order, u.other] }),
      ).toBe(true);
      expect(await cache.get(u.key('list'))).toBe('[A,B]');
      await ingest.bump([u.other]);
      expect(await cache.get(u.key('list'))).toBeUndefined();

      const again = (await cache.snapshot([customerVersionId(u.customer)]))!;
      await ingest.bump([u.order]); // during the fetch, an order of the list changed: the list may hold its old state
      expect(
        await cache.set(u.key('list'), '[A-old,B]', { ttlMs: TTL, versions: again, discoveredIds: [u.order, u.other] }),
      ).toBe(false);
      expect(await cache.get(u.key('list'))).toBeUndefined();
    });

    it('should purge only the entries carrying a purged tag (a carrier scan leaves the ERP fetch)', async () => {
      const { cache, raw } = await setup();
      const u = unique();
      const before = (await cache.snapshot([u.order]))!;
      const put = (k: string, tags: string[]) => cache.set(u.key(k), k, { ttlMs: TTL, versions: before, tags });
      await put('fetch:carrier', [CacheTags.orderSlice(u.order, 'carrier')]);
      await put('fetch:erp', [CacheTags.orderSlice(u.order, 'erp')]);
      await put('response', [CacheTags.order(u.order)]);
      await put('response:other', [CacheTags.order(u.other)]);
      const scan = cloudEvent({
        id: `carrier:${u.order}`,
        source: 'carrier',
        type: 'shipment.tracking_updated',
        subject: u.order,
        time: '2026-01-01T00:00:00.000Z',
        data: {},
      });
      await cache.purge(tagsOfEvent(scan));
      expect(await raw.get(u.key('fetch:carrier'))).toBeUndefined();
      expect(await raw.get(u.key('response'))).toBeUndefined();
      expect(await cache.get(u.key('fetch:erp'))).toBe('fetch:erp');
      expect(await cache.get(u.key('response:other'))).toBe('response:other');
      await cache.purge([CacheTags.orderSlice(u.order, 'carrier')]); // a purged tag is forgotten: purging again is a no-op
      await cache.purge([]);
      expect(await cache.get(u.key('fetch:erp'))).toBe('fetch:erp');
    });

    it('should purge an entry under any of its tags', async () => {
      const { cache, raw } = await setup();
      const u = unique();
      const before = (await cache.snapshot([u.customer]))!;
      await cache.set(u.key('list'), 'l', {
        ttlMs: TTL,
        versions: before,
        tags: [CacheTags.customerLists(u.customer), CacheTags.order(u.order), CacheTags.order(u.other)],
      });
      await cache.purge([CacheTags.order(u.other)]);
      expect(await raw.get(u.key('list'))).toBeUndefined();
    });

    it('should serve an entry that depends on no order without reading versions', async () => {
      const { cache } = await setup();
      const u = unique();
      const none = (await cache.snapshot([]))!;
      expect(none.versions.size).toBe(0);
      await cache.set(u.key('static'), 's', { ttlMs: TTL, versions: none });
      expect(await cache.get(u.key('static'))).toBe('s');
    });

    it('should refuse a set without a positive TTL or without a snapshot, naming what it got', async () => {
      const { cache } = await setup();
      const before = (await cache.snapshot([]))!;
      await expect(cache.set('k', 'v', { ttlMs: 0, versions: before })).rejects.toThrow(
        /ttlMs to be a positive number, got 0/,
      );
      await expect(cache.set('k', 'v', { ttlMs: TTL, versions: undefined as never })).rejects.toThrow(
        /snapshot read before the fetch.*got undefined/,
      );
    });
  });
}
