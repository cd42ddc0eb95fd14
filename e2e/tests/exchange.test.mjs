// The outward office of exchange at Cairo (EGCAIA), from the keyboard as a scanner drives it:
// scan an item's arrival, open a receptacle for Ramallah, scan the item in, close the
// receptacle with its weight, close the dispatch and read the receptacle's S9 ID.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  TEST_OPTIONS,
  baseUrl,
  inPage,
  logIn,
  screenshot,
  sharedBrowser,
  summary,
} from '../lib/barid.mjs';

const browser = sharedBrowser();

/** A registered letter for Ramallah, accepted through the API with the demo merchant's token. */
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
      weight_grams: 300,
      contents: 'Books',
      sender: {
        name: 'Nadia Hassan',
        address_lines: ['12 Talaat Harb Street'],
        city: 'Cairo',
        country: 'EG',
      },
      addressee: {
        name: 'Sami Khalil',
        address_lines: ['Al-Irsal Street 7'],
        city: 'Ramallah',
        country: 'PS',
      },
      customs: {
        category: 'gift',
        lines: [
          {
            description: 'Books',
            quantity: 2,
            net_weight_grams: 250,
            value: { amount_minor: 20000, currency: 'EGP' },
            origin: 'EG',
          },
        ],
        gross_weight_grams: 300,
      },
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  return body.s10;
}

/** Types into a scan field and presses Enter, as a barcode scanner does; returns the answer. */
async function scan(page, field, s10) {
  await page.locator(field).fill(s10);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator(field).press('Enter'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

test('an operator scans, bags, closes and dispatches from the keyboard', TEST_OPTIONS, async () => {
  const s10 = await acceptRegisteredLetter();
  await inPage(browser(), 'exchange', { locale: 'en' }, async (page) => {
    await logIn(page, 'eg-oe-operator', { scenario: 'exchange' });
    await page.locator('a[href="/exchange"]').first().click();
    await page.waitForURL(/\/exchange/);
    const field = '#arrival-s10';
    assert.equal(
      await page.evaluate(() => document.activeElement && document.activeElement.id),
      'arrival-s10',
      'the scan field has the focus',
    );
    await screenshot(page, 'exchange', 'desk');

    // Arrival: the line says so, the field is empty and focused for the next item.
    const arrived = await scan(page, field, s10);
    assert.equal(arrived.status(), 200);
    const line = page.locator(`[data-arrived="${s10}"]`);
    await line.waitFor();
    assert.equal(await line.getAttribute('data-code'), 'EMB');
    assert.equal(await page.locator(field).inputValue(), '');
    assert.equal(
      await page.evaluate(() => document.activeElement && document.activeElement.id),
      'arrival-s10',
    );
    await screenshot(page, 'exchange', 'arrival-scanned');

    // A mistyped ID is refused with its rule's code, in an alert.
    const typo = await scan(page, field, 'RR123');
    assert.equal(typo.status(), 422);
    const alert = page.locator('#arrival-s10-error[role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'invalid_s10');
    await screenshot(page, 'exchange', 'arrival-refused');

    // Open a receptacle for Ramallah: letter post, registered, airmail.
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
    const receptacleUrl = page.url();

    // Scan the item in: it is listed, and the field is ready for the next one.
    const bagged = await scan(page, '#bag-s10', s10);
    assert.equal(bagged.status(), 200);
    await page.locator(`#receptacle-items tr[data-s10="${s10}"]`).waitFor();
    assert.equal(await page.locator('#bag-s10').inputValue(), '');
    // The same item again is refused and not added twice.
    const twice = await scan(page, '#bag-s10', s10);
    assert.equal(twice.status(), 422);
    assert.equal(
      await page.locator('#bag-s10-error').getAttribute('data-code'),
      'already_bagged',
    );
    assert.equal(await page.locator(`#receptacle-items tr[data-s10="${s10}"]`).count(), 1);
    await screenshot(page, 'exchange', 'receptacle-scanning');

    // Close it with its weight, typed and Enter.
    await page.locator('#gross-weight').fill('1500');
    await Promise.all([
      page.waitForURL(receptacleUrl),
      page.locator('#gross-weight').press('Enter'),
    ]);
    await page.locator('#receptacle[data-status="closed"]').waitFor();
    await screenshot(page, 'exchange', 'receptacle-closed');

    // Close the dispatch from the desk.
    await page.goto('/exchange');
    await Promise.all([
      page.waitForURL(/\/exchange\/dispatches\/[A-Z0-9]{20}$/),
      page.locator('form[data-series="PSRMHAAUR"] button[type="submit"]').click(),
    ]);
    const s8 = (await page.locator('#s8').innerText()).trim();
    assert.match(s8, /^EGCAIAPSRMHAAUR\d{5}$/);
    // The dispatch's page is addressed by its S8 ID, and so are its documents.
    assert.equal(new URL(page.url()).pathname, `/exchange/dispatches/${s8}`);
    assert.equal(
      await page.locator('nav#dispatch-documents a[data-document="cn31"]').getAttribute('href'),
      `/api/v1/exchange/dispatches/${s8}/cn31.pdf`,
    );
    const s9s = await page.locator('#dispatch-receptacles [data-s9]').allInnerTexts();
    assert.ok(s9s.length >= 1, 'the dispatch lists its receptacles');
    for (const s9 of s9s) {
      assert.equal(s9.trim().length, 29, s9);
      assert.ok(s9.trim().startsWith(s8), `${s9} belongs to ${s8}`);
    }
    assert.equal(await page.locator('nav#dispatch-documents a[data-document]').count(), 4);
    await screenshot(page, 'exchange', 'dispatch');

    // The same dispatch in Arabic, right to left.
    await page.locator('#lang-switch').click();
    await page.waitForURL(/lang=ar/);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await screenshot(page, 'exchange', 'dispatch-arabic');
  });
});
