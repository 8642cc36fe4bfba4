// An MQTT.js client over ws:// with the given protocol version (4 or 5): subscribes to sensors/#
// with qos 1, publishes sensors/<v>/a "hello v<v>" qos 0 and sensors/<v>/b "reading 42" qos 1,
// waits for both to come back, and disconnects. Prints what it received as JSON lines.
const mqtt = require('mqtt');
const [url, version] = process.argv.slice(2);
const v = Number(version);
const client = mqtt.connect(url, { protocolVersion: v, clientId: 'wsdebug-v' + v, keepalive: 30, reconnectPeriod: 0 });
const got = [];
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout', got })); process.exit(2); }, 15000);
let ending = false;
client.on('error', (e) => {
  if (ending) return; // the broker closing after DISCONNECT
  console.log(JSON.stringify({ error: e.message }));
  process.exit(3);
});
client.on('message', (topic, payload, packet) => {
  got.push({ topic, payload: payload.toString(), qos: packet.qos });
  console.log(JSON.stringify({ received: topic, payload: payload.toString(), qos: packet.qos }));
  if (got.length === 2) {
    clearTimeout(timer);
    // a moment for the PUBACK of the qos 1 message, then DISCONNECT
    setTimeout(() => {
      ending = true;
      client.end(false, () => { console.log(JSON.stringify({ done: true })); });
    }, 200);
  }
});
client.on('connect', () => {
  client.subscribe('sensors/#', { qos: 1 }, (err) => {
    if (err) { console.log(JSON.stringify({ error: err.message })); process.exit(4); }
    client.publish('sensors/' + v + '/a', 'hello v' + v, { qos: 0 }, () => {
      client.publish('sensors/' + v + '/b', 'reading 42', { qos: 1 });
    });
  });
});
