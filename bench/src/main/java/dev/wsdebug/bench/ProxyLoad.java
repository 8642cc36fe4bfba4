package dev.wsdebug.bench;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load client for {@code bench/proxy.sh}: talks to a WebSocket echo server at 127.0.0.1:PORT,
 * directly or through a relay, with plain blocking sockets and the wire module's frame code.
 *
 * <pre>
 * throughput --port P [--conns 8] [--inflight 16] [--size 1024] [--warmup 2] [--seconds 10] [--bytes N]
 *     N connections keep K binary messages each in flight (every echo sends the next one).
 *     Prints msgs/s and payload MB/s over the measured window (after the warm-up); with --bytes the
 *     run ends once that many payload bytes came back (or after --seconds, whichever is first).
 * latency --port P [--rate 5000] [--conns 4] [--size 256] [--warmup 2] [--seconds 10]
 *     Sends binary messages at a fixed total rate, round-robin over the connections; each carries
 *     its scheduled send time (System.nanoTime) in its first 8 bytes, so a sender that falls behind
 *     is charged the delay (no coordinated omission). Prints round-trip percentiles in microseconds
 *     of the messages scheduled inside the measured window.
 * </pre>
 * Output: one line of key=value pairs on stdout (parsed by proxy.sh); problems go to stderr and give
 * exit status 1. Every phase is bounded in time; only 127.0.0.1 is ever contacted.
 */
public final class ProxyLoad {
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_SECONDS = 600;

