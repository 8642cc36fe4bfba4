"""WebSocket peer on python websockets (10.x, legacy asyncio API) for wsdebug's live-capture tests.

Both ends of a session, each printing what it sent and received, so that a test can compare a
packet capture of the session with what the peers themselves saw:

  py_peer.py server [OPTIONS]            listen on 127.0.0.1 (port 0), print "PORT <n>", echo
  py_peer.py client URL PLAN [OPTIONS]   one connection that runs PLAN, then exits

Every line on stdout after PORT is one JSON object, tagged "peer" (server|client) and "conn" (the
server numbers its connections from 0 in accept order; the client is 0):

  {"event": "sent"|"received", "kind": "text"|"binary", "len": N, "sha256": H, "text": S (short text)}
  {"event": "pong", "hex": H}                       the client got the pong of its ping
  {"event": "closed", "code": C, "reason": R}       the connection has closed (what was received)
  {"event": "tls", "version": V, "cipher": C}       the TLS a wss connection uses

The server echoes every message (text as text, binary as binary) except these commands:

  "wsdebug:close C R"        start the closing handshake with code C and reason R
  "wsdebug:frag K N KIND"    send the test pattern of N bytes (KIND text|binary) in K frames
  "wsdebug:ping HEX"         send a ping with this payload

PLAN (client) is a JSON list of steps run in order:

  {"op": "send", "kind": "text"|"binary", "text": S | "size": N, "fragments": K, "random": true}
        "size" sends the test pattern (see pattern()), or random bytes with "random" (binary)
  {"op": "recv"}                      wait for one message (5 s)
  {"op": "ping", "hex": H}            ping and wait for its pong (5 s)
  {"op": "close", "code": C, "reason": R}
  {"op": "wait_closed"}               read messages until the server has closed (5 s)

Options (both ends):

  --deflate off|default|server-nct|client-nct
        off: no permessage-deflate; default: what websockets offers/accepts by default;
        server-nct / client-nct: permessage-deflate with only server_no_context_takeover /
        only client_no_context_takeover (the server requires it, the client offers it)
  --tls-cert FILE --tls-key FILE      (server) serve wss://
  --insecure                          (client) accept any certificate
  --tls-version 1.2|1.3               force this TLS version
  --ciphers S                         TLS 1.2 cipher list (TLS 1.3 suites: OPENSSL_CONF, see the test)
  --keylog FILE                       write the NSS key log (SSLContext.keylog_filename)

Keepalive pings are off so that the only pings are the plan's. The test stops the server with
SIGTERM (default action: exit at once).
"""
import argparse
import asyncio
import hashlib
import json
import random
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import (ClientPerMessageDeflateFactory,
                                                      ServerPerMessageDeflateFactory)

SHORT = 200
TIMEOUT = 5


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("rest", nargs="*")
    p.add_argument("--deflate", default="default", choices=["off", "default", "server-nct", "client-nct"])
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--insecure", action="store_true")
    p.add_argument("--tls-version", choices=["1.2", "1.3"])
    p.add_argument("--ciphers")
    p.add_argument("--keylog")
    return p.parse_args()


