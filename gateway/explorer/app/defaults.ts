/** The document the editor opens with, per consumer: a query and a subscription it may run. */
export function defaultDocument(consumer: string, choice: { customerId: string; partnerNodeId: string }): string {
  const live = [
    '# Subscriptions run over graphql-ws on the same URL, with the same credential in connection_init.',
    '# Select the operation in the run menu (▶) to start it; changes arrive as orders move along.',
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
        `# Signed in as shopper ${choice.customerId}: only that customer's orders exist here,`,
        '# and the internal fields are not in the schema.',
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
        `# Partner key for node ${choice.partnerNodeId}. A partner runs only its persisted operations`,
        '# (operations/partner, by id): an ad-hoc document like this one is refused with',
        '# PERSISTED_QUERY_NOT_ALLOWED. The schema shows what those operations may select.',
        'query NodeOrders {',
        `  orders(filter: { fulfillmentNodeId: "${choice.partnerNodeId}" }, first: 5) {`,
        '    edges { node { number fulfillmentOrders { warehouseStatus } } }',
        '  }',
        '}',
      ].join('\n');
    default:
      return [
        `# Acting as ${consumer} with a development credential.`,
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
