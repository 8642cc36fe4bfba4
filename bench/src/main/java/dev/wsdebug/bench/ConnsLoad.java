package dev.wsdebug.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Load client for {@code bench/conns.sh}: opens many idle WebSocket connections to one server on
 * 127.0.0.1, keeps them open, and on command sends one message on each and counts the echoes.
 *
 * <p>One process cannot hold 20,000 sockets here (the hard limit of open files is 20,000 per
 * process), so the <em>driver</em> (the process started by the script) starts
 * {@code ceil(n / per-proc)} <em>child</em> JVMs, each opening its share from its own source
 * address (127.0.1.2, 127.0.1.3, ...: every child has the whole ephemeral port range to itself),
 * and sums up what they report.
 *
 * <pre>
 * ConnsLoad --port P --n N [--rate 1000] [--inflight 200] [--per-proc 5000] [--open-timeout S]
 *           [--handshake-timeout 30] [--echo-timeout 30] [--max-failed 500] [--source-prefix 127.0.1]
 * </pre>
 *
 * <ul>
 *   <li>Open phase (starts at once): connections are opened at most {@code --rate} per second in
 *   total, with at most {@code --inflight} handshakes outstanding; each must be upgraded (101 with
 *   the right {@code Sec-WebSocket-Accept}, no extension) within {@code --handshake-timeout} s. The
 *   phase ends when all are open or failed, after {@code --open-timeout} s (default N / rate + 60),
 *   or once {@code --max-failed} have failed (the rest are then not attempted). Progress lines
 *   ({@code PROGRESS ...}) every second, then one {@code OPENED ...} line.</li>
 *   <li>Then commands on stdin, one per line: {@code status} (how many are still open, how many the
 *   server closed and with which codes: a {@code STATUS ...} line), {@code echo} (a 16-byte text
 *   message on every open connection; the echoes of the next {@code --echo-timeout} s are counted:
 *   an {@code ECHOED ...} line), {@code quit} or end of input (every socket is closed with a TCP
 *   reset, SO_LINGER 0, so that nothing is left in TIME_WAIT; the children exit).</li>
 * </ul>
 * Server pings are answered, server close frames are answered and counted. Only 127.0.0.0/8 is
 * ever contacted. Every wait is bounded.
 */
