// A @stomp/stompjs Client over ws (subprotocol v12.stomp): subscribes to /topic/greetings, sends a
// text body (content-type text/plain, receipt r-text, a header value with the characters STOMP 1.2
// escapes) and a binary body [0, 1, 2, 255] (receipt r-bin), waits for both MESSAGEs and receipts,
// then deactivates (DISCONNECT). Prints what it saw as JSON lines.
// Given an http:// URL it goes over sockjs-client (WebSocket transport) instead; SockJS carries text
// only, so the second body is then the JSON text {"type":"chat","n":2} (receipt r-json).
const WebSocket = require('ws');
const { Client } = require('@stomp/stompjs');
const url = process.argv[2];
const overSockJs = url.startsWith('http');
const second = overSockJs ? 'r-json' : 'r-bin';
const log = (o) => console.log(JSON.stringify(o));
const seen = { messages: 0, receipts: 0 };
const timer = setTimeout(() => { log({ error: 'timeout', seen }); process.exit(2); }, 15000);

const client = new Client({
  webSocketFactory: () => (overSockJs ? new (require('sockjs-client'))(url, null, { transports: ['websocket'] })
    : new WebSocket(url, ['v12.stomp'])),
  reconnectDelay: 0,
  heartbeatIncoming: 0,
  heartbeatOutgoing: 0,
  onStompError: (f) => { log({ error: f.headers.message }); process.exit(3); },
  onWebSocketError: (e) => { log({ error: String(e && e.message) }); process.exit(4); },
});
function maybeDone() {
  if (seen.messages === 2 && seen.receipts === 2) {
    clearTimeout(timer);
    client.deactivate().then(() => { log({ done: true }); process.exit(0); });
  }
}
client.onConnect = (connected) => {
  log({ connected: connected.headers.version });
  client.subscribe('/topic/greetings', (m) => {
    seen.messages++;
    const text = m.headers['content-type'] !== 'application/octet-stream';
    log({ message: text ? m.body : Buffer.from(m.binaryBody).toString('hex'), headers: m.headers });
    maybeDone();
  });
  for (const r of ['r-text', second]) {
    client.watchForReceipt(r, () => { seen.receipts++; log({ receipt: r }); maybeDone(); });
  }
  client.publish({ destination: '/topic/greetings', body: 'hello stomp',
    headers: { 'content-type': 'text/plain', receipt: 'r-text', 'x-note': 'a:b\nc' } });
  if (overSockJs) {
    client.publish({ destination: '/topic/greetings', body: JSON.stringify({ type: 'chat', n: 2 }),
      headers: { 'content-type': 'application/json', receipt: second } });
  } else {
    client.publish({ destination: '/topic/greetings', binaryBody: new Uint8Array([0, 1, 2, 255]),
      headers: { 'content-type': 'application/octet-stream', receipt: second } });
  }
};
client.activate();
