import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { projectRoot } from '../../runtime/project.js';
import { accessStack, fixtures, type Fixtures } from '../access/harness.js';
import {
  buildForBrowser,
  describeBrowser,
  launchChromium,
  openPage,
  screenshot,
  serveExample,
  type RunningBrowser,
} from '../helpers/browser.js';

/**
 * examples/partner-portal, served from its static build on its own origin, in headless Chromium:
 * a partner signs in with its node's API key and the portal loads its orders and an order's
 * fulfillment detail by persisted-operation ids only — no request carries a GraphQL document.
 */
describeBrowser('partner portal in a browser', () => {
  let s: Stack;
  let f: Fixtures;
  let chromium: RunningBrowser;
  let site: { url: string; close: () => Promise<void> };
  const manifest = JSON.parse(readFileSync(join(projectRoot(), 'operations', 'manifest.json'), 'utf8')) as {
    operations: { id: string; name: string; clientName?: string }[];
  };
  const partnerIds = new Map(manifest.operations.filter((o) => o.clientName === 'partner').map((o) => [o.id, o.name]));
  beforeAll(async () => {
    const { partnerPortal } = await buildForBrowser();
    ({ s } = await accessStack());
    f = fixtures();
    site = await serveExample(partnerPortal, s.gateway.url);
    chromium = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await site?.close();
    await s?.stop();
  });

  it("should list the node's orders and an order's fulfillment by persisted-operation ids only", async () => {
    const { page, problems, requests, close } = await openPage(chromium);
    await page.goto(site.url);
    await page.locator('select[name=nodeId]').selectOption(f.partnerNode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('node').filter({ hasText: f.partnerNode }).waitFor();
    await page
      .getByRole('heading', { name: `Orders at ${f.partnerNode} (${f.ordersOfPartner.length})` })
      .waitFor({ timeout: 15_000 });
    const listed = await page.getByTestId('node-orders').locator('tbody tr').count();
    expect(listed).toBe(Math.min(50, f.ordersOfPartner.length));
    await screenshot(page, 'partner-portal', true);

    await page.getByTestId('node-orders').first().locator('tbody tr a').first().click();
    await page.getByTestId('fulfillment-order').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('fulfillment-order').first().innerText()).toMatch(/To ship/);

    const graphql = requests.filter((r) => r.url === s.gateway.url && r.method === 'POST');
    expect(graphql.length).toBeGreaterThanOrEqual(2);
    for (const r of graphql) {
      const body = JSON.parse(r.body ?? '{}');
      expect(body.query, 'a partner request carried a document').toBeUndefined();
      expect(partnerIds.get(body.extensions?.persistedQuery?.sha256Hash)).toBe(body.operationName);
      expect(r.headers['x-api-key']).toMatch(/^dev-DS-ACME\./);
    }
    expect(new Set(graphql.map((r) => JSON.parse(r.body!).operationName))).toEqual(
      new Set(['PartnerNodeOrders', 'PartnerOrderFulfillment']),
    );
    expect(problems).toEqual([]);
    await close();
  }, 90_000);
});