public final class ConnsLoad {
    static final String HOST = "127.0.0.1";
    /** RFC 6455's sample key: servers do not care that every connection uses the same one. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    static final int ECHO_SIZE = 16;
    static final int MAX_HEAD = 8192;
    static final int MAX_FRAME = 1 << 20;

    int port = -1;
    int n = -1;
    double rate = 1000;
    int inflight = 200;
    int perProc = 5000;
    double openTimeout = -1;
    double handshakeTimeout = 30;
    double echoTimeout = 30;
    int maxFailed = 500;
    String sourcePrefix = "127.0.1";
    String source;
    boolean child;

    public static void main(String[] args) throws Exception {
        ConnsLoad o = new ConnsLoad();
        try {
            o.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ConnsLoad: " + e.getMessage());
            System.err.println("usage: ConnsLoad --port P --n N [--rate R] [--inflight H] [--per-proc M] [--open-timeout S]"
                    + " [--handshake-timeout S] [--echo-timeout S] [--max-failed F] [--source-prefix 127.A.B]");
            System.exit(2);
        }
        if (o.child) {
            System.exit(new Child(o).run());
        } else {
            System.exit(new Driver(o).run());
        }
    }

    void parse(String[] a) {
        for (int i = 0; i < a.length; i++) {
            String k = a[i];
            if (k.equals("--child")) {
                child = true;
                continue;
            }
            if (i + 1 >= a.length) {
                throw new IllegalArgumentException(k + " needs a value");
            }
            String v = a[++i];
            try {
                switch (k) {
                    case "--port" -> port = Integer.parseInt(v);
                    case "--n" -> n = Integer.parseInt(v);
                    case "--rate" -> rate = Double.parseDouble(v);
                    case "--inflight" -> inflight = Integer.parseInt(v);
                    case "--per-proc" -> perProc = Integer.parseInt(v);
                    case "--open-timeout" -> openTimeout = Double.parseDouble(v);
                    case "--handshake-timeout" -> handshakeTimeout = Double.parseDouble(v);
                    case "--echo-timeout" -> echoTimeout = Double.parseDouble(v);
                    case "--max-failed" -> maxFailed = Integer.parseInt(v);
                    case "--source-prefix" -> sourcePrefix = v;
                    case "--source" -> source = v;
                    default -> throw new IllegalArgumentException("unknown option " + k);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " needs a number, not " + v);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port 1-65535 is required");
        }
        if (n < 0 || n > 1_000_000) {
            throw new IllegalArgumentException("--n 0-1000000 is required");
        }
        if (!(rate > 0) || inflight < 1 || perProc < 1 || perProc > 60_000 || maxFailed < 1) {
            throw new IllegalArgumentException("--rate, --inflight, --max-failed must be positive, --per-proc 1-60000");
        }
        if (openTimeout < 0) {
            openTimeout = n / rate + 60;
        }
        if (!(handshakeTimeout > 0) || !(echoTimeout > 0) || openTimeout > 3600 || echoTimeout > 600 || handshakeTimeout > 600) {
            throw new IllegalArgumentException("timeouts must be positive (open at most 3600 s, echo and handshake 600 s)");
        }
        if (!sourcePrefix.matches("127\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("--source-prefix must be 127.A.B (loopback only)");
        }
        if (source != null && !source.startsWith("127.")) {
            throw new IllegalArgumentException("--source must be a loopback address");
        }
    }

    static long now() {
        return System.nanoTime();
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    /** key=value tokens of a result line (the first token is its kind). */
    static Map<String, String> kv(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : line.trim().split(" +")) {
            int eq = t.indexOf('=');
            if (eq > 0) {
                m.put(t.substring(0, eq), t.substring(eq + 1));
            }
        }
        return m;
    }

    /** "a:1,b:2" + counts, merged. */
    static void mergeCounts(Map<String, Long> into, String s) {
        if (s == null || s.isEmpty() || s.equals("-")) {
            return;
        }
        for (String p : s.split(",")) {
            int c = p.lastIndexOf(':');
            if (c > 0) {
                into.merge(p.substring(0, c), Long.parseLong(p.substring(c + 1)), Long::sum);
            }
        }
    }

    static String counts(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (var e : m.entrySet()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.getKey().replace(' ', '_').replace(',', ';')).append(':').append(e.getValue());
        }
        return sb.toString();
    }

    // ================================================================ driver

    /** Starts the children, prints their summed progress and results, forwards stdin commands. */
    static final class Driver {
        final ConnsLoad o;
        final List<Kid> kids = new ArrayList<>();
        final PrintStream out = System.out;

        Driver(ConnsLoad o) {
            this.o = o;
        }

        static final class Kid {
            int index;
            int share;
            Process process;
            Writer in;
            final BlockingQueue<String> results = new LinkedBlockingQueue<>();
            volatile String progress = "";
            volatile boolean dead;
        }

        int run() throws Exception {
            int procs = Math.max(1, (o.n + o.perProc - 1) / o.perProc);
            if (procs > 250) {
                System.err.println("ConnsLoad: " + procs + " client processes is too many; raise --per-proc");
                return 2;
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("java.class.path");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Kid k : kids) {
                    k.process.destroyForcibly();
                }
            }));
            for (int i = 0; i < procs; i++) {
                Kid k = new Kid();
                k.index = i;
                k.share = o.n / procs + (i < o.n % procs ? 1 : 0);
                List<String> cmd = new ArrayList<>(List.of(java, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1", "-Xss512k", "-cp", cp, ConnsLoad.class.getName(), "--child",
                        "--port", Integer.toString(o.port), "--n", Integer.toString(k.share),
                        "--rate", fmt("%.3f", o.rate * k.share / Math.max(1, o.n)),
                        "--inflight", Integer.toString(Math.max(1, o.inflight / procs)),
                        "--open-timeout", fmt("%.1f", o.openTimeout),
                        "--handshake-timeout", fmt("%.1f", o.handshakeTimeout),
                        "--echo-timeout", fmt("%.1f", o.echoTimeout),
                        "--max-failed", Integer.toString(Math.max(1, o.maxFailed / procs)),
                        "--source", o.sourcePrefix + "." + (i + 2)));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
                k.process = pb.start();
                k.in = new OutputStreamWriter(k.process.getOutputStream(), StandardCharsets.US_ASCII);
                kids.add(k);
                Thread t = new Thread(() -> readKid(k), "kid-" + i);
                t.setDaemon(true);
                t.start();
            }
            out.println(fmt("START n=%d procs=%d rate=%.0f inflight=%d open_timeout_s=%.0f sources=%s.2-%s.%d",
                    o.n, procs, o.rate, o.inflight, o.openTimeout, o.sourcePrefix, o.sourcePrefix, procs + 1));
            out.flush();

            // ---- open phase: summed progress every second until every child reported OPENED
            long t0 = now();
            long deadline = t0 + (long) ((o.openTimeout + 30) * 1e9);
            String[] opened = new String[procs];
            long lastProgress = t0;
            int got = 0;
            while (got < procs && now() < deadline) {
                for (Kid k : kids) {
                    if (opened[k.index] == null) {
                        String r = k.results.poll(20, TimeUnit.MILLISECONDS);
                        if (r != null) {
                            opened[k.index] = r;
                            got++;
                        }
                    }
                }
                if (now() - lastProgress >= 1_000_000_000L) {
                    lastProgress = now();
                    printProgress(t0);
                }
            }
            printProgress(t0);
            long open = 0;
            long failed = 0;
            long notAttempted = 0;
            Map<String, Long> reasons = new TreeMap<>();
            for (Kid k : kids) {
                String r = opened[k.index];
                if (r == null || !r.startsWith("OPENED")) {
                    reasons.merge(k.dead ? "client-process-died" : "client-process-no-answer", (long) k.share, Long::sum);
                    failed += k.share;
                    if (r != null) {
                        k.results.add(r); // EOF marker etc.: keep for later waits
                    }
                    continue;
                }
                Map<String, String> m = kv(r);
                open += Long.parseLong(m.get("open"));
                failed += Long.parseLong(m.get("failed"));
                notAttempted += Long.parseLong(m.get("not_attempted"));
                mergeCounts(reasons, m.get("reasons"));
            }
            out.println(fmt("OPENED requested=%d open=%d failed=%d not_attempted=%d seconds=%.1f reasons=%s",
                    o.n, open, failed, notAttempted, (now() - t0) / 1e9, counts(reasons)));
            out.flush();

            // ---- commands
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String cmd;
            while ((cmd = stdin.readLine()) != null) {
                cmd = cmd.trim();
                if (cmd.equals("quit")) {
                    break;
                } else if (cmd.equals("status")) {
                    out.println(aggregate("STATUS", broadcast("status", 15)));
                } else if (cmd.equals("echo")) {
                    out.println(aggregate("ECHOED", broadcast("echo", o.echoTimeout + 15)));
                } else if (!cmd.isEmpty()) {
                    out.println("ERROR unknown_command=" + cmd.replace(' ', '_'));
                }
                out.flush();
            }
            quit();
            return 0;
        }

        private void printProgress(long t0) {
            long open = 0;
            long failed = 0;
            long handshaking = 0;
            long attempted = 0;
            int dead = 0;
            for (Kid k : kids) {
                Map<String, String> m = kv(k.progress);
                open += Long.parseLong(m.getOrDefault("open", "0"));
                failed += Long.parseLong(m.getOrDefault("failed", "0"));
                handshaking += Long.parseLong(m.getOrDefault("handshaking", "0"));
                attempted += Long.parseLong(m.getOrDefault("attempted", "0"));
                dead += k.dead ? 1 : 0;
            }
            out.println(fmt("PROGRESS t=%.0fs open=%d/%d failed=%d handshaking=%d attempted=%d%s", (now() - t0) / 1e9, open,
                    o.n, failed, handshaking, attempted, dead > 0 ? " dead_client_processes=" + dead : ""));
            out.flush();
        }

        /** Sends a command to every live child; collects one answer each, bounded. */
        private List<String> broadcast(String cmd, double timeoutSeconds) throws InterruptedException {
            for (Kid k : kids) {
                k.results.clear();
                if (!k.dead) {
                    try {
                        k.in.write(cmd + "\n");
                        k.in.flush();
                    } catch (IOException e) {
                        k.dead = true;
                    }
                }
            }
            long deadline = now() + (long) (timeoutSeconds * 1e9);
            List<String> answers = new ArrayList<>();
            for (Kid k : kids) {
                String r = null;
                while (!k.dead || !k.results.isEmpty()) {
                    long left = deadline - now();
                    if (left <= 0) {
                        break;
                    }
                    r = k.results.poll(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS);
                    if (r != null) {
                        break;
                    }
                }
                answers.add(r == null || r.equals("EOF") ? null : r);
            }
            return answers;
        }

        private String aggregate(String kind, List<String> answers) {
            Map<String, Double> sums = new LinkedHashMap<>();
            Map<String, Long> reasons = new TreeMap<>();
            Map<String, Long> codes = new TreeMap<>();
            int missing = 0;
            for (String a : answers) {
                if (a == null) {
                    missing++;
                    continue;
                }
                for (var e : kv(a).entrySet()) {
                    String key = e.getKey();
                    if (key.equals("reasons")) {
                        mergeCounts(reasons, e.getValue());
                    } else if (key.equals("codes")) {
                        mergeCounts(codes, e.getValue());
                    } else if (key.startsWith("max_") || key.equals("seconds")) {
                        sums.merge(key, Double.parseDouble(e.getValue()), Math::max);
                    } else {
                        sums.merge(key, Double.parseDouble(e.getValue()), Double::sum);
                    }
                }
            }
            StringBuilder sb = new StringBuilder(kind);
            for (var e : sums.entrySet()) {
                double v = e.getValue();
                sb.append(' ').append(e.getKey()).append('=')
                        .append(v == Math.rint(v) ? Long.toString((long) v) : fmt("%.1f", v));
            }
            sb.append(" codes=").append(counts(codes)).append(" reasons=").append(counts(reasons));
            if (missing > 0) {
                sb.append(" missing_client_processes=").append(missing);
            }
            return sb.toString();
        }

        private void readKid(Kid k) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(k.process.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("PROGRESS")) {
                        k.progress = line;
                    } else {
                        k.results.add(line);
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            k.dead = true;
            k.results.add("EOF");
        }

        private void quit() throws InterruptedException {
            for (Kid k : kids) {
                try {
                    k.in.write("quit\n");
                    k.in.close();
                } catch (IOException e) {
                    // already gone
                }
            }
            long deadline = now() + 15_000_000_000L;
            for (Kid k : kids) {
                long left = Math.max(1, deadline - now());
                if (!k.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    k.process.destroyForcibly();
                    k.process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    // ================================================================ child

    /** One process: a share of the connections on one selector thread. */
    static final class Child {
        static final byte CONNECTING = 0;
        static final byte HANDSHAKE = 1;
        static final byte OPEN = 2;
        static final byte DONE = 3;

        final ConnsLoad o;
        final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
        final byte[] request;
        final InetSocketAddress server;
        final InetSocketAddress bindTo;
        Selector selector;
        final List<C> conns = new ArrayList<>();
        final ArrayDeque<C> handshaking = new ArrayDeque<>();
        final Map<String, Long> openFailures = new TreeMap<>();
        final Map<String, Long> closeCodes = new TreeMap<>();
        int open;
        int failed;
        int attempted;
        int closedByServer;
        volatile boolean stdinClosed;

        // echo phase
        boolean echoing;
        long echoStart;
        int echoSent;
        int echoed;
        int echoFailed;
        int mismatched;
        long maxEchoNanos;
        final Map<String, Long> echoFailures = new TreeMap<>();

        Child(ConnsLoad o) throws IOException {
            this.o = o;
            this.server = new InetSocketAddress(HOST, o.port);
            this.bindTo = new InetSocketAddress(InetAddress.getByName(o.source == null ? "127.0.0.1" : o.source), 0);
            this.request = ("GET / HTTP/1.1\r\nHost: " + HOST + ":" + o.port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        /** One connection. */
        final class C {
            final int id;
            SocketChannel ch;
            SelectionKey key;
            byte state = CONNECTING;
            long started;
            byte[] in;
            int inLen;
            ByteBuffer pendingOut;
            boolean echoSent;
            boolean echoDone;
            long echoAt;
            boolean closeSeen;

            C(int id) {
                this.id = id;
            }
        }

        int run() throws IOException {
            selector = Selector.open();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        commands.add(line.trim());
                        selector.wakeup();
                    }
                } catch (IOException e) {
                    // treated as end of input
                }
                stdinClosed = true;
                selector.wakeup();
            }, "stdin");
            reader.setDaemon(true);
            reader.start();

            openPhase();
            while (true) {
                String cmd = commands.poll();
                if (cmd == null && stdinClosed) {
                    cmd = commands.isEmpty() ? "quit" : commands.poll();
                }
                if (cmd != null) {
                    switch (cmd) {
                        case "quit" -> {
                            closeAll();
                            return 0;
                        }
                        case "status" -> reply(fmt("STATUS open=%d closed_by_server=%d unexpected_messages=%d codes=%s", open,
                                closedByServer, mismatched, counts(closeCodes)));
                        case "echo" -> echoPhase();
                        default -> {
                            // unknown: ignored (the driver answers for them)
                        }
                    }
                    continue;
                }
                pump(500);
            }
        }

        void reply(String line) {
            System.out.println(line);
            System.out.flush();
        }

        private void openPhase() throws IOException {
            long t0 = now();
            long deadline = t0 + (long) (o.openTimeout * 1e9);
            long hsTimeout = (long) (o.handshakeTimeout * 1e9);
            long lastProgress = t0;
            int next = 0;
            boolean stopped = false;
            while (true) {
                long t = now();
                if (!stopped && failed >= o.maxFailed) {
                    stopped = true;
                }
                long allowed = Math.min(o.n, (long) ((t - t0) / 1e9 * o.rate) + 1);
                while (!stopped && next < allowed && handshaking.size() < o.inflight) {
                    openOne(next++);
                    if (failed >= o.maxFailed) {
                        stopped = true;
                    }
                }
                while (!handshaking.isEmpty()) {
                    C c = handshaking.peekFirst();
                    if (c.state == OPEN || c.state == DONE) {
                        handshaking.pollFirst();
                    } else if (t - c.started > hsTimeout) {
                        handshaking.pollFirst();
                        fail(c, c.state == CONNECTING ? "connect-timeout" : "handshake-timeout");
                    } else {
                        break;
                    }
                }
                if ((next >= o.n || stopped) && handshaking.isEmpty()) {
                    break;
                }
                if (t > deadline) {
                    for (C c : handshaking) {
                        if (c.state == CONNECTING || c.state == HANDSHAKE) {
                            fail(c, "open-phase-timeout");
                        }
                    }
                    handshaking.clear();
                    break;
                }
                if (t - lastProgress >= 500_000_000L) {
                    lastProgress = t;
                    progress();
                }
                long waitMs;
                if (stopped || next >= o.n || handshaking.size() >= o.inflight) {
                    waitMs = 50;
                } else {
                    long due = t0 + (long) (next / o.rate * 1e9);
                    waitMs = Math.max(0, Math.min(50, (due - t) / 1_000_000L));
                }
                pump(waitMs);
            }
            progress();
            int notAttempted = o.n - next;
            reply(fmt("OPENED open=%d failed=%d not_attempted=%d seconds=%.1f reasons=%s", open, failed, notAttempted,
                    (now() - t0) / 1e9, counts(openFailures)));
        }

        private void progress() {
            reply(fmt("PROGRESS open=%d failed=%d handshaking=%d attempted=%d", open, failed, handshaking.size(), attempted));
        }

        private void openOne(int id) {
            C c = new C(id);
            conns.add(c);
            attempted++;
            c.started = now();
            try {
                c.ch = SocketChannel.open();
            } catch (IOException e) {
                c.state = DONE;
                failed++;
                openFailures.merge(reason(e), 1L, Long::sum);
                return;
            }
            try {
                c.ch.configureBlocking(false);
                c.ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.ch.bind(bindTo);
                boolean done = c.ch.connect(server);
                c.key = c.ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
                handshaking.addLast(c);
                if (done) {
                    sendRequest(c);
                }
            } catch (IOException e) {
                fail(c, reason(e));
            }
        }

        private void sendRequest(C c) throws IOException {
            c.state = HANDSHAKE;
            ByteBuffer b = ByteBuffer.wrap(request);
            c.ch.write(b);
            if (b.hasRemaining()) {
                c.pendingOut = b;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } else {
                c.key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Fails a connection that is not (yet) open; counts it for the open phase. */
        private void fail(C c, String why) {
            if (c.state == DONE) {
                return;
            }
            boolean wasOpen = c.state == OPEN;
            c.state = DONE;
            closeQuietly(c);
            if (wasOpen) {
                open--;
            }
            if (echoing && c.echoSent && !c.echoDone) {
                c.echoDone = true;
                echoFailed++;
                echoFailures.merge(why, 1L, Long::sum);
            }
            if (!wasOpen) {
                failed++;
                openFailures.merge(why, 1L, Long::sum);
            } else {
                closedByServer++;
                closeCodes.merge(why, 1L, Long::sum);
            }
        }

        private static void closeQuietly(C c) {
            if (c.key != null) {
                c.key.cancel();
            }
            try {
                if (c.ch != null) {
                    c.ch.close();
                }
            } catch (IOException e) {
                // nothing to do
            }
        }

        static String reason(Throwable e) {
            String m = String.valueOf(e.getMessage());
            if (e instanceof ConnectException || m.contains("refused")) {
                return "refused";
            }
            if (m.contains("reset")) {
                return "reset";
            }
            if (m.contains("Broken pipe")) {
                return "broken-pipe";
            }
            if (m.contains("Too many open files")) {
                return "client-emfile";
            }
            if (m.contains("Cannot assign requested address")) {
                return "client-no-free-port";
            }
            if (e instanceof NoRouteToHostException) {
                return "no-route";
            }
            if (e instanceof ClosedChannelException) {
                return "closed";
            }
            if (e instanceof SocketException) {
                return "socket-" + m.replaceAll("[^A-Za-z]+", "-").toLowerCase(Locale.ROOT);
            }
            return e.getClass().getSimpleName();
        }

        /** One select: handles every ready key. */
        private void pump(long waitMs) throws IOException {
            if (waitMs <= 0) {
                selector.selectNow();
            } else {
                selector.select(waitMs);
            }
            var keys = selector.selectedKeys();
            for (SelectionKey k : keys) {
                C c = (C) k.attachment();
                if (!k.isValid() || c.state == DONE) {
                    continue;
                }
                try {
                    if (k.isConnectable()) {
                        c.ch.finishConnect();
                        sendRequest(c);
                        continue;
                    }
                    if (k.isValid() && k.isWritable()) {
                        flushPending(c);
                    }
                    if (k.isValid() && k.isReadable()) {
                        read(c);
                    }
                } catch (IOException e) {
                    if (c.state == OPEN) {
                        fail(c, c.closeSeen ? "close-then-" + reason(e) : reason(e));
                    } else {
                        fail(c, reason(e));
                    }
                }
            }
            keys.clear();
        }

        private void flushPending(C c) throws IOException {
            if (c.pendingOut != null) {
                c.ch.write(c.pendingOut);
                if (!c.pendingOut.hasRemaining()) {
                    c.pendingOut = null;
                }
            }
            if (c.pendingOut == null && c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ);
            }
        }

        private void write(C c, byte[] bytes) throws IOException {
            if (c.pendingOut != null) {
                ByteBuffer b = ByteBuffer.allocate(c.pendingOut.remaining() + bytes.length);
                b.put(c.pendingOut).put(bytes).flip();
                c.pendingOut = b;
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            c.ch.write(b);
            if (b.hasRemaining()) {
                c.pendingOut = b;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        private void append(C c, byte[] b, int off, int len) {
            if (c.in == null) {
                c.in = new byte[Math.max(256, len)];
            } else if (c.inLen + len > c.in.length) {
                c.in = Arrays.copyOf(c.in, Math.max(c.inLen + len, c.in.length * 2));
            }
            System.arraycopy(b, off, c.in, c.inLen, len);
            c.inLen += len;
        }

        private void consume(C c, int used) {
            if (used >= c.inLen) {
                c.inLen = 0;
                if (c.in != null && c.in.length > 4096) {
                    c.in = null;
                }
                return;
            }
            System.arraycopy(c.in, used, c.in, 0, c.inLen - used);
            c.inLen -= used;
        }

        private void read(C c) throws IOException {
            readBuf.clear();
            int r = c.ch.read(readBuf);
            if (r < 0) {
                if (c.state == HANDSHAKE) {
                    fail(c, "eof-before-101");
                } else {
                    fail(c, c.closeSeen ? "close-then-eof" : "eof-without-close");
                }
                return;
            }
            if (r == 0) {
                return;
            }
            append(c, readBuf.array(), 0, r);
            if (c.state == HANDSHAKE) {
                int end = headEnd(c.in, c.inLen);
                if (end < 0) {
                    if (c.inLen > MAX_HEAD) {
                        fail(c, "response-head-too-large");
                    }
                    return;
                }
                String head = new String(c.in, 0, end, StandardCharsets.ISO_8859_1);
                String status = head.substring(0, Math.max(0, head.indexOf('\r')));
                String lower = head.toLowerCase(Locale.ROOT);
                if (!status.startsWith("HTTP/1.1 101")) {
                    String code = status.length() >= 12 ? status.substring(9, 12) : "bad";
                    fail(c, "status-" + code);
                    return;
                }
                if (!head.contains(ACCEPT)) {
                    fail(c, "bad-accept");
                    return;
                }
                if (lower.contains("sec-websocket-extensions:")) {
                    fail(c, "unasked-extension");
                    return;
                }
                c.state = OPEN;
                open++;
                consume(c, end);
            }
            frames(c);
        }

        static int headEnd(byte[] b, int len) {
            for (int i = 3; i < len; i++) {
                if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }

        /** Parses the server's (unmasked) frames in c.in. */
        private void frames(C c) throws IOException {
            int p = 0;
            while (c.state == OPEN && c.inLen - p >= 2) {
                int b0 = c.in[p] & 0xFF;
                int b1 = c.in[p + 1] & 0xFF;
                int opcode = b0 & 0x0F;
                long len = b1 & 0x7F;
                int hdr = 2;
                if (len == 126) {
                    if (c.inLen - p < 4) {
                        break;
                    }
                    len = ((c.in[p + 2] & 0xFF) << 8) | (c.in[p + 3] & 0xFF);
                    hdr = 4;
                } else if (len == 127) {
                    if (c.inLen - p < 10) {
                        break;
                    }
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | (c.in[p + 2 + i] & 0xFF);
                    }
                    hdr = 10;
                }
                if ((b1 & 0x80) != 0) {
                    fail(c, "masked-server-frame");
                    return;
                }
                if (len > MAX_FRAME) {
                    fail(c, "server-frame-too-large");
                    return;
                }
                if (c.inLen - p < hdr + len) {
                    break;
                }
                int off = p + hdr;
                int plen = (int) len;
                p = off + plen;
                switch (opcode) {
                    case 0x1, 0x2, 0x0 -> onData(c, c.in, off, plen, (b0 & 0x80) != 0);
                    case 0x9 -> write(c, clientFrame(0xA, Arrays.copyOfRange(c.in, off, off + plen), c.id));
                    case 0x8 -> {
                        int code = plen >= 2 ? ((c.in[off] & 0xFF) << 8) | (c.in[off + 1] & 0xFF) : 1005;
                        c.closeSeen = true;
                        try {
                            write(c, clientFrame(0x8, plen >= 2 ? new byte[] {c.in[off], c.in[off + 1]} : new byte[0], c.id));
                        } catch (IOException e) {
                            // the server may be gone already
                        }
                        fail(c, "close-" + code);
                        return;
                    }
                    default -> {
                        // pong or reserved: ignored
                    }
                }
            }
            if (c.state == OPEN) {
                consume(c, p);
            }
        }

        private void onData(C c, byte[] b, int off, int len, boolean fin) {
            if (!echoing || !c.echoSent || c.echoDone) {
                mismatched++;
                return;
            }
            byte[] want = echoPayload(c.id);
            boolean ok = fin && len == want.length && Arrays.equals(b, off, off + len, want, 0, want.length);
            c.echoDone = true;
            if (ok) {
                echoed++;
                maxEchoNanos = Math.max(maxEchoNanos, now() - c.echoAt);
            } else {
                echoFailed++;
                mismatched++;
                echoFailures.merge("mismatch", 1L, Long::sum);
            }
        }

        static byte[] echoPayload(int id) {
            return fmt("echo %011d", id).getBytes(StandardCharsets.US_ASCII); // 16 bytes
        }

        /** A masked client frame (FIN set). */
        static byte[] clientFrame(int opcode, byte[] payload, int seed) {
            int len = payload.length;
            int hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
            byte[] f = new byte[hdr + 4 + len];
            f[0] = (byte) (0x80 | opcode);
            if (len < 126) {
                f[1] = (byte) (0x80 | len);
            } else if (len < 65536) {
                f[1] = (byte) (0x80 | 126);
                f[2] = (byte) (len >>> 8);
                f[3] = (byte) len;
            } else {
                f[1] = (byte) (0x80 | 127);
                for (int i = 0; i < 8; i++) {
                    f[2 + i] = (byte) (((long) len) >>> (56 - 8 * i));
                }
            }
            int mask = seed * 0x9E3779B9 + 0x7F4A7C15;
            for (int i = 0; i < 4; i++) {
                f[hdr + i] = (byte) (mask >>> (24 - 8 * i));
            }
            for (int i = 0; i < len; i++) {
                f[hdr + 4 + i] = (byte) (payload[i] ^ f[hdr + (i & 3)]);
            }
            return f;
        }

        private void echoPhase() throws IOException {
            echoing = true;
            echoStart = now();
            echoSent = 0;
            echoed = 0;
            echoFailed = 0;
            maxEchoNanos = 0;
            echoFailures.clear();
            int openBefore = open;
            for (C c : conns) {
                if (c.state != OPEN) {
                    continue;
                }
                c.echoSent = true;
                c.echoDone = false;
                c.echoAt = now();
                echoSent++;
                try {
                    write(c, clientFrame(0x1, echoPayload(c.id), c.id));
                } catch (IOException e) {
                    fail(c, "send-" + reason(e));
                }
            }
            long deadline = echoStart + (long) (o.echoTimeout * 1e9);
            while (echoed + echoFailed < echoSent && now() < deadline && !stdinClosed) {
                pump(Math.max(1, Math.min(100, (deadline - now()) / 1_000_000L)));
            }
            long lastEcho = now() - echoStart;
            int noEcho = echoSent - echoed - echoFailed;
            if (noEcho > 0) {
                echoFailures.merge("no-echo-within-" + (long) o.echoTimeout + "s", (long) noEcho, Long::sum);
            }
            reply(fmt("ECHOED open_before=%d sent=%d echoed=%d failed=%d seconds=%.2f max_ms=%.1f reasons=%s", openBefore,
                    echoSent, echoed, echoFailed + noEcho, lastEcho / 1e9, maxEchoNanos / 1e6, counts(echoFailures)));
            for (C c : conns) {
                c.echoSent = false;
            }
            echoing = false;
        }

        private void closeAll() {
            for (C c : conns) {
                if (c.ch != null) {
                    closeQuietly(c);
                }
            }
            try {
                selector.close();
            } catch (IOException e) {
                // exiting
            }
        }
    }
}
