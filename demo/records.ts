/**
 * The whole demo world, one slice per system. Each system's native record types live next to its
 * port (`subgraphs/<system>/records.ts`); the demo generator produces them, never the reverse.
 */
export type { QtyLine, Money } from '../canonical/index.js';
export type {
  OmsCustomer,
  OmsNode,
  OmsLine,
  OmsOrder,
  OmsFulfillmentOrder,
  OmsSlice,
} from '../subgraphs/oms/records.js';
export type { ErpHold, ErpInvoice, ErpPayment, ErpCreditMemo, ErpOrder, ErpSlice } from '../subgraphs/erp/records.js';
export type { WmsFulfillmentOrder, WmsShipment, WmsReturnReceipt, WmsSlice } from '../subgraphs/wms/records.js';
export type { CarrierScan, CarrierShipment, CarrierSlice } from '../subgraphs/carrier/records.js';
export type { ReturnLineRecord, ReturnRecord, ReturnsSlice } from '../subgraphs/returns/records.js';
export type { SystemName } from '../canonical/systems.js';
import type { OmsSlice } from '../subgraphs/oms/records.js';
import type { ErpSlice } from '../subgraphs/erp/records.js';
import type { WmsSlice } from '../subgraphs/wms/records.js';
import type { CarrierSlice } from '../subgraphs/carrier/records.js';
import type { ReturnsSlice } from '../subgraphs/returns/records.js';

export interface DemoData {
  oms: OmsSlice;
  erp: ErpSlice;
  wms: WmsSlice;
  carrier: CarrierSlice;
  returns: ReturnsSlice;
}
