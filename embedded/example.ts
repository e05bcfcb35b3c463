/** The query `npm start` suggests; the README shows its answer. */
export const EXAMPLE_QUERY =
  '{ order(id: "ORD-000001") { number status statusDetail { rule reason } customer { name } holds { type releasedAt } shipments { trackingNumber status } returns { status } } }';
