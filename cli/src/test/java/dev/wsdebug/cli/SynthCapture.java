package dev.wsdebug.cli;

import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Synthetic packet captures for the {@code read} ITs, written field by field: TCP connections of
 * Ethernet/IPv4 packets carrying WebSocket sessions, in pcap (microseconds, little-endian) or
 * pcapng (SHB, IDB, EPBs, and other blocks on request), with the offsets where records and blocks
 * end so that a test can cut the file at any kind of place.
 */
final class SynthCapture {
    static final long T0_MICROS = 1_700_000_000_000_000L;
    private static final FrameWriter WRITER = new FrameWriter(new Random(3));
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** One link-layer packet with its time. */
    record Packet(long timeMicros, byte[] data) {
    }

    /** A TCP connection between 10.0.0.{host}:{port} and 10.0.0.2:{serverPort}, as packets. */
    static final class Tcp {
        final int host;
        final int port;
        final int serverPort;
        private long clientSeq;
        private long serverSeq;
        private final List<byte[]> packets = new ArrayList<>();
        /** The raw window field each side advertises: client, server. */
        private final int[] windows = {65535, 65535};
        final ByteArrayOutputStream c2s = new ByteArrayOutputStream();
        final ByteArrayOutputStream s2c = new ByteArrayOutputStream();

        Tcp(int host, int port, int serverPort) {
            this.host = host;
            this.port = port;
            this.serverPort = serverPort;
            this.clientSeq = 1000L * host + port;
            this.serverSeq = 7000L * host + serverPort;
        }

        Tcp open() {
            segment(true, 0x02, new byte[0]);
            clientSeq++;
            segment(false, 0x12, new byte[0]);
            serverSeq++;
            segment(true, 0x10, new byte[0]);
            return this;
        }

        /** {@code data} from one side, cut into segments of at most {@code mss} bytes. */
        Tcp send(boolean fromClient, byte[] data, int mss) {
            (fromClient ? c2s : s2c).writeBytes(data);
            for (int off = 0; off < data.length; off += mss) {
                byte[] piece = Arrays.copyOfRange(data, off, Math.min(data.length, off + mss));
                segment(fromClient, 0x18, piece);
                if (fromClient) {
                    clientSeq += piece.length;
                } else {
                    serverSeq += piece.length;
                }
            }
            return this;
        }

        Tcp send(boolean fromClient, byte[] data) {
            return send(fromClient, data, 1460);
        }

        /** The window {@code client} (or the server) advertises in its segments from now on. */
        Tcp window(boolean client, int window) {
            windows[client ? 0 : 1] = window;
            return this;
        }

        /** A pure ACK (no data) of everything the peer sent. */
        Tcp ack(boolean fromClient) {
            segment(fromClient, 0x10, new byte[0]);
            return this;
        }

        Tcp close() {
            segment(true, 0x11, new byte[0]);
            clientSeq++;
            segment(false, 0x11, new byte[0]);
            serverSeq++;
            segment(true, 0x10, new byte[0]);
            return this;
        }

        private void segment(boolean fromClient, int flags, byte[] payload) {
            ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
            tcp.putShort((short) (fromClient ? port : serverPort)).putShort((short) (fromClient ? serverPort : port))
                    .putInt((int) (fromClient ? clientSeq : serverSeq)).putInt((int) (fromClient ? serverSeq : clientSeq))
                    .put((byte) 0x50).put((byte) flags).putShort((short) windows[fromClient ? 0 : 1]).putInt(0).put(payload);
            byte[] client = {10, 0, 0, (byte) host};
            byte[] server = {10, 0, 0, 2};
            ByteBuffer ip = ByteBuffer.allocate(20 + tcp.capacity());
            ip.put((byte) 0x45).put((byte) 0).putShort((short) ip.capacity()).putShort((short) 1).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 6).putShort((short) 0).put(fromClient ? client : server)
                    .put(fromClient ? server : client).put(tcp.array());
            ByteBuffer eth = ByteBuffer.allocate(14 + ip.capacity());
            eth.put(new byte[] {2, 0, 0, 0, 0, 0x0B, 2, 0, 0, 0, 0, 0x0A}).putShort((short) 0x0800).put(ip.array());
            packets.add(eth.array());
        }

        List<byte[]> packets() {
            return packets;
        }

        String client() {
            return "10.0.0." + host + ":" + port;
        }

