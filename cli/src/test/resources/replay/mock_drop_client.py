"""A python websockets (10.x, legacy asyncio API) client for the serve --mock test of a dropped connection.

Usage: mock_drop_client.py URL

Sends "a", reads its answer, waits 0.8 s (the server's pings arrive and are answered by the
library), sends "b", reads its answer, then waits for the connection to end and prints how:

  RECV <text>    CLOSE <code> <reason>

Every wait is bounded; the exit status is 0 when the connection ended within 10 s.
"""
import asyncio
import sys

import websockets


async def main(url):
    async with websockets.connect(url, ping_interval=None, open_timeout=5, close_timeout=5) as ws:
        await ws.send("a")
        print("RECV " + await asyncio.wait_for(ws.recv(), 5), flush=True)
        await asyncio.sleep(0.8)
        await ws.send("b")
        print("RECV " + await asyncio.wait_for(ws.recv(), 5), flush=True)
        await asyncio.wait_for(ws.wait_closed(), 10)
        print("CLOSE %s %s" % (ws.close_code, ws.close_reason), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
