// A minimal SignalR hub peer on ws (no ASP.NET here): answers the handshake with {}\x1e, and an
// Invocation of SendMessage(user, text) with an Invocation of ReceiveMessage(user, text) to the
// client and then a Completion carrying "ok <user>". It reads and writes records with the
// protocol classes of @microsoft/signalr (JSON) and @microsoft/signalr-protocol-msgpack.
// Prints {"port":N} once it listens on 127.0.0.1.
const { WebSocketServer } = require('ws');
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');

const RS = '\x1e';
const logger = signalR.NullLogger.instance;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => {
  let protocol = null;
  const send = (m) => ws.send(protocol.writeMessage(m));
  ws.on('message', (data, isBinary) => {
    if (protocol === null) {
      const text = data.toString('utf8');
      const hs = JSON.parse(text.slice(0, text.indexOf(RS)));
      protocol = hs.protocol === 'messagepack' ? new MessagePackHubProtocol() : new signalR.JsonHubProtocol();
      ws.send('{}' + RS);
      return;
    }
    const input = isBinary ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.toString('utf8');
    for (const m of protocol.parseMessages(input, logger)) {
      if (m.type === signalR.MessageType.Invocation && m.target === 'SendMessage') {
        send({ type: signalR.MessageType.Invocation, target: 'ReceiveMessage', arguments: m.arguments, headers: {} });
        if (m.invocationId) {
          send({ type: signalR.MessageType.Completion, invocationId: m.invocationId, result: 'ok ' + m.arguments[0], headers: {} });
        }
      }
    }
  });
});
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
