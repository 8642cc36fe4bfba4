// A SockJS server (the sockjs package) on 127.0.0.1 at a free port, printed as {"port": N}, prefix /echo:
// it echoes every message, and closes with 3000 "Go away!" when told "bye".
const http = require('http');
const sockjs = require('sockjs');
const echo = sockjs.createServer({ log: () => {} });
echo.on('connection', (conn) => {
  conn.on('data', (msg) => {
    if (msg === 'bye') { conn.close(3000, 'Go away!'); return; }
    conn.write(msg);
  });
});
const srv = http.createServer();
echo.installHandlers(srv, { prefix: '/echo' });
srv.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: srv.address().port })));
