// A Socket.IO 4 server on 127.0.0.1 (a free port, printed as {"port": N}), WebSocket transport only.
// Main namespace: "chat" (no ack), "add" (acks the sum), "upload" (a Buffer; acks its length and
// answers with a binary event of its own). Namespace /admin: "stats" (acks an object).
const http = require('http');
const { Server } = require('socket.io');
const srv = http.createServer();
const io = new Server(srv, { transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.on('chat', (...args) => console.log(JSON.stringify({ got: 'chat', args })));
  socket.on('add', (a, b, ack) => ack(a + b));
  socket.on('upload', (name, buf, ack) => {
    ack(buf.length);
    socket.emit('thumb', name, Buffer.from([0xca, 0xfe]));
  });
});
io.of('/admin').on('connection', (socket) => {
  socket.on('stats', (ack) => ack({ users: 1 }));
});
srv.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: srv.address().port })));
