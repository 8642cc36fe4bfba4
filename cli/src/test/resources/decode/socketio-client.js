// socket.io-client (WebSocket transport only) against the URL in argv: what the test asserts in the
// capture. Prints {"sum":…, "len":…, "thumb":…, "stats":…} and exits 0, or prints an error and exits 1.
const { io } = require('socket.io-client');
const url = process.argv[1];
const fail = (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); };
setTimeout(() => fail('timeout'), 15000);
const s = io(url, { transports: ['websocket'], reconnection: false });
s.on('connect_error', fail);
s.on('connect', async () => {
  try {
    const thumb = new Promise((resolve) => s.once('thumb', (name, buf) => resolve(buf.length)));
    s.emit('chat', 'hello', { n: 1 });
    const sum = await s.timeout(5000).emitWithAck('add', 2, 3);
    const len = await s.timeout(5000).emitWithAck('upload', 'file.bin', Buffer.from([1, 2, 3, 4, 5, 6, 7]));
    const thumbLen = await thumb;
    const admin = io(url + 'admin', { transports: ['websocket'], reconnection: false });
    admin.on('connect_error', fail);
    admin.on('connect', async () => {
      const stats = await admin.timeout(5000).emitWithAck('stats');
      console.log(JSON.stringify({ sum, len, thumb: thumbLen, stats }));
      admin.disconnect();
      s.disconnect();
      setTimeout(() => process.exit(0), 300);
    });
  } catch (e) {
    fail(e);
  }
});
