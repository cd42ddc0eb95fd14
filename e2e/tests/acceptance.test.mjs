// Acceptance at the counter through the form at /accept: an EMS item to Palestine with a CN 23,
// and a parcel to Libya, which the demo's agreements suspend.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  TEST_OPTIONS,
  baseUrl,
  barcodes,
  downloadPdf,
  inPage,
  sharedBrowser,
  logIn,
  pdfText,
  screenshot,
  tempDir,
} from '../lib/barid.mjs';

const browser = sharedBrowser();

/**
 * Fills the fields named in `values` (text inputs, text areas and selects alike), opening a
 * closed `<details>` section first, as the clerk would.
 */
async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`form#acceptance [name="${name}"]`);
    const folded = await field.evaluate((element) => {
      const details = element.closest('details');
      return details !== null && !details.open;
    });
    if (folded) {
      await field.locator('xpath=ancestor::details[1]/summary').click();
    }
    const tag = await field.evaluate((element) => element.tagName.toLowerCase());
    if (tag === 'select') {
      await field.selectOption(value);
    } else {
      await field.fill(value);
    }
  }
}

/** A sender at the Cairo counter and an addressee in Ramallah, written in Arabic. */
const PARTIES = {
  'sender.name': 'Nadia Hassan',
  'sender.address_line1': '12 Talaat Harb Street',
  'sender.address_line2': 'Apartment 4',
  'sender.city': 'Cairo',
  'sender.postcode': '11511',
  'sender.phone': '+20 2 2391 0000',
  'sender.email': 'nadia@example.com',
  'addressee.name': 'سامي خليل',
  'addressee.address_line1': 'شارع الإرسال ٧',
  'addressee.city': 'رام الله',
  'addressee.postcode': 'P6058',
  'addressee.phone': '+970 2 298 0000',
};

/** Clicks the submit button and returns the answer to the POST (before any redirect). */
async function submit(page) {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/accept',
    ),
    page.locator('#accept-submit').click(),
  ]);
  return response;
}

test('a clerk accepts an EMS item with a CN 23 and prints its label', TEST_OPTIONS, async () => {
  await inPage(browser(), 'acceptance', {}, async (page) => {
    await logIn(page, 'eg-clerk', { scenario: 'acceptance' });
    await screenshot(page, 'acceptance', 'home');
    const form = await page.goto('/accept');
    assert.equal(form.status(), 200, 'GET /accept shows the form to a clerk');
    await page.locator('form#acceptance').waitFor();

    await fill(page, {
      service: 'ems',
      destination: 'PS',
      weight_grams: '1200',
      length_mm: '300',
      width_mm: '200',
      height_mm: '100',
      contents: 'Mobile phone',
      ...PARTIES,
      'addressee.latin.name': 'Sami Khalil',
      'addressee.latin.address_line1': '7 Al-Irsal Street',
      'addressee.latin.city': 'Ramallah',
      // Sale of goods worth 25,000 EGP (over 300 SDR): a CN 23, with an invoice.
      'customs.category': 'sale_of_goods',
      'customs.lines.0.description': 'Mobile phone',
      'customs.lines.0.quantity': '1',
      'customs.lines.0.net_weight_grams': '900',
      'customs.lines.0.value': '25000.00',
      'customs.lines.0.currency': 'EGP',
      'customs.lines.0.hs_code': '851712',
      'customs.lines.0.origin': 'EG',
      'customs.invoice_number': 'INV-2026-0042',
    });
    // A second customs line, added with the button.
    await page.locator('#add-customs-line').click();
    await page.locator('form#acceptance [name="customs.lines.1.description"]').waitFor();
    await fill(page, {
      'customs.lines.1.description': 'Phone charger',
      'customs.lines.1.quantity': '1',
      'customs.lines.1.net_weight_grams': '150',
      'customs.lines.1.value': '450.00',
      'customs.lines.1.currency': 'EGP',
      'customs.lines.1.hs_code': '850440',
      'customs.lines.1.origin': 'CN',
    });
    await screenshot(page, 'acceptance', 'filled-form');

    const answer = await submit(page);
    if (answer.status() !== 303) {
      const problems = await page.locator('div.error-summary').allInnerTexts();
      const fields = await page
        .locator('p.field-error')
        .evaluateAll((ps) => ps.map((p) => `${p.dataset.field} (${p.dataset.code}): ${p.textContent}`));
      assert.fail(
        `a valid acceptance answered ${answer.status()}, not 303:\n${problems.join('\n')}\n${fields.join('\n')}`,
      );
    }
    await page.waitForURL(/\/items\/[A-Z]{2}\d{9}[A-Z]{2}\?accepted=1$/);
    const s10 = new URL(page.url()).pathname.split('/').pop();
    assert.match(s10, /^EE\d{9}EG$/, 'an EMS item accepted in Egypt');
    assert.equal(await page.locator('h1[data-s10]').getAttribute('data-s10'), s10);
    await screenshot(page, 'acceptance', 'accepted-item');

    // The label link opens the label; the session downloads it and the barcode is the S10.
    const labelHref = await page.locator('a#label-pdf').getAttribute('href');
    assert.equal(new URL(labelHref, baseUrl()).pathname, `/api/v1/items/${s10}/label.pdf`);
    const dir = tempDir();
    const label = await downloadPdf(page, labelHref, join(dir, `${s10}-label.pdf`));
    assert.deepEqual(barcodes(label), [s10]);

    // The customs declaration is a CN 23, and the receipt prints.
    const customs = await downloadPdf(
      page,
      await page.locator('a#customs-pdf').getAttribute('href'),
      join(dir, `${s10}-customs.pdf`),
    );
    assert.match(pdfText(customs), /CN\s?23/);
    await downloadPdf(
      page,
      await page.locator('a#receipt-pdf').getAttribute('href'),
      join(dir, `${s10}-receipt.pdf`),
    );
  });
});

