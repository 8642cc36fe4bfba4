"""A python websockets (10.x, legacy asyncio API) client for the fault injection tests of wsdebug proxy.

usage: fault_client.py URL PLAN [--no-compress] [--close-timeout SECONDS]

permessage-deflate is offered as websockets does by default (context takeover both ways) unless
--no-compress. Keepalive pings are off: the only pings are the plan's.

PLAN is a JSON list of steps, run in order:

  {"op": "send", "text": S | "hex": H (binary) | "size": N (text of N letters)
          | "random": N (text of N random hex digits, which compresses poorly), "fragments": K}
  {"op": "recv", "timeout": SECONDS}              wait for one message
  {"op": "recv_until", "text": S, "timeout": SECONDS}
                                                  read messages until the text S arrives
  {"op": "ping", "hex": H, "timeout": SECONDS}    ping and wait for its pong
  {"op": "close", "code": C, "reason": R}         close and wait for the handshake to end
  {"op": "wait_closed", "timeout": SECONDS}       read messages until the connection closes
  {"op": "sleep", "ms": N}

Everything observed is printed on stdout, one JSON object a line:

  {"event": "open", "extensions": ...}
  {"event": "message", "kind": "text"|"binary", "len": N, "text": S | "hex": H (up to 200 long),
   "elapsed_ms": <since the last send>}
  {"event": "pong", "elapsed_ms": ...}   {"event": "pong_timeout"}   {"event": "recv_timeout"}
  {"event": "closed", "code": ..., "reason": ..., "close_frame_received": true|false}
  {"event": "end", "code": ...}

A corrupt permessage-deflate stream makes websockets fail the connection (close code 1007), which
shows as "closed". Exit status 0 unless the script itself failed.
"""
import argparse
import asyncio
import json
import os
import sys
import time

import websockets


def emit(obj):
    print(json.dumps(obj), flush=True)


class Run:
    def __init__(self, args, plan):
        self.args = args
        self.plan = plan
        self.last_send = time.monotonic()
        self.closed_seen = False

    def closed(self, ws):
        if not self.closed_seen:
            self.closed_seen = True
            emit({"event": "closed", "code": ws.close_code, "reason": ws.close_reason,
                  "close_frame_received": ws.close_rcvd is not None})

    def message(self, m):
        short = len(m) <= 200
        d = {"event": "message", "kind": "text" if isinstance(m, str) else "binary",
             "elapsed_ms": round((time.monotonic() - self.last_send) * 1000, 1)}
        if isinstance(m, str):
            d["len"] = len(m.encode("utf-8"))
            if short:
                d["text"] = m
        else:
            d["len"] = len(m)
            if short:
                d["hex"] = m.hex()
        emit(d)
        return m

    async def main(self):
        ws = await websockets.connect(self.args.url, compression=None if self.args.no_compress else "deflate",
                                      ping_interval=None, open_timeout=5, close_timeout=self.args.close_timeout,
                                      max_size=16 * 1024 * 1024)
        emit({"event": "open", "extensions": ws.response_headers.get("Sec-WebSocket-Extensions")})
        try:
            for step in self.plan:
                if self.closed_seen:
                    break
                await self.step(ws, step)
        finally:
            if ws.open:
                await ws.close()
            if ws.closed:
                self.closed(ws)
            emit({"event": "end", "code": ws.close_code})

    async def step(self, ws, step):
        op = step["op"]
        try:
            if op == "send":
                if "text" in step:
                    data = step["text"]
                elif "hex" in step:
                    data = bytes.fromhex(step["hex"])
                elif "random" in step:
                    data = os.urandom((step["random"] + 1) // 2).hex()[:step["random"]]
                else:
                    data = ("abcdefghijklmnopqrstuvwxyz" * (step["size"] // 26 + 1))[:step["size"]]
                k = step.get("fragments", 1)
                self.last_send = time.monotonic()
                if k > 1:
                    n = len(data)
                    await ws.send([data[n * i // k: n * (i + 1) // k] for i in range(k)])
                else:
                    await ws.send(data)
            elif op == "recv":
                try:
                    self.message(await asyncio.wait_for(ws.recv(), step.get("timeout", 5)))
                except asyncio.TimeoutError:
                    emit({"event": "recv_timeout"})
            elif op == "recv_until":
                deadline = time.monotonic() + step.get("timeout", 5)
                while True:
                    try:
                        m = await asyncio.wait_for(ws.recv(), max(0.001, deadline - time.monotonic()))
                    except asyncio.TimeoutError:
                        emit({"event": "recv_timeout"})
                        return
                    if self.message(m) == step["text"]:
                        return
            elif op == "ping":
                start = time.monotonic()
                waiter = await ws.ping(bytes.fromhex(step.get("hex", "")))
                try:
                    await asyncio.wait_for(waiter, step.get("timeout", 2))
                    emit({"event": "pong", "elapsed_ms": round((time.monotonic() - start) * 1000, 1)})
                except asyncio.TimeoutError:
                    emit({"event": "pong_timeout"})
            elif op == "close":
                await ws.close(step.get("code", 1000), step.get("reason", ""))
                self.closed(ws)
            elif op == "wait_closed":
                deadline = time.monotonic() + step.get("timeout", 5)
                while True:
                    try:
                        self.message(await asyncio.wait_for(ws.recv(), max(0.001, deadline - time.monotonic())))
                    except asyncio.TimeoutError:
                        emit({"event": "recv_timeout"})
                        return
            elif op == "sleep":
                await asyncio.sleep(step["ms"] / 1000)
            else:
                raise ValueError("unknown step " + op)
        except websockets.ConnectionClosed:
            self.closed(ws)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("plan")
    p.add_argument("--no-compress", action="store_true")
    p.add_argument("--close-timeout", type=float, default=2)
    args = p.parse_args()
    asyncio.run(Run(args, json.loads(args.plan)).main())


if __name__ == "__main__":
    main()
    sys.exit(0)