def pattern(kind, n):
    """The test pattern of n bytes: lowercase letters for text, (i * 31 + 7) mod 256 for binary."""
    if kind == "text":
        letters = "abcdefghijklmnopqrstuvwxyz"
        return (letters * (n // 26 + 1))[:n]
    period = bytes((i * 31 + 7) & 0xFF for i in range(256))
    return (period * (n // 256 + 1))[:n]


def split(data, k):
    n = len(data)
    return [data[n * i // k: n * (i + 1) // k] for i in range(k)]


class Out:
    def __init__(self, peer, conn):
        self.peer = peer
        self.conn = conn

    def emit(self, obj):
        obj["peer"] = self.peer
        obj["conn"] = self.conn
        print(json.dumps(obj), flush=True)

    def message(self, event, message):
        raw = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        d = {"event": event, "kind": "text" if isinstance(message, str) else "binary",
             "len": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
        if isinstance(message, str) and len(raw) <= SHORT:
            d["text"] = message
        self.emit(d)

    def tls(self, ws):
        obj = ws.transport.get_extra_info("ssl_object")
        if obj is not None:
            self.emit({"event": "tls", "version": obj.version(), "cipher": obj.cipher()[0]})


def tls_context(args, server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if server:
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    elif args.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if args.tls_version == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif args.tls_version == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.keylog:
        ctx.keylog_filename = args.keylog
    return ctx


def deflate_options(args, server):
    if args.deflate == "off":
        return {"compression": None}
    if args.deflate == "default":
        return {"compression": "deflate"}
    snct = args.deflate == "server-nct"
    cnct = args.deflate == "client-nct"
    if server:
        factory = ServerPerMessageDeflateFactory(server_no_context_takeover=snct, client_no_context_takeover=cnct)
    else:
        factory = ClientPerMessageDeflateFactory(server_no_context_takeover=snct, client_no_context_takeover=cnct)
    return {"compression": None, "extensions": [factory]}


async def serve(args):
    counter = [0]

    async def handler(ws, path=None):
        out = Out("server", counter[0])
        counter[0] += 1
        out.tls(ws)
        try:
            async for message in ws:
                out.message("received", message)
                if isinstance(message, str) and message.startswith("wsdebug:"):
                    words = message.split(" ")
                    if words[0] == "wsdebug:close":
                        await ws.close(int(words[1]), " ".join(words[2:]))
                        break
                    if words[0] == "wsdebug:frag":
                        k, n, kind = int(words[1]), int(words[2]), words[3]
                        data = pattern(kind, n)
                        await ws.send(split(data, k))
                        out.message("sent", data)
                        continue
                    if words[0] == "wsdebug:ping":
                        await ws.ping(bytes.fromhex(words[1]))
                        continue
                await ws.send(message)
                out.message("sent", message)
        except websockets.ConnectionClosed:
            pass
        await ws.wait_closed()
        out.emit({"event": "closed", "code": ws.close_code, "reason": ws.close_reason})

    options = deflate_options(args, True)
    if args.tls_cert:
        options["ssl"] = tls_context(args, True)
    async with websockets.serve(handler, "127.0.0.1", 0, ping_interval=None, max_size=8 * 1024 * 1024,
                                **options) as server:
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().create_future()  # until the test stops the process


async def client(args):
    url, plan = args.rest[0], json.loads(args.rest[1])
    out = Out("client", 0)
    options = deflate_options(args, False)
    if url.startswith("wss:"):
        options["ssl"] = tls_context(args, False)
    ws = await websockets.connect(url, ping_interval=None, open_timeout=TIMEOUT, close_timeout=TIMEOUT,
                                  max_size=8 * 1024 * 1024, **options)
    out.tls(ws)
    try:
        for step in plan:
            op = step["op"]
            if op == "send":
                if "text" in step:
                    data = step["text"]
                elif step.get("random"):
                    data = random.randbytes(step["size"])
                else:
                    data = pattern(step["kind"], step["size"])
                if step["kind"] == "binary" and isinstance(data, str):
                    data = data.encode("utf-8")
                k = step.get("fragments", 1)
                await ws.send(data if k <= 1 else split(data, k))
                out.message("sent", data)
            elif op == "recv":
                out.message("received", await asyncio.wait_for(ws.recv(), TIMEOUT))
            elif op == "ping":
                data = bytes.fromhex(step.get("hex", ""))
                await asyncio.wait_for(await ws.ping(data), TIMEOUT)
                out.emit({"event": "pong", "hex": data.hex()})
            elif op == "close":
                await ws.close(step.get("code", 1000), step.get("reason", ""))
            elif op == "wait_closed":
                try:
                    while True:
                        out.message("received", await asyncio.wait_for(ws.recv(), TIMEOUT))
                except websockets.ConnectionClosed:
                    pass
            else:
                raise ValueError("unknown step " + op)
    finally:
        await ws.close()
        await ws.wait_closed()
        out.emit({"event": "closed", "code": ws.close_code, "reason": ws.close_reason})


def main():
    args = parse_args()
    asyncio.run(serve(args) if args.role == "server" else client(args))


if __name__ == "__main__":
    main()
    sys.exit(0)
