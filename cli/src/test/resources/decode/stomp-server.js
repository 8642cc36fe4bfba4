// A minimal STOMP 1.2 server over ws on 127.0.0.1, any free port; prints {"port": N} once listening
// and runs until killed. CONNECT/STOMP -> CONNECTED (then one heart-beat EOL); SUBSCRIBE/UNSUBSCRIBE
// kept per connection; SEND -> MESSAGE to each subscriber of the destination (a binary body in a
// binary message); a receipt header -> RECEIPT. When the sender is itself a subscriber, its MESSAGE
// and the RECEIPT travel in one WebSocket message (two frames). DISCONNECT -> RECEIPT, then close.
// With --sockjs it speaks the same over the sockjs package instead (prefix /stomp; text only: each
// frame one SockJS message).
const http = require('http');
const WebSocket = require('ws');

const subs = []; // {ws, id, destination}
let messageId = 0;

function esc(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}
function unesc(v) {
  return v.replace(/\\(.)/g, (m, c) => ({ r: '\r', n: '\n', c: ':', '\\': '\\' }[c]));
}
function frame(command, headers, body) {
  const b = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  let head = command + '\n';
  for (const [k, v] of Object.entries(headers)) head += esc(k) + ':' + esc(v) + '\n';
  if (b.length > 0) head += 'content-length:' + b.length + '\n';
  return Buffer.concat([Buffer.from(head + '\n'), b, Buffer.from([0])]);
}
/** The frames in one message (whole frames only: stompjs does not split them here). */
function parse(buf) {
  const out = [];
  let p = 0;
  while (p < buf.length) {
    while (p < buf.length && (buf[p] === 10 || buf[p] === 13)) p++;
    if (p >= buf.length) break;
    const headEnd = buf.indexOf('\n\n', p);
    const lines = buf.slice(p, headEnd).toString().split('\n');
    const command = lines.shift();
    const headers = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      const k = unesc(l.slice(0, i));
      if (!(k in headers)) headers[k] = command === 'CONNECT' || command === 'STOMP' ? l.slice(i + 1) : unesc(l.slice(i + 1));
    }
    const start = headEnd + 2;
    const end = 'content-length' in headers ? start + Number(headers['content-length']) : buf.indexOf(0, start);
    out.push({ command, headers, body: buf.slice(start, end) });
    p = end + 1;
  }
  return out;
}

/** A sockjs connection dressed as the ws socket serve() expects (one object per connection). */
function sockjsPeer(conn) {
  return {
    on: (event, cb) => (event === 'message' ? conn.on('data', (s) => cb(Buffer.from(s), false)) : conn.on('close', cb)),
    send: (data) => conn.write(data.toString()),
    close: () => conn.close(1000, 'bye'),
  };
}

const server = http.createServer();
function serve(ws) {
  ws.on('message', (data, isBinary) => {
    for (const f of parse(Buffer.from(data))) {
      const receipt = f.headers.receipt;
      switch (f.command) {
        case 'CONNECT':
        case 'STOMP':
          ws.send(frame('CONNECTED', { version: '1.2', 'heart-beat': '0,0', server: 'mini-stomp/1.0', session: 'sess-1' }).toString());
          ws.send('\n');
          break;
        case 'SUBSCRIBE':
          subs.push({ ws, id: f.headers.id, destination: f.headers.destination });
          if (receipt) ws.send(frame('RECEIPT', { 'receipt-id': receipt }).toString());
          break;
        case 'UNSUBSCRIBE':
          for (let i = subs.length - 1; i >= 0; i--) if (subs[i].ws === ws && subs[i].id === f.headers.id) subs.splice(i, 1);
          if (receipt) ws.send(frame('RECEIPT', { 'receipt-id': receipt }).toString());
          break;
        case 'SEND': {
          let joined = false;
          for (const s of subs.filter((x) => x.destination === f.headers.destination)) {
            const headers = { destination: f.headers.destination, subscription: s.id, 'message-id': 'm-' + (++messageId) };
            if (f.headers['content-type']) headers['content-type'] = f.headers['content-type'];
            let out = frame('MESSAGE', headers, f.body);
            if (s.ws === ws && receipt) {
              out = Buffer.concat([out, frame('RECEIPT', { 'receipt-id': receipt })]);
              joined = true;
            }
            s.ws.send(isBinary ? out : out.toString(), { binary: isBinary });
          }
          if (receipt && !joined) ws.send(frame('RECEIPT', { 'receipt-id': receipt }).toString());
          break;
        }
        case 'DISCONNECT':
          if (receipt) ws.send(frame('RECEIPT', { 'receipt-id': receipt }).toString());
          ws.close(1000);
          break;
        default:
          ws.send(frame('ERROR', { message: 'unknown command ' + f.command }).toString());
      }
    }
  });
  ws.on('close', () => {
    for (let i = subs.length - 1; i >= 0; i--) if (subs[i].ws === ws) subs.splice(i, 1);
  });
}
if (process.argv.includes('--sockjs')) {
  const sockjs = require('sockjs').createServer({ log: () => {} });
  sockjs.on('connection', (conn) => serve(sockjsPeer(conn)));
  sockjs.installHandlers(server, { prefix: '/stomp' });
} else {
  const wss = new WebSocket.Server({ server, handleProtocols: (ps) => (ps.has('v12.stomp') ? 'v12.stomp' : false) });
  wss.on('connection', serve);
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
