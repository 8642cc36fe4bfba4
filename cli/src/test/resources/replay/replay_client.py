"""A client session for the replay tests (python websockets, not ours).

    /usr/bin/python3 replay_client.py URL CONNECTIONS GAP_MS STAGGER_MS

Opens CONNECTIONS connections, each STAGGER_MS after the one before, offering subprotocol
counter.v1 and sending X-Session: s<i>. On each: waits for the welcome, then sends "hello", a JSON
add, a JSON list and 4 binary bytes, GAP_MS apart and each after its reply, then "bye" (the
server closes with 4000). Prints each reply as a JSON line, the close code, then {"done": true}.
"""
import asyncio
import json
import sys

import websockets


async def session(url, i, gap):
    async with websockets.connect(url, subprotocols=["counter.v1"], extra_headers={"X-Session": "s%d" % i}) as ws:
        print(json.dumps({"conn": i, "got": json.loads(await ws.recv())}), flush=True)
        for m in ["hello", json.dumps({"op": "add", "n": i}), json.dumps({"op": "list", "items": [1, 2, 3]}),
                  bytes([1, 2, 3, 250])]:
            await asyncio.sleep(gap)
            await ws.send(m)
            got = await ws.recv()
            print(json.dumps({"conn": i, "got": got.hex() if isinstance(got, bytes) else json.loads(got)}), flush=True)
        await asyncio.sleep(gap)
        await ws.send("bye")
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed as e:
            print(json.dumps({"conn": i, "close": e.code}), flush=True)


async def main():
    url, n, gap, stagger = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000, int(sys.argv[4]) / 1000
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(session(url, i, gap)))
        await asyncio.sleep(stagger)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    print(json.dumps({"done": True}), flush=True)


asyncio.run(main())
