"""Echo server on python websockets (10.x, legacy asyncio API) for wsdebug's interop tests.

Listens on 127.0.0.1 (port 0 unless --port), prints "PORT <n>" once listening, and sends every
message it receives back unchanged (text as text, binary as binary), except the text message
"wsdebug:close <code> <reason>", which makes it start the closing handshake with that code and
reason instead. permessage-deflate is set up from the command line:

  --no-deflate                    do not offer permessage-deflate at all
  --server-no-context-takeover    require server_no_context_takeover
  --client-no-context-takeover    require client_no_context_takeover
  --server-max-window-bits N      limit the server's window (8-15)
  --client-max-window-bits N      limit the client's window (8-15)

Without flags it accepts permessage-deflate as offered, with no limits of its own.
Keepalive pings are off so that the only frames on the wire are the test's. The test ends the
process with SIGTERM (default action: exit at once).
"""
import argparse
import asyncio

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

CLOSE_COMMAND = "wsdebug:close "


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--no-deflate", action="store_true")
    p.add_argument("--server-no-context-takeover", action="store_true")
    p.add_argument("--client-no-context-takeover", action="store_true")
    p.add_argument("--server-max-window-bits", type=int, default=None)
    p.add_argument("--client-max-window-bits", type=int, default=None)
    return p.parse_args()


async def echo(ws, path=None):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith(CLOSE_COMMAND):
                code, _, reason = message[len(CLOSE_COMMAND):].partition(" ")
                await ws.close(int(code), reason)
                return
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    args = parse_args()
    if args.no_deflate:
        options = {"compression": None}
    else:
        options = {
            "compression": None,
            "extensions": [
                ServerPerMessageDeflateFactory(
                    server_no_context_takeover=args.server_no_context_takeover,
                    client_no_context_takeover=args.client_no_context_takeover,
                    server_max_window_bits=args.server_max_window_bits,
                    client_max_window_bits=args.client_max_window_bits,
                )
            ],
        }
    async with websockets.serve(echo, "127.0.0.1", args.port, ping_interval=None,
                                max_size=8 * 1024 * 1024, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.get_running_loop().create_future()  # until the test stops the process


if __name__ == "__main__":
    asyncio.run(main())
