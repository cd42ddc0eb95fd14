// An administrator's view of the links to partner posts' nodes, in Arabic: the demo hosts
// every post on one node, so each link is delivered in-node, with nothing waiting for long.
// On a phone the page fits the width (the table scrolls inside its frame).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_OPTIONS, inPage, logIn, screenshot, sharedBrowser } from '../lib/barid.mjs';

const browser = sharedBrowser();

test('an administrator sees the partner links, in Arabic and on a phone', TEST_OPTIONS, async () => {
  await inPage(browser(), 'partners', { locale: 'ar' }, async (page) => {
    await logIn(page, 'eg-admin');
    await page.locator('a[href="/partners"]').first().click();
    await page.waitForURL(/\/partners/);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    const links = page.locator('#partner-links tbody tr');
    await links.first().waitFor();
    const states = await links.evaluateAll((rows) => rows.map((row) => row.dataset.state));
    assert.ok(states.length >= 1);
    assert.ok(states.every((state) => state === 'in-node'), states.join(','));
    await screenshot(page, 'partners', 'partners-arabic');
  });
  const phone = { locale: 'ar', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  await inPage(browser(), 'partners', phone, async (page) => {
    await logIn(page, 'eg-admin');
    await page.goto('/partners');
    await page.locator('#partner-links').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.equal(overflow, 0, 'the partners page scrolls sideways');
    await screenshot(page, 'partners', 'partners-phone');
  });
});
