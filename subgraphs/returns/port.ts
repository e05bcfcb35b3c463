import type { ReturnRecord } from '../../demo/records.js';

export type { ReturnRecord };

/** The returns desk, as the returns subgraph reaches it. Batch-shaped. */
export interface ReturnsPort {
  /** Each order's returns, oldest first ([] when none). */
  returnsByOrderIds(orderIds: readonly string[]): Promise<ReturnRecord[][]>;
  returnsById(ids: readonly string[]): Promise<(ReturnRecord | null)[]>;
}
