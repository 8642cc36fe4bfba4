// A ws server speaking protobuf made by protobufjs from the .proto file given as argument (not from
// the descriptor set the test gives wsdebug). It prints {"port", "clientHex"}: clientHex is an
// Envelope for the client to send (with a Timestamp and a Duration). When that arrives it sends, in order: an Envelope with every
// kind of field, one from a newer sender (fields 15 and 16 the schema lacks, an enum value it does
// not name, the oneof's bytes member), a JSON text message, a Presence (field 2 is bytes there,
// a string in Envelope), an Envelope cut short; then closes 1000. Each is logged as {"sent": hex}.
const WebSocket = require('ws');
const protobuf = require('protobufjs');

const root = protobuf.loadSync(process.argv[2]);
const Envelope = root.lookupType('chat.v1.Envelope');
const Presence = root.lookupType('chat.v1.Presence');
const newer = protobuf.parse(`syntax = "proto3"; package chat.v1;
  message Envelope { string user = 1; int32 kind = 4; bytes image = 9; string trace_id = 15; fixed32 shard = 16; }`)
  .root.lookupType('chat.v1.Envelope');
const log = (o) => console.log(JSON.stringify(o));
const hex = (b) => Buffer.from(b).toString('hex');

const full = Envelope.encode(Envelope.fromObject({
  user: 'alice', text: 'héllo ✓', sentAt: '1733500000123', kind: 'KIND_CHAT', tags: ['a', 'b'],
  counts: { x: 1, y: -2 }, where: { lat: 52.5, lon: -13.25 }, note: 'first', digest: Buffer.from([0, 1, 2, 255]),
  path: [{ lat: 1, lon: 2 }, { lat: 3, lon: 4 }], big: '18446744073709551615', delta: -3, ratio: 0.5,
})).finish();
const messages = [
  full,
  newer.encode(newer.fromObject({ user: 'bob', kind: 7, image: Buffer.from([137, 80, 78, 71]), traceId: 't-1', shard: 9 })).finish(),
  JSON.stringify({ op: 'ping' }),
  Presence.encode(Presence.fromObject({ user: 'carol', avatar: Buffer.from([0xff, 0xfe, 0x00]), online: true })).finish(),
  full.slice(0, full.length - 3),
];
const fromClient = Envelope.encode(Envelope.fromObject({ user: 'client', kind: 'KIND_SYSTEM', image: Buffer.from('hi'),
  editedAt: { seconds: 1733500000, nanos: 5000000 }, ttl: { seconds: 1 } })).finish();

const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => log({ port: wss.address().port, clientHex: hex(fromClient) }));
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const got = Envelope.toObject(Envelope.decode(data), { enums: String, bytes: String });
    log({ received: got, binary: isBinary });
    for (const m of messages) {
      ws.send(m, { binary: typeof m !== 'string' });
      log({ sent: typeof m === 'string' ? m : hex(m) });
    }
    ws.close(1000, 'done');
  });
  ws.on('close', () => { wss.close(); });
});
setTimeout(() => { log({ error: 'timeout' }); process.exit(2); }, 30000).unref();
