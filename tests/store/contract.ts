import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent, type CloudEvent } from '../../canonical/index.js';
import { deadLetterEvent } from '../../events/deadLetter.js';
import {
  ActionLockBusyError,
  FakeClock,
  MIGRATIONS,
  StoreActionLocks,
  migrate,
  schemaVersion,
  UnknownDeadLetterError,
  InvalidCursorError,
  type DeadLetter,
  type Redeliverer,
  type VisibilityStore,
  type VisibilityStoreOptions,
} from '../../store/index.js';

export type OpenStore = (opts: VisibilityStoreOptions) => Promise<VisibilityStore>;

const ev = (n: number, over: Partial<CloudEvent> = {}): CloudEvent =>
  cloudEvent({
    id: `oms:e${n}`,
    source: 'oms',
    type: 'order.placed',
    subject: `O-${n}`,
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    data: { customerId: `C-${n}`, channel: 'WEB' },
    ...over,
  });

/** A redeliverer that counts what it was asked to re-deliver (the bus and HTTP ones are tested end to end). */
function countingRedeliverer(fail = false): Redeliverer & { consumers: DeadLetter[]; ingests: DeadLetter[] } {
  const r = {
    consumers: [] as DeadLetter[],
    ingests: [] as DeadLetter[],
    consumer: async (l: DeadLetter) => {
      await new Promise((res) => setTimeout(res, 5));
      if (fail) throw new Error('group unreachable');
      r.consumers.push(l);
    },
    ingest: async (l: DeadLetter) => {
      if (fail) throw new Error('409 still unknown');
      r.ingests.push(l);
    },
  };
  return r;
}

