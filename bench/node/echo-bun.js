// Plain echo server on Bun's built-in WebSocket server (Bun.serve, uWebSockets inside) for
// bench/conns.sh: the second reference beside Node ws (bench/node/echo.js).
//
//   bench/node/node_modules/.bin/bun bench/node/echo-bun.js [--port N]
//
// Listens on 127.0.0.1 (port 0, the default, picks a free one), prints
// "listening on ws://127.0.0.1:<port>" once bound (the same line as `wsdebug serve`), and sends
// every message straight back as it came (text as text, binary as binary). permessage-deflate is
// off; messages above 16 MiB are refused (wsdebug serve's default --max-message); the idle
// timeout is off (Bun's default closes a WebSocket after 120 s without traffic) and Bun's own
// pings are off, so idle connections stay idle. Bun is installed by `npm install` in bench/node
// (bench/conns.sh does it). Stop it with SIGTERM.
//
// SIGUSR2 prints one line
//   memory {"gc":true,"clients":N,"rss":..,"heapTotal":..,"heapUsed":..,"external":..,"arrayBuffers":..}
// with process.memoryUsage() in bytes after Bun.gc(true) (a synchronous full collection). The
// connections' memory lives mostly in uWebSockets (native, outside the JavaScript heap): RSS is
// the figure to compare.
'use strict';

let port = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') {
    port = Number(args[++i]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error('--port needs a port number');
    }
  } else {
    throw new Error(`unknown argument ${args[i]}`);
  }
}

let clients = 0;
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch(req, srv) {
    if (srv.upgrade(req)) {
      return undefined;
    }
    return new Response('WebSocket only\n', { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    maxPayloadLength: 16 * 1024 * 1024,
    idleTimeout: 0,
    sendPings: false,
    open() {
      clients++;
    },
    message(ws, message) {
      ws.send(message);
    },
    close() {
      clients--;
    },
  },
});

process.stdout.write(`listening on ws://127.0.0.1:${server.port}\n`);

process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});

process.on('SIGUSR2', () => {
  Bun.gc(true);
  const m = process.memoryUsage();
  process.stdout.write(`memory ${JSON.stringify({ gc: true, clients, ...m })}\n`);
});
