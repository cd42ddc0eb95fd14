// The quality-of-service dashboards, as Egypt's supervisor sees them, in Arabic (right to left)
// and in English: the network overview at /quality coloured by compliance, the Egypt–Palestine
// agreement's month (the measured share, the verdict, the late legs: the demo makes the Amman
// transit slow), its uPlot charts drawn left to right inside the page, and the drill-down to the
// S10 IDs behind a figure, which are those the JSON API gives for the same query. Early in a
// month nothing may be counted yet: the test then goes back a month with the month links.

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
} from '../lib/barid.mjs';

const browser = sharedBrowser();

/**
 * Collects what would show a broken page: console errors, uncaught exceptions, failed
 * requests and error answers. Chromium asks every site for /favicon.ico on its own, and
 * Barid has none: that 404 is not the page's.
 */
function watchProblems(page) {
  const problems = [];
  const favicon = (url) => new URL(url).pathname === '/favicon.ico';
  page.on('console', (message) => {
    if (message.type() === 'error' && !favicon(message.location().url || baseUrl())) {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !favicon(response.url())) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return problems;
}

/** Follows the month nav's link to the previous month and waits for that page. */
async function previousMonth(page) {
  await page.waitForLoadState('load');
  const link = page.locator('nav.month-nav a[rel="prev"]');
  const month = new URL(await link.getAttribute('href'), baseUrl()).searchParams.get('month');
  await Promise.all([page.waitForURL(new RegExp(`month=${month}$`)), link.click()]);
  return month;
}

/** The network table's Egypt → Palestine rows (via Jordan or not). */
async function egyptPalestineRows(page) {
  return page.locator('#network tbody tr').evaluateAll((rows) =>
    rows
      .map((row, index) => {
        const way = row.querySelector('th a').textContent.split('→').map((code) => code.trim());
        return {
          index,
          origin: way[0],
          destination: way.at(-1),
          service: row.dataset.service,
          compliance: row.dataset.compliance,
          classes: [...row.classList],
          background: getComputedStyle(row).backgroundColor,
        };
      })
      .filter((row) => row.origin === 'EG' && row.destination === 'PS'),
  );
}

/** "57.1 %", as the pages write a per mille share. */
function percent(perMille) {
  return `${Math.floor(perMille / 10)}.${perMille % 10} %`;
}

/** The EG→PS services of the month shown whose transit leg is late, from the page. */
async function lateTransitServices(page) {
  return page
    .locator('section#direction-EG-PS article.service-quality')
    .filter({ has: page.locator('table.legs tr[data-leg="transit"][data-late="true"]') })
    .evaluateAll((articles) => articles.map((article) => article.dataset.service));
}

/**
 * How many pixels of a chart's canvas are (close to) the colour of its data series, uPlot's
 * blue: more than none means the line or the bars were drawn, not only the axes.
 */
async function seriesPixels(chart) {
  return chart.evaluate((element) => {
    const canvas = element.querySelector('canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && Math.abs(r - 10) < 40 && Math.abs(g - 92) < 40 && Math.abs(b - 138) < 40) {
        count += 1;
      }
    }
    return count;
  });
}

/** The drilled-down S10 IDs on the page against those of the JSON API for the same query. */
async function checkDrilledItems(page) {
  await page.locator('h1#quality-items').waitFor();
  const listed = await page
    .locator('table#drilled-items tbody tr[data-s10]')
    .evaluateAll((rows) => rows.map((row) => row.dataset.s10));
  const url = new URL(page.url());
  const api = `/api/v1${url.pathname}${url.search}`;
  const answer = await page.evaluate(async (path) => {
    const response = await fetch(path, { headers: { accept: 'application/json' } });
    return { status: response.status, body: await response.json() };
  }, api);
  assert.equal(answer.status, 200, `GET ${api}: ${JSON.stringify(answer.body)}`);
  const fromApi = answer.body.items.map((item) => item.s10);
  assert.ok(listed.length > 0, `no items listed behind ${url.search}`);
  assert.deepEqual([...listed].sort(), [...fromApi].sort(), `the page and ${api} list other items`);
  assert.equal(new Set(listed).size, listed.length, 'an item listed twice');
  assert.equal(await page.locator('#more-items').count(), answer.body.more ? 1 : 0);
  assert.equal(
    Number(await page.locator('h1#quality-items').getAttribute('data-count')),
    listed.length,
  );
  return listed;
}

/**
 * The whole walk in one language: returns nothing, fails on the first wrong thing. `dir` is
 * the page's direction in that language.
 */
async function walkTheDashboards(page, { language, dir }) {
  const problems = watchProblems(page);
  await logIn(page, 'eg-supervisor');

  // First click: the nav's "Quality" link.
  await Promise.all([
    page.waitForURL(/\/quality$/),
    page.locator('nav a[href="/quality"]').first().click(),
  ]);
  const html = page.locator('html');
  assert.equal(await html.getAttribute('lang'), language);
  assert.equal(await html.getAttribute('dir'), dir);
  await page.locator('table#network').waitFor();

  // The month's EG→PS routes, coloured once something is counted; else the month before.
  let rows = await egyptPalestineRows(page);
  assert.ok(rows.length > 0, 'the network lists no EG → PS route');
  if (!rows.some((row) => row.compliance !== 'none')) {
    await previousMonth(page);
    rows = await egyptPalestineRows(page);
  }
  const coloured = rows.filter((row) => row.compliance === 'met' || row.compliance === 'below');
  assert.ok(coloured.length > 0, `no EG → PS route counted: ${JSON.stringify(rows)}`);
  for (const row of rows) {
    assert.ok(row.classes.includes(`compliance-${row.compliance}`), JSON.stringify(row));
  }
  const backgrounds = new Set(coloured.map((row) => row.background));
  const uncoloured = rows.find((row) => row.compliance === 'none');
  if (uncoloured) {
    assert.ok(!backgrounds.has(uncoloured.background), 'a counted route looks like an empty one');
  }
  await screenshot(page, 'quality', `network-${language}`);

  // Second click: the EG→PS EMS route (or another counted one) to the agreement's month.
  const route = coloured.find((row) => row.service === 'ems') ?? coloured[0];
  await page.waitForLoadState('load');
  await Promise.all([
    page.waitForURL(/\/agreements\/\d+\/quality\?month=\d{4}-\d{2}$/),
    page.locator('#network tbody tr').nth(route.index).locator('th a').click(),
  ]);
  assert.equal(await html.getAttribute('dir'), dir);
  await page.locator('section#direction-EG-PS').waitFor();

  // The Amman transit is late in the demo's last two months: this one or the one before.
  let late = await lateTransitServices(page);
  if (late.length === 0) {
    await previousMonth(page);
    late = await lateTransitServices(page);
  }
  assert.ok(late.length > 0, 'no EG → PS service has a late transit');
  const service = late.includes(route.service) ? route.service : late[0];
  const article = page.locator(`article#quality-EG-PS-${service}`);
  await article.waitFor();

  // The page's figures are those of the JSON API for the same month.
  const dashboard = new URL(page.url());
  const agreement = dashboard.pathname.split('/')[2];
  const month = dashboard.searchParams.get('month');
  assert.equal(await page.locator('h1#agreement-quality').getAttribute('data-month'), month);
  const figures = await page.evaluate(
    async (path) => (await fetch(path)).json(),
    `/api/v1/agreements/${agreement}/quality?month=${month}`,
  );
  const way = figures.directions.find((d) => d.origin === 'EG' && d.destination === 'PS');
  const measured = way.services.find((s) => s.service === service);
  assert.ok(measured.counted > 0);
  assert.ok(measured.late_legs.includes('transit'), JSON.stringify(measured.late_legs));
  assert.equal(
    (await article.locator('.verdict bdi.measured').innerText()).trim(),
    percent(measured.met_per_mille),
  );
  const compliance = measured.meets_target ? 'met' : 'below';
  assert.equal(await article.getAttribute('data-compliance'), compliance);
  const classes = (await article.getAttribute('class')).split(/\s+/);
  assert.ok(classes.includes(`compliance-${compliance}`), classes.join(' '));
  assert.match(await article.locator('.verdict .compliance-text').innerText(), /\S/);
  assert.match(await article.locator('.verdict .late-legs').innerText(), /\S/);
  const transit = article.locator('table.legs tr[data-leg="transit"]');
  assert.equal(await transit.getAttribute('data-late'), 'true');
  assert.equal(await transit.getAttribute('class'), 'compliance-below');
  assert.equal(await transit.locator('td strong').count(), 1, 'the transit leg says it is late');
  const lateLegs = await article
    .locator('table.legs tr[data-late="true"]')
    .evaluateAll((legs) => legs.map((leg) => leg.dataset.leg));
  assert.deepEqual(lateLegs, measured.late_legs);

  // Every chart is drawn, on a canvas, left to right even on a right-to-left page.
  const charts = page.locator('div.quality-chart[data-quality-chart]');
  const chartCount = await charts.count();
  assert.ok(chartCount >= 2);
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('div.quality-chart[data-quality-chart]')].every(
        (chart) => chart.dataset.rendered === 'true' && chart.querySelector('canvas') !== null,
      ),
    null,
    { timeout: TIMEOUT_MS },
  );
  const drawn = page.locator('div.quality-chart[data-rendered="true"] canvas');
  assert.equal(await drawn.count(), chartCount);
  const layouts = await charts.evaluateAll((elements) =>
    elements.map((chart) => {
      const canvas = chart.querySelector('canvas').getBoundingClientRect();
      return {
        dir: chart.getAttribute('dir'),
        direction: getComputedStyle(chart).direction,
        legend: getComputedStyle(chart.querySelector('.u-legend')).direction,
        width: canvas.width,
        height: canvas.height,
      };
    }),
  );
  for (const layout of layouts) {
    assert.equal(layout.dir, 'ltr', JSON.stringify(layout));
    assert.equal(layout.direction, 'ltr', JSON.stringify(layout));
    // Its legend is words, in the page's direction.
    assert.equal(layout.legend, dir, JSON.stringify(layout));
    assert.ok(layout.width > 0 && layout.height > 0, JSON.stringify(layout));
  }
  for (const kind of ['trend', 'distribution']) {
    const chart = article.locator(`div.quality-chart[data-quality-chart="${kind}"]`);
    assert.ok((await seriesPixels(chart)) > 0, `the ${kind} chart of ${service} draws no data`);
  }
  await page.evaluate(() => document.fonts.ready);
  await screenshot(page, 'quality', `dashboard-${language}`);

  // Third click: the late figure's link, to the S10 IDs behind it.
  const lateLink = article.locator('table.figures tr[data-figure="late"] a');
  const figure = (await lateLink.count()) > 0 ? 'late' : 'met';
  await page.waitForLoadState('load');
  await Promise.all([
    page.waitForURL(/\/agreements\/\d+\/quality\/items\?/),
    article.locator(`table.figures tr[data-figure="${figure}"] a`).click(),
  ]);
  const drilled = new URL(page.url()).searchParams;
  assert.equal(drilled.get('direction'), 'EG-PS');
  assert.equal(drilled.get('service'), service);
  assert.equal(drilled.get('figure'), figure);
  assert.equal(drilled.get('month'), month);
  const items = await checkDrilledItems(page);
  assert.equal(items.length, measured[figure], `the ${figure} figure counts other items`);
  await screenshot(page, 'quality', `items-${language}`);

  // Back on the dashboard, a click on the distribution chart's tallest bar lists the items
  // delivered on that working day.
  await page.goBack();
  await page.waitForLoadState('load');
  const bars = article.locator(
    'div.quality-chart[data-quality-chart="distribution"][data-rendered="true"]',
  );
  await bars.scrollIntoViewIfNeeded();
  const { day, count, x, y } = await bars.evaluate((chart) => {
    const data = JSON.parse(chart.dataset.chart);
    const tallest = data.items.indexOf(Math.max(...data.items));
    const plot = chart.qualityPlot;
    const over = plot.over.getBoundingClientRect();
    return {
      day: data.days[tallest],
      count: data.items[tallest],
      x: over.left + plot.valToPos(data.days[tallest], 'x'),
      y: over.top + over.height - 2,
    };
  });
  assert.ok(count > 0);
  // uPlot picks the bar under the cursor as it moves, then follows its link on the click.
  await page.mouse.move(x, y);
  await Promise.all([
    page.waitForURL(new RegExp(`figure=delivered_on&day=${day}$`)),
    page.mouse.click(x, y),
  ]);
  const delivered = await checkDrilledItems(page);
  assert.equal(delivered.length, count, `the bar of J+${day} counts other items`);

  assert.deepEqual(problems, [], 'the pages logged errors or failed requests');
}

test('a supervisor follows the quality dashboards in Arabic, right to left', TEST_OPTIONS, async () => {
  await inPage(browser(), 'quality-ar', { locale: 'ar' }, (page) =>
    walkTheDashboards(page, { language: 'ar', dir: 'rtl' }),
  );
});

test('the same dashboards in English, left to right', TEST_OPTIONS, async () => {
  await inPage(browser(), 'quality-en', { locale: 'en' }, (page) =>
    walkTheDashboards(page, { language: 'en', dir: 'ltr' }),
  );
});
