package dev.wsdebug.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

/**
 * Writes a synthetic WebSocket capture for {@code bench/pcap.sh}: a classic pcap file (little
 * endian, microsecond timestamps, Ethernet) of {@code --conns} TCP connections from 10.1.x.y to
 * 10.2.0.1:{@code --port}, interleaved step by step, until at least {@code --packets} packets.
 *
 * <p>Each connection: SYN, SYN-ACK, ACK; an HTTP/1.1 upgrade request (every second connection offers
 * {@code permessage-deflate; client_max_window_bits}) and its 101 with the correct
 * {@code Sec-WebSocket-Accept} (accepting permessage-deflate with context takeover where offered);
 * then request/response steps: the client sends one masked text message of JSON, the server answers
 * with one to three unmasked JSON text messages (written back to back, so a segment may hold several
 * frames), and the client acknowledges with a pure ACK ({@code --no-acks} leaves those out). On
 * deflate connections messages of 128 bytes or more are compressed (RSV1; a real
 * {@link Deflater} per direction, raw deflate, SYNC_FLUSH, the 00 00 FF FF tail removed, context kept
 * across messages as RFC 7692 negotiates by default); smaller ones are sent as they are. With
 * {@code --fragment P}, P % of the uncompressed server messages are fragmented into two or three frames
 * (default 0: tshark 4.0 then misses the text of some frames, see below). Every connection gets a ping (answered
 * by a masked pong) about every 50 steps. Message sizes: 60 % 30-150 B, 35 % 150-800 B, 5 % 800 B-6 KB
 * (JSON text, not counting compression); a message stream larger than {@code --mss} (1460) is cut
 * into MSS-sized segments. At the end every connection closes: close frames (1000) both ways, FIN
 * from the server, FIN from the client, last ACK. Checksums (IPv4, TCP) are correct; timestamps
 * advance 1-40 us per packet from 2026-01-01T00:00:00Z. Deterministic for a given seed and arguments.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapGen --out FILE --packets 500000
 *      [--conns 50] [--seed 1] [--port 8080] [--mss 1460] [--no-acks] [--fragment 0]
 * </pre>
 * Prints one line {@code PCAPGEN packets=N bytes=N ...} with what was written (frames, messages,
 * compressed messages, WebSocket payload bytes).
 *
 * <p>Why no fragmentation by default: tshark 4.0.17 showed no text for the other text frames of a
 * packet that also held a fragmented message, and after a compressed message's continuation frame it
 * inflates nothing more in that direction; with fragmented messages its output is incomplete, so the
 * comparison in {@code bench/pcap.sh} would not be like for like.
 */
