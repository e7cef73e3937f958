// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Opens the page in Debian's Chromium (puppeteer-core: no browser download), clicks
// "Run training job", waits until the page has flushed its spans, saves a screenshot and
// prints what the page saw as one JSON line.
//
//   node drive.mjs <page URL> <screenshot.png> [model]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const [url, screenshot, model] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir: mkdtempSync(join(tmpdir(), 'chromium-')),
  // No network here: nothing but the test's loopback servers (Chromium otherwise calls
  // Google's hosts at every start); --no-sandbox because the tests run as root.
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'networkidle0' });
  if (model) await page.$eval('#model', (el, m) => ((el).value = m), model);
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'done', { timeout: 45_000 });
  const seen = await page.$eval('#status', (el) => ({ ...el.dataset }));
  if (screenshot) await page.screenshot({ path: screenshot });
  console.log(JSON.stringify({ ...seen, console: consoleLines }));
} finally {
  await browser.close();
}
