import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { accessStack, fixtures, WEBHOOK_SECRET, type Fixtures } from '../access/harness.js';
import { buildForBrowser, describeBrowser, launchChromium, pageProblems, recordRequests, screenshot, serveExample, type RunningBrowser } from '../helpers/browser.js';
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

  it('should show the order history and an order\'s status going live after a signed webhook', async () => {
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
    const graphql = requests.filter((r) => r.url === s.gateway.url && r.method === 'POST').map((r) => JSON.parse(r.body ?? '{}'));
    expect(graphql[0]).toMatchObject({ operationName: 'ShopperOrderHistory', extensions: { persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect(graphql[0].query).toBeUndefined();
    expect(requests.find((r) => r.url === s.gateway.url && r.method === 'POST')?.headers.authorization).toMatch(/^Bearer eyJ/);

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
      notificationId: `ERP-STOREFRONT-${Date.now()}`, eventType: 'HOLD_PLACED', postedAt: new Date().toISOString(),
      salesOrder: { orderRef: f.orderA }, hold: { type: 'FRAUD', reason: 'velocity check' },
    });
    const hook = await fetch(s.subgraphs.erp.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, raw) }, body: raw });
    expect(hook.status).toBe(200);
    await expect.poll(() => headline.textContent(), { timeout: 15_000 }).toBe('Taking a little longer');
    await expect.poll(() => page.getByTestId('live-changes').textContent()).toMatch(/Getting ready → Taking a little longer/);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/velocity|FRAUD|hold/i);
    expect(await page.locator('[data-slot=return-form]').count()).toBe(1);
    await screenshot(page, 'storefront-order');
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

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

  it('should not show a shopper another customer\'s order: it reads as not found', async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    const responses: string[] = [];
    // A response whose page navigated away (sign-in reloads) has no body left to read: skip it, never reject.
    page.on('response', (r) => { if (r.url() === s.gateway.url && r.request().method() === 'POST') r.text().then((t) => responses.push(t), () => undefined); });
    await signIn(page, f.customerA);
    await page.goto(`${site.url}#/orders/${f.orderB}`);
    await page.getByTestId('order-not-found').waitFor({ timeout: 15_000 });
    await expect.poll(() => responses.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('body').innerText()).not.toContain(f.orderNumberB);
    expect(responses.join('\n')).not.toContain(f.orderNumberB);
    await context.close();
  }, 60_000);
});
