'use strict';
// WebSocket peer on Node ws (8.x) for wsdebug's live-capture tests: the same roles, plan, commands
// and output as py_peer.py (see there).
//
//   node node_peer.js server [OPTIONS]
//   node node_peer.js client URL PLAN [OPTIONS]
//
// Options:
//   --deflate off|on        permessage-deflate (threshold 0: every message compressed); default on
//   --tls-cert FILE --tls-key FILE     (server) serve wss:// (https server)
//   --insecure                          (client) accept any certificate
//   --tls-version 1.2|1.3               force this TLS version
//   --ciphers S                         OpenSSL cipher list; TLS 1.3 suites (TLS_AES_128_GCM_SHA256...) too
//   --groups G                          key exchange groups (tls ecdhCurve), e.g. P-384: a TLS 1.3 client
//                                       whose key share is for another group gets a HelloRetryRequest
//
// Key logs: run node with --tls-keylog=FILE. Received pings are reported too:
//   {"event": "ping", "hex": H}
// ws is found through NODE_PATH (the test points it at test-peers/node/node_modules).
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const WebSocket = require('ws');

const SHORT = 200;
const TIMEOUT_MS = 5000;

const argv = process.argv.slice(2);
const opts = { deflate: true, tlsCert: null, tlsKey: null, insecure: false, tlsVersion: null, ciphers: null,
  groups: null };
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  switch (a) {
    case '--deflate': opts.deflate = argv[++i] !== 'off'; break;
    case '--tls-cert': opts.tlsCert = argv[++i]; break;
    case '--tls-key': opts.tlsKey = argv[++i]; break;
    case '--insecure': opts.insecure = true; break;
    case '--tls-version': opts.tlsVersion = argv[++i]; break;
    case '--ciphers': opts.ciphers = argv[++i]; break;
    case '--groups': opts.groups = argv[++i]; break;
    default:
      if (a.startsWith('--')) {
        throw new Error(`unknown argument ${a}`);
      }
      positional.push(a);
  }
}
const role = positional[0];

function tlsOptions() {
  const o = {};
  if (opts.tlsVersion) {
    o.minVersion = o.maxVersion = `TLSv${opts.tlsVersion}`;
  }
  if (opts.ciphers) {
    o.ciphers = opts.ciphers;
  }
  if (opts.groups) {
    o.ecdhCurve = opts.groups;
  }
  return o;
}

function pattern(kind, n) {
  if (kind === 'text') {
    return 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.floor(n / 26) + 1).slice(0, n);
  }
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    b[i] = (i * 31 + 7) & 0xff;
  }
  return b;
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

function out(peer, conn) {
  const emit = (o) => process.stdout.write(JSON.stringify(Object.assign(o, { peer, conn })) + '\n');
  return {
    emit,
    message: (event, data, isBinary) => {
      const raw = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data, 'utf8');
      const d = {
        event, kind: isBinary ? 'binary' : 'text', len: raw.length,
        sha256: crypto.createHash('sha256').update(raw).digest('hex'),
      };
      if (!isBinary && raw.length <= SHORT) {
        d.text = raw.toString('utf8');
      }
      emit(d);
    },
    tls: (socket) => {
      if (socket && typeof socket.getProtocol === 'function') {
        emit({ event: 'tls', version: socket.getProtocol(), cipher: socket.getCipher().standardName });
      }
    },
  };
}

/** Sends data in k frames (k > 1: fragments), resolving when written. */
function send(ws, data, binary, k) {
  const parts = k > 1 ? split(data, k) : [data];
  return Promise.all(parts.map((p, i) => new Promise((resolve, reject) => {
    ws.send(p, { binary, fin: i === parts.length - 1, compress: opts.deflate }, (err) => (err ? reject(err) : resolve()));
  })));
}

