import { afterEach, describe, expect, it } from 'vitest';
import { customerVersionId, type OrderVersions } from '../../events/versions.js';

/** Builds a fresh store of the adapter under test (each test gets its own ids, so stores may share a prefix). */
export type MakeVersions = (opts: { ttlMs?: number }) => OrderVersions | Promise<OrderVersions>;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let run = 0;

/** The OrderVersions contract (events/versions.ts), run against every adapter. */
export function orderVersionsContract(name: string, make: MakeVersions): void {
  describe(`${name}: OrderVersions contract`, () => {
    const open: OrderVersions[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((v) => v.close()));
    });
    const versions = async (opts: { ttlMs?: number } = {}): Promise<OrderVersions> => {
      const v = await make(opts);
      open.push(v);
      return v;
    };
    /** Ids unique to this test. */
    const ids = (...names: string[]): string[] => {
      run += 1;
      return names.map((n) => `${n}-${run}`);
    };

    it('should read 0 for ids never bumped, and an empty map for no ids', async () => {
      const v = await versions();
      const [a, b] = ids('ORD-A', 'ORD-B');
      expect(await v.get([a!, b!])).toEqual(
        new Map([
          [a, 0],
          [b, 0],
        ]),
      );
      expect(await v.get([])).toEqual(new Map());
    });

    it('should give every id of a bump one new, higher version and leave the other ids alone', async () => {
      const v = await versions();
      const [a, b, c] = ids('ORD-A', 'ORD-B', 'ORD-C');
      await v.bump([a!]);
      const first = (await v.get([a!])).get(a!)!;
      expect(first).toBeGreaterThan(0);
      await v.bump([a!, customerVersionId(b!)]);
      const after = await v.get([a!, customerVersionId(b!), c!]);
      expect(after.get(a!)).toBeGreaterThan(first);
      expect(after.get(customerVersionId(b!))).toBe(after.get(a!));
      expect(after.get(c!)).toBe(0);
    });

    it('should never hand out one version twice for an id, even to concurrent bumps', async () => {
      const v = await versions();
      const [a] = ids('ORD-A');
      const seen: number[] = [];
      for (let round = 0; round < 5; round++) {
        await Promise.all(Array.from({ length: 10 }, () => v.bump([a!])));
        seen.push((await v.get([a!])).get(a!)!);
      }
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]! + 10);
    });

    it('should snapshot versions with a clock that every later bump exceeds', async () => {
      const v = await versions();
      const [a, b] = ids('ORD-A', 'ORD-B');
      await v.bump([a!]);
      const snap = await v.snapshot([a!, b!]);
      expect(snap.versions).toEqual(await v.get([a!, b!]));
      expect(snap.clock).toBeGreaterThanOrEqual(snap.versions.get(a!)!);
      await v.bump([b!]);
      expect((await v.get([b!])).get(b!)).toBeGreaterThan(snap.clock);
    });

    it('should make a bump visible to the next read as soon as it resolves', async () => {
      const v = await versions();
      const [a] = ids('ORD-A');
      for (let i = 0; i < 20; i++) {
        const before = (await v.get([a!])).get(a!)!;
        await v.bump([a!]);
        expect((await v.get([a!])).get(a!)).toBeGreaterThan(before);
      }
    });

    it('should forget a version ttlMs after its last bump, and not while bumps keep refreshing it', async () => {
      const v = await versions({ ttlMs: 400 });
      const [a, b] = ids('ORD-A', 'ORD-B');
      await v.bump([a!, b!]);
      await sleep(250);
      await v.bump([b!]);
      await sleep(250);
      const now = await v.get([a!, b!]);
      expect(now.get(a!)).toBe(0);
      expect(now.get(b!)).toBeGreaterThan(0);
    });

    it('should refuse ids that are not non-empty strings, naming what it got', async () => {
      const v = await versions();
      await expect(v.bump([''])).rejects.toThrow(/non-empty id strings, got \[""\]/);
      await expect(v.get([42 as unknown as string])).rejects.toThrow(TypeError);
    });

    it('should refuse calls after close, and close twice without error', async () => {
      const v = await versions();
      await v.close();
      await v.close();
      await expect(v.bump(ids('ORD-A'))).rejects.toThrow(/closed/);
      await expect(v.get(ids('ORD-A'))).rejects.toThrow(/closed/);
    });
  });
}
