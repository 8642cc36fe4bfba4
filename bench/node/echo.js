'use strict';
// Plain echo server on Node ws for bench/echo.sh: the reference the benchmark compares
// `wsdebug serve` with.
//
//   node bench/node/echo.js [--port N] [--deflate]
//
// Listens on 127.0.0.1 (port 0, the default, picks a free one), prints
// "listening on ws://127.0.0.1:<port>" once bound (the same line as `wsdebug serve`), and sends
// every message straight back as it came (text as text, binary as binary). permessage-deflate is
// off unless --deflate, which accepts it with threshold 0 so every message is compressed, as
// wsdebug serve does. Messages above 16 MiB are refused (wsdebug serve's default --max-message).
// ws is found through NODE_PATH (bench/echo.sh points it at test-peers/node/node_modules). Stop it
// with SIGTERM.
//
// SIGUSR2 (bench/conns.sh) prints one line
//   memory {"gc":true,"clients":N,"rss":..,"heapTotal":..,"heapUsed":..,"external":..,"arrayBuffers":..}
// with process.memoryUsage() in bytes, taken after a full garbage collection when node runs with
// --expose-gc ("gc":false otherwise).
const { WebSocketServer } = require('ws');

let port = 0;
let deflate = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') {
    port = Number(args[++i]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error('--port needs a port number');
    }
  } else if (args[i] === '--deflate') {
    deflate = true;
  } else {
    throw new Error(`unknown argument ${args[i]}`);
  }
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  maxPayload: 16 * 1024 * 1024,
  perMessageDeflate: deflate ? { threshold: 0 } : false,
});

wss.on('listening', () => {
  process.stdout.write(`listening on ws://127.0.0.1:${wss.address().port}\n`);
});

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', (err) => {
    process.stderr.write(`echo.js: ${err.message}\n`);
  });
});

process.on('SIGTERM', () => process.exit(0));

process.on('SIGUSR2', () => {
  const collected = typeof global.gc === 'function';
  if (collected) {
    global.gc();
  }
  const m = process.memoryUsage();
  process.stdout.write(`memory ${JSON.stringify({ gc: collected, clients: wss.clients.size, ...m })}\n`);
});
