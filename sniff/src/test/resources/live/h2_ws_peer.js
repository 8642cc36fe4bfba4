'use strict';
// A WebSocket over HTTP/2 (RFC 8441) peer on Node's built-in http2 module, for wsdebug's live
// capture tests. Node has no WebSocket over HTTP/2, so the WebSocket frames are parsed and written
// here (RFC 6455 5.2): the client masks, the server does not.
//
//   node h2_ws_peer.js server [OPTIONS]       h2c on 127.0.0.1, an ephemeral port; prints "PORT n"
//   node h2_ws_peer.js client PORT [--tls]    prior knowledge: the connection preface at once
//
// Server options: --tls CERT.pem KEY.pem (HTTP/2 over TLS, ALPN h2 only, instead of h2c);
// --reset-after N (after echoing N messages on a stream, reset it with CANCEL). The client's --tls
// connects over TLS to localhost without verifying the certificate. Run node with
// --tls-keylog=FILE to get the TLS secrets of both roles in NSS key log format.
//
// The server enables extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1), answers a CONNECT with
// :protocol websocket with 200, echoes text and binary messages, answers a ping with a pong and a
// close with a close, then ends the stream. The client waits for the server's SETTINGS to allow
// extended CONNECT, opens one, sends text, binary, a two-frame text message, a ping and a close, and
// ends the stream after the server's close. The server prints each extended CONNECT's request
// ({"event":"request","headers":{...}}) and selects the first subprotocol offered. Both print one JSON line per message they sent and
// received ({"event":"sent"|"received","kind","len","sha256","text"}), pongs, and {"event":"closed"}.
// Every run is bounded: 20 s, then exit 3.
const http2 = require('http2');
const crypto = require('crypto');
const fs = require('fs');

setTimeout(() => { process.stderr.write('timed out\n'); process.exit(3); }, 20000).unref();

const role = process.argv[2];
const emit = (o) => process.stdout.write(JSON.stringify(Object.assign(o, { conn: 0 })) + '\n');
const describe = (event, opcode, payload) => {
  const o = { event, kind: opcode === 1 ? 'text' : 'binary', len: payload.length,
    sha256: crypto.createHash('sha256').update(payload).digest('hex') };
  if (opcode === 1 && payload.length <= 200) {
    o.text = payload.toString('utf8');
  }
  emit(o);
};

/** One WebSocket frame: FIN, opcode, payload; masked with a random key when asked. */
function frame(opcode, payload, masked, fin = true) {
  const len = payload.length;
  const head = [(fin ? 0x80 : 0) | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) {
    head.push(m | len);
  } else if (len < 65536) {
    head.push(m | 126, len >> 8, len & 0xff);
  } else {
    head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
  }
  if (!masked) {
    return Buffer.concat([Buffer.from(head), payload]);
  }
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) {
    body[i] ^= key[i % 4];
  }
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Parses frames from a stream's DATA as they come; calls onFrame(fin, opcode, payload). */
function frameReader(onFrame) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      const keyAt = at;
      if (masked) at += 4;
      if (buf.length < at + len) return;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (masked) {
        for (let i = 0; i < payload.length; i++) payload[i] ^= buf[keyAt + (i % 4)];
      }
      buf = buf.subarray(at + len);
      onFrame(fin, opcode, payload);
    }
  };
}

/** Assembles messages from frames; control frames go to onControl. */
function messages(onMessage, onControl) {
  let parts = null;
  let first = 0;
  return (fin, opcode, payload) => {
    if (opcode >= 8) {
      onControl(opcode, payload);
      return;
    }
    if (opcode !== 0) {
      parts = [];
      first = opcode;
    }
    parts.push(payload);
    if (fin) {
      onMessage(first, Buffer.concat(parts));
      parts = null;
    }
  };
}

