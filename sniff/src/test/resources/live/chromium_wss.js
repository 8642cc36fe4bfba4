'use strict';
// Headless Chromium (Debian's, driven by playwright-core, which downloads no browser) opening a
// wss:// WebSocket from a blank page, for wsdebug's live-capture tests.
//
//   node chromium_wss.js WSS_URL KEYLOG_FILE
//
// The browser writes its TLS secrets to KEYLOG_FILE (--ssl-key-log-file) and accepts the server's
// self-signed certificate (--ignore-certificate-errors). The page sends a few messages to an echo
// server (short texts, a 70,000-character text, a binary message), waits for each echo, closes with
// 4000 "chromium bye", and the script prints one JSON line:
//
//   {"sent": [M...], "received": [M...], "extensions": "...", "close": [code, reason]}
//
// where M is {"kind", "len", "sha256"} as the peer scripts print them. Exits 1 with the error on
// stderr. The browser binary comes from WSDEBUG_CHROMIUM; playwright-core through NODE_PATH.
const crypto = require('crypto');
const { chromium } = require('playwright-core');

const [url, keylog] = process.argv.slice(2);
if (!url || !keylog) {
  console.error('usage: chromium_wss.js WSS_URL KEYLOG_FILE');
  process.exit(2);
}

function describe(m) {
  const raw = m.kind === 'text' ? Buffer.from(m.data, 'utf8') : Buffer.from(m.data);
  return { kind: m.kind, len: raw.length, sha256: crypto.createHash('sha256').update(raw).digest('hex') };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.WSDEBUG_CHROMIUM || '/usr/lib/chromium/chromium',
    timeout: 30000,
    // as root in a container: no sandbox; no GPU; none of the browser's own traffic
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-domain-reliability', '--disable-quic',
      '--ignore-certificate-errors', `--ssl-key-log-file=${keylog}`],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.error(`page: ${m.text()}`));
    const report = await page.evaluate(async (u) => {
      const letters = 'abcdefghijklmnopqrstuvwxyz';
      const outgoing = [
        { kind: 'text', data: 'hello from chromium' },
        { kind: 'text', data: 'a second message from chromium' },
        { kind: 'text', data: letters.repeat(2700).slice(0, 70000) },
        { kind: 'binary', data: [0, 1, 2, 127, 128, 250, 255] },
        { kind: 'text', data: 'the last one' },
      ];
      const ws = new WebSocket(u);
      ws.binaryType = 'arraybuffer';
      const inbox = [];
      let waiter = null;
      ws.onmessage = (e) => {
        inbox.push(typeof e.data === 'string' ? { kind: 'text', data: e.data }
          : { kind: 'binary', data: Array.from(new Uint8Array(e.data)) });
        if (waiter) {
          waiter();
        }
      };
      const closed = new Promise((resolve) => { ws.onclose = (e) => resolve([e.code, e.reason]); });
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('WebSocket error'));
      });
      const next = () => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no echo within 10 s')), 10000);
        const take = () => {
          if (inbox.length > 0) {
            clearTimeout(timer);
            waiter = null;
            resolve(inbox.shift());
          } else {
            waiter = take;
          }
        };
        take();
      });
      const received = [];
      for (const m of outgoing) {
        ws.send(m.kind === 'text' ? m.data : new Uint8Array(m.data));
        received.push(await next());
      }
      ws.close(4000, 'chromium bye');
      const close = await closed;
      return { sent: outgoing, received, extensions: ws.extensions, close };
    }, url);
    console.log(JSON.stringify({
      sent: report.sent.map(describe), received: report.received.map(describe),
      extensions: report.extensions, close: report.close,
    }));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
