'use strict';
// WebSocket client on Node ws (8.x) for the tests of wsdebug serve: the same plan language and
// output as ws_client.py (see there), plus server pings, which ws reports and answers itself:
//
//   {"event": "ping", "hex": <payload>}
//
// usage: node ws_client.js URL PLAN [--no-compress] [--subprotocol P]... [--cafile PEM]
//                                   [--max-size N] [--connections N] [--server-no-context-takeover]
//                                   [--client-no-context-takeover] [--server-max-window-bits N]
//                                   [--client-max-window-bits N]
//
// permessage-deflate is offered with threshold 0 (every message compressed) unless --no-compress;
// the last four flags add those parameters to the offer.
// ws is found through NODE_PATH (the test points it at test-peers/node/node_modules).
const WebSocket = require('ws');
const crypto = require('crypto');
const fs = require('fs');

const SHORT = 200;

const argv = process.argv.slice(2);
const args = { url: null, plan: null, compress: true, subprotocols: [], cafile: null, maxSize: 32 * 1024 * 1024, connections: 1 };
const deflate = { threshold: 0 };
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  switch (a) {
    case '--no-compress': args.compress = false; break;
    case '--subprotocol': args.subprotocols.push(argv[++i]); break;
    case '--cafile': args.cafile = argv[++i]; break;
    case '--max-size': args.maxSize = Number(argv[++i]); break;
    case '--connections': args.connections = Number(argv[++i]); break;
    case '--server-no-context-takeover': deflate.serverNoContextTakeover = true; break;
    case '--client-no-context-takeover': deflate.clientNoContextTakeover = true; break;
    case '--server-max-window-bits': deflate.serverMaxWindowBits = Number(argv[++i]); break;
    case '--client-max-window-bits': deflate.clientMaxWindowBits = Number(argv[++i]); break;
    default:
      if (a.startsWith('--')) {
        throw new Error(`unknown argument ${a}`);
      }
      positional.push(a);
  }
}
[args.url, args.plan] = positional;
const plan = JSON.parse(args.plan);

function pattern(kind, n) {
  if (kind === 'text') {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    return letters.repeat(Math.floor(n / 26) + 1).slice(0, n);
  }
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    b[i] = (i * 31 + 7) & 0xff;
  }
  return b;
}

function payload(step, conn) {
  if (step.text !== undefined) {
    return step.text.split('{conn}').join(String(conn));
  }
  if (step.hex !== undefined) {
    const b = Buffer.from(step.hex, 'hex');
    return step.kind === 'text' ? b.toString('utf8') : b;
  }
  return pattern(step.kind, step.size);
}

function split(data, k) {
  // text splits by UTF-16 units; the tests only fragment ASCII text
  const n = data.length;
  const parts = [];
  for (let i = 0; i < k; i++) {
    parts.push(data.slice(Math.floor(n * i / k), Math.floor(n * (i + 1) / k)));
  }
  return parts;
}

function describe(data, isBinary) {
  const raw = Buffer.isBuffer(data) ? data : Buffer.concat(data);
  const d = {
    event: 'message', kind: isBinary ? 'binary' : 'text', len: raw.length,
    sha256: crypto.createHash('sha256').update(raw).digest('hex'),
  };
  if (raw.length <= SHORT) {
    d.hex = raw.toString('hex');
    if (!isBinary) {
      d.text = raw.toString('utf8');
    }
  }
  return d;
}

