// The graphql-ws client: subscription OnCount (count to 3), then query Greeting; prints what it got
// as one JSON line per result and exits 0 when both completed.
const { createClient } = require('graphql-ws');
const url = process.argv[process.argv.length - 1];
const client = createClient({ url, webSocketImpl: require('ws'), lazy: true, retryAttempts: 0 });
const log = (o) => console.log(JSON.stringify(o));

function run(payload) {
  return new Promise((resolve, reject) => {
    const got = [];
    client.subscribe(payload, {
      next: (v) => { got.push(v); log({ op: payload.operationName || 'anonymous', next: v }); },
      error: reject,
      complete: () => resolve(got),
    });
  });
}

(async () => {
  await run({ query: 'subscription OnCount { count(to: 3) }' });
  await run({ query: 'query Greeting($n: String) { hello(name: $n) }', variables: { n: 'ws' } });
  await client.dispose();
  log({ done: true });
  process.exit(0);
})().catch((e) => { log({ error: String(e && e.message || e) }); process.exit(1); });
