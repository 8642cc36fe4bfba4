// sockjs-client (WebSocket transport only) against the URL in argv: sends "hello" and a JSON string, waits for both
// echoes, then sends "bye"; prints {"got": [...], "code", "reason"} when the server has closed.
const SockJS = require('sockjs-client');
const url = process.argv[1];
const fail = (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); };
setTimeout(() => fail('timeout'), 15000);
const s = new SockJS(url, null, { transports: ['websocket'] });
const got = [];
s.onopen = () => {
  s.send('hello');
  s.send(JSON.stringify({ type: 'chat', n: 1 }));
};
s.onmessage = (e) => { got.push(e.data); if (got.length === 2) s.send('bye'); };
s.onclose = (e) => { console.log(JSON.stringify({ got, code: e.code, reason: e.reason })); process.exit(0); };
