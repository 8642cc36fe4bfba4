// The @microsoft/signalr client, WebSockets only (no negotiate): for the JSON protocol and then the
// MessagePack protocol, connect to BASE/hub?proto=NAME, invoke SendMessage("alice", "hi") and wait
// for its result and for the server's ReceiveMessage, then stop. One JSON line per step; exit 0.
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');
const base = process.argv[process.argv.length - 1];
const log = (o) => console.log(JSON.stringify(o));

async function one(name, protocol) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(base + '/hub?proto=' + name, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
    .withHubProtocol(protocol)
    .configureLogging(signalR.LogLevel.None)
    .build();
  const received = new Promise((resolve) => connection.on('ReceiveMessage', (user, text) => resolve([user, text])));
  await connection.start();
  const result = await connection.invoke('SendMessage', 'alice', 'hi');
  const got = await received;
  log({ proto: name, result, received: got });
  await connection.stop();
}

(async () => {
  await one('json', new signalR.JsonHubProtocol());
  await one('messagepack', new MessagePackHubProtocol());
  log({ done: true });
  process.exit(0);
})().catch((e) => { log({ error: String(e && e.message || e) }); process.exit(1); });
