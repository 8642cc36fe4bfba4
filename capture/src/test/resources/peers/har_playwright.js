'use strict';
// Records a HAR with Playwright (playwright-core, not ours) driving Debian's Chromium, for
// wsdebug's HAR reader tests.
//
//   node har_playwright.js PAGE_URL HAR_PATH
//
// Launches headless Chromium (the binary named by WSDEBUG_CHROMIUM; playwright-core downloads no
// browser), opens a browser context that records a HAR with embedded content (so WebSocket messages
// go into _webSocketMessages), loads PAGE_URL, waits until the page sets window.wsdebugDone (bounded
// by HAR_WAIT_MS, default 30 s), closes the context (which writes the HAR) and the browser, and
// prints "HAR <path>" and the page's report ("PAGE <json>"). Exits 1 with the error on stderr.
// playwright-core is found through NODE_PATH (the test points it at test-peers/node/node_modules).
const { chromium } = require('playwright-core');

const [pageUrl, harPath] = process.argv.slice(2);
if (!pageUrl || !harPath) {
  console.error('usage: har_playwright.js PAGE_URL HAR_PATH');
  process.exit(2);
}
const waitMs = Number(process.env.HAR_WAIT_MS || 30000);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.WSDEBUG_CHROMIUM,
    // as root in a container: no sandbox; no GPU; none of the browser's own traffic
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-domain-reliability', '--no-first-run', '--disable-quic'],
  });
  try {
    const context = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
    const page = await context.newPage();
    page.on('console', (m) => console.error('page: ' + m.text()));
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.wsdebugDone === true, null, { timeout: waitMs });
    const report = await page.evaluate(() => window.wsdebugReport);
    await context.close(); // writes the HAR
    console.log('PAGE ' + JSON.stringify(report));
    console.log('HAR ' + harPath);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
