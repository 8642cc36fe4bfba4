"""Raw-socket WebSocket client for wsdebug's live flow tests: TCP behaviour that a library hides.

  flow_client.py slow PORT RCVBUF PAUSE_MS BYTES
      a small receive buffer (SO_RCVBUF set before connecting), asks py_peer.py's server for a
      binary message of BYTES ("wsdebug:frag"), stops reading for PAUSE_MS, then reads it all:
      the client's TCP window closes while it does not read
  flow_client.py nagle PORT COUNT NODELAY
      COUNT text messages of 100 bytes, each written as two send() calls (the frame header, then
      the masked payload) before reading the echo (write-write-read); NODELAY 0 leaves Nagle's
      algorithm on (TCP_NODELAY explicitly off), 1 turns it off

Every wait is bounded (socket timeout 10 s). Prints one line "DONE ..." at the end.
"""
import base64
import os
import socket
import struct
import sys
import time

TIMEOUT = 10


def connect(port, rcvbuf=None, nodelay=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if nodelay is not None:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nodelay)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /flow HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nUser-Agent: wsdebug-flow-test\r\n\r\n"
               % (port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise SystemExit("handshake: connection closed")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit("handshake refused: %r" % head)
    return s


def header(opcode, n):
    mask_bit = 0x80
    if n < 126:
        return bytes([0x80 | opcode, mask_bit | n])
    if n < 65536:
        return bytes([0x80 | opcode, mask_bit | 126]) + struct.pack(">H", n)
    return bytes([0x80 | opcode, mask_bit | 127]) + struct.pack(">Q", n)


def masked(payload):
    key = os.urandom(4)
    return key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def send_frame(s, opcode, payload):
    s.sendall(header(opcode, len(payload)) + masked(payload))


def read_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(n - len(buf), 1 << 16))
        if not chunk:
            raise SystemExit("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def read_frame(s):
    b0, b1 = read_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", read_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", read_exact(s, 8))[0]
    return b0 & 0x80 != 0, b0 & 0x0F, read_exact(s, n)


def read_message(s):
    total = 0
    while True:
        fin, opcode, payload = read_frame(s)
        total += len(payload)
        if opcode == 8:
            raise SystemExit("closed by the server")
        if fin:
            return total


def close(s):
    send_frame(s, 8, struct.pack(">H", 1000))
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        fin, opcode, payload = read_frame(s)
        if opcode == 8:
            break
    s.close()


def slow(port, rcvbuf, pause_ms, size):
    s = connect(port, rcvbuf=rcvbuf)
    actual = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    send_frame(s, 1, ("wsdebug:frag 64 %d binary" % size).encode())
    time.sleep(pause_ms / 1000)
    got = read_message(s)
    close(s)
    print("DONE slow received %d rcvbuf %d" % (got, actual), flush=True)


def nagle(port, count, nodelay):
    s = connect(port, nodelay=nodelay)
    times = []
    for i in range(count):
        payload = (("message %02d " % i) * 10)[:100].encode()
        start = time.monotonic()
        s.send(header(1, len(payload)))
        s.send(masked(payload))
        if read_message(s) != len(payload):
            raise SystemExit("echo of message %d has the wrong length" % i)
        times.append((time.monotonic() - start) * 1000)
    close(s)
    print("DONE nagle nodelay=%d round trips ms: %s" % (nodelay, " ".join("%.1f" % t for t in times)), flush=True)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "slow":
        slow(port, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "nagle":
        nagle(port, int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
