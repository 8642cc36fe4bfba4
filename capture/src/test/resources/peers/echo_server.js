'use strict';
// Echo server on Node ws (8.x) for wsdebug's interop tests.
//
// Listens on 127.0.0.1 (port 0 unless --port), prints "PORT <n>" once listening, and sends every
// message it receives back unchanged (text as text, binary as binary), except the text message
// "wsdebug:close <code> <reason>", which makes it start the closing handshake with that code and
// reason instead. permessage-deflate is on with threshold 0 (every message compressed) unless
// --no-deflate; its parameters come from:
//
//   --server-no-context-takeover    require server_no_context_takeover
//   --client-no-context-takeover    require client_no_context_takeover
//   --server-max-window-bits N      limit the server's window (8-15)
//   --client-max-window-bits N      limit the client's window (8-15)
//
// Other flags:
//
//   --subprotocol P                 a subprotocol the server speaks (repeatable); it selects the
//                                   first of its own that the client offers, or none
//   --tls-cert FILE --tls-key FILE  serve wss:// with this PEM certificate and private key
//   --report-close                  when a connection has closed, print "CLOSE <code> <reason>" with
//                                   the close code and reason the server received (1006: none)
//
// ws is found through NODE_PATH (the test points it at test-peers/node/node_modules). The test
// ends the process with SIGTERM (default action: exit at once).
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const CLOSE_COMMAND = 'wsdebug:close ';

const args = process.argv.slice(2);
const opts = {
  port: 0, deflate: true, deflateOptions: { threshold: 0 }, subprotocols: [], tlsCert: null, tlsKey: null,
  reportClose: false,
};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    const v = Number(args[++i]);
    if (!Number.isInteger(v)) {
      throw new Error(`${a} needs an integer`);
    }
    return v;
  };
  const text = () => {
    if (i + 1 >= args.length) {
      throw new Error(`${a} needs a value`);
    }
    return args[++i];
  };
  switch (a) {
    case '--port': opts.port = value(); break;
    case '--no-deflate': opts.deflate = false; break;
    case '--server-no-context-takeover': opts.deflateOptions.serverNoContextTakeover = true; break;
    case '--client-no-context-takeover': opts.deflateOptions.clientNoContextTakeover = true; break;
    case '--server-max-window-bits': opts.deflateOptions.serverMaxWindowBits = value(); break;
    case '--client-max-window-bits': opts.deflateOptions.clientMaxWindowBits = value(); break;
    case '--subprotocol': opts.subprotocols.push(text()); break;
    case '--tls-cert': opts.tlsCert = text(); break;
    case '--tls-key': opts.tlsKey = text(); break;
    case '--report-close': opts.reportClose = true; break;
    default: throw new Error(`unknown argument ${a}`);
  }
}

if ((opts.tlsCert === null) !== (opts.tlsKey === null)) {
  throw new Error('--tls-cert and --tls-key go together');
}

const serverOptions = {
  maxPayload: 8 * 1024 * 1024,
  perMessageDeflate: opts.deflate ? opts.deflateOptions : false,
};
if (opts.subprotocols.length > 0) {
  serverOptions.handleProtocols = (offered) => opts.subprotocols.find((p) => offered.has(p)) || false;
}
let wss;
if (opts.tlsCert !== null) {
  const server = https.createServer({ cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) });
  wss = new WebSocketServer({ server, ...serverOptions });
  server.listen(opts.port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${server.address().port}\n`);
  });
} else {
  wss = new WebSocketServer({ host: '127.0.0.1', port: opts.port, ...serverOptions });
  wss.on('listening', () => {
    process.stdout.write(`PORT ${wss.address().port}\n`);
  });
}

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString('utf8');
    if (text !== null && text.startsWith(CLOSE_COMMAND)) {
      const rest = text.slice(CLOSE_COMMAND.length);
      const space = rest.indexOf(' ');
      const code = Number(space < 0 ? rest : rest.slice(0, space));
      ws.close(code, space < 0 ? '' : rest.slice(space + 1));
      return;
    }
    ws.send(data, { binary: isBinary, compress: true });
  });
  ws.on('close', (code, reason) => {
    if (opts.reportClose) {
      process.stdout.write(`CLOSE ${code} ${reason.toString('utf8')}\n`);
    }
  });
  ws.on('error', (err) => {
    process.stderr.write(`echo_server.js: ${err.message}\n`);
  });
});
