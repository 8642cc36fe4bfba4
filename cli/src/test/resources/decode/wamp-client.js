// Two autobahn sessions on one WAMP router, with the serializer named in argv[3] (json, msgpack or
// cbor), doing what the plan in argv[4] (JSON, written by DecodeWampIT) tells them:
//   the callee session joins plan.realm, subscribes to plan.topic, registers plan.procedure (it
//   answers with args [the sum of the call's args] and the call's kwargs) and plan.failing (it
//   raises plan.error: an autobahn.Error with that URI, args and kwargs);
//   then the caller session joins, publishes plan.publish's args and kwargs to plan.topic with
//   acknowledge, calls plan.procedure with plan.call's args and kwargs, calls plan.unknown (which
//   nobody registered) and plan.failing; then the callee unsubscribes and unregisters, and both
//   leave (GOODBYE).
// Prints what each session saw as JSON lines and {"done":true} at the end; exits 2 on a timeout.
// autobahn 26 uses the global WebSocket of Node 22; on an older Node, ws stands in for it.
if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = require('ws');
const autobahn = require('autobahn');

const url = process.argv[2];
const serializerName = process.argv[3];
const plan = JSON.parse(process.argv[4]);
const log = (o) => console.log(JSON.stringify(o));
const timer = setTimeout(() => { log({ error: 'timeout' }); process.exit(2); }, 20000);

const SERIALIZERS = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};

/** Opens a session; resolves with it and the connection once joined. */
function join(name) {
  return new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      url, realm: plan.realm, serializers: [SERIALIZERS[serializerName]()],
      max_retries: 0, retry_if_unreachable: false,
    });
    connection.onopen = (session, details) => {
      log({ joined: name, realm: session.realm, protocol: connection.transport.info.protocol });
      resolve({ session, connection });
    };
    connection.onclose = (reason, details) => {
      if (reason !== 'closed') reject(new Error(name + ' closed: ' + reason + ' ' + JSON.stringify(details)));
      return true; // no reconnection
    };
    connection.open();
  });
}

/** Closes a connection and resolves once the router's GOODBYE came back and the socket closed. */
function leave(c) {
  return new Promise((resolve) => {
    c.connection.onclose = (reason) => { resolve(reason); return true; };
    c.connection.close();
  });
}

async function main() {
  const callee = await join('callee');
  let gotEvent;
  const eventSeen = new Promise((resolve) => { gotEvent = resolve; });
  const subscription = await callee.session.subscribe(plan.topic, (args, kwargs) => {
    log({ event: { args, kwargs } });
    gotEvent();
  });
  const add = await callee.session.register(plan.procedure, (args, kwargs) =>
    new autobahn.Result([args.reduce((a, b) => a + b, 0)], kwargs));
  const failing = await callee.session.register(plan.failing, () => {
    throw new autobahn.Error(plan.error.uri, plan.error.args, plan.error.kwargs);
  });

  const caller = await join('caller');
  const publication = await caller.session.publish(plan.topic, plan.publish.args, plan.publish.kwargs, { acknowledge: true });
  log({ published: typeof publication.id });
  await eventSeen;

  const result = await caller.session.call(plan.procedure, plan.call.args, plan.call.kwargs);
  log({ result: { args: result.args, kwargs: result.kwargs } });
  for (const procedure of [plan.unknown, plan.failing]) {
    try {
      await caller.session.call(procedure, []);
      log({ error: 'a call of ' + procedure + ' succeeded' });
      process.exit(3);
    } catch (e) {
      log({ callError: { procedure, error: e.error, args: e.args, kwargs: e.kwargs } });
    }
  }

  await callee.session.unsubscribe(subscription);
  await callee.session.unregister(add);
  await callee.session.unregister(failing);
  log({ left: await leave(caller) });
  log({ left: await leave(callee) });
  clearTimeout(timer);
  log({ done: true });
  process.exit(0);
}

main().catch((e) => { log({ error: String(e && e.stack || e) }); process.exit(4); });
