import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent, EventType } from '../../canonical/index.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { ShipmentLedger } from '../../subgraphs/common/shipmentLedger.js';

// The cross-system view ingest's guards read: what was shipped, voided, delivered or is coming back,
// folded from the source stream on demand.

let bus: MemoryEventBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

let n = 0;
const publish = (b: MemoryEventBus, type: string, orderId: string, data: Record<string, unknown>) =>
  b.publish(
    Streams.SOURCE,
    cloudEvent({ id: `t:${++n}`, source: 'wms', type, subject: orderId, time: '2026-11-02T00:00:00.000Z', data }),
  );

describe('ShipmentLedger', () => {
  it('should count dispatched units per line, leaving out voided labels, and count what may come back', async () => {
    bus = new MemoryEventBus();
    const ledger = new ShipmentLedger(bus);
    await publish(bus, EventType.ORDER_PLACED, 'O1', {});
    await publish(bus, EventType.SHIPMENT_SHIPPED, 'O1', { shipmentId: 'S1', lines: [{ lineNumber: 1, quantity: 2 }] });
    await publish(bus, EventType.SHIPMENT_SHIPPED, 'O1', {
      shipmentId: 'S2',
      lines: [
        { lineNumber: 1, quantity: 1 },
        { lineNumber: 2, quantity: 1 },
      ],
    });
    await publish(bus, EventType.SHIPMENT_SHIPPED, 'O1', { shipmentId: 'S3', lines: [{ lineNumber: 2, quantity: 4 }] });
    await publish(bus, EventType.SHIPMENT_DELIVERED, 'O1', { shipmentId: 'S1', status: 'DELIVERED' });
    await publish(bus, EventType.SHIPMENT_TRACKING_UPDATED, 'O1', { shipmentId: 'S2', status: 'RETURNED_TO_SENDER' });
    await publish(bus, EventType.SHIPMENT_TRACKING_UPDATED, 'O1', { shipmentId: 'S3', status: 'CANCELLED' });
    expect(await ledger.dispatched('O1')).toEqual(
      new Map([
        [1, 3],
        [2, 1],
      ]),
    );
    expect(await ledger.returnable('O1')).toEqual(
      new Map([
        [1, 3],
        [2, 1],
      ]),
    );
    expect(await ledger.confirmed('O1', 'S1')).toBe(true);
    expect(await ledger.confirmed('O1', 'S9')).toBe(false);
  });

  it('should answer null (unknown, not zero) for an order it never saw placed, and see events published after its first answer', async () => {
    bus = new MemoryEventBus();
    const ledger = new ShipmentLedger(bus, { pageSize: 2 });
    expect(await ledger.returnable('O2')).toBeNull();
    expect(await ledger.confirmed('O2', 'S1')).toBeNull();
    expect(await ledger.dispatched('O2')).toEqual(new Map());
    await publish(bus, EventType.ORDER_PLACED, 'O2', {});
    for (let i = 1; i <= 5; i++)
      await publish(bus, EventType.SHIPMENT_SHIPPED, 'O2', {
        shipmentId: `S${i}`,
        lines: [{ lineNumber: 1, quantity: 1 }],
      });
    expect(await ledger.dispatched('O2')).toEqual(new Map([[1, 5]]));
    expect(await ledger.returnable('O2')).toEqual(new Map());
  });

  it('should carry on from the oldest retained entry when the entries it had not read were trimmed', async () => {
    bus = new MemoryEventBus({ maxLen: 3 });
    const ledger = new ShipmentLedger(bus);
    await publish(bus, EventType.ORDER_PLACED, 'O3', {});
    expect(await ledger.dispatched('O3')).toEqual(new Map());
    for (let i = 1; i <= 6; i++)
      await publish(bus, EventType.SHIPMENT_SHIPPED, 'O3', {
        shipmentId: `S${i}`,
        lines: [{ lineNumber: 1, quantity: 1 }],
      });
    // S1–S3 were trimmed before the ledger read them: it counts what the stream still holds.
    expect(await ledger.dispatched('O3')).toEqual(new Map([[1, 3]]));
  });
});