test('a parcel to Libya is refused: the destination is suspended, with its message', TEST_OPTIONS, async () => {
  await inPage(browser(), 'suspended', {}, async (page) => {
    await logIn(page, 'eg-clerk');
    await page.goto('/accept?lang=en');
    await page.locator('form#acceptance').waitFor();
    await fill(page, {
      service: 'parcel',
      destination: 'LY',
      weight_grams: '2000',
      length_mm: '400',
      width_mm: '300',
      height_mm: '200',
      contents: 'Books',
      ...PARTIES,
      'addressee.name': 'Ali Mansour',
      'addressee.address_line1': '3 Omar Al-Mukhtar Street',
      'addressee.city': 'Tripoli',
      'addressee.postcode': '21861',
      'addressee.phone': '+218 21 333 0000',
      'customs.category': 'gift',
      'customs.lines.0.description': 'Books',
      'customs.lines.0.quantity': '3',
      'customs.lines.0.net_weight_grams': '1800',
      'customs.lines.0.value': '600.00',
      'customs.lines.0.hs_code': '490199',
    });
    await screenshot(page, 'suspended', 'filled-form');

    const answer = await submit(page);
    assert.equal(answer.status(), 422, 'the form comes back with its problems');
    await page.locator('form#acceptance').waitFor();
    const summaryBox = page.locator('div.error-summary[role="alert"]');
    await summaryBox.waitFor();
    const error = page.locator('p.field-error[data-field="destination"][data-code="suspended"]');
    assert.equal(await error.count(), 1, 'the destination field says it is suspended');
    const message = (await error.innerText()).trim();
    assert.match(message, /suspended/i);
    assert.match(message, /Libya|LY/);
    // The summary at the top lists that problem and no other: the rest of the form is valid.
    assert.equal(await summaryBox.locator('li').count(), 1);
    assert.ok(
      (await summaryBox.innerText()).includes(message),
      `the error summary lists "${message}"`,
    );
    // What the clerk typed is kept.
    assert.equal(await page.locator('form#acceptance [name="destination"]').inputValue(), 'LY');
    await screenshot(page, 'suspended', 'refused');
  });
});
