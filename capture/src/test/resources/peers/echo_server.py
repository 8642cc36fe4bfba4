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

Without flags it accepts permessage-deflate as offered, with no limits of its own. Other flags:

  --subprotocol P                 a subprotocol the server speaks (repeatable); it selects one of
                                  those the client offers, as websockets prefers, or none
  --tls-cert FILE --tls-key FILE  serve wss:// with this PEM certificate and private key
  --report-close                  when a connection has closed, print "CLOSE <code> <reason>" with
                                  the close code and reason the server received (1006: none)

Keepalive pings are off so that the only frames on the wire are the test's. The test ends the
process with SIGTERM (default action: exit at once).
"""
import argparse
import asyncio
import ssl

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
    p.add_argument("--subprotocol", action="append", default=[])
    p.add_argument("--tls-cert", default=None)
    p.add_argument("--tls-key", default=None)
    p.add_argument("--report-close", action="store_true")
    args = p.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        p.error("--tls-cert and --tls-key go together")
    return args


async def echo(ws, report_close):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith(CLOSE_COMMAND):
                code, _, reason = message[len(CLOSE_COMMAND):].partition(" ")
                await ws.close(int(code), reason)
                break
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    if report_close:
        await ws.wait_closed()
        print("CLOSE %d %s" % (ws.close_code, ws.close_reason), flush=True)


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
    if args.subprotocol:
        options["subprotocols"] = args.subprotocol
    if args.tls_cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options["ssl"] = context

    async def handler(ws, path=None):
        await echo(ws, args.report_close)

    async with websockets.serve(handler, "127.0.0.1", args.port, ping_interval=None,
                                max_size=8 * 1024 * 1024, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.get_running_loop().create_future()  # until the test stops the process


if __name__ == "__main__":
    asyncio.run(main())
