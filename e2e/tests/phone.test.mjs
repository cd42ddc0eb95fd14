// A phone-width screen (390 × 844 CSS pixels), in Arabic: the counter form and the public
// tracking page fit the width, with no sideways scrolling.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_OPTIONS, inPage, sharedBrowser, logIn, screenshot, summary } from '../lib/barid.mjs';

const PHONE = { locale: 'ar', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const browser = sharedBrowser();

/** How many CSS pixels the page is wider than the screen (0 when it fits). */
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test('on a phone the acceptance form and the tracking page fit the screen', TEST_OPTIONS, async () => {
  await inPage(browser(), 'phone', PHONE, async (page) => {
    await logIn(page, 'eg-clerk');
    await page.goto('/accept');
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await page.locator('form#acceptance').waitFor();
    assert.equal(await overflow(page), 0, 'the form scrolls sideways');
    await screenshot(page, 'phone', 'accept-form');

    const item = summary().items[0];
    await page.goto(`/track/${item.s10}`);
    await page.locator('ol.timeline li').first().waitFor();
    assert.equal(await overflow(page), 0, 'the tracking page scrolls sideways');
    await screenshot(page, 'phone', 'tracking');
  });
});