    private ProxyLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage("a mode (throughput or latency) is required");
        }
        String mode = args[0];
        Options o = Options.parse(Arrays.copyOfRange(args, 1, args.length));
        String line;
        switch (mode) {
            case "throughput" -> line = throughput(o);
            case "latency" -> line = latency(o);
            default -> {
                usage("unknown mode " + mode);
                return;
            }
        }
        System.out.println(line);
        System.out.flush();
        // reader threads are daemons; nothing else keeps the JVM alive
        System.exit(line.contains("error=") ? 1 : 0);
    }

    private static void usage(String problem) {
        System.err.println("ProxyLoad: " + problem);
        System.err.println("usage: ProxyLoad throughput|latency --port P [--conns N] [--inflight K] [--size BYTES]"
                + " [--rate MSG/S] [--warmup S] [--seconds S] [--bytes N]");
        System.exit(2);
    }

    static final class Options {
        int port = -1;
        int conns = -1;
        int inflight = 16;
        int size = -1;
        int rate = 5000;
        double warmup = 2;
        double seconds = 10;
        long bytes = 0;

        static Options parse(String[] a) {
            Options o = new Options();
            for (int i = 0; i < a.length; i++) {
                if (i + 1 >= a.length) {
                    usage(a[i] + " needs a value");
                }
                String v = a[++i];
                switch (a[i - 1]) {
                    case "--port" -> o.port = Integer.parseInt(v);
                    case "--conns" -> o.conns = Integer.parseInt(v);
                    case "--inflight" -> o.inflight = Integer.parseInt(v);
                    case "--size" -> o.size = Integer.parseInt(v);
                    case "--rate" -> o.rate = Integer.parseInt(v);
                    case "--warmup" -> o.warmup = Double.parseDouble(v);
                    case "--seconds" -> o.seconds = Double.parseDouble(v);
                    case "--bytes" -> o.bytes = parseBytes(v);
                    default -> usage("unknown option " + a[i - 1]);
                }
            }
            if (o.port <= 0 || o.port > 65535) {
                usage("--port 1-65535 is required");
            }
            if (o.warmup < 0 || o.seconds <= 0 || o.warmup + o.seconds > MAX_SECONDS) {
                usage("--warmup + --seconds must be within 0-" + MAX_SECONDS + " s");
            }
            if (o.inflight < 1 || o.inflight > 1024 || o.rate < 1 || o.rate > 1_000_000) {
                usage("--inflight 1-1024, --rate 1-1000000");
            }
            return o;
        }

        static long parseBytes(String v) {
            String s = v.toUpperCase(Locale.ROOT);
            long mul = 1;
            if (s.endsWith("G")) {
                mul = 1L << 30;
            } else if (s.endsWith("M")) {
                mul = 1L << 20;
            } else if (s.endsWith("K")) {
                mul = 1L << 10;
            }
            return Long.parseLong(mul == 1 ? s : s.substring(0, s.length() - 1)) * mul;
        }
    }

    // ---------------------------------------------------------------- throughput

    private static String throughput(Options o) throws Exception {
        int conns = o.conns > 0 ? o.conns : 8;
        int size = o.size > 0 ? o.size : 1024;
        if (size < 1 || size > (16 << 20)) {
            usage("--size 1-16777216");
        }
        AtomicLong received = new AtomicLong();
        AtomicLong receivedBytes = new AtomicLong();
        List<Conn> all = new ArrayList<>();
        try {
            for (int i = 0; i < conns; i++) {
                all.add(Conn.open(o.port));
            }
            FrameWriter fw = new FrameWriter();
            byte[] payload = new byte[size];
            new SecureRandom().nextBytes(payload);
            // one masked frame, repeated inflight times: the bytes of any batch of echoes to answer
            byte[] one = fw.encode(FrameSpec.of(Opcode.BINARY, payload).withMask(fw.randomMaskKey()));
            byte[] batch = new byte[one.length * o.inflight];
            for (int k = 0; k < o.inflight; k++) {
                System.arraycopy(one, 0, batch, k * one.length, one.length);
            }
            long start = System.nanoTime();
            long end = start + secondsToNanos(o.warmup + o.seconds);
            for (Conn c : all) {
                c.startEcho(batch, one.length, received, receivedBytes, size);
            }
            long winStart = start + secondsToNanos(o.warmup);
            sleepUntil(winStart, all);
            long m0 = received.get();
            long b0 = receivedBytes.get();
            long t0 = System.nanoTime();
            // the window ends at --seconds, or earlier once --bytes came back after the warm-up
            while (System.nanoTime() < end && failure(all) == null
                    && (o.bytes <= 0 || receivedBytes.get() - b0 < o.bytes)) {
                LockSupport.parkNanos(2_000_000);
            }
            long m1 = received.get();
            long b1 = receivedBytes.get();
            long t1 = System.nanoTime();
            String fail = failure(all);
            for (Conn c : all) {
                c.stopSending();
            }
            double secs = (t1 - t0) / 1e9;
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "mode=throughput conns=%d inflight=%d size=%d seconds=%.3f"
                            + " msgs=%d msgs_per_s=%.0f payload_mb_per_s=%.1f bytes=%d",
                    conns, o.inflight, size, secs, m1 - m0, (m1 - m0) / secs, (b1 - b0) / secs / 1e6, b1 - b0));
            if (fail != null) {
                sb.append(" error=").append(fail.replace(' ', '_'));
            }
            return sb.toString();
        } finally {
            closeAll(all);
        }
    }

    // ---------------------------------------------------------------- latency

    private static String latency(Options o) throws Exception {
        int conns = o.conns > 0 ? o.conns : 4;
        int size = o.size > 0 ? o.size : 256;
        if (size < 8 || size > (1 << 20)) {
            usage("--size 8-1048576 for latency (the first 8 bytes carry the send time)");
        }
        long interval = 1_000_000_000L / o.rate;
        long total = (long) Math.ceil((o.warmup + o.seconds) * o.rate);
        long warmMsgs = (long) Math.ceil(o.warmup * o.rate);
        int perConn = (int) ((total - warmMsgs) / conns + 2);
        List<Conn> all = new ArrayList<>();
        try {
            for (int i = 0; i < conns; i++) {
                Conn c = Conn.open(o.port);
                c.samples = new long[perConn];
                all.add(c);
            }
            FrameWriter fw = new FrameWriter();
            int maskKey = fw.randomMaskKey();
            byte[] payload = new byte[size];
            new SecureRandom().nextBytes(payload);
            byte[] frame = new byte[FrameWriter.headerLength(size, 0, true) + size];
            long start = System.nanoTime() + 1_000_000;
            long measureFrom = start + warmMsgs * interval;
            for (Conn c : all) {
                c.startLatency(measureFrom);
            }
            long lateMax = 0;
            for (long n = 0; n < total; n++) {
                long due = start + n * interval;
                long now;
                while ((now = System.nanoTime()) < due) {
                    long gap = due - now;
                    if (gap > 60_000) {
                        LockSupport.parkNanos(gap - 50_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                lateMax = Math.max(lateMax, now - due);
                putLong(payload, 0, due);
                fw.write(FrameSpec.of(Opcode.BINARY, payload).withMask(maskKey), frame, 0);
                Conn c = all.get((int) (n % conns));
                if (!c.send(frame, 0, frame.length)) {
                    break;
                }
                if (n >= warmMsgs) {
                    c.expected++;
                }
            }
            long sendEnd = System.nanoTime();
            // wait for the echoes of everything scheduled in the window, bounded
            long drainUntil = sendEnd + DRAIN_NANOS;
            while (System.nanoTime() < drainUntil && failure(all) == null && !allIn(all)) {
                LockSupport.parkNanos(1_000_000);
            }
            String fail = failure(all);
            long expected = 0;
            int got = 0;
            // late echoes (a saturated relay) may still arrive: count each connection's samples once
            int[] counts = new int[all.size()];
            for (int i = 0; i < counts.length; i++) {
                Conn c = all.get(i);
                expected += c.expected;
                counts[i] = Math.min(c.count, c.samples.length);
                got += counts[i];
            }
            long[] s = new long[got];
            int p = 0;
            for (int i = 0; i < counts.length; i++) {
                System.arraycopy(all.get(i).samples, 0, s, p, counts[i]);
                p += counts[i];
            }
            Arrays.sort(s);
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "mode=latency conns=%d size=%d rate=%d seconds=%.1f expected=%d"
                            + " received=%d lost=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f"
                            + " sender_late_max_us=%.1f",
                    conns, size, o.rate, o.seconds, expected, got, expected - got,
                    pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), pct(s, 0.999),
                    s.length == 0 ? Double.NaN : s[s.length - 1] / 1e3, lateMax / 1e3));
            if (fail != null) {
                sb.append(" error=").append(fail.replace(' ', '_'));
            }
            return sb.toString();
        } finally {
            closeAll(all);
        }
    }

    private static boolean allIn(List<Conn> all) {
        for (Conn c : all) {
            if (c.count < c.expected) {
                return false;
            }
        }
        return true;
    }

    /** Nearest-rank percentile in microseconds. */
    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e3;
    }

    // ---------------------------------------------------------------- helpers

    private static long secondsToNanos(double s) {
        return (long) (s * 1e9);
    }

    private static void sleepUntil(long deadline, List<Conn> all) {
        long now;
        while ((now = System.nanoTime()) < deadline && failure(all) == null) {
            LockSupport.parkNanos(Math.min(deadline - now, 5_000_000));
        }
    }

    private static String failure(List<Conn> all) {
        for (Conn c : all) {
            if (c.failure != null) {
                return c.failure;
            }
        }
        return null;
    }

    private static void closeAll(List<Conn> all) {
        for (Conn c : all) {
            c.close();
        }
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** One client WebSocket connection: a socket, a reader thread, and a lock for writes. */
    static final class Conn implements FrameListener {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final byte[] leftover;
        final FrameParser parser = new FrameParser(Direction.S2C, false, this);
        volatile String failure;
        volatile boolean sending = true;
        volatile boolean closing;

        // throughput
        private byte[] batch;
        private int frameLen;
        private AtomicLong received;
        private AtomicLong receivedBytes;
        private int payloadSize;
        private int pending;

        // latency
        long[] samples;
        volatile int count;
        long expected;
        private long measureFrom;
        private final byte[] stamp = new byte[8];
        private boolean latencyMode;

        private Conn(Socket socket, byte[] leftover) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.leftover = leftover;
        }

        /** Connects to 127.0.0.1:port and completes the upgrade (no extensions offered). */
        static Conn open(int port) throws IOException {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                s.setSoTimeout(15_000);
                byte[] keyBytes = new byte[16];
                new SecureRandom().nextBytes(keyBytes);
                String key = Base64.getEncoder().encodeToString(keyBytes);
                String req = "GET /bench HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[16384];
                int fill = 0;
                int headEnd = -1;
                while (headEnd < 0) {
                    if (fill == buf.length) {
                        throw new IOException("response head larger than 16 KiB");
                    }
                    int r = in.read(buf, fill, buf.length - fill);
                    if (r < 0) {
                        throw new IOException("closed during the handshake");
                    }
                    fill += r;
                    for (int i = 3; i < fill; i++) {
                        if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
                            headEnd = i + 1;
                            break;
                        }
                    }
                }
                String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
                String status = head.substring(0, Math.max(0, head.indexOf('\r')));
                if (!status.matches("HTTP/1\\.1 101( .*)?")) {
                    throw new IOException("upgrade refused: " + status);
                }
                if (head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions")) {
                    throw new IOException("the server negotiated an extension although none was offered");
                }
                s.setSoTimeout(0);
                return new Conn(s, Arrays.copyOfRange(buf, headEnd, fill));
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        void startEcho(byte[] batch, int frameLen, AtomicLong received, AtomicLong receivedBytes, int payloadSize) {
            this.batch = batch;
            this.frameLen = frameLen;
            this.received = received;
            this.receivedBytes = receivedBytes;
            this.payloadSize = payloadSize;
            startReader();
            send(batch, 0, batch.length);
        }

        void startLatency(long measureFrom) {
            this.measureFrom = measureFrom;
            this.latencyMode = true;
            startReader();
        }

        private void startReader() {
            Thread t = new Thread(this::readLoop, "reader-" + socket.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        private void readLoop() {
            byte[] buf = new byte[256 * 1024];
            try {
                if (leftover.length > 0) {
                    onBytes(leftover, leftover.length);
                }
                int r;
                while ((r = in.read(buf)) >= 0) {
                    onBytes(buf, r);
                }
                if (!closing) {
                    failure = "the peer closed the TCP connection";
                }
            } catch (IOException e) {
                if (!closing) {
                    failure = "read failed: " + e.getMessage();
                }
            }
        }

        private void onBytes(byte[] b, int len) {
            parser.feed(b, 0, len);
            if (!latencyMode && pending > 0) {
                int n = pending;
                pending = 0;
                received.addAndGet(n);
                receivedBytes.addAndGet((long) n * payloadSize);
                if (sending) {
                    // answer each echo with one more message: the in-flight count stays constant
                    while (n > 0) {
                        int k = Math.min(n, batch.length / frameLen);
                        if (!send(batch, 0, k * frameLen)) {
                            return;
                        }
                        n -= k;
                    }
                }
            }
        }

        boolean send(byte[] b, int off, int len) {
            try {
                synchronized (out) {
                    out.write(b, off, len);
                }
                return true;
            } catch (IOException e) {
                if (!closing) {
                    failure = "write failed: " + e.getMessage();
                }
                return false;
            }
        }

        void stopSending() {
            sending = false;
        }

        @Override
        public void onFrameStart(Frame frame) {
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            if (latencyMode && payloadPos < 8) {
                int n = (int) Math.min(len, 8 - payloadPos);
                System.arraycopy(buf, off, stamp, (int) payloadPos, n);
            }
        }

        @Override
        public void onFrameEnd(Frame frame) {
            if (!frame.violations().isEmpty() && failure == null) {
                failure = "protocol violation from the server: " + frame.violations().get(0);
            }
            int op = frame.opcode();
            if (op == Opcode.CLOSE) {
                if (!closing) {
                    failure = "the server sent close " + frame.closeCode();
                }
                return;
            }
            if (frame.isControl() || !frame.fin()) {
                return;
            }
            if (latencyMode) {
                long now = System.nanoTime();
                long sent = getLong(stamp, 0);
                if (sent >= measureFrom) {
                    int i = count;
                    if (i < samples.length) {
                        samples[i] = now - sent;
                        count = i + 1;
                    }
                }
            } else {
                pending++;
            }
        }

        void close() {
            closing = true;
            sending = false;
            try {
                // a polite close frame, then the socket; the echo of the close is not awaited
                FrameWriter fw = new FrameWriter();
                byte[] f = fw.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "done"))
                        .withMask(fw.randomMaskKey()));
                socket.setSoTimeout(1000);
                synchronized (out) {
                    out.write(f);
                    out.flush();
                }
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
            try {
                LockSupport.parkNanos(20_000_000);
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
