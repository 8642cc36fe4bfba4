"""WebSocket client on python websockets (10.x, legacy asyncio API) for the tests of wsdebug serve.

usage: ws_client.py URL PLAN [--no-compress] [--subprotocol P]... [--cafile PEM] [--max-size N]
                             [--connections N] [--server-no-context-takeover]
                             [--client-no-context-takeover] [--server-max-window-bits N]
                             [--client-max-window-bits N]

permessage-deflate is offered as websockets does by default unless --no-compress; the last four
flags add those parameters to the offer.

PLAN is a JSON list of steps, run in order on one connection (on each of N concurrent connections
with --connections N). Steps:

  {"op": "send", "kind": "text"|"binary", "text": S | "hex": H | "size": N, "fragments": K}
        one message; "{conn}" in S becomes the connection number; "size" makes the test pattern
        (see pattern()); K > 1 sends it in K frames
  {"op": "recv", "timeout": SECONDS}         wait for one message
  {"op": "ping", "hex": H, "timeout": SECONDS}  ping and wait for the pong with the same payload
  {"op": "close", "code": C, "reason": R}    start the closing handshake and wait for it to end
  {"op": "wait_closed", "timeout": SECONDS}  read messages until the server closes the connection
  {"op": "sleep", "ms": N}

Everything the client observes is printed on stdout as one JSON object per line, tagged with the
connection number "conn":

  {"event": "open", "subprotocol": ..., "extensions": <Sec-WebSocket-Extensions of the response>}
  {"event": "connect_error", "error": <exception class>, "status": <HTTP status or null>, "message": ...}
  {"event": "message", "kind": ..., "len": ..., "sha256": ..., "hex": <payload, when short>,
   "text": <text, when short>, "elapsed_ms": <since the last send>}
  {"event": "pong", "hex": ..., "elapsed_ms": ...}    {"event": "pong_timeout", "hex": ...}
  {"event": "recv_timeout"}
  {"event": "closed", "code": ..., "reason": ..., "close_frame_received": true|false}
  {"event": "end", "code": <close code, null if it was still open>}

Keepalive pings are off so that the only pings are the plan's. Exit status 0 unless the script
itself failed.
"""
import argparse
import asyncio
import hashlib
import json
import ssl
import sys
import time

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

SHORT = 200


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("plan")
    p.add_argument("--no-compress", action="store_true")
    p.add_argument("--subprotocol", action="append", default=[])
    p.add_argument("--cafile")
    p.add_argument("--max-size", type=int, default=32 * 1024 * 1024)
    p.add_argument("--connections", type=int, default=1)
    p.add_argument("--server-no-context-takeover", action="store_true")
    p.add_argument("--client-no-context-takeover", action="store_true")
    p.add_argument("--server-max-window-bits", type=int)
    p.add_argument("--client-max-window-bits", type=int)
    return p.parse_args()


