// Helpers shared by the browser tests: the running demo, Debian's chromium, screenshots and
// the real PDF and barcode readers.
//
// The tests run against a `barid demo` started with `--summary-json FILE`:
//   BARID_SUMMARY      the summary JSON (base_url, logins, merchant_token, items); required
//   BARID_URL          the server's base URL; defaults to the summary's base_url
//   BARID_SCREENSHOTS  where PNG screenshots go; defaults to <repo>/target/browser-screenshots
//   BARID_CHROMIUM     the browser; defaults to Debian's /usr/bin/chromium
// `cargo test -p barid --test it browser` sets all of them.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Generous deadlines for waiting (never assertions on time): CI builds are debug builds. */
export const TIMEOUT_MS = 60_000;

/** Options for every `test(...)`: a deadline so a stuck browser fails instead of hanging. */
export const TEST_OPTIONS = { timeout: 5 * TIMEOUT_MS };

let cachedSummary;

/** The demo's summary JSON: { base_url, logins: [{operator, username, role, password}], … }. */
export function summary() {
  if (cachedSummary === undefined) {
    const path = process.env.BARID_SUMMARY;
    if (!path) {
      throw new Error(
        'BARID_SUMMARY is not set: start `barid demo --port 0 --summary-json FILE` and set ' +
          'BARID_SUMMARY=FILE, or run `cargo test -p barid --test it browser`, which does both',
      );
    }
    cachedSummary = JSON.parse(readFileSync(path, 'utf8'));
  }
  return cachedSummary;
}

/** The server's base URL, without a trailing slash. */
export function baseUrl() {
  return (process.env.BARID_URL || summary().base_url).replace(/\/+$/, '');
}

/** The demo login called `username` (with its one-time password). */
export function demoLogin(username) {
  const login = summary().logins.find((l) => l.username === username);
  if (!login) {
    throw new Error(`the demo summary has no login ${username}`);
  }
  return login;
}

/** The browser: Debian's chromium unless BARID_CHROMIUM names another. */
export function chromiumPath() {
  const path = process.env.BARID_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `no browser at ${path}: install Debian's chromium (apt-get install chromium), as .ci/run does`,
    );
  }
  return path;
}

/**
 * Starts headless chromium. Playwright gives it a fresh, empty user-data-dir in a temporary
 * folder and deletes it on close. The flags keep chromium off the network: this machine's
 * network is closed, and background requests to Google's hosts would only fail.
 */
/**
 * One browser for every test of the calling file: launched before the first test, closed
 * after the last. Returns a function giving that browser.
 */
export function sharedBrowser() {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    chromiumSandbox: false,
    timeout: TIMEOUT_MS,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new browser context (its own cookies) on the Barid server, e.g. `{ locale: 'ar' }`. */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    baseURL: baseUrl(),
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  return context;
}

/** The folder screenshots go to (created if needed). */
export function screenshotDir() {
  const dir = process.env.BARID_SCREENSHOTS || join(repoRoot, 'target', 'browser-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves a full-page PNG as `<dir>/<scenario>-<step>.png` and returns its path. */
export async function screenshot(page, scenario, step) {
  const path = join(screenshotDir(), `${scenario}-${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs `body(page)` in a fresh context and closes it; on failure it first saves
 * `<scenario>-failure.png`, so CI keeps a picture of what the browser showed.
 */
export async function inPage(browser, scenario, contextOptions, body) {
  const context = await newContext(browser, contextOptions);
  const page = await context.newPage();
  try {
    await body(page);
  } catch (error) {
    try {
      await screenshot(page, scenario, 'failure');
    } catch {
      // The browser may be gone; the original error matters more.
    }
    throw error;
  } finally {
    await context.close();
  }
}

/** Logs in through the form at /login and waits for the home page. */
export async function logIn(page, username, { scenario } = {}) {
  const { password } = demoLogin(username);
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  if (scenario) {
    await screenshot(page, scenario, 'login');
  }
  await Promise.all([
    page.waitForURL(`${baseUrl()}/`),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
}

/** A new temporary folder for files a test downloads. */
export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'barid-e2e-'));
}

/** Fetches `path` with the page's cookies (its session), checks it is a PDF and saves it. */
export async function downloadPdf(page, path, file) {
  const response = await page.request.get(path);
  if (!response.ok()) {
    throw new Error(`GET ${path} answered ${response.status()}: ${await response.text()}`);
  }
  const type = response.headers()['content-type'] || '';
  if (!type.startsWith('application/pdf')) {
    throw new Error(`GET ${path} is ${type}, not a PDF`);
  }
  const body = await response.body();
  writeFileSync(file, body);
  return file;
}

function runTool(program, args, aptPackage) {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new Error(`${program} is missing: apt-get install ${aptPackage} (.ci/run does)`);
    }
    throw error;
  }
}

/**
 * The barcodes on the first page of a PDF: rendered at 300 dpi by pdftoppm (poppler-utils),
 * read by zbarimg (zbar-tools). An empty list when zbarimg finds none.
 */
export function barcodes(pdf) {
  const prefix = pdf.replace(/\.pdf$/, '');
  runTool('pdftoppm', ['-png', '-r', '300', '-f', '1', '-l', '1', '-singlefile', pdf, prefix], 'poppler-utils');
  try {
    const out = runTool('zbarimg', ['--raw', '-q', `${prefix}.png`], 'zbar-tools');
    return out.split('\n').map((line) => line.trim()).filter(Boolean);
  } catch (error) {
    // zbarimg exits 4 when the image holds no barcode: a result, not a tool failure.
    if (error.status === 4) {
      return [];
    }
    throw error;
  }
}

/** The text of a PDF, by pdftotext (poppler-utils). */
export function pdfText(pdf) {
  return runTool('pdftotext', [pdf, '-'], 'poppler-utils');
}