        String server() {
            return "10.0.0.2:" + serverPort;
        }
    }

    /** A whole WebSocket session on {@code t}: upgrade, text both ways, a binary, a ping and pong, close. */
    static Tcp webSocket(Tcp t, String path, String hello) {
        upgrade(t, path);
        t.send(true, frame(true, Opcode.TEXT, hello.getBytes(StandardCharsets.UTF_8)));
        t.send(false, frame(false, Opcode.TEXT, ("re: " + hello).getBytes(StandardCharsets.UTF_8)));
        byte[] big = new byte[2000];
        new Random(t.port).nextBytes(big);
        t.send(false, frame(false, Opcode.BINARY, big), 700);
        t.send(true, frame(true, Opcode.PING, new byte[] {1, 2}));
        t.send(false, frame(false, Opcode.PONG, new byte[] {1, 2}));
        t.send(true, frame(true, Opcode.CLOSE, FrameWriter.closePayload(1000, "done")));
        t.send(false, frame(false, Opcode.CLOSE, FrameWriter.closePayload(1000, "done")));
        return t.close();
    }

    /** Opens {@code t} and upgrades it: the client's request for {@code path}, the server's 101. */
    static Tcp upgrade(Tcp t, String path) {
        t.open();
        t.send(true, ascii("GET " + path + " HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        return t.send(false, ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Handshake.acceptFor(KEY) + "\r\n\r\n"));
    }

    static byte[] frame(boolean masked, int opcode, byte[] payload) {
        FrameSpec spec = FrameSpec.of(opcode, payload);
        return WRITER.encode(masked ? spec.withMask(WRITER.randomMaskKey()) : spec);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Packets of several connections one after the other, 1 ms apart from {@code start}. */
    static List<Packet> timed(long start, long step, List<byte[]> data) {
        List<Packet> out = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            out.add(new Packet(start + i * step, data.get(i)));
        }
        return out;
    }

    /** A pcap file; {@code ends} gets the offset where the header and each record end. */
    static byte[] pcap(int linkType, List<Packet> packets, List<Integer> ends) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType);
        out.writeBytes(h.array());
        ends.add(out.size());
        for (Packet p : packets) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (p.timeMicros() / 1_000_000)).putInt((int) (p.timeMicros() % 1_000_000))
                    .putInt(p.data().length).putInt(p.data().length);
            out.writeBytes(r.array());
            out.writeBytes(p.data());
            ends.add(out.size());
        }
        return out.toByteArray();
    }

    static byte[] pcap(List<Packet> packets) {
        return pcap(1, packets, new ArrayList<>());
    }

    /** Where each block of a pcapng file starts and ends, and what it is. */
    record Block(String kind, int start, int end) {
    }

    /**
     * A pcapng file: SHB, IDB (Ethernet), the packets as EPBs, with a Name Resolution Block after
     * packet {@code nrbAfter} (when 0 or more) and an Interface Statistics Block at the end.
     */
    static byte[] pcapng(List<Packet> packets, int nrbAfter, List<Block> blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer shb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        shb.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1);
        block(out, blocks, "SHB", 0x0A0D0D0A, shb.array());
        ByteBuffer idb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        idb.putShort((short) 1).putShort((short) 0).putInt(0);
        block(out, blocks, "IDB", 1, idb.array());
        for (int i = 0; i < packets.size(); i++) {
            Packet p = packets.get(i);
            int padded = (p.data().length + 3) & ~3;
            ByteBuffer epb = ByteBuffer.allocate(20 + padded).order(ByteOrder.LITTLE_ENDIAN);
            epb.putInt(0).putInt((int) (p.timeMicros() >>> 32)).putInt((int) p.timeMicros()).putInt(p.data().length)
                    .putInt(p.data().length).put(p.data());
            block(out, blocks, "EPB", 6, epb.array());
            if (i == nrbAfter) {
                ByteBuffer nrb = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                // an IPv4 record: 10.0.0.2 "srv" (padded to 4 bytes), then the end record
                nrb.putShort((short) 1).putShort((short) 8).put(new byte[] {10, 0, 0, 2}).put(ascii("srv\0"))
                        .putInt(0).putInt(0);
                block(out, blocks, "NRB", 4, Arrays.copyOf(nrb.array(), 16));
            }
        }
        ByteBuffer isb = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        isb.putInt(0).putInt(0).putInt(0);
        block(out, blocks, "ISB", 5, isb.array());
        return out.toByteArray();
    }

    private static void block(ByteArrayOutputStream out, List<Block> blocks, String kind, int type, byte[] body) {
        int start = out.size();
        ByteBuffer b = ByteBuffer.allocate(12 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(12 + body.length).put(body).putInt(12 + body.length);
        out.writeBytes(b.array());
        blocks.add(new Block(kind, start, out.size()));
    }

    private SynthCapture() {
    }
}
