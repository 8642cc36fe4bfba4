"""A python websockets (10.x, legacy asyncio API) client that waits for each answer before its next request.

Usage: mock_lockstep_client.py URL MESSAGE...

Sends each MESSAGE as text and waits up to 3 s for one answer, printing one line each:

  RECV <text>    NOREPLY

then closes with 1000. Every wait is bounded; the exit status is 0 when the session ran to its close.
"""
import asyncio
import sys

import websockets


async def main(url, messages):
    async with websockets.connect(url, ping_interval=None, open_timeout=5, close_timeout=5) as ws:
        for m in messages:
            await ws.send(m)
            try:
                print("RECV " + await asyncio.wait_for(ws.recv(), 3), flush=True)
            except asyncio.TimeoutError:
                print("NOREPLY", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
