import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { accessStack, fixtures, WEBHOOK_SECRET, type Fixtures } from '../access/harness.js';
import {
  buildForBrowser,
  describeBrowser,
  launchChromium,
  pageProblems,
  recordRequests,
  screenshot,
  serveExample,
  type RunningBrowser,
} from '../helpers/browser.js';
import { eventually } from '../helpers/ws.js';

/**
 * examples/storefront, built with Vite and served from its static files on its own origin, in
 * headless Chromium against the embedded stack: a shopper signs in (customer JWT), sees their
 * order history, an order's status in shopper words with its shipments, and a live change pushed
 * over graphql-ws after a signed webhook; another customer's order does not exist for them.
 */
describeBrowser('storefront in a browser', () => {
  let s: Stack;
  let f: Fixtures;
  let chromium: RunningBrowser;
  let site: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    const { storefront } = await buildForBrowser();
    ({ s } = await accessStack({ live: true }));
    f = fixtures();
    site = await serveExample(storefront, s.gateway.url);
    chromium = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await site?.close();
    await s?.stop();
  });

  async function signIn(page: Page, customerId: string): Promise<void> {
    await page.goto(site.url);
    await page.locator('input[name=customerId]').fill(customerId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('customer').filter({ hasText: customerId }).waitFor();
  }

  it("should show the order history and an order's status going live after a signed webhook", async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    const problems = pageProblems(page);
    const requests = recordRequests(page);
    const sentOverWs: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sentOverWs.push(String(frame.payload))));
    await signIn(page, f.customerA);

    const history = page.getByTestId('order-history');
    await history.waitFor();
    expect(await history.locator('tbody tr').count()).toBe(f.ordersOfA.length);
    await screenshot(page, 'storefront-history');

    // Queries use automatic persisted queries: the hash first, the document only when asked for it.
    const graphql = requests
      .filter((r) => r.url === s.gateway.url && r.method === 'POST')
      .map((r) => JSON.parse(r.body ?? '{}'));
    expect(graphql[0]).toMatchObject({
      operationName: 'ShopperOrderHistory',
      extensions: { persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });
    expect(graphql[0].query).toBeUndefined();
    expect(requests.find((r) => r.url === s.gateway.url && r.method === 'POST')?.headers.authorization).toMatch(
      /^Bearer eyJ/,
    );

    // Order A is ALLOCATED: "Getting ready", live over graphql-ws.
    const before = s.gateway.subscriptions!.hub.size();
    await page.goto(`${site.url}#/orders/${f.orderA}`);
    const headline = page.getByTestId('status-headline');
    await expect.poll(() => headline.textContent(), { timeout: 15_000 }).toBe('Getting ready');
    await eventually(() => s.gateway.subscriptions!.hub.size() > before, 10_000, 'the order page subscribed');
    const init = sentOverWs.map((m) => JSON.parse(m)).find((m) => m.type === 'connection_init');
    expect(init?.payload?.authorization).toMatch(/^Bearer eyJ/);

    // The ERP places a hold (a signed webhook): the page says so in shopper words, without the reason.
    const raw = JSON.stringify({
      notificationId: `ERP-STOREFRONT-${Date.now()}`,
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: f.orderA },
      hold: { type: 'FRAUD', reason: 'velocity check' },
    });
    const hook = await fetch(s.subgraphs.erp.ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, raw) },
      body: raw,
    });
    expect(hook.status).toBe(200);
    await expect.poll(() => headline.textContent(), { timeout: 15_000 }).toBe('Taking a little longer');
    await expect
      .poll(() => page.getByTestId('live-changes').textContent())
      .toMatch(/Getting ready → Taking a little longer/);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/velocity|FRAUD|hold/i);
    // Nothing of an undelivered order can be returned yet: the form says why, line by line.
    await page.getByTestId('return-form').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('not-returnable').count()).toBeGreaterThan(0);
    await screenshot(page, 'storefront-order');
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('should let a shopper return a delivered line, say why the final-sale line cannot go back, and show the return', async () => {
    // An order of customer A, placed, paid, shipped, delivered and invoiced just now (signed webhooks).
    const orderId = `ORD-97${String(Date.now()).slice(-4)}`;
    const base = Date.now() - 10 * 60_000;
    let tick = 0;
    const at = () => new Date(base + ++tick * 1000).toISOString();
    const send = async (system: 'oms' | 'erp' | 'wms' | 'carrier', body: Record<string, unknown>) => {
      const raw = JSON.stringify(body);
      const r = await fetch(s.subgraphs[system].ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, raw) },
        body: raw,
      });
      expect(r.status, `${system} ${raw}`).toBe(200);
    };
    const usd = (amount: string) => ({ amount, currency: 'USD' });
    const lines = [
      { lineNumber: 1, quantity: 2 },
      { lineNumber: 2, quantity: 1 },
    ];
    const fo = `FO-${orderId}-1`;
    const shipment = `SHP-${orderId}-1`;
    await send('oms', {
      eventId: `${orderId}-o1`,
      eventType: 'ORDER_CREATED',
      eventTime: at(),
      orderId,
      order: {
        number: `W${orderId.slice(4)}`,
        channel: 'WEB',
        customer: { id: f.customerA, name: 'Shopper A' },
        lines: [
          { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 },
          { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1, finalSale: true },
        ],
      },
    });
    const erp = (n: number, eventType: string, extra: object) =>
      send('erp', {
        notificationId: `${orderId}-e${n}`,
        eventType,
        postedAt: at(),
        salesOrder: { orderRef: orderId, salesOrderId: `SO-${orderId}` },
        ...extra,
      });
    await erp(1, 'SALES_ORDER_ACCEPTED', {
      totals: { subtotal: usd('80.00'), tax: usd('0.00'), shipping: usd('0.00'), total: usd('80.00') },
    });
    await erp(2, 'PAYMENT_AUTHORIZED', { payment: { paymentId: `PAY-${orderId}`, amount: usd('80.00') } });
    await erp(3, 'PAYMENT_CAPTURED', { payment: { paymentId: `PAY-${orderId}`, capturedTotal: usd('80.00') } });
    await send('wms', {
      messageId: `${orderId}-w1`,
      occurredAt: at(),
      orderId,
      messageType: 'RELEASE',
      nodeId: 'DC-EAST',
      fulfillmentOrderId: fo,
    });
    await send('oms', {
      eventId: `${orderId}-o2`,
      eventType: 'ORDER_ALLOCATED',
      eventTime: at(),
      orderId,
      fulfillmentOrder: { id: fo, nodeId: 'DC-EAST', lines },
    });
    for (const [n, messageType] of [
      [2, 'PICK_CONFIRM'],
      [3, 'PACK_CONFIRM'],
    ] as const)
      await send('wms', {
        messageId: `${orderId}-w${n}`,
        occurredAt: at(),
        orderId,
        messageType,
        nodeId: 'DC-EAST',
        fulfillmentOrderId: fo,
      });
    await send('wms', {
      messageId: `${orderId}-w4`,
      occurredAt: at(),
      orderId,
      messageType: 'SHIP_CONFIRM',
      nodeId: 'DC-EAST',
      fulfillmentOrderId: fo,
      shipments: [{ shipmentId: shipment, carrier: 'UPS', trackingNumber: `1Z${shipment}`, lines }],
    });
    await send('carrier', {
      eventId: `${orderId}-c1`,
      carrier: 'UPS',
      trackingNumber: `1Z${shipment}`,
      references: { shipmentId: shipment, orderId },
      scans: ['M', 'I', 'D'].map((code) => ({ code, occurredAt: at(), description: code })),
    });
    await erp(4, 'INVOICE_POSTED', {
      invoice: {
        number: `INV-${orderId}`,
        amount: usd('80.00'),
        lines: lines.map((l) => ({ ...l, amount: usd('40.00') })),
      },
    });

    const context = await chromium.context();
    const page = await context.newPage();
    const problems = pageProblems(page);
    const requests = recordRequests(page);
    await signIn(page, f.customerA);
    await page.goto(`${site.url}#/orders/${orderId}`);
    const form = page.getByTestId('return-form');
    await form.waitFor({ timeout: 15_000 });
    // The same policy an agent sees: line 1 can go back (2 units), line 2 is final sale.
    await page.locator('input[name=return-qty-1]').waitFor({ timeout: 15_000 });
    expect(await page.locator('input[name=return-qty-1]').getAttribute('max')).toBe('2');
    expect(await page.getByTestId('return-line-2').innerText()).toMatch(/can't be returned: .*final sale/i);
    expect(await page.locator('input[name=return-qty-2]').count()).toBe(0);

    await page.locator('input[name=return-qty-1]').fill('1');
    await page.locator('select[name=return-reason]').selectOption('SIZE_FIT');
    await page.getByRole('button', { name: 'Request return' }).click();
    await expect
      .poll(() => page.getByTestId('return-confirmation').textContent(), { timeout: 15_000 })
      .toMatch(/Return requested on .*: 1 item\(s\)/);
    // The page re-read the order: the new return is listed, and one unit of line 1 is left to return.
    await expect.poll(() => page.getByTestId('returns').locator('li').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('input[name=return-qty-1]').getAttribute('max'), { timeout: 15_000 })
      .toBe('1');
    await screenshot(page, 'storefront-return', true);

    // The request went to the graph as the shopper, with an idempotency key and the shopper's channel.
    const sent = requests
      .filter((r) => r.url === s.gateway.url && r.method === 'POST')
      .map((r) => JSON.parse(r.body ?? '{}'))
      .filter((b) => b.operationName === 'ShopperRequestReturn');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0].variables.input).toMatchObject({
      orderId,
      channel: 'WEB',
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
      lines: [{ lineNumber: 1, quantity: 1, reasonCode: 'SIZE_FIT' }],
    });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('should show shipments with tracking for a shipped order', async () => {
    const { data } = (await import('../helpers/stack.js')).demo(200);
    const tracked = new Set(data.carrier.shipments.map((c) => c.trackingNumber));
    const shipped = data.wms.shipments.find((x) => tracked.has(x.trackingNumber))!;
    const owner = data.oms.orders.find((o) => o.id === shipped.orderId)!.customerId;
    const context = await chromium.context();
    const page = await context.newPage();
    await signIn(page, owner);
    await page.goto(`${site.url}#/orders/${shipped.orderId}`);
    const shipments = page.getByTestId('shipments');
    await shipments.waitFor({ timeout: 15_000 });
    expect(await shipments.innerText()).toContain(shipped.trackingNumber);
    await screenshot(page, 'storefront-shipments', true);
    await context.close();
  }, 60_000);

  it("should not show a shopper another customer's order: it reads as not found", async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    const responses: string[] = [];
    // A response whose page navigated away (sign-in reloads) has no body left to read: skip it, never reject.
    page.on('response', (r) => {
      if (r.url() === s.gateway.url && r.request().method() === 'POST')
        r.text().then(
          (t) => responses.push(t),
          () => undefined,
        );
    });
    await signIn(page, f.customerA);
    await page.goto(`${site.url}#/orders/${f.orderB}`);
    await page.getByTestId('order-not-found').waitFor({ timeout: 15_000 });
    await expect.poll(() => responses.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('body').innerText()).not.toContain(f.orderNumberB);
    expect(responses.join('\n')).not.toContain(f.orderNumberB);
    await context.close();
  }, 60_000);
});
