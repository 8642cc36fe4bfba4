package dev.wsdebug.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.Deflater;

/**
 * Hostile clients for {@code bench/abuse.sh}, each case bounded in time, against one WebSocket
 * echo server (or a proxy in front of one) on 127.0.0.1, with a probe that checks all along that
 * the server still answers.
 *
 * <pre>
 * Abuse --port P --case CASE [--count N] [--size BYTES] [--seconds S] [--probe-timeout 5]
 * cases (defaults in brackets):
 *   big        [200 clients x 1 MiB] every client sends one binary message at the same moment, then reads
 *   nonread    [10 clients, 5 s] SO_RCVBUF 4 KiB, 64 KiB messages written as fast as the server takes
 *              them for --seconds, the echoes never read; then held 2 s more, then reset
 *   slowloris  [200 connections, 20 s] the upgrade request one byte per second
 *   bare       [3000 connections, 15 s] TCP connects (1000/s) that never send a byte
 *   huge       [10 clients x 16 MiB] as big
 *   bomb       [1 client, 15 s] permessage-deflate offered; one compressed message of about 1 MiB that
 *              inflates to --size (1 GiB) of zeros
 *   badframe   [15 s] two connections: a frame with RSV2 set and one with reserved opcode 0x3, each
 *              declaring a 1 GiB payload, then payload bytes trickled at 10 B/s; how long until the
 *              server fails the connection, and with which close code
 * </pre>
 * The probe: one WebSocket opened before the case ("held") sends a 16-byte text message every
 * second and waits for its echo; a second thread opens a fresh connection every second ("fresh":
 * TCP connect + upgrade + one echo). Each attempt has --probe-timeout seconds. After the hostile
 * clients are gone, one more held and one more fresh attempt ("after", 10 s each).
 * Output: one line {@code RESULT key=value ... hostile=<what the hostile clients saw>}; progress
 * on stderr. Only 127.0.0.1 is ever contacted.
 */
public final class Abuse {
    static final String HOST = "127.0.0.1";
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    static final List<String> CASES = List.of("big", "nonread", "slowloris", "bare", "huge", "bomb", "badframe");

    int port = -1;
    String kase;
    int count = -1;
    long size = -1;
    double seconds = -1;
    double probeTimeout = 5;
    double probeInterval = 1;

    public static void main(String[] args) throws Exception {
        Abuse a = new Abuse();
        try {
            a.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Abuse: " + e.getMessage());
            System.err.println("usage: Abuse --port P --case " + String.join("|", CASES)
                    + " [--count N] [--size BYTES] [--seconds S] [--probe-timeout S] [--probe-interval S]");
            System.exit(2);
        }
        System.out.println(a.run());
        System.out.flush();
        System.exit(0);
    }

