/** The document the editor opens with, per consumer: a query and a subscription it may run. */
export function defaultDocument(consumer: string, choice: { customerId: string; partnerNodeId: string }): string {
  const live = [
    '# Subscriptions: graphql-ws on the same URL,',
    '# the credential in connection_init.',
    '# Pick it in the run menu (▶).',
    'subscription LiveStatus {',
    '  orderStatusChanged {',
    '    orderId previousStatus status changedAt',
    '    order { number status }',
    '  }',
    '}',
  ];
  switch (consumer) {
    case 'storefront':
      return [
        `# Shopper ${choice.customerId}: only that customer's`,
        '# orders exist here; no internal fields.',
        'query MyOrders {',
        '  orders(first: 5) {',
        '    totalCount',
        '    edges { node { id number placedAt status statusDetail { reason } } }',
        '  }',
        '}',
        '',
        ...live,
      ].join('\n');
    case 'partner':
      return [
        `# Partner key for node ${choice.partnerNodeId}.`,
        '# A partner runs only its persisted operations',
        '# (operations/partner, by id): an ad-hoc document',
        '# like this one is refused (PERSISTED_QUERY_NOT_ALLOWED).',
        'query NodeOrders {',
        `  orders(filter: { fulfillmentNodeId: "${choice.partnerNodeId}" }, first: 5) {`,
        '    edges { node { number fulfillmentOrders { warehouseStatus } } }',
        '  }',
        '}',
      ].join('\n');
    default:
      return [
        `# As ${consumer} (development credential).`,
        'query OrderStatus {',
        '  order(id: "ORD-000003") {',
        '    number status',
        '    statusDetail { rule reason facts { source fact } }',
        '    shipments { trackingNumber status }',
        '  }',
        '}',
        '',
        ...live,
      ].join('\n');
  }
}