/** The store's contract: every test runs against each engine (PGlite, PostgreSQL). */
export function storeContract(name: string, open: OpenStore, o: { memory: boolean; openSame?: OpenStore }): void {
  describe(`visibility store on ${name}`, () => {
    const opened: VisibilityStore[] = [];
    let clock: FakeClock;
    const store = async (): Promise<VisibilityStore> => {
      clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
      const s = await open({ now: clock.now, ledgerLeaseMs: 1000 });
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('should apply every migration once and report the latest version', async () => {
      const s = await store();
      expect(await schemaVersion(s.db)).toBe(MIGRATIONS.at(-1)!.version);
      expect(await migrate(s.db)).toEqual([]);
    });

    describe('order status row (the tracker compare-and-set)', () => {
      it('should let exactly one of several racing compare-and-sets win and record the change with its cause', async () => {
        const s = await store();
        const wins = await Promise.all(
          ['PENDING', 'ACCEPTED', 'ON_HOLD'].map((status, i) =>
            s.orders.compareAndSetStatus('O-1', 0, {
              status: status as 'PENDING',
              causeId: `e${i}`,
              previous: null,
              cause: {
                source: 'erp',
                type: 'order.accepted',
                occurredAt: '2024-12-31T23:00:00.000Z',
                recordedAt: '2024-12-31T23:00:01.000Z',
              },
            }),
          ),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        const rec = await s.orders.getStatus('O-1');
        expect(rec).toMatchObject({ version: 1, previous: null });
        expect(
          await s.orders.compareAndSetStatus('O-1', 0, { status: 'CANCELLED', causeId: 'late', previous: null }),
        ).toBe(false);
        expect(
          await s.orders.compareAndSetStatus('O-1', 1, { status: 'SHIPPED', causeId: 'e9', previous: rec!.status }),
        ).toBe(true);
        expect(await s.orders.getStatus('O-1')).toEqual({
          status: 'SHIPPED',
          version: 2,
          causeId: 'e9',
          previous: rec!.status,
        });
        const history = await s.orders.history('O-1');
        expect(history.map((h) => [h.version, h.status, h.previousStatus])).toEqual([
          [1, rec!.status, null],
          [2, 'SHIPPED', rec!.status],
        ]);
        expect(history[0]).toMatchObject({
          causeSource: 'erp',
          causeType: 'order.accepted',
          occurredAt: '2024-12-31T23:00:00.000Z',
          recordedAt: '2024-12-31T23:00:01.000Z',
          changedAt: '2025-01-01T00:00:00.000Z',
        });
        expect((await s.orders.get('O-1'))!.statusSince).toBe('2025-01-01T00:00:00.000Z');
      });

      it('should take the first status on a row that events created before it', async () => {
        const s = await store();
        await s.orders.recordEvent(ev(2));
        expect(await s.orders.getStatus('O-2')).toBeNull();
        expect(
          await s.orders.compareAndSetStatus('O-2', 0, { status: 'PENDING', causeId: 'oms:e2', previous: null }),
        ).toBe(true);
        expect(await s.orders.get('O-2')).toMatchObject({
          customerId: 'C-2',
          channel: 'WEB',
          status: 'PENDING',
          version: 1,
        });
      });

      it('should keep a dimension since unchanged when its value repeats and move it when it changes', async () => {
        const s = await store();
        await s.orders.setDimensions('O-3', { fulfillmentState: 'PARTIALLY_SHIPPED' });
        clock.advance(60_000);
        await s.orders.setDimensions('O-3', { fulfillmentState: 'PARTIALLY_SHIPPED', financialState: 'PAID' });
        let row = (await s.orders.get('O-3'))!;
        expect(row.fulfillmentState).toEqual({ value: 'PARTIALLY_SHIPPED', since: '2025-01-01T00:00:00.000Z' });
        expect(row.financialState).toEqual({ value: 'PAID', since: '2025-01-01T00:01:00.000Z' });
        expect(row.returnState).toEqual({ value: null, since: null });
        clock.advance(60_000);
        await s.orders.setDimensions('O-3', { fulfillmentState: 'SHIPPED' });
        row = (await s.orders.get('O-3'))!;
        expect(row.fulfillmentState).toEqual({ value: 'SHIPPED', since: '2025-01-01T00:02:00.000Z' });
      });

      it('should keep the last event per source moving forward in occurred time only, and collect fulfillment nodes', async () => {
        const s = await store();
        await s.orders.recordEvent(
          ev(10, { id: 'wms:a', source: 'wms', type: 'fulfillment.picked', subject: 'O-4', data: { nodeId: 'DC-1' } }),
        );
        await s.orders.recordEvent(
          ev(5, {
            id: 'wms:old',
            source: 'wms',
            type: 'fulfillment.released',
            subject: 'O-4',
            data: { nodeId: 'STORE-9' },
          }),
        );
        await s.orders.recordEvent(
          ev(11, { id: 'wms:b', source: 'wms', type: 'fulfillment.packed', subject: 'O-4', data: { nodeId: 'DC-1' } }),
        );
        expect(await s.orders.sources('O-4')).toEqual([
          {
            source: 'wms',
            lastEventId: 'wms:b',
            lastEventType: 'fulfillment.packed',
            lastOccurredAt: '2025-01-01T00:00:11.000Z',
            lastRecordedAt: null,
          },
        ]);
        expect((await s.orders.get('O-4'))!.fulfillmentNodeIds).toEqual(['DC-1', 'STORE-9']);
      });

      it('should page orders by current status held longer than a duration, longest first', async () => {
        const s = await store();
        for (let i = 0; i < 5; i++) {
          await s.orders.compareAndSetStatus(`H-${i}`, 0, { status: 'ON_HOLD', causeId: `h${i}`, previous: null });
          clock.advance(3600_000);
        }
        await s.orders.compareAndSetStatus('P-1', 0, { status: 'PENDING', causeId: 'p', previous: null });
        const first = await s.orders.byStatus('ON_HOLD', 2 * 3600_000, 2);
        expect(first.nodes.map((n) => n.orderId)).toEqual(['H-0', 'H-1']);
        expect(first.hasNextPage).toBe(true);
        const second = await s.orders.byStatus('ON_HOLD', 2 * 3600_000, 2, first.endCursor);
        expect(second.nodes.map((n) => n.orderId)).toEqual(['H-2', 'H-3']);
        expect(second.hasNextPage).toBe(false);
      });
    });

    describe('exceptions', () => {
      it('should open one exception per type, order and subject, close it with a reason, and count the open ones', async () => {
        const s = await store();
        const opened = await s.exceptions.open({
          type: 'DELIVERY_PROBLEM',
          orderId: 'O-1',
          subjectKey: 'SHP-1',
          channel: 'WEB',
          since: '2024-12-31T00:00:00Z',
          slaSeconds: 0,
          facts: { code: 'RTS' },
        });
        expect(opened).toMatchObject({
          type: 'DELIVERY_PROBLEM',
          orderId: 'O-1',
          actor: 'CARRIER_DESK',
          since: '2024-12-31T00:00:00.000Z',
          closedAt: null,
          facts: { code: 'RTS' },
        });
        expect(
          await s.exceptions.open({
            type: 'DELIVERY_PROBLEM',
            orderId: 'O-1',
            subjectKey: 'SHP-1',
            since: '2024-12-31T00:00:00Z',
            slaSeconds: 0,
            facts: {},
          }),
        ).toBeNull();
        await s.exceptions.open({
          type: 'DELIVERY_PROBLEM',
          orderId: 'O-1',
          subjectKey: 'SHP-2',
          since: '2024-12-31T00:00:00Z',
          slaSeconds: 0,
          facts: {},
        });
        expect(await s.exceptions.openCounts()).toEqual([{ type: 'DELIVERY_PROBLEM', count: 2 }]);
        clock.advance(1000);
        expect(await s.exceptions.close('DELIVERY_PROBLEM', 'O-1', 'SHP-1', 'delivered')).toMatchObject({
          closedAt: '2025-01-01T00:00:01.000Z',
          closeReason: 'delivered',
        });
        expect(await s.exceptions.close('DELIVERY_PROBLEM', 'O-1', 'SHP-1', 'again')).toBeNull();
        expect(await s.exceptions.openCounts()).toEqual([{ type: 'DELIVERY_PROBLEM', count: 1 }]);
        // Reopening after a close is a new exception.
        expect(
          await s.exceptions.open({
            type: 'DELIVERY_PROBLEM',
            orderId: 'O-1',
            subjectKey: 'SHP-1',
            since: '2025-01-01T00:00:00Z',
            slaSeconds: 0,
            facts: {},
          }),
        ).not.toBeNull();
        expect(await s.exceptions.forOrder('O-1')).toHaveLength(3);
      });

      it('should filter by type, open only, age, channel and node, and page oldest first without gaps', async () => {
        const s = await store();
        for (let i = 0; i < 7; i++) {
          await s.exceptions.open({
            type: i % 2 ? 'STUCK_RETURN' : 'DELAYED_UPDATE',
            orderId: `O-${i}`,
            channel: i < 4 ? 'WEB' : 'STORE',
            fulfillmentNodeId: i === 6 ? 'DC-2' : null,
            since: new Date(Date.parse('2024-12-25T00:00:00Z') + i * 86_400_000).toISOString(),
            slaSeconds: 60,
            facts: {},
          });
        }
        await s.exceptions.close('DELAYED_UPDATE', 'O-0', '', 'heard');
        const ids = async (f: Parameters<typeof s.exceptions.list>[0]) =>
          (await s.exceptions.list(f, 50)).nodes.map((n) => n.orderId);
        expect(await ids({})).toEqual(['O-0', 'O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6']);
        expect(await ids({ openOnly: true })).toEqual(['O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6']);
        expect(await ids({ type: 'STUCK_RETURN' })).toEqual(['O-1', 'O-3', 'O-5']);
        expect(await ids({ openOnly: true, olderThanMs: 4 * 86_400_000 })).toEqual(['O-1', 'O-2', 'O-3']);
        expect(await ids({ channel: 'STORE' })).toEqual(['O-4', 'O-5', 'O-6']);
        expect(await ids({ fulfillmentNodeId: 'DC-2' })).toEqual(['O-6']);
        const seen: string[] = [];
        let after: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof s.exceptions.list>> = await s.exceptions.list(
            { openOnly: true },
            4,
            after,
          );
          seen.push(...page.nodes.map((n) => n.orderId));
          after = page.hasNextPage ? page.endCursor : null;
        } while (after);
        expect(seen).toEqual(['O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6']);
        await expect(s.exceptions.list({}, 5, 'not-a-cursor')).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('dead letters', () => {
      const dead = (n: number, group = 'status-tracker', deliveries = 5) =>
        deadLetterEvent(ev(n), {
          deadletterid: `1-${n}`,
          deadletterdeliveries: deliveries,
          deadlettergroup: group,
          deadlettererror: `boom ${n}`,
        });

      it('should record a consumer letter once per stream, group and event, adding attempts when it dies again', async () => {
        const s = await store();
        const first = await s.deadLetters.recordConsumer('ovg.events.source', dead(1));
        expect(first).toMatchObject({
          kind: 'consumer',
          state: 'open',
          stream: 'ovg.events.source',
          group: 'status-tracker',
          system: 'oms',
          eventId: 'oms:e1',
          orderId: 'O-1',
          attempts: 5,
          error: 'boom 1',
        });
        expect(first.event).toEqual(ev(1));
        clock.advance(1000);
        const again = await s.deadLetters.recordConsumer('ovg.events.source', dead(1, 'status-tracker', 3));
        expect(again).toMatchObject({
          id: first.id,
          attempts: 8,
          firstFailedAt: '2025-01-01T00:00:00.000Z',
          lastFailedAt: '2025-01-01T00:00:01.000Z',
        });
        await s.deadLetters.recordConsumer('ovg.events.source', dead(1, 'exceptions'));
        expect(await s.deadLetters.depth()).toEqual({ consumer: 2, ingest: 0 });
      });

      it('should replay a letter exactly once however many replays race, audit each, and answer noop after', async () => {
        const s = await store();
        const letter = await s.deadLetters.recordConsumer('ovg.events.source', dead(2));
        const r = countingRedeliverer();
        const outcomes = await Promise.all(
          [1, 2, 3].map((i) => s.deadLetters.replay(letter.id, { actor: `ops-${i}`, reason: 'downstream fixed' }, r)),
        );
        expect(outcomes.map((o) => o.outcome).sort()).toEqual(['noop', 'noop', 'replayed']);
        expect(r.consumers).toHaveLength(1);
        expect(r.consumers[0]).toMatchObject({
          id: letter.id,
          event: ev(2),
          stream: 'ovg.events.source',
          group: 'status-tracker',
        });
        expect(await s.deadLetters.get(letter.id)).toMatchObject({
          state: 'replayed',
          replays: 1,
          resolvedAt: '2025-01-01T00:00:00.000Z',
          resolution: 'downstream fixed',
        });
        const audit = await s.deadLetters.audit(letter.id);
        expect(audit.filter((a) => a.outcome.startsWith('noop: '))).toHaveLength(2);
        expect(audit.filter((a) => a.outcome === 'replayed')).toHaveLength(1);
        expect(audit).toHaveLength(3);
        expect((await s.deadLetters.replay(letter.id, { actor: 'ops', reason: '' }, r)).outcome).toBe('noop');
        expect(r.consumers).toHaveLength(1);
        expect(await s.deadLetters.depth()).toEqual({ consumer: 0, ingest: 0 });
      });

      it('should keep a letter open with the error when its replay fails, and re-open a replayed one that dies again', async () => {
        const s = await store();
        const letter = await s.deadLetters.recordConsumer('ovg.events.source', dead(3));
        const failed = await s.deadLetters.replay(
          letter.id,
          { actor: 'ops', reason: 'retry' },
          countingRedeliverer(true),
        );
        expect(failed).toMatchObject({
          outcome: 'failed',
          error: 'group unreachable',
          letter: { state: 'open', error: 'replay failed: group unreachable' },
        });
        expect(
          (await s.deadLetters.replay(letter.id, { actor: 'ops', reason: 'retry' }, countingRedeliverer())).outcome,
        ).toBe('replayed');
        await s.deadLetters.recordConsumer('ovg.events.source', dead(3));
        expect(await s.deadLetters.get(letter.id)).toMatchObject({ state: 'open', replays: 1 });
      });

      it('should discard only with a reason, idempotently, and never replay a discarded letter', async () => {
        const s = await store();
        const letter = await s.deadLetters.recordConsumer('ovg.events.source', dead(4));
        await expect(s.deadLetters.discard(letter.id, { actor: 'ops', reason: ' ' })).rejects.toThrow(
          /expected a reason/,
        );
        await expect(s.deadLetters.discard(letter.id, { actor: '', reason: 'x' })).rejects.toThrow(/acting operator/);
        expect((await s.deadLetters.discard(letter.id, { actor: 'ops', reason: 'test order' })).outcome).toBe(
          'discarded',
        );
        expect((await s.deadLetters.discard(letter.id, { actor: 'ops', reason: 'test order' })).outcome).toBe('noop');
        const r = countingRedeliverer();
        expect((await s.deadLetters.replay(letter.id, { actor: 'ops', reason: 'oops' }, r)).outcome).toBe('noop');
        expect(r.consumers).toHaveLength(0);
        await s.deadLetters.recordConsumer('ovg.events.source', dead(4));
        expect((await s.deadLetters.get(letter.id))!.state).toBe('discarded');
        expect((await s.deadLetters.audit(letter.id)).map((a) => [a.action, a.actor, a.reason, a.outcome])).toEqual([
          ['discard', 'ops', 'test order', 'discarded'],
          ['discard', 'ops', 'test order', 'noop: discarded'],
          ['replay', 'ops', 'oops', 'noop: discarded'],
        ]);
        await expect(s.deadLetters.replay('nope', { actor: 'ops', reason: '' }, r)).rejects.toBeInstanceOf(
          UnknownDeadLetterError,
        );
      });

      it('should keep an ingest letter raw with its headers but without transport credentials, and replay a filtered set', async () => {
        const s = await store();
        const raw = '{"eventId":"x","orderId":"O-404"}';
        const a = await s.deadLetters.recordIngest({
          system: 'carrier',
          rawBody: raw,
          headers: { 'content-type': 'application/json', authorization: 'Bearer secret', 'x-signature': 'sha256=abc' },
          error: '409: unknown order O-404',
          orderId: 'O-404',
        });
        expect(a).toMatchObject({
          kind: 'ingest',
          system: 'carrier',
          rawBody: raw,
          headers: { 'content-type': 'application/json', 'x-signature': 'sha256=abc' },
          attempts: 1,
        });
        expect(JSON.stringify(a)).not.toContain('Bearer secret');
        expect(
          (await s.deadLetters.recordIngest({ system: 'carrier', rawBody: raw, headers: {}, error: '409 again' }))
            .attempts,
        ).toBe(2);
        await s.deadLetters.recordIngest({ system: 'wms', rawBody: '{"m":1}', headers: {}, error: '409' });
        await s.deadLetters.recordConsumer('ovg.events.source', dead(5));
        const r = countingRedeliverer();
        const out = await s.deadLetters.replayMatching(
          { kind: 'ingest', system: 'carrier' },
          { actor: 'ops', reason: 'order now exists' },
          r,
        );
        expect(out.map((o) => o.outcome)).toEqual(['replayed']);
        expect(r.ingests.map((l) => l.rawBody)).toEqual([raw]);
        expect(await s.deadLetters.depth()).toEqual({ consumer: 1, ingest: 1 });
        const page = await s.deadLetters.list({ state: 'open' }, 1);
        expect(page.nodes).toHaveLength(1);
        const next = await s.deadLetters.list({ state: 'open' }, 1, page.endCursor);
        expect(next.nodes).toHaveLength(1);
        expect(next.nodes[0]!.id).not.toBe(page.nodes[0]!.id);
        expect(next.hasNextPage).toBe(false);
      });
    });

    describe('ingest ledger', () => {
      it('should let one holder claim an event, answer busy to another, done after completion, and free it on release', async () => {
        const s = await store();
        expect(await s.ledger.claim('e1', 'A')).toBe('claimed');
        expect(await s.ledger.claim('e1', 'B')).toBe('busy');
        expect(await s.ledger.claim('e1', 'A')).toBe('claimed');
        await s.ledger.release('e1', 'A');
        expect(await s.ledger.claim('e1', 'B')).toBe('claimed');
        await s.ledger.complete('e1', 'B');
        expect(await s.ledger.claim('e1', 'A')).toBe('done');
        expect(await s.ledger.claim('e1', 'B')).toBe('done');
      });

      it('should let exactly one of several racing holders claim, and take over a claim older than the lease', async () => {
        const s = await store();
        const claims = await Promise.all(['A', 'B', 'C', 'D'].map((h) => s.ledger.claim('e2', h)));
        expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
        clock.advance(1001);
        expect(await s.ledger.claim('e2', 'Z')).toBe('claimed');
      });

      it('should list each order with an event completed since a time once, by order id, page by page', async () => {
        const s = await store();
        const done = async (eventId: string, orderId?: string): Promise<void> => {
          expect(await s.ledger.claim(eventId, 'A')).toBe('claimed');
          await s.ledger.complete(eventId, 'A', orderId);
        };
        await done('old', 'O-old');
        clock.advance(60_000);
        const since = new Date(clock.now());
        await done('e1', 'O-2');
        await done('e2', 'O-1');
        await done('e3', 'O-2');
        await done('e4');
        await done('e5', 'O-3');
        await s.ledger.claim('e6', 'A'); // claimed, never completed: not applied
        expect(await s.ledger.ordersAppliedSince(since, 10)).toEqual(['O-1', 'O-2', 'O-3']);
        expect(await s.ledger.ordersAppliedSince(since, 2)).toEqual(['O-1', 'O-2']);
        expect(await s.ledger.ordersAppliedSince(since, 2, 'O-2')).toEqual(['O-3']);
        expect(await s.ledger.ordersAppliedSince(new Date(0), 10)).toEqual(['O-1', 'O-2', 'O-3', 'O-old']);
        expect(await s.ledger.ordersAppliedSince(new Date(clock.now() + 1), 10)).toEqual([]);
      });

      it('should refuse to move an entity backwards', async () => {
        const s = await store();
        expect(await s.ledger.isStale('shipment:S1', '2025-01-01T00:00:00Z')).toBe(false);
        await s.ledger.advance('shipment:S1', '2025-01-01T00:00:05Z');
        await s.ledger.advance('shipment:S1', '2025-01-01T00:00:01Z');
        expect(await s.ledger.isStale('shipment:S1', '2025-01-01T00:00:04Z')).toBe(true);
        expect(await s.ledger.isStale('shipment:S1', '2025-01-01T00:00:05Z')).toBe(false);
      });
    });

    describe('system health and lag', () => {
      it('should merge reporters per system: the worst breaker, the freshest success, only recent reports', async () => {
        const s = await store();
        await s.health.report('gw-old', [{ system: 'erp', breaker: 'OPEN', lastSuccessAt: null, lastFailureAt: null }]);
        clock.advance(120_000);
        await s.health.report('gw-1', [
          { system: 'erp', breaker: 'CLOSED', lastSuccessAt: '2025-01-01T00:01:59.000Z', lastFailureAt: null },
          { system: 'wms', breaker: 'CLOSED', lastSuccessAt: null, lastFailureAt: null },
        ]);
        await s.health.report('gw-2', [
          {
            system: 'erp',
            breaker: 'HALF_OPEN',
            lastSuccessAt: '2025-01-01T00:01:00.000Z',
            lastFailureAt: '2025-01-01T00:01:58.000Z',
          },
        ]);
        const h = await s.health.systems(60_000);
        expect(h.find((x) => x.system === 'erp')).toMatchObject({
          breaker: 'HALF_OPEN',
          lastSuccessAt: '2025-01-01T00:01:59.000Z',
          stalenessMs: 1000,
          reporters: 2,
        });
        expect(h.find((x) => x.system === 'wms')).toMatchObject({ breaker: 'CLOSED', stalenessMs: null });
        await expect(
          s.health.report('gw-3', [
            { system: 'erp', breaker: 'BROKEN' as 'OPEN', lastSuccessAt: null, lastFailureAt: null },
          ]),
        ).rejects.toThrow(/expected breaker/);
      });

      it('should give lag percentiles per hop over the window', async () => {
        const s = await store();
        for (let i = 1; i <= 100; i++) await s.health.recordLag('source→exceptions', i);
        await s.health.recordLag('other', 5);
        const [other, src] = await s.health.lag(60_000);
        expect(other).toMatchObject({ hop: 'other', count: 1, p50: 5 });
        expect(src!.count).toBe(100);
        expect(src!.p50).toBeCloseTo(50.5, 1);
        expect(src!.p99).toBeGreaterThan(98);
        expect(src!.max).toBe(100);
      });

      it('should record a lag past the column range (an event a month old) as its maximum, and skip one that is not a number', async () => {
        const s = await store();
        await s.health.recordLag('old', 40 * 24 * 3600_000);
        await s.health.recordLag('old', Number.NaN);
        expect(await s.health.lag(60_000)).toEqual([
          expect.objectContaining({ hop: 'old', count: 1, max: 2 ** 31 - 1 }),
        ]);
      });
    });

    describe('audit trail (docs/returns.md)', () => {
      it('should keep every entry of an order in append order with its actor, reasons and result, and none of another order', async () => {
        const s = await store();
        const entry = (n: number, orderId: string) => ({
          orderId,
          at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
          action: n % 2 ? 'requestReturn' : 'requestCancellation',
          channel: n % 2 ? ('WEB' as const) : null,
          actor: { kind: 'AGENT' as const, consumer: 'salesforce', id: `agent-${n}`, asserted: n % 2 === 1 },
          reasonCodes: ['DAMAGED', `R${n}`],
          result: n % 2 ? ('ACCEPTED' as const) : ('REJECTED' as const),
          detail: `decision ${n}`,
          idempotencyKey: n % 2 ? `k${n}` : null,
        });
        // Appended out of time order: the trail keeps the order they were recorded in.
        for (const n of [3, 1, 2]) await s.audit.append(entry(n, 'A-1'));
        await s.audit.append(entry(9, 'A-2'));
        expect(await s.audit.listByOrder('A-1')).toEqual([entry(3, 'A-1'), entry(1, 'A-1'), entry(2, 'A-1')]);
        expect(await s.audit.listByOrder('A-2')).toEqual([entry(9, 'A-2')]);
        expect(await s.audit.listByOrder('A-3')).toEqual([]);
      });
    });

    describe('action locks and results (docs/returns.md)', () => {
      it('should run one holder of a key at a time, others in turn, and keep different keys apart', async () => {
        const s = await store();
        const trace: string[] = [];
        const hold = (name: string, key: string) =>
          s.actionLocks.run(key, async () => {
            trace.push(`${name}+`);
            await new Promise((r) => setTimeout(r, 15));
            trace.push(`${name}-`);
            return name;
          });
        expect(await Promise.all([hold('a', 'order|1'), hold('b', 'order|1'), hold('c', 'order|1')])).toEqual([
          'a',
          'b',
          'c',
        ]);
        // Never two inside at once: every entry is followed by its own exit.
        for (let i = 0; i < trace.length; i += 2) expect(trace[i + 1]).toBe(trace[i]!.replace('+', '-'));
        trace.length = 0;
        await Promise.all([hold('x', 'order|2'), hold('y', 'order|3')]);
        expect(trace.slice(0, 2).sort()).toEqual(['x+', 'y+']);
        // Released after a throw too.
        await expect(
          s.actionLocks.run('order|1', async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await s.actionLocks.run('order|1', async () => 'free')).toBe('free');
      });

      it('should take over a lease its dead holder left once it expired, and not before', async () => {
        const s = await store();
        expect(await s.actionLocks.tryAcquire('order|9', 'dead')).toBe(true);
        expect(await s.actionLocks.tryAcquire('order|9', 'next')).toBe(false);
        clock.advance(30_000);
        expect(await s.actionLocks.tryAcquire('order|9', 'next')).toBe(true);
      });

      it('should give a waiter ActionLockBusyError after its wait, naming the key', async () => {
        const s = await store();
        const short = new StoreActionLocks(s.db, clock.now, { leaseMs: 60_000, waitMs: 30 });
        expect(await s.actionLocks.tryAcquire('order|7', 'stuck')).toBe(true);
        await expect(short.run('order|7', async () => 'never')).rejects.toThrow(ActionLockBusyError);
        await expect(short.run('order|7', async () => 'never')).rejects.toThrow(
          /^order\|7 is being changed by another request; gave up after waiting \d+ ms$/,
        );
      });

      it('should answer the first result for the same key and request, a conflict for another request, nothing for a new key', async () => {
        const s = await store();
        const result = { returnId: 'RET-1', result: 'ACCEPTED', userErrors: [] };
        expect(await s.actionResults.get('requestReturn|storefront|C-1', 'k1', 'fp-a')).toBeUndefined();
        await s.actionResults.remember('requestReturn|storefront|C-1', 'k1', 'fp-a', result);
        await s.actionResults.remember('requestReturn|storefront|C-1', 'k1', 'fp-a', { ...result, returnId: 'RET-2' });
        expect(await s.actionResults.get('requestReturn|storefront|C-1', 'k1', 'fp-a')).toEqual({ result });
        expect(await s.actionResults.get('requestReturn|storefront|C-1', 'k1', 'fp-b')).toEqual({ conflict: true });
        expect(await s.actionResults.get('requestReturn|storefront|C-2', 'k1', 'fp-a')).toBeUndefined();
        clock.advance(1000);
        expect(await s.actionResults.prune(new Date(clock.now()))).toBe(1);
        expect(await s.actionResults.get('requestReturn|storefront|C-1', 'k1', 'fp-a')).toBeUndefined();
      });
    });

    if (o.openSame) {
      const openSame = o.openSame;
      it('should share every table between two stores opened on one database (replicas)', async () => {
        const a = await store();
        const b = await openSame({ now: clock.now });
        opened.push(b);
        expect(await a.ledger.claim('shared', 'A')).toBe('claimed');
        expect(await b.ledger.claim('shared', 'B')).toBe('busy');
        expect(await a.orders.compareAndSetStatus('S-1', 0, { status: 'PENDING', causeId: 'x', previous: null })).toBe(
          true,
        );
        expect(await b.orders.compareAndSetStatus('S-1', 0, { status: 'PENDING', causeId: 'y', previous: null })).toBe(
          false,
        );
        expect(await a.actionLocks.tryAcquire('order|S-1', 'A')).toBe(true);
        expect(await b.actionLocks.tryAcquire('order|S-1', 'B')).toBe(false);
        await a.actionResults.remember('scope', 'k', 'fp', { n: 1 });
        expect(await b.actionResults.get('scope', 'k', 'fp')).toEqual({ result: { n: 1 } });
      });
    }
  });
}
