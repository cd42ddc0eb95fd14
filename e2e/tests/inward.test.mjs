// A letter from Cairo to Ramallah through Amman, from the keyboard at every post: Egypt closes
// its dispatch, Jordan receives the receptacle on its desk and sends the dispatch on,
// Palestine receives it, opens the receptacle, finds the letter and verifies the dispatch;
// customs presents, holds, assesses duty on and releases the letter, the office of exchange
// forwards it and the delivery office records its arrival and its delivery, collecting the
// duty. The demo's dispatcher carries the messages
// between the posts every second.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  TEST_OPTIONS,
  TIMEOUT_MS,
  baseUrl,
  inPage,
  logIn,
  screenshot,
  sharedBrowser,
  summary,
} from '../lib/barid.mjs';

const browser = sharedBrowser();

async function acceptRegisteredLetter() {
  const response = await fetch(`${baseUrl()}/api/v1/items`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${summary().merchant_token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      service: 'registered',
      destination: 'PS',
      weight_grams: 400,
      contents: 'Olive wood carving',
      sender: {
        name: 'Mona Farouk',
        address_lines: ['3 Qasr El Nil Street'],
        city: 'Cairo',
        country: 'EG',
      },
      addressee: {
        name: 'Rami Odeh',
        address_lines: ['Al-Manara Square 2'],
        city: 'Ramallah',
        country: 'PS',
      },
      customs: {
        category: 'gift',
        lines: [
          {
            description: 'Wooden carving',
            quantity: 1,
            net_weight_grams: 350,
            value: { amount_minor: 30000, currency: 'EGP' },
            origin: 'EG',
          },
        ],
        gross_weight_grams: 400,
      },
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  return body.s10;
}

/** Types into a scan field and presses Enter, as a barcode scanner does; returns the answer. */
async function scan(page, field, text) {
  await page.locator(field).fill(text);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator(field).press('Enter'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** Clicks a submit button and waits for the page it leads to. */
async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator(button).click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** Reloads `path` until `selector` is on it: the messages between posts move every second. */
async function waitOnPage(page, path, selector) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    await page.goto(path);
    if ((await page.locator(selector).count()) > 0) {
      return;
    }
    assert.ok(Date.now() < deadline, `${selector} never appeared on ${path}`);
    await page.waitForTimeout(500);
  }
}

function focused(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.id);
}

test('a letter crosses Jordan, is verified, cleared and delivered in Palestine', TEST_OPTIONS, async () => {
  const s10 = await acceptRegisteredLetter();
  let s8;
  let s9s;
  let egyptDispatch;

  // Egypt: arrival, a receptacle for Ramallah, the dispatch.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'eg-oe-operator');
    await page.goto('/exchange?office=EGCAIA');
    assert.equal((await scan(page, '#arrival-s10', s10)).status(), 200);
    const form = page.locator('form#open-receptacle');
    if (!(await form.isVisible())) {
      await form.locator('xpath=ancestor::details[1]/summary').click();
    }
    await page.locator('#open-destination').selectOption('PSRMHA');
    await page.locator('#open-category').selectOption('A');
    await page.locator('#open-subclass').selectOption('UR');
    await Promise.all([
      page.waitForURL(/\/exchange\/receptacles\/\d+$/),
      page.locator('#open-submit').click(),
    ]);
    assert.equal((await scan(page, '#bag-s10', s10)).status(), 200);
    await page.locator('#gross-weight').fill('900');
    await page.locator('#gross-weight').press('Enter');
    await page.locator('#receptacle[data-status="closed"]').waitFor();
    await page.goto('/exchange?office=EGCAIA');
    await Promise.all([
      page.waitForURL(/\/exchange\/dispatches\/[A-Z0-9]{20}$/),
      page.locator('form[data-series="PSRMHAAUR"] button[type="submit"]').click(),
    ]);
    egyptDispatch = new URL(page.url()).pathname;
    s8 = (await page.locator('#s8').innerText()).trim();
    assert.equal(egyptDispatch, `/exchange/dispatches/${s8}`);
    s9s = (await page.locator('#dispatch-receptacles [data-s9]').allInnerTexts()).map((s9) =>
      s9.trim(),
    );
    assert.ok(s9s.length >= 1);
  });

  // Jordan: closed transit at Amman.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'jo-oe-operator');
    await waitOnPage(page, '/exchange', `#arriving tr[data-direction="transit"] a:text("${s8}")`);
    await screenshot(page, 'inward', 'transit-desk');
    for (const s9 of s9s) {
      const received = await scan(page, '#receive-s9', s9);
      assert.equal(received.status(), 200);
      await page.locator(`[data-received="${s9}"]`).waitFor();
      assert.equal(await page.locator('#receive-s9').inputValue(), '');
      assert.equal(await focused(page), 'receive-s9');
    }
    const refused = await scan(page, '#receive-s9', 'EGCAIA0');
    assert.equal(refused.status(), 422);
    assert.equal(
      await page.locator('#receive-s9-error[role="alert"]').getAttribute('data-code'),
      'invalid_s9',
    );
    await page.locator(`#arriving a:text("${s8}")`).click();
    await page.locator('#dispatch[data-direction="transit"]').waitFor();
    await screenshot(page, 'inward', 'transit-dispatch');
    await submit(page, '#forward-submit');
    await page.locator('#dispatch[data-status="forwarded"]').waitFor();
  });

  // Palestine: the inward office of exchange at Ramallah.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'ps-oe-operator');
    await waitOnPage(page, '/exchange', `#arriving tr[data-direction="inward"] a:text("${s8}")`);
    for (const s9 of s9s) {
      await page.locator('#receive-weight').fill('900');
      assert.equal((await scan(page, '#receive-s9', s9)).status(), 200);
    }
    await page.locator(`#arriving a:text("${s8}")`).click();
    await page.locator('#dispatch[data-direction="inward"]').waitFor();
    const dispatchUrl = page.url();
    const receptacles = await page.locator('a[data-open-receptacle]').evaluateAll((links) =>
      links.map((link) => link.getAttribute('href')),
    );
    let opened = false;
    for (const href of receptacles) {
      await page.goto(href);
      if ((await page.locator(`#receptacle-items tr[data-s10="${s10}"]`).count()) === 0) {
        continue;
      }
      assert.equal(await focused(page), 'found-s10');
      assert.equal((await scan(page, '#found-s10', s10)).status(), 200);
      await page.locator('#found-result p[data-found]').waitFor();
      await page.locator(`tr[data-s10="${s10}"][data-found="true"]`).waitFor();
      assert.equal(await page.locator('#found-s10').inputValue(), '');
      await screenshot(page, 'inward', 'opening');
      opened = true;
    }
    assert.ok(opened, 'the letter is in one of the receptacles');
    await page.goto(dispatchUrl);
    await submit(page, '#verify-submit');
    await page.locator('#verification').waitFor();
    assert.equal(await page.locator('#verification a[data-document="cn43"]').count(), 1);
    await screenshot(page, 'inward', 'verified');
    await page.locator('#lang-switch').click();
    await page.waitForURL(/lang=ar/);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await screenshot(page, 'inward', 'verified-arabic');
  });

  // Egypt: Palestine's response on receipt (RESDES) comes back onto the outward dispatch.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'eg-oe-operator');
    await waitOnPage(page, egyptDispatch, '#partner-response');
    for (const s9 of s9s) {
      await page.locator(`#received-receptacles tr[data-s9="${s9}"]`).waitFor();
    }
    await screenshot(page, 'inward', 'outward-response');
  });

  // Import customs: present, hold with a reason, release.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'ps-customs');
    await page.locator('a[href="/customs"]').first().click();
    await page.waitForURL(/\/customs/);
    assert.equal(await focused(page), 'present-s10');
    const presented = await scan(page, '#present-s10', s10);
    assert.equal(presented.status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'EDB');
    const item = page.locator(`#customs-queue li[data-s10="${s10}"]`);
    await item.waitFor();
    assert.ok((await item.locator('.customs-lines tbody tr').count()) >= 1);
    // A hold without a reason is refused on the item's card.
    assert.equal((await submit(page, `li[data-s10="${s10}"] form.step-hold button`)).status(), 422);
    assert.equal(
      await page
        .locator(`li[data-s10="${s10}"] .field-error[role="alert"]`)
        .getAttribute('data-code'),
      'reason_required',
    );
    await page.locator(`li[data-s10="${s10}"] form.step-hold select`).selectOption({ index: 1 });
    assert.equal((await submit(page, `li[data-s10="${s10}"] form.step-hold button`)).status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'EME');
    // Duty, assessed while customs holds the letter, in the post's own currency.
    await page.locator(`li[data-s10="${s10}"] form.step-duty input[name="amount"]`).fill('12.50');
    assert.equal((await submit(page, `li[data-s10="${s10}"] form.step-duty button`)).status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'duty');
    assert.equal(
      await page.locator(`li[data-s10="${s10}"] .duty`).getAttribute('data-currency'),
      'ILS',
    );
    await screenshot(page, 'inward', 'customs-queue');
    assert.equal((await submit(page, `li[data-s10="${s10}"] form.step-release button`)).status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'EDC');
  });

  // Forwarded from the office of exchange to the delivery office.
  await inPage(browser(), 'inward', { locale: 'en' }, async (page) => {
    await logIn(page, 'ps-oe-operator');
    await page.goto('/exchange');
    const form = page.locator('form#forwarding-scan');
    if (!(await form.isVisible())) {
      await form.locator('xpath=ancestor::details[1]/summary').click();
    }
    assert.equal((await scan(page, '#forwarding-s10', s10)).status(), 200);
    await page.locator('[data-forwarded]').waitFor();
  });

  // The delivery office: arrival, then delivered to a named person.
  await inPage(browser(), 'inward', { locale: 'ar' }, async (page) => {
    await logIn(page, 'ps-delivery');
    await page.locator('a[href="/delivery"]').first().click();
    await page.waitForURL(/\/delivery/);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    const arrived = await scan(page, '#delivery-s10', s10);
    assert.equal(arrived.status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'EMG');
    assert.equal(await focused(page), 'delivery-s10');
    // The duty to collect is shown and the delivery form carries it.
    assert.equal(await page.locator(`li[data-s10="${s10}"] .duty`).getAttribute('data-duty'), '12.50');
    assert.equal(
      await page.locator(`li[data-s10="${s10}"] form.step-delivered input[name="collected"]`).inputValue(),
      '12.50',
    );
    await screenshot(page, 'inward', 'delivery-arabic');
    await page.locator(`li[data-s10="${s10}"] form.step-delivered input[name="signatory"]`).fill('رامي عودة');
    assert.equal((await submit(page, `li[data-s10="${s10}"] form.step-delivered button`)).status(), 200);
    assert.equal(await page.locator(`[data-done="${s10}"]`).getAttribute('data-code'), 'EMI');
  });
});
