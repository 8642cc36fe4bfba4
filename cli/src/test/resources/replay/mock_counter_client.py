"""A python websockets (10.x, legacy asyncio API) client for the serve --mock tests.

Usage: mock_counter_client.py URL [--extra] [--ping]

Offers the subprotocol counter.v1 and permessage-deflate, reads the greeting, sends a few counter
requests stamped with the current time (one answer each, two for "get"), then "bye", and prints
what happened, one line each:

  SUBPROTOCOL <p>    EXTENSIONS <header>    RECV <text>    NOREPLY    PONG yes|no    CLOSE <code> <reason>

--extra sends a request the recorded session never had (before "bye") and prints NOREPLY when no
answer comes within a second; --ping sends a ping and prints whether a pong came within a second.
Every wait is bounded; the exit status is 0 when the session ran to its close.
"""
import asyncio
import json
import sys
import time

import websockets


async def recv(ws, n):
    for _ in range(n):
        print("RECV " + await asyncio.wait_for(ws.recv(), 5), flush=True)


def request(op, **fields):
    return json.dumps(dict(op=op, ts=time.time(), **fields))


async def main(url, extra, ping):
    async with websockets.connect(url, subprotocols=["counter.v1"], ping_interval=None, open_timeout=5,
                                  close_timeout=5) as ws:
        print("SUBPROTOCOL " + str(ws.subprotocol), flush=True)
        print("EXTENSIONS " + str(ws.response_headers.get("Sec-WebSocket-Extensions")), flush=True)
        await recv(ws, 1)
        await ws.send(request("inc", by=1))
        await recv(ws, 1)
        await ws.send(request("inc", by=2))
        await recv(ws, 1)
        await ws.send(request("get"))
        await recv(ws, 2)
        if extra:
            await ws.send(request("shout", text="not in the recording"))
            try:
                print("RECV " + await asyncio.wait_for(ws.recv(), 1), flush=True)
            except asyncio.TimeoutError:
                print("NOREPLY", flush=True)
        if ping:
            waiter = await ws.ping(b"are you there")
            try:
                await asyncio.wait_for(waiter, 1)
                print("PONG yes", flush=True)
            except asyncio.TimeoutError:
                print("PONG no", flush=True)
        await ws.send(request("bye"))
        await recv(ws, 1)
        await asyncio.wait_for(ws.wait_closed(), 10)
        print("CLOSE %s %s" % (ws.close_code, ws.close_reason), flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], "--extra" in args, "--ping" in args))
