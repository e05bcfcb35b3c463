import type { ReturnsSlice } from '../../../demo/records.js';
import { byTime, pushTo } from '../../common/collections.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { ReturnRecord, ReturnsPort } from '../port.js';

/** A seeded in-memory returns desk with fault knobs; the embedded default. */
export class MemoryReturns implements ReturnsPort {
  readonly sim: SystemSimulator;
  private readonly returns = new Map<string, ReturnRecord>();
  private readonly byOrder = new Map<string, ReturnRecord[]>();

  constructor(slice: ReturnsSlice, faults: Partial<FaultKnobs> = {}) {
    this.sim = new SystemSimulator('returns', faults);
    for (const r of [...slice.returns].sort(byTime((x) => x.requestedAt))) {
      this.returns.set(r.id, r);
      pushTo(this.byOrder, r.orderId, r);
    }
  }

  returnsByOrderIds(orderIds: readonly string[]) {
    return this.sim.call('returnsByOrderIds', () => orderIds.map((id) => this.byOrder.get(id) ?? []));
  }

  returnsById(ids: readonly string[]) {
    return this.sim.call('returnsById', () => ids.map((id) => this.returns.get(id) ?? null));
  }
}
