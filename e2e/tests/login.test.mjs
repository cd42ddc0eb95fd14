// Staff log in through the form and their session opens the item documents.

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
  screenshot,
  summary,
  tempDir,
} from '../lib/barid.mjs';

const browser = sharedBrowser();

test('a clerk logs in through the form and lands on the home page', TEST_OPTIONS, async () => {
  await inPage(browser(), 'login', {}, async (page) => {
    await logIn(page, 'eg-clerk', { scenario: 'login' });
    assert.equal(page.url(), `${baseUrl()}/`);
    // The header names the user and offers to log out: the session is real.
    await page.locator('form[action="/logout"]').waitFor();
    assert.match(await page.locator('main h1').innerText(), /\S/);
    await screenshot(page, 'login', 'home');
  });
});

test('the clerk downloads the label of a demo item and its barcode reads as the S10', TEST_OPTIONS, async () => {
  const s10 = summary().items[0].s10;
  await inPage(browser(), 'label', {}, async (page) => {
    await logIn(page, 'eg-clerk');
    const pdf = await downloadPdf(page, `/api/v1/items/${s10}/label.pdf`, join(tempDir(), `${s10}-label.pdf`));
    assert.deepEqual(barcodes(pdf), [s10]);
  });
});