function withTimeout(promise, seconds, onTimeout) {
  let timer;
  const t = new Promise((resolve) => { timer = setTimeout(() => resolve(onTimeout), seconds * 1000); });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

const TIMEOUT = Symbol('timeout');

async function runOne(conn) {
  const emit = (o) => process.stdout.write(JSON.stringify(Object.assign(o, { conn })) + '\n');
  const options = { perMessageDeflate: args.compress ? deflate : false, maxPayload: args.maxSize, handshakeTimeout: 5000 };
  if (args.cafile) {
    options.ca = fs.readFileSync(args.cafile);
  }
  const ws = new WebSocket(args.url, args.subprotocols, options);
  const inbox = [];
  let inboxWaiter = null;
  let lastSend = process.hrtime.bigint();
  let closedInfo = null;
  let closedReported = false;
  let responseExtensions = null;
  const pongWaiters = [];
  const elapsedMs = () => Math.round(Number(process.hrtime.bigint() - lastSend) / 1e5) / 10;

  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      closedInfo = { code, reason: reason.toString('utf8') };
      resolve(closedInfo);
      if (inboxWaiter) {
        inboxWaiter();
      }
    });
  });
  const reportClosed = () => {
    if (!closedReported && closedInfo) {
      closedReported = true;
      emit({ event: 'closed', code: closedInfo.code, reason: closedInfo.reason });
    }
  };

  const opened = await new Promise((resolve) => {
    let settled = false;
    const settle = (v) => { if (!settled) { settled = true; resolve(v); } };
    ws.on('upgrade', (res) => { responseExtensions = res.headers['sec-websocket-extensions'] || null; });
    ws.on('open', () => settle(true));
    ws.on('unexpected-response', (req, res) => {
      emit({ event: 'connect_error', error: 'unexpected-response', status: res.statusCode, message: `HTTP ${res.statusCode}` });
      settle(false);
      req.destroy();
    });
    ws.on('error', (err) => {
      if (!settled) {
        emit({ event: 'connect_error', error: 'error', status: null, message: err.message });
        settle(false);
      } else {
        emit({ event: 'error', message: err.message });
      }
    });
  });
  if (!opened) {
    // no close event follows a refused upgrade; make sure the socket is gone and stop here
    try {
      ws.terminate();
    } catch (e) {
      // already torn down
    }
    return;
  }
  emit({ event: 'open', subprotocol: ws.protocol || null, extensions: responseExtensions });

  ws.on('message', (data, isBinary) => {
    inbox.push(describe(data, isBinary));
    if (inboxWaiter) {
      inboxWaiter();
    }
  });
  ws.on('ping', (data) => emit({ event: 'ping', hex: data.toString('hex') }));
  ws.on('pong', (data) => {
    const hex = data.toString('hex');
    const i = pongWaiters.findIndex((w) => w.hex === hex);
    if (i >= 0) {
      pongWaiters.splice(i, 1)[0].resolve();
    }
  });

  const nextMessage = (seconds) => {
    if (inbox.length > 0) {
      return Promise.resolve(inbox.shift());
    }
    if (closedInfo) {
      return Promise.resolve(null);
    }
    return withTimeout(new Promise((resolve) => {
      inboxWaiter = () => {
        inboxWaiter = null;
        resolve(inbox.length > 0 ? inbox.shift() : null);
      };
    }), seconds, TIMEOUT).finally(() => { inboxWaiter = null; });
  };

  for (const step of plan) {
    switch (step.op) {
      case 'send': {
        const data = payload(step, conn);
        const binary = step.kind === 'binary';
        const k = step.fragments || 1;
        const parts = k <= 1 ? [data] : split(data, k);
        lastSend = process.hrtime.bigint();
        for (let i = 0; i < parts.length; i++) {
          await new Promise((resolve) => ws.send(parts[i], { binary, fin: i === parts.length - 1 }, () => resolve()));
        }
        break;
      }
      case 'recv': {
        const m = await nextMessage(step.timeout || 5);
        if (m === TIMEOUT) {
          emit({ event: 'recv_timeout' });
        } else if (m === null) {
          reportClosed();
        } else {
          m.elapsed_ms = elapsedMs();
          emit(m);
        }
        break;
      }
      case 'ping': {
        const hex = step.hex || '';
        const start = process.hrtime.bigint();
        const got = new Promise((resolve) => pongWaiters.push({ hex, resolve }));
        ws.ping(Buffer.from(hex, 'hex'));
        const r = await withTimeout(got, step.timeout || 5, TIMEOUT);
        if (r === TIMEOUT) {
          emit({ event: 'pong_timeout', hex });
        } else {
          emit({ event: 'pong', hex, elapsed_ms: Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10 });
        }
        break;
      }
      case 'close':
        ws.close(step.code || 1000, step.reason || '');
        await withTimeout(closed, 5, TIMEOUT);
        reportClosed();
        break;
      case 'wait_closed': {
        const deadline = Date.now() + (step.timeout || 5) * 1000;
        for (;;) {
          const left = (deadline - Date.now()) / 1000;
          const m = left > 0 ? await nextMessage(left) : TIMEOUT;
          if (m === TIMEOUT) {
            emit({ event: 'recv_timeout' });
            break;
          }
          if (m === null) {
            reportClosed();
            break;
          }
          m.elapsed_ms = elapsedMs();
          emit(m);
        }
        break;
      }
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        break;
      default:
        throw new Error(`unknown step ${step.op}`);
    }
  }
  if (ws.readyState === WebSocket.OPEN) {
    ws.close(1000);
  }
  if (await withTimeout(closed, 3, TIMEOUT) === TIMEOUT) {
    ws.terminate();
  }
  emit({ event: 'end', code: closedInfo ? closedInfo.code : null });
}

Promise.all(Array.from({ length: args.connections }, (_, i) => runOne(i)))
  .then(() => process.exit(0))
  .catch((err) => {
    process.stderr.write(`ws_client.js: ${err.stack}\n`);
    process.exit(2);
  });
