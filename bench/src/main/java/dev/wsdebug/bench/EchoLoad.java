package dev.wsdebug.bench;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Load client for WebSocket echo servers on 127.0.0.1: opens {@code --conns} connections, keeps
 * {@code --inflight} messages of {@code --size} bytes outstanding on each (a new one is sent for
 * every echo that comes back), warms up, then counts the echoes of a fixed measured interval.
 *
 * <p>{@code --conns 1 --inflight 1 --size 16 --text} is the ping-pong scenario (round trips/s);
 * {@code --conns 16 --inflight 16 --size N} is the throughput scenario (messages echoed/s).
 *
 * <p>One thread, one {@link Selector}, non-blocking sockets. Frames are masked client frames made
 * by {@link FrameWriter} ahead of time (a ring of {@value #RING} frames, each with its own random
 * mask key) and copied into each connection's output buffer as echoes arrive, so the client spends
 * little CPU per message. Echoes are parsed with {@link FrameParser}; every echo's length and
 * opcode are checked, and the payload of the first {@value #VERIFY_FIRST} echoes of each
 * connection is compared byte for byte (without {@code --deflate}).
 *
 * <p>With {@code --h2} the same WebSockets are streams of ONE cleartext HTTP/2 connection (h2c with
 * prior knowledge, RFC 8441 extended CONNECT, see {@link H2Link}) instead of one TCP connection
 * each: the frames, the parsing and the checks are the same, only the transport differs (the
 * frames of a stream are copied once more, into DATA frames, within the server's flow-control
 * windows). Not with {@code --deflate}.
 *
 * <p>With {@code --pid} it reads the server's utime+stime from {@code /proc/PID/stat} at the start
 * and end of the measured interval, so the result includes the server's CPU seconds for exactly
 * the interval whose echoes were counted. It prints one line starting with {@code RESULT}.
 *
 * <p>Bounded: at most {@value #MAX_SECONDS} s of warm-up plus measurement, a drain of at most
 * {@value #DRAIN_MS} ms, a close handshake of at most {@value #CLOSE_MS} ms, and an abort when no
 * echo arrives for {@value #STALL_MS} ms. Only 127.0.0.1 is ever contacted.
 */
public final class EchoLoad {
    static final int RING = 64;
    static final int VERIFY_FIRST = 64;
    static final int MAX_SECONDS = 120;
    static final int DRAIN_MS = 3_000;
    static final int CLOSE_MS = 2_000;
    static final int STALL_MS = 10_000;
    static final int CONNECT_MS = 5_000;

    private static final String HOST = "127.0.0.1";

    // options
    private int port = -1;
    private long serverPid = -1;
    private long clkTck = 100;
    private String label = "server";
    private String scenario = "";
    private int conns = 1;
    private int inflight = 1;
    private int size = 16;
    private boolean text;
    private boolean deflate;
    private double warmupSeconds = 2;
    private double durationSeconds = 5;
    private boolean h2;

    // --h2: the one HTTP/2 connection that carries every WebSocket as a stream
    private H2Link link;
    private SelectionKey linkKey;
    /** Whether echoes are answered with new messages right now (read by the HTTP/2 DATA path). */
    private boolean sendingNow = true;

    // shared, read-only after setup
    private byte[] payload;
    private byte[][] ring;
    private int wireFrameMax;

    // counters (single thread)
    private long received;
    private long mismatches;
    /** Socket reads and writes that moved bytes, and selector wake-ups (client-side diagnostics). */
    private long reads;
    private long writes;
    private long selects;

    public static void main(String[] args) throws Exception {
        EchoLoad load = new EchoLoad();
        try {
            load.parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("EchoLoad: " + e.getMessage());
            System.err.println("usage: EchoLoad --port P [--pid SERVER_PID] [--clk-tck N] [--label NAME] [--scenario NAME]"
                    + " [--conns C] [--inflight W] [--size BYTES] [--text] [--deflate] [--h2] [--warmup S] [--duration S]");
            System.exit(2);
        }
        System.exit(load.run());
    }

    private void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--text")) {
                text = true;
                continue;
            }
            if (a.equals("--deflate")) {
                deflate = true;
                continue;
            }
            if (a.equals("--h2")) {
                h2 = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--port" -> port = Integer.parseInt(v);
                case "--pid" -> serverPid = Long.parseLong(v);
                case "--clk-tck" -> clkTck = Long.parseLong(v);
                case "--label" -> label = v;
                case "--scenario" -> scenario = v;
                case "--conns" -> conns = Integer.parseInt(v);
                case "--inflight" -> inflight = Integer.parseInt(v);
                case "--size" -> size = Integer.parseInt(v);
                case "--warmup" -> warmupSeconds = Double.parseDouble(v);
                case "--duration" -> durationSeconds = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port 1-65535 is required");
        }
        if (conns < 1 || conns > 256 || inflight < 1 || inflight > 1024 || size < 0 || size > (1 << 20)) {
            throw new IllegalArgumentException("--conns 1-256, --inflight 1-1024, --size 0-1048576");
        }
        if (warmupSeconds < 0 || durationSeconds <= 0 || warmupSeconds + durationSeconds > MAX_SECONDS) {
            throw new IllegalArgumentException("--warmup + --duration must be positive and at most " + MAX_SECONDS + " s");
        }
        if (h2 && deflate) {
            throw new IllegalArgumentException("--h2 and --deflate: not supported together");
        }
        if (clkTck < 1) {
            throw new IllegalArgumentException("--clk-tck must be positive");
        }
    }

    private int run() throws IOException {
        buildFrames();
        List<Conn> all = new ArrayList<>(conns);
        Selector selector = Selector.open();
        try {
            if (h2) {
                for (int k = 0; k < conns; k++) {
                    all.add(new Conn(k));
                }
                link = new H2Link(HOST, port, "/echo", all);
                link.connect(CONNECT_MS);
                linkKey = link.channel().register(selector, SelectionKey.OP_READ, link);
                return loop(selector, all);
            }
            for (int k = 0; k < conns; k++) {
                Conn c = new Conn(k);
                c.connect();
                all.add(c);
            }
            for (Conn c : all) {
                c.ch.configureBlocking(false);
                c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
            }
            return loop(selector, all);
        } finally {
            if (link != null && link.channel() != null) {
                try {
                    link.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            for (Conn c : all) {
                if (c.ch == null) {
                    continue;
                }
                try {
                    c.ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            selector.close();
        }
    }

    /** The payload, and RING masked frames carrying it (compressed once when --deflate). */
    private void buildFrames() {
        payload = new byte[size];
        Random r = new Random(0x3c40 + size);
        if (text || deflate) {
            // English-like lowercase words: valid UTF-8 and compressible, the same bytes for every server
            String letters = "etaoinshrdlucmfwypvbgkjqxz";
            for (int i = 0; i < size; i++) {
                payload[i] = r.nextInt(6) == 0 ? (byte) ' ' : (byte) letters.charAt(Math.min(25, (int) (Math.abs(r.nextGaussian()) * 7)));
            }
        } else {
            r.nextBytes(payload);
        }
        byte[] body = payload;
        if (deflate) {
            // each message compressed on its own (fresh dictionary): valid with or without context takeover
            try (MessageDeflater d = new MessageDeflater(true)) {
                body = d.deflate(payload);
            }
        }
        FrameWriter writer = new FrameWriter(new Random(0x5eed ^ size));
        ring = new byte[RING][];
        int opcode = text ? Opcode.TEXT : Opcode.BINARY;
        for (int k = 0; k < RING; k++) {
            FrameSpec spec = new FrameSpec(true, deflate, false, false, opcode, writer.randomMaskKey(), 0, body);
            ring[k] = writer.encode(spec);
        }
        wireFrameMax = ring[0].length;
    }

    private int loop(Selector selector, List<Conn> all) throws IOException {
        long start = System.nanoTime();
        long measureAt = start + (long) (warmupSeconds * 1e9);
        long endAt = measureAt + (long) (durationSeconds * 1e9);
        long drainUntil = endAt + DRAIN_MS * 1_000_000L;

        for (Conn c : all) {
            for (int k = 0; k < inflight; k++) {
                c.queueOne();
            }
            if (!h2) {
                c.flush();
            }
        }
        if (h2) {
            flushLink();
        }

        boolean measuring = false;
        boolean sending = true;
        long countAtStart = 0;
        long[] ioAtStart = new long[3];
        long[] ioAtEnd = new long[3];
        long[] h2AtStart = new long[3];
        long[] h2AtEnd = new long[3];
        long serverTicksStart = 0;
        long selfTicksStart = 0;
        long measuredStartNs = 0;
        long countAtEnd = -1;
        long serverTicksEnd = 0;
        long selfTicksEnd = 0;
        long measuredEndNs = 0;
        long lastProgress = start;
        long lastCount = 0;

        while (true) {
            long now = System.nanoTime();
            if (!measuring && sending && now >= measureAt) {
                measuring = true;
                countAtStart = received;
                ioAtStart = new long[] {reads, writes, selects};
                h2AtStart = h2Counters();
                serverTicksStart = cpuTicks(serverPid);
                selfTicksStart = cpuTicks(0);
                measuredStartNs = System.nanoTime();
            }
            if (measuring && now >= endAt) {
                measuring = false;
                sending = false;
                measuredEndNs = System.nanoTime();
                countAtEnd = received;
                ioAtEnd = new long[] {reads, writes, selects};
                h2AtEnd = h2Counters();
                serverTicksEnd = cpuTicks(serverPid);
                selfTicksEnd = cpuTicks(0);
            }
            if (received != lastCount) {
                lastCount = received;
                lastProgress = now;
            } else if (now - lastProgress > STALL_MS * 1_000_000L) {
                System.err.println("EchoLoad: no echo for " + STALL_MS + " ms; giving up");
                return 1;
            }
            if (!sending) {
                long outstanding = 0;
                for (Conn c : all) {
                    outstanding += c.outstanding;
                }
                if (outstanding == 0 || now >= drainUntil) {
                    if (outstanding != 0) {
                        System.err.println("EchoLoad: " + outstanding + " echoes still outstanding after the drain");
                    }
                    break;
                }
            }
            long next = !sending ? drainUntil : measuring ? endAt : measureAt;
            long waitMs = Math.max(1, (next - now) / 1_000_000L + 1);
            sendingNow = sending;
            selector.select(Math.min(waitMs, 1_000));
            selects++;
            var keys = selector.selectedKeys();
            for (SelectionKey key : keys) {
                if (!key.isValid()) {
                    continue;
                }
                if (key.attachment() == link) {
                    if (key.isReadable() && link.read()) {
                        reads++;
                    }
                    flushLink();
                    continue;
                }
                Conn c = (Conn) key.attachment();
                if (key.isReadable()) {
                    c.read(sending);
                }
                if (key.isValid() && key.isWritable()) {
                    c.flush();
                }
            }
            keys.clear();
            if (h2) {
                if (link.failure() != null) {
                    System.err.println("EchoLoad: " + link.failure());
                    return 1;
                }
                boolean waiting = false;
                for (Conn c : all) {
                    waiting |= c.out.position() > 0;
                }
                if (waiting && (linkKey.interestOps() & SelectionKey.OP_WRITE) == 0) {
                    flushLink();
                }
            }
            for (Conn c : all) {
                if (!h2 && c.out.position() > 0 && c.key.isValid() && (c.key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                    c.flush();
                }
            }
            for (Conn c : all) {
                if (c.failure != null) {
                    System.err.println("EchoLoad: connection " + c.id + ": " + c.failure);
                    return 1;
                }
            }
        }

        if (h2) {
            for (Conn c : all) {
                c.closing = true;
                c.out.clear();
                c.out.put(new FrameWriter(new Random(c.id)).encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, ""))
                        .withMask(0x1234567 + c.id)));
            }
            linkKey.cancel();
            selector.selectNow();
            link.closeAll(System.nanoTime() + CLOSE_MS * 1_000_000L, () -> all.stream().allMatch(c -> c.closeSeen));
        } else {
            for (Conn c : all) {
                c.closeHandshake(selector);
            }
        }

        long messages = countAtEnd - countAtStart;
        double seconds = (measuredEndNs - measuredStartNs) / 1e9;
        double serverCpu = serverPid > 0 ? (serverTicksEnd - serverTicksStart) / (double) clkTck : Double.NaN;
        double clientCpu = (selfTicksEnd - selfTicksStart) / (double) clkTck;
        double rate = messages / seconds;
        System.out.println(String.format(Locale.ROOT,
                "RESULT scenario=%s server=%s conns=%d inflight=%d size=%d opcode=%s deflate=%b seconds=%.3f messages=%d"
                        + " rate=%.1f server_cpu_s=%.2f client_cpu_s=%.2f per_server_cpu_s=%.1f mismatches=%d"
                        + " client_reads_per_msg=%.2f client_writes_per_msg=%.2f client_selects_per_msg=%.2f"
                        + " transport=%s tcp_conns=%d",
                scenario.isEmpty() ? "-" : scenario, label, conns, inflight, size, text ? "text" : "binary", deflate,
                seconds, messages, rate, serverCpu, clientCpu, messages / serverCpu, mismatches,
                (ioAtEnd[0] - ioAtStart[0]) / (double) messages, (ioAtEnd[1] - ioAtStart[1]) / (double) messages,
                (ioAtEnd[2] - ioAtStart[2]) / (double) messages, h2 ? "h2" : "h1", h2 ? 1 : conns)
                + (h2 ? String.format(Locale.ROOT, " h2_server_initial_window=%d h2_server_max_frame=%d"
                        + " h2_data_in_per_msg=%.2f h2_data_out_per_msg=%.2f h2_window_stalls_per_msg=%.3f",
                        link.serverInitialWindow(), link.serverMaxFrame(), (h2AtEnd[0] - h2AtStart[0]) / (double) messages,
                        (h2AtEnd[1] - h2AtStart[1]) / (double) messages, (h2AtEnd[2] - h2AtStart[2]) / (double) messages) : ""));
        return mismatches == 0 ? 0 : 1;
    }

    private long[] h2Counters() {
        return link == null ? new long[3] : new long[] {link.dataIn, link.dataOut, link.windowStalls};
    }

    /** Writes what the link can (DATA within the server's windows), and watches for writability while bytes wait. */
    private void flushLink() {
        if (link.flush()) {
            writes++;
        }
        int ops = link.hasOutput() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (linkKey.isValid() && linkKey.interestOps() != ops) {
            linkKey.interestOps(ops);
        }
    }

    /** utime+stime in clock ticks of a process ({@code pid} 0: this one), or 0 when unreadable. */
    private static long cpuTicks(long pid) {
        if (pid < 0) {
            return 0;
        }
        Path p = Path.of("/proc", pid == 0 ? "self" : Long.toString(pid), "stat");
        try {
            String s = Files.readString(p, StandardCharsets.US_ASCII);
            // the command name (field 2) may contain spaces; fields after it are space separated
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime field 15
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            System.err.println("EchoLoad: cannot read " + p + ": " + e);
            return 0;
        }
    }

    /** One WebSocket connection. */
    private final class Conn implements FrameListener, H2Link.Stream {
        final int id;
        SocketChannel ch;
        SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        final ByteBuffer out;
        FrameParser parser;
        int ringIndex;
        int outstanding;
        long echoes;
        long messageLength;
        int messageOpcode;
        boolean verifying;
        boolean messageOk;
        boolean closeSeen;
        String failure;

        Conn(int id) {
            this.id = id;
            // over HTTP/2 the link takes bytes from the front and compacts lazily: room for twice the backlog
            this.out = ByteBuffer.allocateDirect(Math.max(64 * 1024, (h2 ? 2 : 1) * (inflight + 4) * wireFrameMax));
            this.ringIndex = (id * 7) % RING;
        }

        /** Blocking connect and upgrade; leftovers after the 101 head are parsed as frames. */
        void connect() throws IOException {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(new InetSocketAddress(HOST, port), CONNECT_MS);
            ch.socket().setSoTimeout(CONNECT_MS);
            byte[] nonce = new byte[16];
            new Random(System.nanoTime() + id).nextBytes(nonce);
            String request = "GET /echo HTTP/1.1\r\nHost: " + HOST + ":" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n" : "")
                    + "\r\n";
            byte[] req = request.getBytes(StandardCharsets.ISO_8859_1);
            HttpHeadParser reqParser = new HttpHeadParser();
            reqParser.feed(req, 0, req.length);
            HttpHead reqHead = reqParser.head();
            ByteBuffer w = ByteBuffer.wrap(req);
            while (w.hasRemaining()) {
                ch.write(w);
            }
            // blocking read with the socket's timeout, through the stream adapter
            var input = ch.socket().getInputStream();
            HttpHeadParser resp = new HttpHeadParser();
            byte[] buf = new byte[4096];
            while (!resp.isDone()) {
                int n = input.read(buf);
                if (n < 0) {
                    throw new IOException("connection " + id + ": closed before the upgrade response");
                }
                int used = resp.feed(buf, 0, n);
                if (resp.isComplete()) {
                    startFrames(resp, reqHead);
                    if (used < n) {
                        parser.feed(buf, used, n - used);
                    }
                }
            }
            if (!resp.isComplete()) {
                throw new IOException("connection " + id + ": bad upgrade response: " + resp.error());
            }
        }

        private void startFrames(HttpHeadParser resp, HttpHead reqHead) throws IOException {
            HandshakeResult result = Handshake.check(reqHead, resp.head());
            if (!result.upgraded()) {
                throw new IOException("connection " + id + ": upgrade refused or invalid: status " + result.status()
                        + " " + result.problems());
            }
            if (deflate != (result.deflate() != null)) {
                throw new IOException("connection " + id + ": permessage-deflate "
                        + (deflate ? "was not accepted" : "was not offered but the server enabled it"));
            }
            parser = new FrameParser(Direction.S2C, deflate, this);
        }

        @Override
        public ByteBuffer out() {
            return out;
        }

        @Override
        public void opened() {
            parser = new FrameParser(Direction.S2C, false, this);
        }

        @Override
        public void data(byte[] buf, int off, int len) {
            feed(buf, off, len, sendingNow);
        }

        void queueOne() {
            out.put(ring[ringIndex]);
            ringIndex = (ringIndex + 1) % RING;
            outstanding++;
        }

        void flush() throws IOException {
            out.flip();
            try {
                if (ch.write(out) > 0) {
                    writes++;
                }
            } catch (IOException e) {
                failure = "write failed: " + e.getMessage();
            }
            out.compact();
            int ops = out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            if (key != null && key.isValid() && key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }

        void read(boolean sending) {
            int n;
            try {
                n = ch.read(in);
            } catch (IOException e) {
                failure = "read failed: " + e.getMessage();
                return;
            }
            if (n < 0) {
                failure = "the server closed the connection";
                key.cancel();
                return;
            }
            if (n == 0) {
                return;
            }
            reads++;
            feed(in.array(), 0, in.position(), sending);
            in.clear();
        }

        /**
         * WebSocket bytes from the server (a TCP read, or the payload of an HTTP/2 DATA frame of
         * this stream): parsed, and one new message queued per echo while sending.
         */
        void feed(byte[] buf, int off, int len, boolean sending) {
            long before = echoes;
            parser.feed(buf, off, len);
            long got = echoes - before;
            if (sending) {
                for (long k = 0; k < got; k++) {
                    queueOne();
                }
            }
        }

        @Override
        public void onFrameStart(Frame frame) {
            if (!frame.violations().isEmpty()) {
                failure = "echo frame breaks " + frame.violations().get(0);
            }
            if (frame.opcode() != Opcode.CONTINUATION && !frame.isControl()) {
                messageLength = 0;
                messageOpcode = frame.opcode();
                verifying = !deflate && echoes < VERIFY_FIRST;
                messageOk = true;
            }
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            if (frame.isControl()) {
                return;
            }
            if (verifying) {
                long at = messageLength + payloadPos;
                if (at + len > payload.length
                        || Arrays.mismatch(buf, off, off + len, payload, (int) at, (int) at + len) >= 0) {
                    messageOk = false;
                }
            }
        }

        @Override
        public void onFrameEnd(Frame frame) {
            if (frame.isControl()) {
                if (frame.opcode() == Opcode.CLOSE) {
                    closeSeen = true;
                    if (!closing) {
                        failure = "the server sent close " + frame.closeCode() + " " + frame.closeReason();
                    }
                }
                return;
            }
            if (!frame.violations().isEmpty()) {
                failure = "echo frame breaks " + frame.violations().get(0);
            }
            messageLength += frame.payloadLength();
            if (!frame.fin()) {
                return;
            }
            boolean ok = messageOk && messageOpcode == (text ? Opcode.TEXT : Opcode.BINARY)
                    && (deflate || messageLength == payload.length);
            if (!ok) {
                mismatches++;
                if (mismatches == 1) {
                    System.err.println("EchoLoad: connection " + id + ": echo " + echoes + " differs from what was sent"
                            + " (opcode " + messageOpcode + ", " + messageLength + " bytes)");
                }
            }
            echoes++;
            outstanding--;
            received++;
        }

        boolean closing;

        /** Close 1000 and wait (bounded) for the server's close or EOF. */
        void closeHandshake(Selector selector) {
            if (!key.isValid()) {
                return;
            }
            closing = true;
            try {
                out.clear();
                out.put(new FrameWriter(new Random(id)).encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, ""))
                        .withMask(0x1234567 + id)));
                out.flip();
                long until = System.nanoTime() + CLOSE_MS * 1_000_000L;
                while (out.hasRemaining() && System.nanoTime() < until) {
                    ch.write(out);
                }
                out.clear();
                key.cancel();
                selector.selectNow();
                ch.configureBlocking(true);
                ch.socket().setSoTimeout(CLOSE_MS);
                var input = ch.socket().getInputStream();
                byte[] buf = new byte[64 * 1024];
                while (!closeSeen && System.nanoTime() < until) {
                    int n = input.read(buf);
                    if (n < 0) {
                        break;
                    }
                    parser.feed(buf, 0, n);
                }
            } catch (IOException e) {
                // the server may hang up first: nothing to report once measured
            }
        }
    }
}
