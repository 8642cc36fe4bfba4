// A minimal WAMP v2 router (broker and dealer) over ws on 127.0.0.1, any free port; prints
// {"port": N} once listening and runs until killed. No WAMP router is on npm, so this one does just
// what the basic profile asks of the messages DecodeWampIT sends: HELLO -> WELCOME (ABORT for a
// realm other than realm1); SUBSCRIBE -> SUBSCRIBED, UNSUBSCRIBE -> UNSUBSCRIBED; PUBLISH -> EVENT to
// every other subscriber (and PUBLISHED when acknowledge is set); REGISTER -> REGISTERED,
// UNREGISTER -> UNREGISTERED; CALL -> INVOCATION to the callee, its YIELD -> RESULT and its ERROR ->
// ERROR to the caller; a CALL of a procedure nobody registered -> ERROR wamp.error.no_such_procedure;
// GOODBYE -> GOODBYE wamp.close.goodbye_and_out. Serializers: wamp.2.json (JSON text),
// wamp.2.msgpack (@msgpack/msgpack, not the msgpack5 autobahn uses, so each side reads the other's
// encoder) and wamp.2.cbor (cbor-x), as the client offers them.
const http = require('http');
const WebSocket = require('ws');
const msgpack = require('@msgpack/msgpack');
const cbor = require('cbor-x');

const SERIALIZERS = {
  'wamp.2.json': { binary: false, encode: (m) => JSON.stringify(m), decode: (d) => JSON.parse(d.toString()) },
  'wamp.2.msgpack': { binary: true, encode: (m) => Buffer.from(msgpack.encode(m)), decode: (d) => msgpack.decode(d) },
  'wamp.2.cbor': { binary: true, encode: (m) => cbor.encode(m), decode: (d) => cbor.decode(d) },
};
const T = { HELLO: 1, WELCOME: 2, ABORT: 3, GOODBYE: 6, ERROR: 8, PUBLISH: 16, PUBLISHED: 17, SUBSCRIBE: 32,
  SUBSCRIBED: 33, UNSUBSCRIBE: 34, UNSUBSCRIBED: 35, EVENT: 36, CALL: 48, RESULT: 50, REGISTER: 64,
  REGISTERED: 65, UNREGISTER: 66, UNREGISTERED: 67, INVOCATION: 68, YIELD: 70 };

// ids in the global scope are random below 2^53 (WAMP 2.0 "IDs"), so they do not fit 32 bits
const randomId = () => Math.floor(Math.random() * 2 ** 53) + 1;
let nextRouterRequest = 0; // router-scope request ids of INVOCATIONs

const subscriptions = new Map(); // topic -> {id, sessions: Set}
const registrations = new Map(); // procedure -> {id, session}
const invocations = new Map(); // INVOCATION request id -> {caller, request}

/** args and kwargs as WAMP writes them: omitted from the end when empty. */
function withPayload(msg, args, kwargs) {
  if (kwargs && Object.keys(kwargs).length > 0) return msg.concat([args || [], kwargs]);
  if (args && args.length > 0) return msg.concat([args]);
  return msg;
}

const server = http.createServer();
const wss = new WebSocket.Server({
  server,
  handleProtocols: (offered) => [...offered].find((p) => p in SERIALIZERS) || false,
});
wss.on('connection', (ws) => {
  const ser = SERIALIZERS[ws.protocol];
  const send = (m) => ws.send(ser.encode(m), { binary: ser.binary });
  const session = { ws, id: null, send };
  ws.on('message', (data) => {
    const m = ser.decode(data);
    const [type] = m;
    switch (type) {
      case T.HELLO:
        if (m[1] !== 'realm1') {
          send([T.ABORT, {}, 'wamp.error.no_such_realm']);
          ws.close(1000);
          return;
        }
        session.id = randomId();
        send([T.WELCOME, session.id, { roles: { broker: { features: {} }, dealer: { features: {} } } }]);
        break;
      case T.SUBSCRIBE: {
        const [, request, , topic] = m;
        if (!subscriptions.has(topic)) subscriptions.set(topic, { id: randomId(), sessions: new Set() });
        const s = subscriptions.get(topic);
        s.sessions.add(session);
        send([T.SUBSCRIBED, request, s.id]);
        break;
      }
      case T.UNSUBSCRIBE: {
        const [, request, id] = m;
        for (const s of subscriptions.values()) if (s.id === id) s.sessions.delete(session);
        send([T.UNSUBSCRIBED, request]);
        break;
      }
      case T.PUBLISH: {
        const [, request, options, topic, args, kwargs] = m;
        const publication = randomId();
        const s = subscriptions.get(topic);
        if (s) {
          for (const other of s.sessions) {
            if (other === session && options.exclude_me !== false) continue;
            other.send(withPayload([T.EVENT, s.id, publication, {}], args, kwargs));
          }
        }
        if (options.acknowledge) send([T.PUBLISHED, request, publication]);
        break;
      }
      case T.REGISTER: {
        const [, request, , procedure] = m;
        if (registrations.has(procedure)) {
          send([T.ERROR, T.REGISTER, request, {}, 'wamp.error.procedure_already_exists']);
          break;
        }
        const id = randomId();
        registrations.set(procedure, { id, session });
        send([T.REGISTERED, request, id]);
        break;
      }
      case T.UNREGISTER: {
        const [, request, id] = m;
        for (const [p, r] of registrations) if (r.id === id && r.session === session) registrations.delete(p);
        send([T.UNREGISTERED, request]);
        break;
      }
      case T.CALL: {
        const [, request, , procedure, args, kwargs] = m;
        const r = registrations.get(procedure);
        if (!r) {
          send([T.ERROR, T.CALL, request, {}, 'wamp.error.no_such_procedure', ['no callee for ' + procedure]]);
          break;
        }
        const invocation = ++nextRouterRequest;
        invocations.set(invocation, { caller: session, request });
        r.session.send(withPayload([T.INVOCATION, invocation, r.id, {}], args, kwargs));
        break;
      }
      case T.YIELD: {
        const [, invocation, , args, kwargs] = m;
        const c = invocations.get(invocation);
        invocations.delete(invocation);
        if (c) c.caller.send(withPayload([T.RESULT, c.request, {}], args, kwargs));
        break;
      }
      case T.ERROR: {
        const [, requestType, invocation, details, error, args, kwargs] = m;
        const c = requestType === T.INVOCATION ? invocations.get(invocation) : null;
        invocations.delete(invocation);
        if (c) c.caller.send(withPayload([T.ERROR, T.CALL, c.request, details || {}, error], args, kwargs));
        break;
      }
      case T.GOODBYE:
        send([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        break;
      default:
        send([T.ABORT, {}, 'wamp.error.protocol_violation']);
        ws.close(1000);
    }
  });
  ws.on('close', () => {
    for (const s of subscriptions.values()) s.sessions.delete(session);
    for (const [p, r] of registrations) if (r.session === session) registrations.delete(p);
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
