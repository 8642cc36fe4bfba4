// A stateful server on Node ws for the serve --mock tests: it greets every client unprompted, keeps a
// counter per connection, stamps every answer with the time, and closes with 4000 when told "bye".
// Listens on 127.0.0.1 (port 0), prints "PORT <n>" once listening; the test stops it by its pid.
'use strict';
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: { threshold: 0 },
  handleProtocols: (offered) => (offered.has('counter.v1') ? 'counter.v1' : false),
});

wss.on('connection', (ws) => {
  let count = 0;
  const send = (o) => ws.send(JSON.stringify(Object.assign(o, { ts: Date.now() })));
  send({ op: 'welcome', server: 'counter' });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.send(data, { binary: true });
      return;
    }
    let m;
    try {
      m = JSON.parse(data.toString());
    } catch (e) {
      send({ op: 'error', error: 'not JSON' });
      return;
    }
    if (m.op === 'inc') {
      count += m.by || 1;
      send({ op: 'count', n: count });
    } else if (m.op === 'get') {
      send({ op: 'count', n: count });
      send({ op: 'note', text: 'counter ' + count });
    } else if (m.op === 'bye') {
      send({ op: 'bye', n: count });
      ws.close(4000, 'bye');
    } else {
      send({ op: 'error', error: 'unknown op ' + m.op });
    }
  });
});

wss.on('listening', () => console.log('PORT ' + wss.address().port));
