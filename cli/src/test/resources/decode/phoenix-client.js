// The phoenix package's own client (Socket, Channel and its 2.0.0 serializer; ws as the WebSocket)
// against the endpoint in argv: joins room:lobby with a token, pushes "new_msg", then a binary
// "upload"; prints {"joined", "broadcast", "reply"} and exits 0.
const { Socket } = require('phoenix');
const WebSocket = require('ws');
const fail = (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); };
setTimeout(() => fail('timeout'), 15000);
const socket = new Socket(process.argv[1], { transport: WebSocket, params: { user: 'u1' } });
socket.onError((e) => fail('socket error ' + (e && e.message)));
socket.connect();
const channel = socket.channel('room:lobby', { token: 't' });
let broadcast = null;
channel.on('new_msg', (p) => { broadcast = p; });
channel.join().receive('ok', (joined) => {
  channel.push('new_msg', { body: 'hi' }).receive('ok', () => {
    channel.push('upload', new Uint8Array([1, 2, 3]).buffer).receive('ok', (resp) => {
      console.log(JSON.stringify({ joined, broadcast, reply: Array.from(new Uint8Array(resp)) }));
      socket.disconnect(() => setTimeout(() => process.exit(0), 200));
    }).receive('error', fail);
  }).receive('error', fail);
}).receive('error', fail);
