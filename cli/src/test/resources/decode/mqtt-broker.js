// An MQTT broker over WebSocket on 127.0.0.1, any free port; prints {"port": N} once listening and
// runs until killed. Mode "aedes": the aedes broker (MQTT 3.1.1; ws + createWebSocketStream).
// Mode "v5": aedes has no MQTT 5, so a minimal MQTT 5 broker on mqtt-packet (MQTT.js's codec):
// CONNACK, SUBACK, PUBLISH to matching subscribers with PUBACK for qos 1, PINGRESP; one WebSocket
// message per packet.
const http = require('http');
const WebSocket = require('ws');

function matches(filter, topic) {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

function v5broker(wss) {
  const mp = require('mqtt-packet');
  const opts = { protocolVersion: 5 };
  const clients = new Set();
  let nextId = 1;
  wss.on('connection', (ws) => {
    const c = { ws, subs: [] };
    clients.add(c);
    const send = (p) => ws.send(mp.generate(p, opts));
    const parser = mp.parser(opts);
    parser.on('packet', (p) => {
      switch (p.cmd) {
        case 'connect':
          send({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { topicAliasMaximum: 0 } });
          break;
        case 'subscribe':
          c.subs.push(...p.subscriptions);
          send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
          break;
        case 'publish':
          if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId, reasonCode: 0 });
          for (const o of clients) {
            const s = o.subs.find((x) => matches(x.topic, p.topic));
            if (!s) continue;
            const qos = Math.min(s.qos, p.qos);
            const out = { cmd: 'publish', topic: p.topic, payload: p.payload, qos, retain: false, dup: false };
            if (qos > 0) out.messageId = nextId++;
            o.ws.send(mp.generate(out, opts));
          }
          break;
        case 'pingreq':
          send({ cmd: 'pingresp' });
          break;
        case 'disconnect':
          ws.close();
          break;
        default:
          break;
      }
    });
    parser.on('error', (e) => { console.error('parser: ' + e.message); ws.close(); });
    ws.on('message', (data) => parser.parse(data));
    ws.on('close', () => clients.delete(c));
  });
}

(async () => {
  const mode = process.argv[2];
  const server = http.createServer();
  const wss = new WebSocket.Server({ server });
  if (mode === 'v5') {
    v5broker(wss);
  } else {
    const { Aedes } = require('aedes');
    const broker = await Aedes.createBroker();
    wss.on('connection', (ws) => broker.handle(WebSocket.createWebSocketStream(ws)));
  }
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
})().catch((e) => { console.error(e); process.exit(1); });
