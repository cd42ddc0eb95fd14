// Egypt's administrator sets Palestine Post's working calendar on its page, in Arabic (right
// to left): from the Quality page to the calendars, a public holiday typed into Palestine's
// form and saved, the table showing it; then a date that does not exist, refused with the
// reason next to the form and what was typed kept. The holiday is in 2027, so the demo's
// figures for 2026, which the quality test reads, do not move.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_OPTIONS, inPage, logIn, screenshot, sharedBrowser } from '../lib/barid.mjs';

const browser = sharedBrowser();

test('an administrator sets a working calendar on its page, in Arabic', TEST_OPTIONS, async () => {
  await inPage(browser(), 'calendars', { locale: 'ar' }, async (page) => {
    await logIn(page, 'eg-admin');
    await page.goto('/quality');
    await Promise.all([page.waitForURL(/\/quality\/calendars$/), page.locator('#calendars-link').click()]);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    const palestine = page.locator('#calendars tbody tr[data-country="PS"]');
    await palestine.waitFor();
    const weekend = await palestine
      .locator('.weekend-day')
      .evaluateAll((days) => days.map((day) => day.dataset.day));
    assert.deepEqual(weekend, ['friday', 'saturday']);

    // Friday and Saturday stay ticked; the holiday is typed on its own line.
    const form = page.locator('#calendar-PS');
    assert.ok(await form.getByLabel('الجمعة').isChecked());
    assert.ok(!(await form.getByLabel('الأحد').isChecked()));
    await form.locator('textarea[name="holidays"]').fill('2027-01-07');
    await Promise.all([
      page.waitForURL(/saved=PS$/),
      form.getByRole('button', { name: 'احفظ التقويم' }).click(),
    ]);
    await page.locator('[data-saved="PS"]').waitFor();
    assert.equal(await palestine.getAttribute('data-set'), 'true');
    assert.deepEqual(await palestine.locator('.holiday').allTextContents(), ['2027-01-07']);
    await screenshot(page, 'calendars', 'calendars-arabic');

    // 30 February: refused next to the form, the text kept, the calendar as it was.
    await page.locator('#calendar-PS textarea[name="holidays"]').fill('2027-02-30');
    await page.locator('#calendar-PS').getByRole('button', { name: 'احفظ التقويم' }).click();
    const problem = page.locator('#calendar-PS p.field-error[data-field="holidays"]');
    await problem.waitFor();
    assert.ok((await problem.textContent()).includes('2026-10-06'));
    assert.equal(await page.locator('#calendar-PS textarea[name="holidays"]').inputValue(), '2027-02-30');
    assert.deepEqual(
      await page.locator('#calendars tbody tr[data-country="PS"] .holiday').allTextContents(),
      ['2027-01-07'],
    );
  });
});
