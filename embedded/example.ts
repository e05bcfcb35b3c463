/**
 * The query `npm start` suggests, and the README shows its answer: ORD-000003 is the seed's
 * headline case — the OMS has allocated every unit (Salesforce would say "confirmed") while the
 * ERP holds the order — and the graph tells one story about it.
 */
export const EXAMPLE_QUERY =
  '{ order(id: "ORD-000003") { number channel status statusDetail { rule reason facts { source fact observedAt } } customer { name salesforceAccountId } holds { type placedAt releasedAt } paymentStatus fulfillmentOrders { node { type name } warehouseStatus } lineStatuses { lineNumber status quantities { ordered allocated shipped } } } }';
