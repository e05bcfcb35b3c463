// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators; innerText is the text a person sees, not the DOM property the rule is about
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { carrierCodesFor } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { as, fixtures, ORDERS, query, WEBHOOK_SECRET, world, type Fixtures } from '../access/harness.js';
import {
  buildForBrowser,
  describeBrowser,
  launchChromium,
  openPage,
  screenshot,
  type OpenPage,
  type RunningBrowser,
} from '../helpers/browser.js';
import { stack } from '../helpers/stack.js';
import { eventually } from '../helpers/ws.js';

/** Generous: two cores shared with other suites; every wait is a poll, never a sleep. */
const UI = { timeout: 30_000 };

/**
 * The operations console at /ops in headless Chromium, against the embedded stack with its
 * visibility store (status history, exceptions, dead letters): built on the graph only, every call
 * with an ops credential. An order lookup explains its status and shows its timeline, status
 * changes arrive live, open exceptions show with their age, and a dead letter made the way the
 * system makes one (a webhook refused because its order is unknown) is inspected, fails to replay
 * while the cause holds, and once healed replays from the console and applies exactly once.
 */
describeBrowser('operations console in a browser', () => {
  let s: Stack;
  let store: VisibilityStore;
  let bus: MemoryEventBus;
  let f: Fixtures;
  let chromium: RunningBrowser;
  beforeAll(async () => {
    await buildForBrowser();
    store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
    bus = new MemoryEventBus();
    s = await stack({
      orders: ORDERS,
      bus,
      store,
      statusStore: storeStatusStore(store),
      seedTracker: true,
      webhookSecret: WEBHOOK_SECRET,
    });
    await s.gateway.tracker!.whenSeeded();
    f = fixtures();
    chromium = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.stop();
    await bus?.close();
    await store?.close();
  });

  /** Posts a native webhook body, signed, to `system`'s /ingest; answers the HTTP status. */
  const hook = async (system: keyof Stack['subgraphs'], body: unknown): Promise<number> => {
    const raw = JSON.stringify(body);
    const res = await fetch(s.subgraphs[system].ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(WEBHOOK_SECRET, raw) },
      body: raw,
    });
    await res.arrayBuffer();
    return res.status;
  };

  /**
   * Opens the console and waits until it holds an ops credential and has subscribed to live
   * changes; its `close()` waits until the gateway dropped that subscription, so the next console
   * counts from a settled hub.
   */
  async function openConsole(): Promise<OpenPage> {
    const opened = await openPage(chromium);
    const hub = s.gateway.subscriptions!.hub;
    const before = hub.size();
    await opened.page.goto(`${s.gateway.origin}/ops`);
    await opened.page.getByTestId('ops-session').waitFor(UI);
    await eventually(() => hub.size() > before, UI.timeout, 'the console subscribed');
    return {
      ...opened,
      close: async () => {
        await opened.close();
        await eventually(() => hub.size() <= before, UI.timeout, "the console's subscription ended");
      },
    };
  }

  /** Clicks the console's Refresh (the lists also re-read on their own every 15 s) and reads `testId`'s text. */
  const refreshed = (page: Page, testId: string) => async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return page.getByTestId(testId).innerText();
  };

  /** Built on the graph only: every call is POST /graphql with the ops JWT (or the development credential endpoint). */
  function expectGraphOnly(opened: OpenPage): void {
    const calls = opened.requests.filter((r) => r.method === 'POST');
    expect(
      calls.map((r) => new URL(r.url).pathname).filter((p) => p !== '/graphql' && p !== '/explorer/api/credential'),
    ).toEqual([]);
    for (const r of calls.filter((c) => c.url === s.gateway.url))
      expect(r.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(opened.problems).toEqual([]);
  }

  it('should look an order up with why it has its status, and show a status change as it happens', async () => {
    const opened = await openConsole();
    const { page } = opened;
    await page.locator('input[name=order]').fill(f.orderA);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByTestId('ops-order-status').textContent(), UI).toBe('ALLOCATED');
    const why = await page.getByTestId('ops-why').innerText();
    expect(why).toMatch(/rule 11/);
    expect(why).toMatch(/OMS/);

    const raw = {
      notificationId: `ERP-OPS-${Date.now()}`,
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: f.orderA },
      hold: { type: 'FRAUD', reason: 'velocity check' },
    };
    expect(await hook('erp', raw)).toBe(200);
    await expect.poll(() => page.getByTestId('ops-live').innerText(), UI).toMatch(/ALLOCATED → ON_HOLD/);
    // A click on the change looks the order up again: now on hold, with the hold's reason (ops sees internal fields) and the change in its timeline.
    await page.getByTestId('ops-live').getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('ops-order-status').textContent(), UI).toBe('ON_HOLD');
    expect(await page.getByTestId('ops-order').innerText()).toMatch(/FRAUD \(velocity check\) active/);
    await expect
      .poll(refreshed(page, 'ops-timeline'), UI)
      .toMatch(new RegExp(`ALLOCATED → ON_HOLD\\s+order\\.hold_placed \\(erp\\) erp:${raw.notificationId}`));
    expectGraphOnly(opened);
    await opened.close();
  }, 120_000);

  it('should show open exceptions with their age, and replay a dead letter once its cause healed, applied exactly once', async () => {
    const d = world();
    // Two parcels with a carrier exception scan: two open DELIVERY_PROBLEM exceptions, one a page.
    const problemOrders = d.scenarios['in-transit'].slice(0, 2);
    for (const [i, orderId] of problemOrders.entries()) {
      const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
      expect(
        await hook('carrier', {
          eventId: `OPS-SCAN-${i}-${Date.now()}`,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
          references: shipment.references,
          scans: [
            {
              code: carrierCodesFor(shipment.carrier, 'EXCEPTION')[0]!,
              occurredAt: new Date().toISOString(),
              description: 'Address problem',
              location: null,
            },
          ],
        }),
      ).toBe(200);
    }
    // A hold for an order nobody knows yet (its creation has not arrived) is refused with 409 — a
    // reason that may heal — and kept as an ingest dead letter.
    const pending = 'ORD-970001';
    expect(d.data.oms.orders.some((o) => o.id === pending)).toBe(false);
    const hold = {
      notificationId: `ERP-OPS-HOLD-${Date.now()}`,
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: pending },
      hold: { type: 'CREDIT', reason: 'limit review' },
    };
    expect(await hook('erp', hold)).toBe(409);
    // And one that will never heal (no such order anywhere), to discard.
    const never = {
      notificationId: `ERP-OPS-NEVER-${Date.now()}`,
      eventType: 'HOLD_PLACED',
      postedAt: new Date().toISOString(),
      salesOrder: { orderRef: 'ORD-999998' },
      hold: { type: 'FRAUD' },
    };
    expect(await hook('erp', never)).toBe(409);

    const opened = await openConsole();
    const { page } = opened;

    // Operations health: the open exceptions by type and the open letters.
    await expect.poll(refreshed(page, 'ops-health-exceptions'), UI).toMatch(/DELIVERY_PROBLEM [2-9]/);
    expect(await page.getByTestId('ops-health-letters').innerText()).toMatch(/ingest [2-9]/);

    // Open exceptions with their age; a click on the type in the summary filters the list; one a page.
    await page.getByTestId('ops-health-exceptions').getByRole('button', { name: 'DELIVERY_PROBLEM' }).click();
    await expect.poll(() => page.locator('select[name=exceptionType]').inputValue(), UI).toBe('DELIVERY_PROBLEM');
    await page.locator('input[name=exceptionPageSize]').fill('1');
    const exceptions = page.getByTestId('ops-exceptions');
    await expect.poll(() => exceptions.getByTestId('ops-exception').count(), UI).toBe(1);
    const firstPage = await exceptions.getByTestId('ops-exception').innerText();
    expect(firstPage).toMatch(/DELIVERY_PROBLEM/);
    expect(firstPage).toMatch(/CARRIER_DESK/);
    expect(firstPage).toMatch(/open/);
    expect(await exceptions.getByTestId('ops-exception-age').innerText()).toMatch(/^\d+ (s|min)$/);
    await exceptions.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => exceptions.innerText(), UI).toMatch(/page 2/);
    await expect.poll(() => exceptions.getByTestId('ops-exception').innerText(), UI).not.toBe(firstPage);
    const shownOrders = [firstPage, await exceptions.getByTestId('ops-exception').innerText()].map(
      (t) => /ORD-\d+/.exec(t)?.[0],
    );
    expect(problemOrders.every((o) => shownOrders.includes(o))).toBe(true);
    await exceptions.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => exceptions.getByTestId('ops-exception').innerText(), UI).toBe(firstPage);
    // Another type: none of those are open.
    await page.locator('select[name=exceptionType]').selectOption('REFUND_MISMATCH');
    await exceptions.getByTestId('ops-exceptions-empty').waitFor(UI);
    await page.locator('select[name=exceptionType]').selectOption('');
    await page.locator('input[name=exceptionPageSize]').fill('20');

    // The dead letter, inspected: payload, error, attempts, first and last failure.
    const letters = page.getByTestId('ops-dead-letters');
    const row = letters.getByTestId('ops-dead-letter').filter({ hasText: pending });
    await row.waitFor(UI);
    expect(await row.innerText()).toMatch(/INGEST\s+erp/);
    await row.getByRole('button', { name: 'Inspect' }).click();
    const letter = page.getByTestId('ops-letter');
    await letter.waitFor(UI);
    expect(await page.getByTestId('ops-letter-error').innerText()).toMatch(
      new RegExp(`^409: order ${pending} is unknown to the ERP`),
    );
    expect(JSON.parse(await page.getByTestId('ops-letter-payload').innerText())).toEqual(hold);
    expect(await letter.innerText()).toMatch(/Attempts\s+1/);
    expect(await letter.innerText()).toMatch(/First failure\s+\d{4}-\d\d-\d\dT/);
    expect(await letter.innerText()).toMatch(/Last failure\s+\d{4}-\d\d-\d\dT/);
    expect(await page.getByTestId('ops-letter-state').innerText()).toBe('OPEN');
    expect(await letter.getByRole('button', { name: 'Discard' }).isDisabled()).toBe(true);

    // Replayed while the cause holds: refused again, the letter stays open with one more attempt.
    await letter.locator('input[name=letterReason]').fill('try again');
    await letter.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.getByTestId('ops-letter-outcome').innerText(), UI).toMatch(/^FAILED: .*409/);
    await expect.poll(() => letter.innerText(), UI).toMatch(/Attempts\s+2/);
    expect(await page.getByTestId('ops-letter-state').innerText()).toBe('OPEN');

    // The cause heals: the order is created in the OMS and accepted by the ERP. Replayed from the
    // console, the hold applies, once.
    expect(
      await hook('oms', {
        eventId: `OMS-OPS-NEW-${Date.now()}`,
        eventType: 'ORDER_CREATED',
        eventTime: new Date().toISOString(),
        orderId: pending,
        order: {
          number: 'W970001',
          channel: 'WEB',
          customer: {
            id: 'CUST-97001',
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            salesforceAccountId: '001970000000001AAA',
          },
          lines: [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', description: 'Organic cotton tee', quantity: 2 }],
        },
      }),
    ).toBe(200);
    await expect.poll(() => page.getByTestId('ops-live').innerText(), UI).toMatch(/W970001\s+— → PENDING/);
    expect(
      await hook('erp', {
        notificationId: `ERP-OPS-ACC-${Date.now()}`,
        eventType: 'SALES_ORDER_ACCEPTED',
        postedAt: new Date().toISOString(),
        salesOrder: { orderRef: pending, salesOrderId: `SO-${pending.slice(4)}` },
        totals: {
          subtotal: { amount: '100.00', currency: 'USD' },
          tax: { amount: '8.00', currency: 'USD' },
          shipping: { amount: '5.95', currency: 'USD' },
          total: { amount: '113.95', currency: 'USD' },
        },
      }),
    ).toBe(200);
    await expect.poll(() => page.getByTestId('ops-live').innerText(), UI).toMatch(/PENDING → ACCEPTED/);
    await letter.locator('input[name=letterReason]').fill('the ERP accepted the order now');
    await letter.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.getByTestId('ops-letter-outcome').innerText(), UI).toBe('REPLAYED');
    expect(await page.getByTestId('ops-letter-state').innerText()).toBe('REPLAYED');
    expect(await letter.getByRole('button', { name: 'Replay' }).isDisabled()).toBe(true);
    const audit = await page.getByTestId('ops-letter-audit').innerText();
    expect(audit).toMatch(/replay\s+ops:\S+\s+try again\s+failed: /);
    expect(audit).toMatch(/replay\s+ops:\S+\s+the ERP accepted the order now\s+replayed/);
    await expect.poll(() => page.getByTestId('ops-live').innerText(), UI).toMatch(/ACCEPTED → ON_HOLD/);

    // Applied once: a second replay (another operator, through the graph) changes nothing, nor does the webhook re-sent.
    const again = await query(
      s.gateway.url,
      await as.ops(),
      'mutation ($id: ID!) { replayDeadLetter(id: $id, reason: "twice") { outcome } }',
      { id: await letter.locator('h3 .muted').innerText() },
    );
    expect(again.body).toEqual({ data: { replayDeadLetter: { outcome: 'NOOP' } } });
    expect(await hook('erp', hold)).toBe(200);
    await page.locator('input[name=order]').fill(pending);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByTestId('ops-order-status').textContent(), UI).toBe('ON_HOLD');
    await expect.poll(refreshed(page, 'ops-timeline'), UI).toContain(`erp:${hold.notificationId}`);
    const timeline = await page.getByTestId('ops-timeline').innerText();
    expect(timeline.match(/→ ON_HOLD/g)).toHaveLength(1);
    expect(timeline).toMatch(/PENDING → ACCEPTED/);

    // The letter that cannot heal is discarded, with a reason.
    await letters
      .getByTestId('ops-dead-letter')
      .filter({ hasText: 'ORD-999998' })
      .getByRole('button', { name: 'Inspect' })
      .click();
    await expect.poll(() => page.getByTestId('ops-letter-payload').innerText(), UI).toContain(never.notificationId);
    await letter.locator('input[name=letterReason]').fill('test order, never existed');
    await letter.getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => page.getByTestId('ops-letter-outcome').innerText(), UI).toBe('DISCARDED');
    expect(await letter.innerText()).toMatch(/Resolved\s+\S+ by ops:\S+: test order, never existed/);
    await expect.poll(refreshed(page, 'ops-health-letters'), UI).toMatch(/ingest 0/);
    await expect.poll(() => letters.getByTestId('ops-dead-letters-empty').count(), UI).toBe(1);

    // For the docs: the letter list shows what was done.
    await page.locator('select[name=letterState]').selectOption('');
    await letters
      .getByTestId('ops-dead-letter')
      .filter({ hasText: pending })
      .getByRole('button', { name: 'Inspect' })
      .click();
    await expect.poll(() => page.getByTestId('ops-letter-state').innerText(), UI).toBe('REPLAYED');
    await screenshot(page, 'ops-console', true);
    expectGraphOnly(opened);
    await opened.close();
  }, 180_000);
});