def pattern(kind, n):
    """The test pattern of n bytes: lowercase letters for text, (i * 31 + 7) mod 256 for binary."""
    if kind == "text":
        letters = "abcdefghijklmnopqrstuvwxyz"
        return (letters * (n // 26 + 1))[:n]
    period = bytes((i * 31 + 7) & 0xFF for i in range(256))
    return (period * (n // 256 + 1))[:n]


def payload(step, conn):
    kind = step["kind"]
    if "text" in step:
        return step["text"].replace("{conn}", str(conn))
    if "hex" in step:
        data = bytes.fromhex(step["hex"])
        return data.decode("utf-8") if kind == "text" else data
    return pattern(kind, step["size"])


def split(data, k):
    n = len(data)
    return [data[n * i // k: n * (i + 1) // k] for i in range(k)]


def describe(message):
    raw = message.encode("utf-8") if isinstance(message, str) else message
    d = {"event": "message", "kind": "text" if isinstance(message, str) else "binary",
         "len": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) <= SHORT:
        d["hex"] = raw.hex()
        if isinstance(message, str):
            d["text"] = message
    return d


class Client:
    def __init__(self, conn, args, plan):
        self.conn = conn
        self.args = args
        self.plan = plan
        self.last_send = time.monotonic()
        self.closed_reported = False

    def emit(self, obj):
        obj["conn"] = self.conn
        print(json.dumps(obj), flush=True)

    def closed(self, ws, exc=None):
        if not self.closed_reported:
            self.closed_reported = True
            rcvd = getattr(exc, "rcvd", None) if exc is not None else ws.close_rcvd
            self.emit({"event": "closed", "code": ws.close_code, "reason": ws.close_reason,
                       "close_frame_received": rcvd is not None})

    async def run(self):
        kwargs = {
            "compression": None if self.args.no_compress else "deflate",
            "ping_interval": None,
            "open_timeout": 5,
            "close_timeout": 3,
            "max_size": self.args.max_size,
        }
        a = self.args
        if not a.no_compress and (a.server_no_context_takeover or a.client_no_context_takeover
                                  or a.server_max_window_bits or a.client_max_window_bits):
            kwargs["compression"] = None
            kwargs["extensions"] = [ClientPerMessageDeflateFactory(
                server_no_context_takeover=a.server_no_context_takeover,
                client_no_context_takeover=a.client_no_context_takeover,
                server_max_window_bits=a.server_max_window_bits,
                client_max_window_bits=a.client_max_window_bits or True,
            )]
        if self.args.subprotocol:
            kwargs["subprotocols"] = self.args.subprotocol
        if self.args.cafile:
            kwargs["ssl"] = ssl.create_default_context(cafile=self.args.cafile)
        try:
            ws = await websockets.connect(self.args.url, **kwargs)
        except Exception as e:  # what the library makes of a refused or broken handshake
            self.emit({"event": "connect_error", "error": type(e).__name__,
                       "status": getattr(e, "status_code", None), "message": str(e)})
            return
        self.emit({"event": "open", "subprotocol": ws.subprotocol,
                   "extensions": ws.response_headers.get("Sec-WebSocket-Extensions")})
        try:
            for step in self.plan:
                await self.step(ws, step)
        finally:
            if ws.open:
                await ws.close()
            self.emit({"event": "end", "code": ws.close_code})

    async def step(self, ws, step):
        op = step["op"]
        if op == "send":
            data = payload(step, self.conn)
            k = step.get("fragments", 1)
            self.last_send = time.monotonic()
            try:
                await ws.send(data if k <= 1 else split(data, k))
            except websockets.ConnectionClosed as e:
                self.closed(ws, e)
        elif op == "recv":
            try:
                message = await asyncio.wait_for(ws.recv(), step.get("timeout", 5))
                self.emit(self.elapsed(describe(message)))
            except asyncio.TimeoutError:
                self.emit({"event": "recv_timeout"})
            except websockets.ConnectionClosed as e:
                self.closed(ws, e)
        elif op == "ping":
            data = bytes.fromhex(step.get("hex", ""))
            start = time.monotonic()
            try:
                waiter = await ws.ping(data)
                await asyncio.wait_for(waiter, step.get("timeout", 5))
                self.emit({"event": "pong", "hex": data.hex(),
                           "elapsed_ms": round((time.monotonic() - start) * 1000, 1)})
            except asyncio.TimeoutError:
                self.emit({"event": "pong_timeout", "hex": data.hex()})
            except websockets.ConnectionClosed as e:
                self.closed(ws, e)
        elif op == "close":
            await ws.close(step.get("code", 1000), step.get("reason", ""))
            self.closed(ws)
        elif op == "wait_closed":
            deadline = time.monotonic() + step.get("timeout", 5)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.emit({"event": "recv_timeout"})
                    return
                try:
                    message = await asyncio.wait_for(ws.recv(), left)
                    self.emit(self.elapsed(describe(message)))
                except asyncio.TimeoutError:
                    self.emit({"event": "recv_timeout"})
                    return
                except websockets.ConnectionClosed as e:
                    self.closed(ws, e)
                    return
        elif op == "sleep":
            await asyncio.sleep(step["ms"] / 1000)
        else:
            raise ValueError("unknown step " + op)

    def elapsed(self, d):
        d["elapsed_ms"] = round((time.monotonic() - self.last_send) * 1000, 1)
        return d


async def main():
    args = parse_args()
    plan = json.loads(args.plan)
    await asyncio.gather(*(Client(i, args, plan).run() for i in range(args.connections)))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
