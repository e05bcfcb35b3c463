import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { accessStack, fixtures, WEBHOOK_SECRET, type Fixtures } from '../access/harness.js';
import { buildForBrowser, describeBrowser, launchChromium, pageProblems, recordRequests, screenshot, type RunningBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/ws.js';

/**
 * The operations console at /ops in headless Chromium: built on the graph only, every call with an
 * ops credential; an order lookup explains its status, and status changes arrive live.
 */
describeBrowser('operations console in a browser', () => {
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

  it('should look an order up with why it has its status, and show a status change as it happens', async () => {
    const context = await chromium.context();
    const page = await context.newPage();
    const problems = pageProblems(page);
    const requests = recordRequests(page);
    const before = s.gateway.subscriptions!.hub.size();
    await page.goto(`${s.gateway.origin}/ops`);
    await page.getByTestId('ops-session').waitFor({ timeout: 15_000 });
    await eventually(() => s.gateway.subscriptions!.hub.size() > before, 10_000, 'the console subscribed');

    await page.locator('input[name=order]').fill(f.orderA);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByTestId('ops-order-status').textContent(), { timeout: 15_000 }).toBe('ALLOCATED');
    const why = await page.getByTestId('ops-why').innerText();
    expect(why).toMatch(/rule 11/);
    expect(why).toMatch(/OMS/);

    const raw = JSON.stringify({
      notificationId: `ERP-OPS-${Date.now()}`, eventType: 'HOLD_PLACED', postedAt: new Date().toISOString(),
      salesOrder: { orderRef: f.orderA }, hold: { type: 'FRAUD', reason: 'velocity check' },
    });
    const hook = await fetch(s.subgraphs.erp.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, raw) }, body: raw });
    expect(hook.status).toBe(200);
    await expect.poll(() => page.getByTestId('ops-live').innerText(), { timeout: 15_000 }).toMatch(/ALLOCATED → ON_HOLD/);
    // A click on the change looks the order up again: now on hold, with the hold's reason (ops sees internal fields).
    await page.getByTestId('ops-live').getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('ops-order-status').textContent(), { timeout: 15_000 }).toBe('ON_HOLD');
    expect(await page.getByTestId('ops-order').innerText()).toMatch(/FRAUD \(velocity check\) active/);
    expect(await page.getByTestId('ops-observability').innerText()).toMatch(/Query\.exceptions|Query\.deadLetters/);
    await screenshot(page, 'ops-console', true);

    // Built on the graph only: every call is /graphql with the ops credential (or the development credential endpoint).
    const calls = requests.filter((r) => r.method === 'POST');
    expect(calls.map((r) => new URL(r.url).pathname).filter((p) => p !== '/graphql' && p !== '/explorer/api/credential')).toEqual([]);
    for (const r of calls.filter((c) => c.url === s.gateway.url)) expect(r.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