public final class PcapGen {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] CLIENT_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    private static final byte[] SERVER_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    private static final int SERVER_IP = 10 << 24 | 2 << 16 | 1;
    private static final int COMPRESS_AT = 128;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final String[] WORDS = ("the quick brown fox jumps over lazy dog order trade price market update"
            + " status user session channel message value level alpha beta gamma delta stream event window"
            + " buffer socket frame server client latency retry backoff queue topic partition offset").split(" ");
    private static final String[] TYPES = {"quote", "trade", "order", "status", "chat", "presence", "metrics"};

    private final SplittableRandom random;
    private final OutputStream out;
    private final int port;
    private final int mss;
    private final boolean acks;
    private final int fragmentPercent;
    /** --socketio: Socket.IO v4 traffic (EIO=4 URL, events with ack ids, their ACKs). */
    boolean socketIo;
    private final byte[] packet = new byte[14 + 20 + 24 + 65536];
    private final byte[] recordHeader = new byte[16];
    private long micros = 1_767_225_600_000_000L;

    long packets;
    long bytes = 24;
    long frames;
    long messages;
    long compressed;
    long payloadBytes;
    long deflateConns;

    /** One TCP connection and its WebSocket. */
    private final class Conn {
        final int index;
        final int clientIp;
        final int clientPort;
        final boolean deflate;
        long clientSeq;
        long serverSeq;
        int clientIpId;
        int serverIpId;
        boolean open;
        int steps;
        int nextPing;
        Deflater clientDeflater;
        Deflater serverDeflater;

        Conn(int index, boolean deflate) {
            this.index = index;
            this.clientIp = 10 << 24 | 1 << 16 | (index / 250) << 8 | (index % 250 + 1);
            this.clientPort = 40_000 + index;
            this.deflate = deflate;
            this.clientSeq = random.nextLong(1L << 32);
            this.serverSeq = random.nextLong(1L << 32);
            this.nextPing = 25 + random.nextInt(50);
        }
    }

    private PcapGen(OutputStream out, long seed, int port, int mss, boolean acks, int fragmentPercent)
            throws IOException {
        this.fragmentPercent = fragmentPercent;
        this.random = new SplittableRandom(seed);
        this.out = out;
        this.port = port;
        this.mss = mss;
        this.acks = acks;
        byte[] header = new byte[24];
        putIntLe(header, 0, 0xA1B2C3D4);
        header[4] = 2;
        header[6] = 4;
        putIntLe(header, 16, 65535);
        putIntLe(header, 20, 1); // Ethernet
        out.write(header);
    }

    public static void main(String[] args) throws Exception {
        Path file = null;
        long target = 500_000;
        int conns = 50;
        long seed = 1;
        int port = 8080;
        int mss = 1460;
        boolean acks = true;
        int fragment = 0;
        boolean socketIo = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> file = Path.of(value(args, ++i, a));
                case "--packets" -> target = Long.parseLong(value(args, ++i, a));
                case "--conns" -> conns = Integer.parseInt(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--mss" -> mss = Integer.parseInt(value(args, ++i, a));
                case "--no-acks" -> acks = false;
                case "--fragment" -> fragment = Integer.parseInt(value(args, ++i, a));
                case "--socketio" -> socketIo = true;
                default -> usage("unknown argument " + a);
            }
        }
        if (file == null) {
            usage("--out FILE is required");
        }
        if (target < 1 || conns < 1 || conns > 60_000 || port < 1 || port > 65535 || mss < 200 || mss > 65495
                || fragment < 0 || fragment > 100) {
            usage("--packets >= 1, --conns 1-60000, --port 1-65535, --mss 200-65495, --fragment 0-100");
        }
        long started = System.nanoTime();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            PcapGen g = new PcapGen(os, seed, port, mss, acks, fragment);
            g.socketIo = socketIo;
            g.run(target, conns);
            os.flush();
            System.out.printf(Locale.ROOT, "PCAPGEN packets=%d bytes=%d conns=%d deflateConns=%d frames=%d messages=%d"
                            + " compressed=%d wsPayloadBytes=%d seconds=%.1f%n", g.packets, g.bytes, conns, g.deflateConns,
                    g.frames, g.messages, g.compressed, g.payloadBytes, (System.nanoTime() - started) / 1e9);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("PcapGen: " + problem);
        System.err.println("usage: PcapGen --out FILE [--packets N] [--conns N] [--seed N] [--port N] [--mss N] [--no-acks] [--fragment PERCENT] [--socketio]");
        System.exit(2);
    }

    private void run(long target, int count) throws IOException {
        List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Conn c = new Conn(i, i % 2 == 0);
            conns.add(c);
        }
        // Closing takes 5 packets per connection (2 close frames, FIN, FIN, ACK), so the total reaches the target.
        while (packets + 5L * count < target) {
            Conn c = conns.get(random.nextInt(count));
            if (!c.open) {
                open(c);
            } else {
                step(c);
            }
        }
        for (Conn c : conns) {
            if (!c.open) {
                open(c);
            }
            close(c);
        }
    }

    // ---- connection phases

    private void open(Conn c) throws IOException {
        c.open = true;
        tcp(c, true, SYN, null, 0, 0);
        tcp(c, false, SYN | ACK, null, 0, 0);
        tcp(c, true, ACK, null, 0, 0);
        byte[] keyBytes = new byte[16];
        random.nextBytes(keyBytes);
        String key = Base64.getEncoder().encodeToString(keyBytes);
        String request = "GET " + (socketIo ? "/socket.io/?EIO=4&transport=websocket&c=" + c.index : "/feed/" + c.index + "?v=2")
                + " HTTP/1.1\r\n"
                + "Host: 10.2.0.1:" + port + "\r\n"
                + "User-Agent: wsdebug-pcapgen/1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (c.deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
                + "\r\n";
        send(c, true, request.getBytes(StandardCharsets.US_ASCII));
        String response = "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
                + (c.deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "")
                + "\r\n";
        send(c, false, response.getBytes(StandardCharsets.US_ASCII));
        if (c.deflate) {
            deflateConns++;
            c.clientDeflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            c.serverDeflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        ack(c, true);
    }

    private void step(Conn c) throws IOException {
        c.steps++;
        ByteStream s2c = new ByteStream();
        ByteStream c2s = new ByteStream();
        message(c, true, c2s, socketIo(c, true, 0, json(c, true)));
        send(c, true, c2s.toArray());
        int replies = 1 + (random.nextInt(10) < 7 ? 0 : random.nextInt(1, 3));
        for (int i = 0; i < replies; i++) {
            message(c, false, s2c, socketIo(c, false, i, json(c, false)));
        }
        boolean ping = c.steps >= c.nextPing;
        byte[] pingPayload = null;
        if (ping) {
            c.nextPing = c.steps + 25 + random.nextInt(50);
            pingPayload = ("p" + c.steps).getBytes(StandardCharsets.US_ASCII);
            frame(s2c, false, true, false, 0x9, pingPayload, 0, pingPayload.length);
        }
        send(c, false, s2c.toArray());
        if (ping) {
            ByteStream pong = new ByteStream();
            frame(pong, true, true, false, 0xA, pingPayload, 0, pingPayload.length);
            send(c, true, pong.toArray());
        } else {
            ack(c, true);
        }
    }

    private void close(Conn c) throws IOException {
        byte[] code = {0x03, (byte) 0xE8};
        ByteStream b = new ByteStream();
        frame(b, true, true, false, 0x8, code, 0, 2);
        send(c, true, b.toArray());
        b = new ByteStream();
        frame(b, false, true, false, 0x8, code, 0, 2);
        send(c, false, b.toArray());
        tcp(c, false, FIN | ACK, null, 0, 0);
        tcp(c, true, FIN | ACK, null, 0, 0);
        tcp(c, false, ACK, null, 0, 0);
        if (c.deflate) {
            c.clientDeflater.end();
            c.serverDeflater.end();
        }
    }

    // ---- WebSocket

    /** One text message into the stream: compressed on deflate connections from 128 bytes, else fragmented now and then. */
    private void message(Conn c, boolean fromClient, ByteStream to, byte[] text) {
        messages++;
        byte[] payload = text;
        int len = text.length;
        boolean rsv1 = false;
        if (c.deflate && text.length >= COMPRESS_AT) {
            Deflater d = fromClient ? c.clientDeflater : c.serverDeflater;
            d.setInput(text);
            byte[] buf = new byte[text.length + 64];
            int n = 0;
            while (true) {
                n += d.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
                if (n < buf.length) {
                    break;
                }
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            // RFC 7692 7.2.1: remove the 00 00 FF FF that SYNC_FLUSH ends with
            payload = buf;
            len = n - 4;
            rsv1 = true;
            compressed++;
        }
        // Only uncompressed messages are fragmented: tshark 4.0 loses a direction's inflate context at a
        // compressed message's continuation frame (it shows no text for that direction's compressed frames
        // from there on), and the comparison wants tshark's output complete.
        int pieces = !fromClient && !rsv1 && len >= 32 && fragmentPercent > 0 && random.nextInt(100) < fragmentPercent
                ? 2 + random.nextInt(2) : 1;
        int off = 0;
        for (int i = 0; i < pieces; i++) {
            int end = i == pieces - 1 ? len : off + len / pieces;
            frame(to, fromClient, i == pieces - 1, rsv1 && i == 0, i == 0 ? 0x1 : 0x0, payload, off, end - off);
            off = end;
        }
    }

    private void frame(ByteStream to, boolean masked, boolean fin, boolean rsv1, int opcode, byte[] p, int off, int len) {
        frames++;
        payloadBytes += len;
        to.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (len < 126) {
            to.write(maskBit | len);
        } else if (len < 65536) {
            to.write(maskBit | 126);
            to.write(len >>> 8);
            to.write(len);
        } else {
            to.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                to.write((int) ((long) len >>> (8 * i)));
            }
        }
        if (!masked) {
            to.write(p, off, len);
            return;
        }
        int key = random.nextInt();
        byte[] k = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
        to.write(k, 0, 4);
        for (int i = 0; i < len; i++) {
            to.write(p[off + i] ^ k[i & 3]);
        }
    }

    /** A JSON object of roughly the drawn size: a few fields, then words in "text" to fill it. */
    /**
     * With --socketio, the JSON as a Socket.IO packet: the client emits an event asking for an ack
     * ({@code 42<id>["op",{…}]}), the server's first reply is that ACK ({@code 43<id>[{…}]}) and the
     * others are events ({@code 42["type",{…}]}); else the JSON as it is.
     */
    private byte[] socketIo(Conn c, boolean fromClient, int reply, byte[] json) {
        if (!socketIo) {
            return json;
        }
        String body = new String(json, StandardCharsets.UTF_8);
        String packet = fromClient ? "42" + c.steps + "[\"" + TYPES[(int) (c.steps % TYPES.length)] + "\"," + body + "]"
                : reply == 0 ? "43" + c.steps + "[" + body + "]" : "42[\"news\"," + body + "]";
        return packet.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] json(Conn c, boolean fromClient) {
        int r = random.nextInt(100);
        int size = r < 60 ? random.nextInt(30, 150) : r < 95 ? random.nextInt(150, 800) : random.nextInt(800, 6000);
        StringBuilder b = new StringBuilder(size + 64);
        String type = TYPES[random.nextInt(TYPES.length)];
        if (fromClient) {
            b.append("{\"op\":\"").append(type).append("\",\"id\":").append(c.steps).append(",\"user\":\"u")
                    .append(c.index).append('"');
        } else {
            b.append("{\"type\":\"").append(type).append("\",\"seq\":").append(c.steps).append(",\"ts\":")
                    .append(micros / 1000).append(",\"price\":").append(random.nextInt(10_000, 99_999) / 100.0)
                    .append(",\"qty\":").append(random.nextInt(1, 500));
        }
        if (b.length() + 12 < size) {
            b.append(",\"text\":\"");
            while (b.length() + 2 < size) {
                b.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            b.setLength(b.length() - 1);
            b.append('"');
        }
        b.append('}');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- TCP / IPv4 / Ethernet / pcap

    /** Data from one side, cut into MSS-sized segments (PSH on the last). */
    private void send(Conn c, boolean fromClient, byte[] data) throws IOException {
        for (int off = 0; off < data.length; off += mss) {
            int n = Math.min(mss, data.length - off);
            tcp(c, fromClient, ACK | (off + n == data.length ? PSH : 0), data, off, n);
        }
    }

    private void ack(Conn c, boolean fromClient) throws IOException {
        if (acks) {
            tcp(c, fromClient, ACK, null, 0, 0);
        }
    }

    private void tcp(Conn c, boolean fromClient, int flags, byte[] data, int off, int len) throws IOException {
        boolean syn = (flags & SYN) != 0;
        int optionsLength = syn ? 4 : 0;
        int tcpLength = 20 + optionsLength + len;
        int ipLength = 20 + tcpLength;
        byte[] p = packet;
        // Ethernet
        System.arraycopy(fromClient ? SERVER_MAC : CLIENT_MAC, 0, p, 0, 6);
        System.arraycopy(fromClient ? CLIENT_MAC : SERVER_MAC, 0, p, 6, 6);
        p[12] = 0x08;
        p[13] = 0x00;
        // IPv4
        int ip = 14;
        p[ip] = 0x45;
        p[ip + 1] = 0;
        putShort(p, ip + 2, ipLength);
        putShort(p, ip + 4, fromClient ? c.clientIpId++ : c.serverIpId++);
        putShort(p, ip + 6, 0x4000); // DF
        p[ip + 8] = 64;
        p[ip + 9] = 6;
        putShort(p, ip + 10, 0);
        putInt(p, ip + 12, fromClient ? c.clientIp : SERVER_IP);
        putInt(p, ip + 16, fromClient ? SERVER_IP : c.clientIp);
        putShort(p, ip + 10, checksum(p, ip, 20, 0));
        // TCP
        int t = ip + 20;
        putShort(p, t, fromClient ? c.clientPort : port);
        putShort(p, t + 2, fromClient ? port : c.clientPort);
        long seq = fromClient ? c.clientSeq : c.serverSeq;
        long ack = fromClient ? c.serverSeq : c.clientSeq;
        putInt(p, t + 4, (int) seq);
        putInt(p, t + 8, (flags & ACK) != 0 ? (int) ack : 0);
        p[t + 12] = (byte) ((20 + optionsLength) / 4 << 4);
        p[t + 13] = (byte) flags;
        putShort(p, t + 14, 0xFFFF);
        putShort(p, t + 16, 0);
        putShort(p, t + 18, 0);
        if (syn) {
            p[t + 20] = 2; // MSS
            p[t + 21] = 4;
            putShort(p, t + 22, mss);
        }
        if (len > 0) {
            System.arraycopy(data, off, p, t + 20 + optionsLength, len);
        }
        long pseudo = (fromClient ? c.clientIp : SERVER_IP) & 0xFFFFFFFFL;
        long dst = (fromClient ? SERVER_IP : c.clientIp) & 0xFFFFFFFFL;
        long sum = (pseudo >>> 16) + (pseudo & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + 6 + tcpLength;
        putShort(p, t + 16, checksum(p, t, tcpLength, sum));
        long advance = len + (syn ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
        if (fromClient) {
            c.clientSeq = (c.clientSeq + advance) & 0xFFFFFFFFL;
        } else {
            c.serverSeq = (c.serverSeq + advance) & 0xFFFFFFFFL;
        }
        int frameLength = 14 + ipLength;
        micros += 1 + random.nextInt(40);
        putIntLe(recordHeader, 0, (int) (micros / 1_000_000));
        putIntLe(recordHeader, 4, (int) (micros % 1_000_000));
        putIntLe(recordHeader, 8, frameLength);
        putIntLe(recordHeader, 12, frameLength);
        out.write(recordHeader);
        out.write(p, 0, frameLength);
        packets++;
        bytes += 16 + frameLength;
    }

    private static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static void putShort(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    private static void putIntLe(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    /** A growable byte array (ByteArrayOutputStream without the synchronization). */
    private static final class ByteStream {
        private byte[] b = new byte[256];
        private int n;

        void write(int v) {
            if (n == b.length) {
                b = java.util.Arrays.copyOf(b, n * 2);
            }
            b[n++] = (byte) v;
        }

        void write(byte[] src, int off, int len) {
            if (n + len > b.length) {
                b = java.util.Arrays.copyOf(b, Math.max(n + len, n * 2));
            }
            System.arraycopy(src, off, b, n, len);
            n += len;
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(b, n);
        }
    }
}
