import { afterEach, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { devCredentialHeader } from '../../gateway/auth/devCredentials.js';
import { eventually } from '../helpers/ws.js';

const SECRET = 'salesforce-e2e-secret-0123456';
let s: Stack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('embedded stack: status changes arrive in Salesforce', () => {
  it('should upsert the Order in the emulator after an ERP webhook changes its status, with number, Account and start date read through the graph', async () => {
    const demo = generateDemo({ orders: 120 });
    const bus = new MemoryEventBus();
    s = await startStack({
      data: demo.data,
      bus,
      statusStore: new MemoryStatusStore(),
      seedTracker: true,
      webhookSecret: SECRET,
      salesforce: {},
    });
    await s.gateway.tracker!.whenSeeded();
    const sf = s.salesforce!.emulator!;
    // An allocated order whose customer has a Salesforce Account (a new Order needs one).
    const withAccount = new Set(demo.data.oms.customers.filter((c) => c.salesforceAccountId).map((c) => c.id));
    const id = demo.scenarios.allocated.find((o) =>
      withAccount.has(demo.data.oms.orders.find((x) => x.id === o)!.customerId),
    )!;

    const raw = JSON.stringify({
      notificationId: 'ERP-SF-1',
      eventType: 'HOLD_PLACED',
      postedAt: '2026-11-20T10:00:00Z',
      salesOrder: { orderRef: id },
      hold: { type: 'FRAUD', reason: 'velocity check' },
    });
    const res = await fetch(s.subgraphs.erp.ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
      body: raw,
    });
    expect(res.status).toBe(200);

    const [name, value] = (await devCredentialHeader('salesforce')).split(': ');
    const graph = await fetch(s.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [name!]: value! },
      body: JSON.stringify({
        query: 'query ($id: ID!) { order(id: $id) { number placedAt customer { salesforceAccountId } } }',
        variables: { id },
      }),
    });
    const order = (
      (await graph.json()) as {
        data: { order: { number: string; placedAt: string; customer: { salesforceAccountId: string | null } } };
      }
    ).data.order;

    await eventually(
      () => sf.org.find('Order', 'Order_Visibility_Id__c', id) !== undefined,
      10_000,
      'the order in the emulator',
    );
    expect(order.customer.salesforceAccountId).toMatch(/^001/);
    expect(sf.org.find('Order', 'Order_Visibility_Id__c', id)).toMatchObject({
      Order_Visibility_Status__c: 'ON_HOLD',
      Order_Visibility_Previous_Status__c: 'ALLOCATED',
      Order_Visibility_Number__c: order.number,
      AccountId: order.customer.salesforceAccountId,
      EffectiveDate: order.placedAt.slice(0, 10),
      Status: 'Draft',
    });
  });
});
