// A minimal Phoenix Channels endpoint written with ws (no Phoenix server runs in Node): serializer
// 2.0.0 on /socket/websocket. Joins and heartbeats get {"status":"ok"} replies; "new_msg" is
// broadcast back to the topic and acknowledged; a binary push "upload" gets a binary reply whose
// response is the pushed bytes reversed. Prints {"port": N} once listening on 127.0.0.1.
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const send = (ws, msg) => ws.send(JSON.stringify(msg));
function binaryReply(joinRef, ref, topic, status, payload) {
  const parts = [joinRef, ref, topic, status].map((s) => Buffer.from(s, 'utf8'));
  return Buffer.concat([Buffer.from([1, ...parts.map((p) => p.length)]), ...parts, payload]);
}
wss.on('connection', (ws, req) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      // a client push: kind 0, then join_ref, ref, topic and event lengths
      const b = Buffer.from(data);
      let off = 5;
      const f = [1, 2, 3, 4].map((i) => { const s = b.subarray(off, off + b[i]).toString('utf8'); off += b[i]; return s; });
      ws.send(binaryReply(f[0], f[1], f[2], 'ok', Buffer.from(b.subarray(off)).reverse()));
      return;
    }
    const [joinRef, ref, topic, event, payload] = JSON.parse(data.toString());
    if (event === 'new_msg') send(ws, [null, null, topic, 'new_msg', payload]);
    send(ws, [joinRef, ref, topic, 'phx_reply', { status: 'ok', response: event === 'phx_join' ? { joined: topic } : {} }]);
  });
});
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port, url: 'ws' })));