function server(opts) {
  const settings = { enableConnectProtocol: true };
  const srv = opts.tls
    ? http2.createSecureServer({ key: fs.readFileSync(opts.tls.key), cert: fs.readFileSync(opts.tls.cert), settings })
    : http2.createServer({ settings });
  srv.on('stream', (stream, headers) => {
    if (headers[':method'] !== 'CONNECT' || headers[':protocol'] !== 'websocket') {
      stream.respond({ ':status': 400 });
      stream.end();
      return;
    }
    const request = {};
    for (const [k, v] of Object.entries(headers)) request[k] = String(v);
    emit({ event: 'request', headers: request });
    const offered = (headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim()).filter((p) => p);
    stream.respond(offered.length > 0 ? { ':status': 200, 'sec-websocket-protocol': offered[0] } : { ':status': 200 });
    const send = (opcode, payload) => stream.write(frame(opcode, payload, false));
    let echoed = 0;
    stream.on('data', frameReader(messages((opcode, payload) => {
      describe('received', opcode, payload);
      send(opcode, payload);
      describe('sent', opcode, payload);
      if (++echoed === opts.resetAfter) {
        emit({ event: 'reset' });
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    }, (opcode, payload) => {
      if (opcode === 9) {
        send(10, payload);
      } else if (opcode === 8) {
        send(8, payload);
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        emit({ event: 'closed', code, reason: payload.subarray(2).toString('utf8') });
        stream.end();
      }
    })));
    stream.on('error', () => {});
  });
  srv.listen(0, '127.0.0.1', () => emit0(`PORT ${srv.address().port}`));
}

/** The server's options after the role: --tls CERT KEY, --reset-after N. */
function serverOptions(args) {
  const opts = { tls: null, resetAfter: 0 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--tls') {
      opts.tls = { cert: args[++i], key: args[++i] };
    } else if (args[i] === '--reset-after') {
      opts.resetAfter = Number(args[++i]);
    } else {
      process.stderr.write(`unknown server option ${args[i]}\n`);
      process.exit(2);
    }
  }
  return opts;
}

const emit0 = (line) => process.stdout.write(line + '\n');

function client(port, tls) {
  const session = tls
    ? http2.connect(`https://localhost:${port}`, { rejectUnauthorized: false })
    : http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', (e) => { process.stderr.write(`session error: ${e.message}\n`); process.exit(1); });
  session.on('remoteSettings', (settings) => {
    if (!settings.enableConnectProtocol || session.started) return;
    session.started = true;
    const req = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': tls ? 'https' : 'http',
      ':path': '/live', ':authority': `${tls ? 'localhost' : '127.0.0.1'}:${port}`, 'sec-websocket-version': '13' });
    req.on('response', (h) => {
      if (h[':status'] !== 200) {
        process.stderr.write(`status ${h[':status']}\n`);
        process.exit(1);
      }
      const send = (opcode, payload, fin = true) => req.write(frame(opcode, payload, true, fin));
      const text = Buffer.from('hello over HTTP/2', 'utf8');
      send(1, text);
      describe('sent', 1, text);
      const bin = Buffer.alloc(300);
      for (let i = 0; i < bin.length; i++) bin[i] = i & 0xff;
      send(2, bin);
      describe('sent', 2, bin);
      const parts = [Buffer.from('two ', 'utf8'), Buffer.from('frames', 'utf8')];
      send(1, parts[0], false);
      send(0, parts[1], true);
      describe('sent', 1, Buffer.concat(parts));
      send(9, Buffer.from('0a0b', 'hex'));
    });
    let got = 0;
    req.on('data', frameReader(messages((opcode, payload) => {
      describe('received', opcode, payload);
      if (++got === 3) {
        const close = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('client done', 'utf8')]); // 4001
        req.write(frame(8, close, true));
      }
    }, (opcode, payload) => {
      if (opcode === 10) {
        emit({ event: 'pong', hex: payload.toString('hex') });
      } else if (opcode === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        emit({ event: 'closed', code, reason: payload.subarray(2).toString('utf8') });
        req.end();
      }
    })));
    req.on('close', () => session.close(() => process.exit(0)));
  });
}

if (role === 'server') {
  server(serverOptions(process.argv.slice(3)));
} else if (role === 'client') {
  client(Number(process.argv[3]), process.argv[4] === '--tls');
} else {
  process.stderr.write('usage: h2_ws_peer.js server [--tls CERT KEY] [--reset-after N] | client PORT [--tls]\n');
  process.exit(2);
}
