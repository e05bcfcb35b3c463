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
  type RunningBrowser,
} from '../helpers/browser.js';
import { eventually } from '../helpers/ws.js';

/**
 * The development explorer in headless Chromium against the embedded stack: the page is the
 * gateway's own (nothing from a CDN), it signs in as a consumer with a development credential,
 * runs a query over HTTP and a subscription over graphql-ws, both carrying that credential.
 */
describeBrowser('explorer in a browser', () => {
  let s: Stack;
  let f: Fixtures;
  let chromium: RunningBrowser;
  beforeAll(async () => {
    await buildForBrowser();
    ({ s } = await accessStack({ live: true }));
    f = fixtures();
    chromium = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.stop();
  });

  /** Runs the named operation of the editor's document from the run button's menu. */
  async function run(page: import('playwright-core').Page, operation: string): Promise<void> {
    // The editor (Monaco) fills in after the page shows; the run menu lists the document's operations.
    await page.locator('.graphiql-query-editor').filter({ hasText: operation }).waitFor({ timeout: 20_000 });
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: operation }).click();
  }

  /** The response pane's text (Monaco renders spaces as no-break spaces). */
  const responseText = async (page: import('playwright-core').Page) =>
    (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');

  it('should explore offline: run a query and a subscription as the chosen consumer, loading nothing from elsewhere', async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    const problems = pageProblems(page);
    const requests = recordRequests(page);
    const sentOverWs: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sentOverWs.push(String(frame.payload))));

    // A browser navigating to the GraphQL URL gets the explorer; it signs in as salesforce by default.
    await page.goto(s.gateway.url);
    await page.getByTestId('session').filter({ hasText: 'salesforce' }).waitFor({ timeout: 20_000 });
    await page.locator('.graphiql-execute-button').waitFor();

    await run(page, 'OrderStatus');
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('statusDetail');
    expect(await responseText(page)).toContain('"number": "K100003"');
    const query = requests.find(
      (r) => r.method === 'POST' && r.url === s.gateway.url && r.body?.includes('OrderStatus'),
    );
    expect(query?.headers.authorization).toMatch(/^Bearer eyJ/);

    // The subscription runs over graphql-ws with the credential in connection_init.
    const before = s.gateway.subscriptions!.hub.size();
    await run(page, 'LiveStatus');
    await eventually(() => s.gateway.subscriptions!.hub.size() > before, 10_000, 'the explorer subscribed');
    // Playwright reports sent frames asynchronously: the server may see the subscription first.
    const initAuthorization = () =>
      sentOverWs.map((m) => JSON.parse(m)).find((m) => m.type === 'connection_init')?.payload?.authorization;
    await expect.poll(initAuthorization, { timeout: 10_000 }).toMatch(/^Bearer eyJ/);
    const raw = JSON.stringify({
      notificationId: `ERP-EXPLORER-${Date.now()}`,
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
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('ON_HOLD');
    expect(await responseText(page)).toContain(f.orderA);
    await screenshot(page, 'explorer');

    // Offline: every request went to the gateway itself (no CDN, no font or script from elsewhere).
    const gateway = new URL(s.gateway.url).origin;
    const elsewhere = requests.filter(
      (r) => !r.url.startsWith(gateway) && !r.url.startsWith('data:') && !r.url.startsWith('blob:'),
    );
    expect(elsewhere.map((r) => r.url)).toEqual([]);
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    await context.close();
  }, 90_000);

  it('should show a shopper only the fields a storefront may see', async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    await page.goto(`${new URL(s.gateway.url).origin}/explorer`);
    await page.getByTestId('session').filter({ hasText: 'salesforce' }).waitFor({ timeout: 20_000 });
    await page.locator('select[name=consumer]').selectOption('storefront');
    await page.locator('input[name=customerId]').fill(f.customerA);
    const schema = page.waitForResponse((r) => r.url().includes('/explorer/api/schema?consumer=storefront'));
    await page.getByRole('button', { name: 'Use this consumer' }).click();
    const sdl = await (await schema).text();
    expect(sdl).toContain('orderStatusChanged');
    expect(sdl).not.toMatch(/erpSalesOrderId/);
    await page
      .getByTestId('session')
      .filter({ hasText: `storefront ${f.customerA}` })
      .waitFor();
    await run(page, 'MyOrders');
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('totalCount');
    expect(await responseText(page)).toContain(`"totalCount": ${f.ordersOfA.length}`);
    await context.close();
  }, 60_000);
});
