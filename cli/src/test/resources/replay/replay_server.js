'use strict';
// A stateful WebSocket server for the replay tests (Node ws, not ours).
//
//   node replay_server.js [--changed]
//
// Per connection: an unprompted welcome naming the path, then for each text message a reply with a
// counter, the message echoed, the subprotocol, the X-Session request header and a timestamp; a
// binary message comes back reversed; "bye" is answered with a close 4000. --changed: from the
// third reply on the counter is one too high (a server whose behaviour changed).
// Also serves GET /page: a page whose script does the same session from the browser (for HAR files).
// Prints {"port":N} once listening on 127.0.0.1.
const http = require('http');
const { WebSocketServer } = require('ws');

const changed = process.argv.includes('--changed');

const PAGE = `<!doctype html><meta charset="utf-8"><title>replay</title><script>
const ws = new WebSocket('ws://' + location.host + '/har?from=page', ['counter.v1']);
const steps = ['hello', JSON.stringify({op: 'add', n: 7}), 'bye'];
let i = 0;
ws.onmessage = () => { if (i < steps.length) setTimeout(() => ws.send(steps[i++]), 100); };
ws.onclose = (e) => { window.wsdebugReport = {code: e.code}; window.wsdebugDone = true; };
</script>`;

const server = http.createServer((req, res) => {
  if (req.url === '/page') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  } else {
    res.writeHead(404);
    res.end();
  }
});
const wss = new WebSocketServer({
  server,
  perMessageDeflate: true,
  handleProtocols: (protocols) => (protocols.has('counter.v1') ? 'counter.v1' : false),
});
wss.on('connection', (ws, req) => {
  let count = 0;
  ws.send(JSON.stringify({ welcome: req.url, ts: Date.now() }));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.send(Buffer.from(data).reverse(), { binary: true });
      return;
    }
    const text = data.toString();
    if (text === 'bye') {
      ws.close(4000, 'bye');
      return;
    }
    count++;
    let echo;
    try {
      echo = JSON.parse(text);
    } catch (e) {
      echo = text;
    }
    ws.send(JSON.stringify({
      count: changed && count >= 3 ? count + 1 : count,
      echo,
      protocol: ws.protocol,
      session: req.headers['x-session'] || null,
      ts: Date.now(),
    }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