function server() {
  const serverOptions = { maxPayload: 8 * 1024 * 1024, perMessageDeflate: opts.deflate ? { threshold: 0 } : false };
  let wss;
  let http = null;
  if (opts.tlsCert) {
    http = https.createServer({ cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey), ...tlsOptions() });
    wss = new WebSocket.WebSocketServer({ server: http, ...serverOptions });
    http.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${http.address().port}\n`));
  } else {
    wss = new WebSocket.WebSocketServer({ host: '127.0.0.1', port: 0, ...serverOptions });
    wss.on('listening', () => process.stdout.write(`PORT ${wss.address().port}\n`));
  }
  let counter = 0;
  wss.on('connection', (ws, req) => {
    const o = out('server', counter++);
    o.tls(req.socket);
    ws.on('message', (data, isBinary) => {
      o.message('received', data, isBinary);
      const text = isBinary ? null : data.toString('utf8');
      if (text !== null && text.startsWith('wsdebug:')) {
        const words = text.split(' ');
        if (words[0] === 'wsdebug:close') {
          ws.close(Number(words[1]), words.slice(2).join(' '));
          return;
        }
        if (words[0] === 'wsdebug:frag') {
          const [k, n, kind] = [Number(words[1]), Number(words[2]), words[3]];
          const payload = pattern(kind, n);
          send(ws, payload, kind === 'binary', k).then(() => o.message('sent', payload, kind === 'binary'));
          return;
        }
        if (words[0] === 'wsdebug:ping') {
          ws.ping(Buffer.from(words[1], 'hex'));
          return;
        }
      }
      ws.send(data, { binary: isBinary, compress: opts.deflate });
      o.message('sent', data, isBinary);
    });
    ws.on('ping', (data) => o.emit({ event: 'ping', hex: data.toString('hex') }));
    ws.on('close', (code, reason) => o.emit({ event: 'closed', code, reason: reason.toString('utf8') }));
    ws.on('error', (err) => process.stderr.write(`node_peer.js: ${err.message}\n`));
  });
}

async function client() {
  const [, url, planText] = positional;
  const plan = JSON.parse(planText);
  const o = out('client', 0);
  const options = { perMessageDeflate: opts.deflate ? { threshold: 0 } : false, maxPayload: 8 * 1024 * 1024,
    handshakeTimeout: TIMEOUT_MS, ...tlsOptions() };
  if (opts.insecure) {
    options.rejectUnauthorized = false;
  }
  const ws = new WebSocket(url, options);
  const inbox = [];
  const waiters = [];
  let closed = null;
  const closedPromise = new Promise((resolve) => ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString('utf8') };
    resolve(closed);
    waiters.splice(0).forEach((w) => w());
  }));
  ws.on('message', (data, isBinary) => {
    inbox.push([data, isBinary]);
    waiters.splice(0).forEach((w) => w());
  });
  ws.on('ping', (data) => o.emit({ event: 'ping', hex: data.toString('hex') }));
  ws.on('error', (err) => process.stderr.write(`node_peer.js: ${err.message}\n`));
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('unexpected-response', () => reject(new Error('unexpected response')));
    ws.on('error', reject);
  });
  o.tls(ws._socket);
  const within = (promise, what) => {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), TIMEOUT_MS);
    })]).finally(() => clearTimeout(timer));
  };
  const next = () => within(new Promise((resolve) => {
    const take = () => {
      if (inbox.length > 0) {
        resolve(inbox.shift());
      } else if (closed) {
        resolve(null);
      } else {
        waiters.push(take);
      }
    };
    take();
  }), 'recv');
  for (const step of plan) {
    switch (step.op) {
      case 'send': {
        const binary = step.kind === 'binary';
        let data = step.text !== undefined ? step.text
          : step.random ? crypto.randomBytes(step.size) : pattern(step.kind, step.size);
        if (binary && typeof data === 'string') {
          data = Buffer.from(data, 'utf8');
        }
        await send(ws, data, binary, step.fragments || 1);
        o.message('sent', data, binary);
        break;
      }
      case 'recv': {
        const m = await next();
        if (m) {
          o.message('received', m[0], m[1]);
        }
        break;
      }
      case 'ping': {
        const payload = Buffer.from(step.hex || '', 'hex');
        await within(new Promise((resolve) => {
          const onPong = (data) => {
            if (data.equals(payload)) {
              ws.off('pong', onPong);
              resolve();
            }
          };
          ws.on('pong', onPong);
          ws.ping(payload);
        }), 'pong');
        o.emit({ event: 'pong', hex: payload.toString('hex') });
        break;
      }
      case 'close':
        ws.close(step.code || 1000, step.reason || '');
        await within(closedPromise, 'close');
        break;
      case 'wait_closed':
        for (;;) {
          const m = await next();
          if (!m) {
            break;
          }
          o.message('received', m[0], m[1]);
        }
        break;
      default:
        throw new Error(`unknown step ${step.op}`);
    }
  }
  if (!closed) {
    ws.close(1000, '');
    await within(closedPromise, 'close');
  }
  o.emit({ event: 'closed', code: closed.code, reason: closed.reason });
}

if (role === 'server') {
  server();
} else if (role === 'client') {
  client().then(() => process.exit(0), (err) => {
    process.stderr.write(`node_peer.js: ${err.stack || err}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: node_peer.js server|client ...\n');
  process.exit(2);
}
