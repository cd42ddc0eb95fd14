// The public tracking page, as an Arabic-speaking visitor sees it: no login.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_OPTIONS, inPage, sharedBrowser, screenshot, summary } from '../lib/barid.mjs';

const browser = sharedBrowser();

test('tracking an item in Arabic is right-to-left and shows the acceptance event EMA', TEST_OPTIONS, async () => {
  // Delivered items have the longest timeline: Egypt, Jordan and Palestine.
  const items = summary().items;
  const item = items.find((i) => i.story.endsWith(': delivered')) ?? items[0];
  // The browser asks for Arabic the way an Arabic visitor's browser does: Accept-Language.
  await inPage(browser(), 'tracking', { locale: 'ar' }, async (page) => {
    const response = await page.goto(`/track/${item.s10}`);
    assert.equal(response.status(), 200);
    const html = page.locator('html');
    assert.equal(await html.getAttribute('dir'), 'rtl');
    assert.equal(await html.getAttribute('lang'), 'ar');
    const result = page.locator(`section.result[data-id="${item.s10}"]`);
    await result.waitFor();
    const accepted = result.locator('ol.timeline li[data-code="EMA"]');
    assert.equal(await accepted.count(), 1, 'one acceptance event');
    await accepted.waitFor();
    assert.match(await accepted.innerText(), /EMA/);
    await screenshot(page, 'tracking', 'arabic');

    // The language switch gives the same page in English, left-to-right.
    await page.locator('#lang-switch').click();
    await page.waitForURL(/lang=en/);
    assert.equal(await html.getAttribute('dir'), 'ltr');
    assert.equal(await page.locator('ol.timeline li[data-code="EMA"]').count(), 1);
    await screenshot(page, 'tracking', 'english');
  });
});