    void parse(String[] a) {
        for (int i = 0; i < a.length; i++) {
            if (i + 1 >= a.length) {
                throw new IllegalArgumentException(a[i] + " needs a value");
            }
            String v = a[++i];
            try {
                switch (a[i - 1]) {
                    case "--port" -> port = Integer.parseInt(v);
                    case "--case" -> kase = v;
                    case "--count" -> count = Integer.parseInt(v);
                    case "--size" -> size = Long.parseLong(v);
                    case "--seconds" -> seconds = Double.parseDouble(v);
                    case "--probe-timeout" -> probeTimeout = Double.parseDouble(v);
                    case "--probe-interval" -> probeInterval = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown option " + a[i - 1]);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a[i - 1] + " needs a number, not " + v);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port 1-65535 is required");
        }
        if (kase == null || !CASES.contains(kase)) {
            throw new IllegalArgumentException("--case must be one of " + CASES);
        }
        switch (kase) {
            case "big" -> defaults(200, 1 << 20, 30);
            case "huge" -> defaults(10, 16 << 20, 30);
            case "nonread" -> defaults(10, 64 << 10, 5);
            case "slowloris" -> defaults(200, 0, 20);
            case "bare" -> defaults(3000, 0, 15);
            case "bomb" -> defaults(1, 1L << 30, 15);
            case "badframe" -> defaults(2, 1L << 30, 15);
            default -> throw new IllegalStateException();
        }
        if (count < 1 || count > 10_000 || seconds <= 0 || seconds > 120 || size < 0 || size > (4L << 30)
                || probeTimeout <= 0 || probeTimeout > 60 || probeInterval < 0.1 || probeInterval > 10) {
            throw new IllegalArgumentException("--count 1-10000, --seconds up to 120, --size up to 4 GiB,"
                    + " --probe-timeout up to 60 s, --probe-interval 0.1-10 s");
        }
        if ((kase.equals("big") || kase.equals("huge") || kase.equals("nonread")) && (size < 1 || size > (256 << 20))) {
            throw new IllegalArgumentException("--size must be 1 B - 256 MiB for " + kase);
        }
    }

    private void defaults(int c, long s, double secs) {
        if (count < 0) {
            count = c;
        }
        if (size < 0) {
            size = s;
        }
        if (seconds < 0) {
            seconds = secs;
        }
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    static void log(String s) {
        System.err.println("  [abuse] " + s);
    }

    static long now() {
        return System.nanoTime();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    String run() throws Exception {
        if (kase.equals("bomb")) {
            long tb = now();
            bombBytes = bomb();
            log(fmt("bomb: %s of zeros deflate to %d B (%.1f s to make)", human(size), bombBytes.length, (now() - tb) / 1e9));
        }
        Probe probe = new Probe();
        probe.start();
        String hostile;
        long t0 = now();
        try {
            hostile = switch (kase) {
                case "big", "huge" -> bigMessages();
                case "nonread" -> nonReaders();
                case "slowloris" -> slowloris();
                case "bare" -> bareConnects();
                case "bomb" -> deflateBomb();
                case "badframe" -> badFrames();
                default -> throw new IllegalStateException();
            };
        } catch (Exception e) {
            hostile = "the hostile client failed: " + e;
        }
        double caseSeconds = (now() - t0) / 1e9;
        probe.stop();
        Thread.sleep(1000);
        String after = probe.after();
        return fmt("RESULT case=%s count=%d size=%d case_seconds=%.1f %s %s hostile=%s", kase, count, size, caseSeconds,
                probe.summary(), after, hostile.replace('\n', ' '));
    }

    // ================================================================ a small blocking client

    /** One client WebSocket over a blocking socket. */
    static final class Ws implements Closeable {
        final Socket s;
        final InputStream in;
        final OutputStream out;
        final String head;

        private Ws(Socket s, InputStream in, String head) throws IOException {
            this.s = s;
            this.in = in;
            this.out = s.getOutputStream();
            this.head = head;
        }

        /** Connect and upgrade within timeoutMs; extra request header lines may be given. */
        static Ws open(int port, int timeoutMs, String extraHeaders) throws IOException {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.setSoLinger(true, 0);
                long deadline = now() + timeoutMs * 1_000_000L;
                s.connect(new InetSocketAddress(HOST, port), timeoutMs);
                s.setSoTimeout(timeoutMs);
                s.getOutputStream().write(request(port, extraHeaders));
                InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int state = 0;
                while (state < 4) {
                    if (now() > deadline) {
                        throw new SocketTimeoutException("upgrade not answered in time");
                    }
                    int b = in.read();
                    if (b < 0) {
                        throw new EOFException("closed before the upgrade answer");
                    }
                    head.write(b);
                    if (head.size() > 16384) {
                        throw new IOException("upgrade answer head too large");
                    }
                    state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                            : b == '\r' ? 1 : 0;
                }
                String h = head.toString(StandardCharsets.ISO_8859_1);
                String status = h.substring(0, Math.max(0, h.indexOf('\r')));
                if (!status.startsWith("HTTP/1.1 101")) {
                    throw new IOException("status " + (status.length() >= 12 ? status.substring(9, 12) : status));
                }
                if (!h.contains(ACCEPT)) {
                    throw new IOException("bad accept");
                }
                return new Ws(s, in, h);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        static byte[] request(int port, String extraHeaders) {
            return ("GET / HTTP/1.1\r\nHost: " + HOST + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        /** What came back: a data message (its size), or the end of the connection. */
        record Got(int opcode, long length, int closeCode, String end) {
            String describe() {
                if (end != null) {
                    return end;
                }
                if (opcode == 0x8) {
                    return "close-" + closeCode;
                }
                return "echoed";
            }
        }

        /**
         * Reads frames until a complete data message, a close frame, EOF or the socket timeout;
         * answers pings; payloads are counted, not kept (except a close frame's code).
         */
        Got readMessage() {
            byte[] scratch = new byte[64 * 1024];
            long messageLength = 0;
            try {
                while (true) {
                    int b0 = readByte();
                    int b1 = readByte();
                    int op = b0 & 0x0F;
                    long len = b1 & 0x7F;
                    if (len == 126) {
                        len = ((long) readByte() << 8) | readByte();
                    } else if (len == 127) {
                        len = 0;
                        for (int i = 0; i < 8; i++) {
                            len = (len << 8) | readByte();
                        }
                    }
                    if ((b1 & 0x80) != 0) {
                        return new Got(op, 0, 0, "masked-server-frame");
                    }
                    if (op == 0x8) {
                        byte[] p = new byte[(int) Math.min(len, 125)];
                        readFully(p, p.length);
                        int code = p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : 1005;
                        return new Got(op, len, code, null);
                    }
                    if (op == 0x9) {
                        byte[] p = new byte[(int) Math.min(len, 125)];
                        readFully(p, p.length);
                        send(0xA, p, false, 0);
                        continue;
                    }
                    long left = len;
                    while (left > 0) {
                        int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                        if (n < 0) {
                            throw new EOFException();
                        }
                        left -= n;
                    }
                    if (op == 0xA) {
                        continue;
                    }
                    messageLength += len;
                    if ((b0 & 0x80) != 0) {
                        return new Got(op, messageLength, 0, null);
                    }
                }
            } catch (SocketTimeoutException e) {
                return new Got(0, messageLength, 0, "timeout");
            } catch (EOFException e) {
                return new Got(0, messageLength, 0, "eof-without-close");
            } catch (IOException e) {
                return new Got(0, messageLength, 0, reason(e));
            }
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }

        private void readFully(byte[] b, int len) throws IOException {
            int off = 0;
            while (off < len) {
                int n = in.read(b, off, len - off);
                if (n < 0) {
                    throw new EOFException();
                }
                off += n;
            }
        }

        void send(int opcode, byte[] payload, boolean rsv1, int seed) throws IOException {
            out.write(frame(opcode, payload, 0, payload.length, rsv1, seed));
            out.flush();
        }

        @Override
        public void close() {
            try {
                s.close();
            } catch (IOException e) {
                // gone
            }
        }
    }

    static String reason(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof SocketTimeoutException || m.contains("timed out")) {
            return "timeout";
        }
        if (m.contains("refused")) {
            return "refused";
        }
        if (m.contains("reset")) {
            return "reset";
        }
        if (m.contains("Broken pipe")) {
            return "broken-pipe";
        }
        if (e instanceof EOFException) {
            return "eof";
        }
        if (m.startsWith("status ")) {
            return m.replace(' ', '-');
        }
        return m.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT);
    }

    /** A masked client frame with FIN set; the length is the given payload's. */
    static byte[] frame(int opcode, byte[] payload, int off, int len, boolean rsv1, int seed) {
        int hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
        byte[] f = new byte[hdr + 4 + len];
        f[0] = (byte) (0x80 | (rsv1 ? 0x40 : 0) | opcode);
        writeLength(f, len, hdr);
        int mask = seed * 0x9E3779B9 + 0x7F4A7C15;
        for (int i = 0; i < 4; i++) {
            f[hdr + i] = (byte) (mask >>> (24 - 8 * i));
        }
        for (int i = 0; i < len; i++) {
            f[hdr + 4 + i] = (byte) (payload[off + i] ^ f[hdr + (i & 3)]);
        }
        return f;
    }

    static void writeLength(byte[] f, long len, int hdr) {
        if (hdr == 2) {
            f[1] = (byte) (0x80 | len);
        } else if (hdr == 4) {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (len >>> 8);
            f[3] = (byte) len;
        } else {
            f[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) (len >>> (56 - 8 * i));
            }
        }
    }

    /** "a:3,b:1" ordered by count, descending. */
    static String tally(Map<String, Integer> m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<Map.Entry<String, Integer>> l = new ArrayList<>(m.entrySet());
        l.sort((x, y) -> y.getValue() - x.getValue());
        StringBuilder sb = new StringBuilder();
        for (var e : l) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getValue()).append(" ").append(e.getKey());
        }
        return sb.toString();
    }

    static String secondsRange(List<Double> l) {
        if (l.isEmpty()) {
            return "";
        }
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        if (s.get(s.size() - 1) < 1) {
            return fmt(" (after %.0f-%.0f ms, median %.0f ms)", s.get(0) * 1e3, s.get(s.size() - 1) * 1e3,
                    s.get(s.size() / 2) * 1e3);
        }
        return fmt(" (after %.1f-%.1f s, median %.1f s)", s.get(0), s.get(s.size() - 1), s.get(s.size() / 2));
    }

    // ================================================================ probe

    /** The held and fresh probes, each on its own thread. */
    final class Probe {
        final AtomicBoolean running = new AtomicBoolean(true);
        final int timeoutMs = (int) (probeTimeout * 1000);
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        volatile int freshOk;
        volatile int freshTotal;
        volatile long freshMax;
        volatile int heldOk;
        volatile int heldTotal;
        volatile long heldMax;
        volatile String heldAtStart = "ok";
        Ws held;
        Thread tf;
        Thread th;
        int seq;

        void start() throws InterruptedException {
            try {
                held = Ws.open(port, timeoutMs, "");
            } catch (IOException e) {
                heldAtStart = "could-not-connect-before-the-case:" + reason(e);
                log("probe: " + heldAtStart);
            }
            tf = new Thread(() -> loop(true), "probe-fresh");
            th = new Thread(() -> loop(false), "probe-held");
            tf.setDaemon(true);
            th.setDaemon(true);
            tf.start();
            th.start();
        }

        private void loop(boolean fresh) {
            long next = now();
            while (running.get()) {
                long t = now();
                if (t < next) {
                    sleepNanos(Math.min(next - t, 50_000_000L));
                    continue;
                }
                next = t + (long) (probeInterval * 1e9);
                long d = fresh ? fresh(timeoutMs) : held(timeoutMs);
                synchronized (this) {
                    if (fresh) {
                        freshTotal++;
                        if (d >= 0) {
                            freshOk++;
                            freshMax = Math.max(freshMax, d);
                        }
                    } else {
                        heldTotal++;
                        if (d >= 0) {
                            heldOk++;
                            heldMax = Math.max(heldMax, d);
                        }
                    }
                }
            }
        }

        /** A fresh connection, one echo; the nanoseconds it took, or -1. */
        long fresh(int timeout) {
            long t = now();
            try (Ws w = Ws.open(port, timeout, "")) {
                if (echo(w, timeout)) {
                    return now() - t;
                }
            } catch (IOException e) {
                failures.merge("fresh-" + reason(e), 1, Integer::sum);
            }
            return -1;
        }

        /** One echo on the held connection (reopened when it was lost); nanoseconds, or -1. */
        long held(int timeout) {
            if (held == null) {
                try {
                    held = Ws.open(port, timeout, "");
                    failures.merge("held-reopened", 1, Integer::sum);
                } catch (IOException e) {
                    failures.merge("held-reopen-" + reason(e), 1, Integer::sum);
                    return -1;
                }
            }
            long t = now();
            if (echo(held, timeout)) {
                return now() - t;
            }
            held.close();
            held = null;
            return -1;
        }

        private boolean echo(Ws w, int timeout) {
            String kind = w == held ? "held" : "fresh";
            try {
                byte[] p = fmt("probe %010d", ++seq & 0x3fffffff).getBytes(StandardCharsets.US_ASCII);
                w.s.setSoTimeout(timeout);
                long deadline = now() + timeout * 1_000_000L;
                w.send(0x1, p, false, seq);
                while (now() < deadline) {
                    Ws.Got g = w.readMessage();
                    if (g.end() == null && g.opcode() != 0x8 && g.length() == p.length) {
                        return true;
                    }
                    if (g.end() != null || g.opcode() == 0x8) {
                        failures.merge(kind + "-" + g.describe(), 1, Integer::sum);
                        return false;
                    }
                }
                failures.merge(kind + "-timeout", 1, Integer::sum);
            } catch (IOException e) {
                failures.merge(kind + "-" + reason(e), 1, Integer::sum);
            }
            return false;
        }

        void stop() throws InterruptedException {
            running.set(false);
            tf.join(timeoutMs + 2000L);
            th.join(timeoutMs + 2000L);
        }

        /** One more held and one fresh attempt, 10 s each, once the hostile clients are gone. */
        String after() {
            long h = held(10_000);
            long f = fresh(10_000);
            if (held != null) {
                held.close();
            }
            return fmt("after_held_ms=%s after_fresh_ms=%s", h < 0 ? "fail" : fmt("%.1f", ms(h)),
                    f < 0 ? "fail" : fmt("%.1f", ms(f)));
        }

        synchronized String summary() {
            return fmt("probe_held=%d/%d probe_held_max_ms=%.1f probe_fresh=%d/%d probe_fresh_max_ms=%.1f probe_start=%s"
                            + " probe_failures=%s", heldOk, heldTotal, ms(heldMax), freshOk, freshTotal, ms(freshMax),
                    heldAtStart, failures.isEmpty() ? "-" : tally(new TreeMap<>(failures)).replace(", ", ",").replace(' ', ':'));
        }
    }

    static void sleepNanos(long n) {
        try {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, n));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ================================================================ (a) and (e): big messages

    /** count clients, each one message of size bytes, all written at the same moment. */
    String bigMessages() throws Exception {
        int timeoutMs = (int) (seconds * 1000);
        List<Ws> ws = new ArrayList<>();
        Map<String, Integer> openFail = new TreeMap<>();
        long deadline = now() + 10_000_000_000L;
        for (int i = 0; i < count && now() < deadline; i++) {
            try {
                ws.add(Ws.open(port, 5000, ""));
            } catch (IOException e) {
                openFail.merge(reason(e), 1, Integer::sum);
            }
        }
        log(fmt("%s: %d of %d connections upgraded; sending %d x %d B", kase, ws.size(), count, ws.size(), size));
        byte[] payload = new byte[(int) size];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 11));
        }
        byte[] f = frame(0x2, payload, 0, payload.length, false, 42);
        payload = null;
        CountDownLatch go = new CountDownLatch(1);
        // per client: its outcome once known (read only after the deadline), and whether its write completed
        String[] result = new String[ws.size()];
        double[] at = new double[ws.size()];
        boolean[] written = new boolean[ws.size()];
        List<Thread> threads = new ArrayList<>();
        long[] start = new long[1];
        for (int i = 0; i < ws.size(); i++) {
            Ws w = ws.get(i);
            int k = i;
            Thread t = new Thread(() -> {
                String d;
                try {
                    go.await();
                    w.s.setSoTimeout(timeoutMs + 5000);
                    w.out.write(f);
                    w.out.flush();
                    synchronized (result) {
                        written[k] = true;
                    }
                    Ws.Got g = w.readMessage();
                    d = g.describe();
                    if (d.equals("echoed") && g.length() != size) {
                        d = "echo-of-wrong-length-" + g.length();
                    }
                } catch (IOException e) {
                    d = "write-failed-" + reason(e);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (result) {
                    result[k] = d;
                    at[k] = (now() - start[0]) / 1e9;
                }
            }, "big-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        start[0] = now();
        go.countDown();
        long end = start[0] + (long) (seconds * 1e9);
        for (Thread t : threads) {
            t.join(Math.max(1, (end - now()) / 1_000_000L));
        }
        Map<String, Integer> outcome = new TreeMap<>();
        List<Double> times = new ArrayList<>();
        synchronized (result) {
            for (int i = 0; i < result.length; i++) {
                if (result[i] != null) {
                    outcome.merge(result[i], 1, Integer::sum);
                    times.add(at[i]);
                } else {
                    outcome.merge((written[i] ? "no-answer-within-" : "write-not-taken-within-") + (long) seconds + "s", 1,
                            Integer::sum);
                }
            }
        }
        for (Ws w : ws) {
            w.close(); // unblocks a write the server never took (its late outcome is no longer counted)
        }
        for (Thread t : threads) {
            t.join(2000);
        }
        String opened = openFail.isEmpty() ? "" : fmt("; %d could not connect (%s)", count - ws.size(), tally(openFail));
        return fmt("%d x %s: %s%s%s", ws.size(), human(size), tally(outcome), secondsRange(times), opened);
    }

    static String human(long b) {
        if (b >= (1L << 30) && b % (1L << 30) == 0) {
            return (b >> 30) + " GiB";
        }
        if (b >= (1 << 20) && b % (1 << 20) == 0) {
            return (b >> 20) + " MiB";
        }
        if (b >= 1024 && b % 1024 == 0) {
            return (b >> 10) + " KiB";
        }
        return b + " B";
    }

    // ================================================================ (b) non-reading clients

    String nonReaders() throws Exception {
        List<SocketChannel> chans = new ArrayList<>();
        Map<String, Integer> openFail = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.socket().connect(new InetSocketAddress(HOST, port), 5000);
                ch.socket().setSoTimeout(5000);
                ch.socket().getOutputStream().write(Ws.request(port, ""));
                // read exactly the response head, byte by byte, so that no echo is read by accident later
                InputStream in = ch.socket().getInputStream();
                int state = 0;
                StringBuilder head = new StringBuilder();
                while (state < 4) {
                    int b = in.read();
                    if (b < 0) {
                        throw new EOFException();
                    }
                    head.append((char) b);
                    state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                            : b == '\r' ? 1 : 0;
                }
                if (!head.toString().startsWith("HTTP/1.1 101")) {
                    throw new IOException("status " + head.substring(9, Math.min(12, head.length())));
                }
                chans.add(ch);
            } catch (IOException e) {
                openFail.merge(reason(e), 1, Integer::sum);
                ch.close();
            }
        }
        byte[] payload = new byte[(int) size];
        Arrays.fill(payload, (byte) 'x');
        byte[] f = frame(0x2, payload, 0, payload.length, false, 7);
        Selector sel = Selector.open();
        ByteBuffer[] bufs = new ByteBuffer[chans.size()];
        long[] written = new long[chans.size()];
        long[] writtenAtLastSecond = new long[chans.size()];
        String[] ended = new String[chans.size()];
        for (int i = 0; i < chans.size(); i++) {
            SocketChannel ch = chans.get(i);
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_WRITE, i);
            bufs[i] = ByteBuffer.wrap(f);
        }
        log(fmt("nonread: %d clients writing %s messages for %.0f s without reading", chans.size(), human(size), seconds));
        long t0 = now();
        long end = t0 + (long) (seconds * 1e9);
        boolean marked = false;
        while (now() < end && sel.keys().size() > 0) {
            if (!marked && now() > end - 1_000_000_000L) {
                marked = true;
                writtenAtLastSecond = written.clone();
            }
            sel.select(100);
            for (SelectionKey k : sel.selectedKeys()) {
                int i = (Integer) k.attachment();
                try {
                    int n;
                    do {
                        n = chans.get(i).write(bufs[i]);
                        written[i] += n;
                        if (!bufs[i].hasRemaining()) {
                            bufs[i].rewind();
                        }
                    } while (n > 0);
                } catch (IOException e) {
                    ended[i] = reason(e) + fmt("-after-%.1fs", (now() - t0) / 1e9);
                    k.cancel();
                }
            }
            sel.selectedKeys().clear();
        }
        // hold them 2 s more, still not reading
        sleepNanos(2_000_000_000L);
        long total = 0;
        long max = 0;
        int stalled = 0;
        Map<String, Integer> ends = new TreeMap<>();
        for (int i = 0; i < chans.size(); i++) {
            total += written[i];
            max = Math.max(max, written[i]);
            if (ended[i] != null) {
                ends.merge(ended[i], 1, Integer::sum);
            } else if (written[i] == writtenAtLastSecond[i]) {
                stalled++;
            }
            chans.get(i).close();
        }
        sel.close();
        String opened = openFail.isEmpty() ? "" : fmt("; %d could not connect (%s)", count - chans.size(), tally(openFail));
        return fmt("%d clients wrote %.1f MB in %.0f s (at most %.1f MB each); writes stalled in the last second"
                        + " (server stopped reading): %d of %d; connections failed: %s%s",
                chans.size(), total / 1e6, seconds, max / 1e6, stalled, chans.size(), ends.isEmpty() ? "none" : tally(ends),
                opened);
    }

    // ================================================================ (c) slowloris and (d) bare connects

    /** Non-blocking connects at up to 1000/s; those that connected within 5 s are returned. */
    private List<SocketChannel> connectMany(Selector sel, Map<String, Integer> fail) throws IOException {
        List<SocketChannel> ok = new ArrayList<>();
        List<SocketChannel> pending = new ArrayList<>();
        long t0 = now();
        for (int i = 0; i < count; i++) {
            long due = t0 + i * 1_000_000L;
            sleepNanos(due - now());
            SocketChannel ch = SocketChannel.open();
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                if (ch.connect(new InetSocketAddress(HOST, port))) {
                    ok.add(ch);
                } else {
                    ch.register(sel, SelectionKey.OP_CONNECT);
                    pending.add(ch);
                }
            } catch (IOException e) {
                fail.merge(reason(e), 1, Integer::sum);
                ch.close();
            }
            if (i % 100 == 99) {
                finishConnects(sel, ok, fail, 0);
            }
        }
        long until = now() + 5_000_000_000L;
        while (sel.keys().size() > 0 && now() < until) {
            finishConnects(sel, ok, fail, 100);
        }
        for (SelectionKey k : sel.keys()) {
            fail.merge("connect-timeout", 1, Integer::sum);
            k.channel().close();
        }
        sel.selectNow();
        return ok;
    }

    private static void finishConnects(Selector sel, List<SocketChannel> ok, Map<String, Integer> fail, long waitMs)
            throws IOException {
        if (waitMs > 0) {
            sel.select(waitMs);
        } else {
            sel.selectNow();
        }
        for (SelectionKey k : sel.selectedKeys()) {
            SocketChannel ch = (SocketChannel) k.channel();
            k.cancel();
            try {
                ch.finishConnect();
                ok.add(ch);
            } catch (IOException e) {
                fail.merge(reason(e), 1, Integer::sum);
                ch.close();
            }
        }
        sel.selectedKeys().clear();
    }

    /** What the server did to idle/slow connections: closed (when), answered (status), or nothing. */
    private final class Watch {
        final List<SocketChannel> chans;
        final String[] ended;
        final List<Double> closeTimes = new ArrayList<>();
        final Map<String, Integer> how = new TreeMap<>();
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        final long t0;

        Watch(List<SocketChannel> chans, long t0) {
            this.chans = chans;
            this.ended = new String[chans.size()];
            this.t0 = t0;
        }

        /** Polls every open channel once (non-blocking reads). */
        void poll() {
            for (int i = 0; i < chans.size(); i++) {
                if (ended[i] != null) {
                    continue;
                }
                SocketChannel ch = chans.get(i);
                try {
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        end(i, "closed-by-server");
                    } else if (n > 0) {
                        String s = new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1);
                        String what = s.startsWith("HTTP/") && s.length() >= 12 ? "answered-" + s.substring(9, 12) : "sent-bytes";
                        end(i, what);
                    }
                } catch (IOException e) {
                    end(i, reason(e));
                }
            }
        }

        void end(int i, String what) {
            ended[i] = what;
            how.merge(what, 1, Integer::sum);
            closeTimes.add((now() - t0) / 1e9);
        }

        int open() {
            int n = 0;
            for (String e : ended) {
                n += e == null ? 1 : 0;
            }
            return n;
        }
    }

    String slowloris() throws Exception {
        Selector sel = Selector.open();
        Map<String, Integer> fail = new TreeMap<>();
        List<SocketChannel> chans = connectMany(sel, fail);
        sel.close();
        byte[] req = Ws.request(port, "");
        long t0 = now();
        Watch w = new Watch(chans, t0);
        log(fmt("slowloris: %d connected, sending the %d-byte upgrade request one byte per second for %.0f s", chans.size(),
                req.length, seconds));
        long end = t0 + (long) (seconds * 1e9);
        int sent = 0;
        long nextByte = t0;
        while (now() < end) {
            if (now() >= nextByte && sent < req.length) {
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int i = 0; i < chans.size(); i++) {
                    if (w.ended[i] == null) {
                        one.clear();
                        one.put(req[sent]).flip();
                        try {
                            chans.get(i).write(one);
                        } catch (IOException e) {
                            w.end(i, reason(e));
                        }
                    }
                }
                sent++;
                nextByte += 1_000_000_000L;
            }
            w.poll();
            sleepNanos(100_000_000L);
        }
        int stillOpen = w.open();
        for (SocketChannel ch : chans) {
            ch.close();
        }
        String failed = fail.isEmpty() ? "" : fmt("; %d could not connect (%s)", count - chans.size(), tally(fail));
        return fmt("%d connected, %d bytes of %d sent each; ended by the server: %d%s%s; still open after %.0f s: %d%s",
                chans.size(), sent, req.length, chans.size() - stillOpen, w.how.isEmpty() ? "" : " (" + tally(w.how) + ")",
                secondsRange(w.closeTimes), seconds, stillOpen, failed);
    }

    String bareConnects() throws Exception {
        Selector sel = Selector.open();
        Map<String, Integer> fail = new TreeMap<>();
        long t0 = now();
        List<SocketChannel> chans = connectMany(sel, fail);
        sel.close();
        log(fmt("bare: %d of %d connected in %.1f s; holding them without a byte until %.0f s", chans.size(), count,
                (now() - t0) / 1e9, seconds));
        Watch w = new Watch(chans, t0);
        long end = t0 + (long) (seconds * 1e9);
        while (now() < end) {
            w.poll();
            sleepNanos(250_000_000L);
        }
        int stillOpen = w.open();
        for (SocketChannel ch : chans) {
            ch.close();
        }
        return fmt("%d of %d connected%s; ended by the server: %d%s%s; still open after %.0f s: %d", chans.size(), count,
                fail.isEmpty() ? "" : " (failed: " + tally(fail) + ")", chans.size() - stillOpen,
                w.how.isEmpty() ? "" : " (" + tally(w.how) + ")", secondsRange(w.closeTimes), seconds, stillOpen);
    }

    // ================================================================ (f) deflate bomb

    byte[] bombBytes;

    /** Raw DEFLATE of `size` zero bytes, sync-flushed, without the trailing 00 00 ff ff (RFC 7692). */
    byte[] bomb() {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream out = new ByteArrayOutputStream(2 << 20);
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(zeros.length, left);
            d.setInput(zeros, 0, n);
            left -= n;
            while (!d.needsInput()) {
                int k = d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
                out.write(buf, 0, k);
            }
        }
        int k;
        do {
            k = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, k);
        } while (k == buf.length);
        d.end();
        byte[] b = out.toByteArray();
        int n = b.length;
        if (n >= 4 && b[n - 4] == 0 && b[n - 3] == 0 && (b[n - 2] & 0xFF) == 0xFF && (b[n - 1] & 0xFF) == 0xFF) {
            n -= 4;
        }
        return Arrays.copyOf(b, n);
    }

    String deflateBomb() throws Exception {
        byte[] compressed = bombBytes;
        Map<String, Integer> outcome = new TreeMap<>();
        List<Double> times = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int timeoutMs = (int) (seconds * 1000);
        List<Ws> all = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < count; i++) {
            int seed = i;
            Thread t = new Thread(() -> {
                String res;
                long t0 = now();
                try (Ws w = Ws.open(port, 5000, "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
                    all.add(w);
                    if (!w.head.toLowerCase(Locale.ROOT).contains("permessage-deflate")) {
                        res = "deflate-not-negotiated";
                    } else {
                        w.s.setSoTimeout(timeoutMs);
                        t0 = now();
                        try {
                            w.out.write(frame(0x2, compressed, 0, compressed.length, true, seed));
                            w.out.flush();
                            Ws.Got g = w.readMessage();
                            res = g.describe();
                            if (res.equals("echoed")) {
                                res = "echoed-" + g.length() + "-B-compressed";
                            }
                        } catch (IOException e) {
                            res = "write-failed-" + reason(e);
                        }
                    }
                } catch (IOException e) {
                    res = "could-not-connect-" + reason(e);
                }
                synchronized (outcome) {
                    outcome.merge(res, 1, Integer::sum);
                    times.add((now() - t0) / 1e9);
                }
            }, "bomb-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long end = now() + (long) ((seconds + 6) * 1e9);
        for (Thread t : threads) {
            t.join(Math.max(1, (end - now()) / 1_000_000L));
        }
        synchronized (all) {
            for (Ws w : all) {
                w.close();
            }
        }
        synchronized (outcome) {
            return fmt("%d x %s compressed to %.2f MB: %s%s", count, human(size), compressed.length / 1e6, tally(outcome),
                    secondsRange(times));
        }
    }

    // ================================================================ (g) bad frame header + trickle

    String badFrames() throws Exception {
        String[] variants = {"rsv2", "opcode3"};
        // per variant: outcome -> count, and the times (ms) until the server's verdict
        Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
        Map<String, List<Double>> times = new TreeMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String v = variants[i % variants.length];
            int seed = i;
            Thread t = new Thread(() -> {
                double[] ms = {-1};
                String r = badFrame(v, seed, ms);
                synchronized (outcomes) {
                    outcomes.computeIfAbsent(v, k -> new TreeMap<>()).merge(r, 1, Integer::sum);
                    if (ms[0] >= 0) {
                        times.computeIfAbsent(v, k -> new ArrayList<>()).add(ms[0] / 1000);
                    }
                }
            }, "bad-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join((long) (seconds * 1000) + 8000);
        }
        synchronized (outcomes) {
            List<String> parts = new ArrayList<>();
            for (var e : outcomes.entrySet()) {
                List<Double> ts = times.getOrDefault(e.getKey(), List.of());
                parts.add(e.getKey() + ": " + tally(e.getValue()) + secondsRange(ts));
            }
            return String.join("; ", parts);
        }
    }

    /** One bad frame; the outcome, and in ms[0] the time from the header to the server's verdict. */
    private String badFrame(String variant, int seed, double[] ms) {
        try (Ws w = Ws.open(port, 5000, "")) {
            byte[] h = new byte[14];
            h[0] = (byte) (variant.equals("rsv2") ? 0x80 | 0x20 | 0x2 : 0x80 | 0x3);
            writeLength(h, size, 10);
            int mask = seed * 0x9E3779B9 + 0x7F4A7C15;
            for (int i = 0; i < 4; i++) {
                h[10 + i] = (byte) (mask >>> (24 - 8 * i));
            }
            AtomicBoolean done = new AtomicBoolean();
            long t0 = now();
            w.out.write(h);
            w.out.flush();
            // trickle payload bytes at 10 B/s from another thread while this one waits for the verdict
            Thread trickle = new Thread(() -> {
                long sent = 0;
                while (!done.get() && now() - t0 < seconds * 1e9) {
                    sleepNanos(100_000_000L);
                    try {
                        w.out.write(h[10 + (int) (sent++ & 3)] ^ 'x');
                        w.out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "trickle");
            trickle.setDaemon(true);
            trickle.start();
            w.s.setSoTimeout((int) (seconds * 1000));
            Ws.Got g = w.readMessage();
            done.set(true);
            String d = g.describe();
            if (d.equals("timeout")) {
                return fmt("nothing from the server within %.0f s (payload still trickling)", seconds);
            }
            ms[0] = ms(now() - t0);
            if (g.opcode() == 0x8 && g.end() == null) {
                // the TCP close that should follow
                w.s.setSoTimeout(2000);
                Ws.Got rest = w.readMessage();
                String then = rest.describe();
                return d + (then.equals("eof-without-close") ? " + TCP close" : " then " + then);
            }
            return d;
        } catch (IOException e) {
            return "could not connect: " + reason(e);
        }
    }
}
