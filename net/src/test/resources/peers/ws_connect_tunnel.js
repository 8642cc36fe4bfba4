'use strict';
// Node ws as a wss:// client of an HTTP proxy. ws has no proxy support of its own, so this opens
// the CONNECT tunnel with http.request, starts TLS inside it with tls.connect (verified against
// Node's roots plus NODE_EXTRA_CA_CERTS, never rejectUnauthorized: false) and hands that socket
// to ws. It sends each message after the echo of the previous one, then closes with 1000.
//
//   node ws_connect_tunnel.js PROXY_PORT HOST:PORT PATH MESSAGE...
//
// Prints one JSON object a line: connect, tls, open, message (one per echo), close; or error
// (exit 3) with the stage that failed.
const http = require('http');
const tls = require('tls');
const WebSocket = require('ws');

const proxyPort = Number(process.argv[2]);
const target = process.argv[3];
const path = process.argv[4];
const messages = process.argv.slice(5);
const host = target.slice(0, target.lastIndexOf(':'));

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let failed = false;
const fail = (stage, e) => {
  if (failed) {
    return;
  }
  failed = true;
  out({event: 'error', stage, code: (e && e.code) || null, message: String((e && e.message) || e)});
  // leave a moment for what TLS still has to say (the alert that tells the proxy why) to go out
  process.exitCode = 3;
  setTimeout(() => process.exit(3), 300);
};
const timer = setTimeout(() => fail('timeout', new Error('not finished within 15 s')), 15000);

const req = http.request({host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target});
req.on('error', (e) => fail('connect', e));
req.on('connect', (res, socket) => {
  out({event: 'connect', status: res.statusCode});
  if (res.statusCode !== 200) {
    fail('connect', new Error('the proxy answered ' + res.statusCode));
  }
  const secure = tls.connect({socket, servername: host});
  secure.on('error', (e) => fail('tls', e));
  secure.on('secureConnect', () => {
    const cert = secure.getPeerCertificate();
    out({event: 'tls', authorized: secure.authorized, protocol: secure.getProtocol(),
      subject: cert.subject && cert.subject.CN, issuer: cert.issuer && cert.issuer.CN, san: cert.subjectaltname});
  });

  const ws = new WebSocket('wss://' + target + path, {createConnection: () => secure});
  const echoes = [];
  ws.on('error', (e) => fail('websocket', e));
  ws.on('open', () => {
    out({event: 'open', extensions: ws.extensions});
    ws.send(messages[0]);
  });
  ws.on('message', (data, isBinary) => {
    const text = data.toString('utf8');
    echoes.push(text);
    out({event: 'message', binary: isBinary, text});
    if (echoes.length < messages.length) {
      ws.send(messages[echoes.length]);
    } else {
      ws.close(1000, 'node done');
    }
  });
  ws.on('close', (code, reason) => {
    if (failed) {
      return;
    }
    clearTimeout(timer);
    out({event: 'close', code, reason: reason.toString('utf8'), echoes: echoes.length});
    process.exit(0);
  });
});
req.end();
