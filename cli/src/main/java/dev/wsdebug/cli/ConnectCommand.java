package dev.wsdebug.cli;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TrafficStats;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.cli.connect.Backoff;
import dev.wsdebug.cli.connect.Expectations;
import dev.wsdebug.cli.connect.Shell;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.options.HexInput;
import dev.wsdebug.cli.output.ErrorCollector;
import dev.wsdebug.cli.output.LineOutput;
import dev.wsdebug.cli.output.LiveSink;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.HandshakeFailure;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DeflateParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code wsdebug connect URL}: talk to any WebSocket endpoint and see every frame. */
@Command(name = "connect",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Connect to a WebSocket endpoint, send messages, and see everything that crosses the wire.", "",
                "On a terminal it is interactive: a typed line is sent as a text message; /help lists the"
                        + " slash commands. With -x or --binary-hex it sends those and closes; with input piped"
                        + " in it sends one message per line.", ""},
        footer = {"", "Examples:",
                "  wsdebug connect ws://127.0.0.1:8765",
                "  wsdebug connect wss://example.test/feed -H 'Authorization: Bearer abc' -s graphql-ws -v",
                "  wsdebug connect ws://127.0.0.1:8765 -x hello -x '{\"op\":\"ping\"}' -w 2 --close 4000:done",
                "  wsdebug connect ws://127.0.0.1:8765 --ping-interval 5 --ping-timeout 15 --reconnect",
                "  printf 'a\\nb\\n' | wsdebug connect ws://127.0.0.1:8765 --json",
                "  wsdebug connect wss://api.example.test/ws -x '{\"op\":\"ping\"}' --expect '\"op\":\"pong\"' --timeout 5",
                "  wsdebug connect ws://127.0.0.1:8765 -x hello --expect-json '$.echo=hello' --expect-close 1000",
                "", "Exit codes: 0 clean close (with --expect…: every expectation met), 1 connection or handshake"
                        + " failure, abnormal close (1006, 1015, ping timeout) or an expectation not met, 2 bad usage."})
final class ConnectCommand implements Callable<Integer> {
    static final String DEFAULT_OFFER = "permessage-deflate; client_max_window_bits";

    @Parameters(index = "0", paramLabel = "URL", description = "ws:// or wss:// URL (a bare host:port means ws://).")
    String url;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Add a request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-s", "--subprotocol"}, paramLabel = "PROTO", description = "Offer a subprotocol (repeatable).")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "Send an Origin header.")
    String origin;

    @Option(names = "--auth", paramLabel = "USER:PASS", description = "HTTP Basic authentication.")
    String auth;

    @Option(names = "--ca", paramLabel = "FILE", description = "Trust the certificate authorities in this PEM file.")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate (PEM), with --key.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Client private key (PEM).")
    Path key;

    @Option(names = {"-k", "--insecure"}, description = "Do not verify the server's certificate.")
    boolean insecure;

    @Option(names = "--proxy", paramLabel = "http://HOST:PORT", description = "Connect through an HTTP proxy (CONNECT tunnel).")
    String proxy;

    @Option(names = "--http1", description = "Open the WebSocket with the HTTP/1.1 upgrade only (the default for ws://).")
    boolean http1;

    @Option(names = "--http2", description = "Open the WebSocket as an HTTP/2 stream (RFC 8441 extended CONNECT), or fail:"
            + " by ALPN for wss://, with prior knowledge (h2c) for ws://. Without either, wss:// uses HTTP/2 when the"
            + " server offers it with extended CONNECT.")
    boolean http2;

    @Option(names = "--compress", paramLabel = "PARAMS", arity = "0..1", fallbackValue = DEFAULT_OFFER,
            description = "The permessage-deflate offer. Default: '" + DEFAULT_OFFER + "'.")
    String compress;

    @Option(names = "--no-compress", description = "Do not offer permessage-deflate.")
    boolean noCompress;

    @Option(names = {"-x", "--execute"}, paramLabel = "MSG", description = "Send this text message after the handshake (repeatable).")
    List<String> execute = new ArrayList<>();

    @Option(names = "--binary-hex", paramLabel = "HEX", description = "Send a binary message given as hex (repeatable).")
    List<String> binaryHex = new ArrayList<>();

    @Option(names = {"-w", "--wait"}, paramLabel = "SECS",
            description = "After the last message, wait this long for replies before closing (-1: until the server closes). Default: 1.")
    Double waitSeconds;

    @Option(names = "--expect", paramLabel = "REGEX",
            description = "Expect a text message from the server in which this regular expression is found"
                    + " (repeatable; met in the order given, together with --expect-json). The session ends as soon"
                    + " as every expectation is met; exit 1 naming the first one that is not.")
    List<String> expect = new ArrayList<>();

    @Option(names = "--expect-json", paramLabel = "PATH=VALUE",
            description = "Expect a JSON text message from the server with VALUE at PATH ($.op, data.items[0].id or"
                    + " /data/items/0/id; VALUE is JSON, or a plain string: '$.op=pong', '$.n=42'). Repeatable.")
    List<String> expectJson = new ArrayList<>();

    @Option(names = "--expect-close", paramLabel = "CODE",
            description = "Expect the connection to end with this close code (after the message expectations);"
                    + " the session then waits for the server to close (a close the client sends when the time is up does not count).")
    Integer expectClose;

    @Option(names = "--timeout", paramLabel = "S",
            description = "With --expect…: how long to wait for every expectation. Default: -w if given, else 10 s.")
    Double timeout;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private Expectations expectations;

    @Option(names = "--close", paramLabel = "CODE[:REASON]", description = "Close with this code and reason at the end. Default: 1000.")
    String closeSpec;

    @Option(names = "--ping-interval", paramLabel = "S", description = "Send a ping every S seconds and print each round trip.")
    Double pingInterval;

    @Option(names = "--ping-timeout", paramLabel = "S", description = "Declare the connection dead (exit 1) when nothing arrives within S seconds of a ping.")
    Double pingTimeout;

    @Option(names = "--reconnect", description = "Reconnect after an abnormal close, with exponential backoff and jitter;"
            + " -x and --binary-hex messages are sent again on each connection.")
    boolean reconnect;

    @Option(names = "--reconnect-base", paramLabel = "S", defaultValue = "1", description = "First reconnect delay. Default: ${DEFAULT-VALUE} s.")
    double reconnectBase;

    @Option(names = "--reconnect-max", paramLabel = "S", defaultValue = "30", description = "Longest reconnect delay. Default: ${DEFAULT-VALUE} s.")
    double reconnectMax;

    @Option(names = "--max-reconnects", paramLabel = "N", description = "Give up after N reconnects (default: never).")
    Integer maxReconnects;

    @Option(names = "--connect-timeout", paramLabel = "S", defaultValue = "10", description = "TCP connect and handshake timeout. Default: ${DEFAULT-VALUE} s.")
    double connectTimeout;

    @Option(names = "--max-message", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Fail the connection with 1009 when the server sends a larger message (as soon as a frame"
                    + " header or the inflated bytes show it). Default: ${DEFAULT-VALUE} (64 MiB).")
    long maxMessage;

    @Option(names = "-v", description = "Show the handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print only the JSON Lines event stream (schema v1).")
    boolean json;

    @Option(names = "--save", paramLabel = "FILE", description = "Also write the JSON Lines event stream to FILE.")
    Path save;

    @Option(names = "--pretty", description = "Indent text messages that are JSON.")
    boolean pretty;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    private int closeCode = CloseCodes.NORMAL;
    private String closeReason = "";

    @Override
    public Integer call() throws Exception {
        PrintStream err = Terminal.stderr();
        ClientOptions opts = new ClientOptions();
        String problem = configure(opts);
        if (problem != null) {
            err.println("wsdebug connect: " + problem);
            return Main.USAGE;
        }
        boolean interactive = Terminal.isTerminal() && execute.isEmpty() && binaryHex.isEmpty() && !expectations.any();
        Shell shell = interactive ? new Shell() : null;
        PrintStream out = shell != null
                ? new PrintStream(new LineOutput(shell::printAbove), true, StandardCharsets.UTF_8) : Terminal.stdout();
        OutputStream saveStream = null;
        if (save != null) {
            try {
                saveStream = Files.newOutputStream(save);
            } catch (IOException e) {
                err.println("wsdebug connect: cannot write " + save + ": " + e.getMessage() + ".");
                return Main.USAGE;
            }
        }
        EventSink view = decoding.wrap(json ? new JsonLinesSink(out, true)
                : new LiveSink(new TranscriptPrinter(out, Terminal.style(color).withPrettyJson(pretty)
                        .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2))));
        ErrorCollector errors = new ErrorCollector(view, json);
        PrintStream notices = json ? err : out;
        expectations.onProgress(line -> {
            notices.println(line);
            notices.flush();
        });
        Backoff backoff = new Backoff(reconnectBase, reconnectMax, new Random());
        int exit = 1;
        int reconnects = 0;
        try {
            while (true) {
                TrafficStats stats = new TrafficStats();
                // the analysis says what went wrong when a session ends badly (warnings and errors only)
                dev.wsdebug.analysis.Analyzer analyzer = new dev.wsdebug.analysis.Analyzer(
                        dev.wsdebug.analysis.Analyzer.problemsOnly(view));
                List<EventSink> sinks = new ArrayList<>(List.of(errors, stats, analyzer, expectations));
                if (saveStream != null) {
                    sinks.add(new JsonLinesSink(saveStream, true));
                }
                EventSink sink = new SynchronizedSink(EventSink.all(sinks.toArray(EventSink[]::new)));
                long started = System.nanoTime();
                boolean quit = false;
                // each reconnection is a connection of its own in the output and the saved capture
                try (WsClient client = new WsClient(opts, sink, n -> notices.println("  " + n)).connectionIdsFrom(reconnects + 1)) {
                    ClientSession session = client.connect();
                    backoff.reset();
                    long t0 = started;
                    quit = run(session, shell, () -> statsText(stats, session, null, System.nanoTime() - t0));
                    CloseEvent close = waitClosed(session);
                    exit = close != null && close.clean() && session.deathReason() == null ? 0 : 1;
                    String unmet = expectations.firstUnmet(expectSeconds());
                    if (unmet != null) {
                        err.println("wsdebug connect: " + unmet);
                        exit = 1;
                    } else if (exit != 0 && expectations.waitsForClose()) {
                        // the close the user expected is the verdict, however the connection ended
                        exit = 0;
                    } else if (exit != 0) {
                        err.println("wsdebug connect: " + abnormalEnd(session, close));
                    }
                    if (!json) {
                        out.print(statsText(stats, session, close, System.nanoTime() - started));
                        out.flush();
                    }
                } catch (HandshakeFailure f) {
                    analyzer.finish();
                    reportHandshake(err, f);
                    exit = 1;
                } catch (ClientFailure f) {
                    analyzer.finish();
                    err.println("wsdebug connect: " + f.getMessage());
                    exit = 1;
                }
                analyzer.finish();
                if (exit == 0 || quit || !reconnect || (maxReconnects != null && reconnects >= maxReconnects)) {
                    break;
                }
                reconnects++;
                long delay = backoff.nextDelayMillis();
                notices.printf("reconnecting in %.1f s (attempt %d)%n", delay / 1000.0, reconnects);
                notices.flush();
                Thread.sleep(delay);
            }
        } finally {
            if (shell != null) {
                shell.close();
            }
            if (saveStream != null) {
                saveStream.close();
            }
            out.flush();
        }
        return exit;
    }

    /**
     * Runs one open session in the chosen mode until it should close; returns true when the user
     * asked to quit (no reconnect then).
     */
    private boolean run(ClientSession session, Shell shell, java.util.function.Supplier<String> stats)
            throws InterruptedException {
        if (pingInterval != null || pingTimeout != null) {
            // with only a timeout, ping at half of it so a dead peer is noticed within 1.5 timeouts
            double interval = pingInterval != null ? pingInterval : pingTimeout / 2;
            session.keepalive(Math.max(1, (long) (interval * 1000)),
                    pingTimeout == null ? 0 : Math.max(1, (long) (pingTimeout * 1000)));
        }
        if (shell != null) {
            return shell.run(session, closeCode, closeReason, stats);
        }
        if (expectations.any()) {
            runExpecting(session);
            return false;
        }
        if (!sendGiven(session)) {
            sendStdinLines(session);
        }
        double w = waitSeconds == null ? 1.0 : waitSeconds;
        CompletableFuture<CloseEvent> closed = session.closed();
        try {
            if (w < 0) {
                closed.get();
            } else {
                closed.get((long) (w * 1000), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            session.close(closeCode, closeReason);
        } catch (ExecutionException e) {
            // the connection ended; waitClosed reports how
        }
        return false;
    }

    /**
     * With expectations: sends what was given (or standard input's lines, in the background) and
     * waits until every expectation is met, the server closes, or the time is up; then closes unless
     * the server is expected to.
     */
    private void runExpecting(ClientSession session) throws InterruptedException {
        if (!sendGiven(session)) {
            Thread lines = new Thread(() -> {
                try {
                    sendStdinLines(session);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stdin-expect");
            lines.setDaemon(true);
            lines.start();
        }
        try {
            CompletableFuture.anyOf(expectations.met(), session.closed())
                    .get((long) (expectSeconds() * 1000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // time is up, or the connection ended: firstUnmet says what was missing
        }
        if (session.isOpen()) {
            session.close(closeCode, closeReason);
        }
    }

    /** Sends the -x and --binary-hex messages; false when none were given. */
    private boolean sendGiven(ClientSession session) {
        for (String m : execute) {
            session.sendText(m);
        }
        for (String h : binaryHex) {
            session.sendBinary(HexInput.parse(h).bytes());
        }
        return !execute.isEmpty() || !binaryHex.isEmpty();
    }

    /** How long expectations are waited for: --timeout, else -w when it is a time, else 10 s. */
    private double expectSeconds() {
        return timeout != null ? timeout : waitSeconds != null && waitSeconds >= 0 ? waitSeconds : 10;
    }

    /** Sends each line of standard input as a text message until it ends or the connection closes. */
    private static void sendStdinLines(ClientSession session) throws InterruptedException {
        CompletableFuture<Void> eof = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && session.isOpen()) {
                    session.sendText(line);
                }
            } catch (IOException ignored) {
                // standard input went away: same as its end
            }
            eof.complete(null);
        }, "stdin-lines");
        reader.setDaemon(true);
        reader.start();
        CompletableFuture.anyOf(eof, session.closed()).exceptionally(t -> null).join();
    }

    private static CloseEvent waitClosed(ClientSession session) throws InterruptedException {
        try {
            return session.closed().get(ClientSessionTimeouts.CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            session.abort();
            try {
                return session.closed().get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e2) {
                return null;
            }
        }
    }

    /** One sentence for a connection that did not end with a completed close handshake. */
    private static String abnormalEnd(ClientSession session, CloseEvent close) {
        if (session.deathReason() != null) {
            return session.deathReason();
        }
        if (close == null || !close.onWire() && close.code() == CloseCodes.ABNORMAL) {
            return "The connection ended without a close frame (1006 Abnormal Closure).";
        }
        return "The connection closed with " + close.code() + " " + close.codeName()
                + " but the close handshake did not complete.";
    }

    private void reportHandshake(PrintStream err, HandshakeFailure f) {
        if (!f.bodyExcerpt().isBlank()) {
            String body = f.bodyExcerpt().strip();
            err.println("response body: " + (body.length() > 300 ? body.substring(0, 300) + " ..." : body));
        }
        err.println("wsdebug connect: " + f.getMessage());
    }

    private static String statsText(TrafficStats stats, ClientSession session, CloseEvent close, long nanos) {
        TrafficStats.Totals sent = stats.totals(dev.wsdebug.wire.Direction.C2S);
        TrafficStats.Totals received = stats.totals(dev.wsdebug.wire.Direction.S2C);
        StringBuilder sb = new StringBuilder("statistics:\n");
        sb.append(String.format("  sent:     %d messages, %d frames, %d B on the wire (%d B of messages decoded)%n",
                sent.messages(), sent.frames(), sent.wireBytes(), sent.decodedBytes()));
        sb.append(String.format("  received: %d messages, %d frames, %d B on the wire (%d B of messages decoded)%n",
                received.messages(), received.frames(), received.wireBytes(), received.decodedBytes()));
        sb.append(String.format("  uptime:   %.3f s%n", nanos / 1e9));
        List<Long> rtts = session.rtts();
        if (!rtts.isEmpty()) {
            long min = rtts.stream().mapToLong(Long::longValue).min().orElse(0);
            long max = rtts.stream().mapToLong(Long::longValue).max().orElse(0);
            double avg = rtts.stream().mapToLong(Long::longValue).average().orElse(0);
            sb.append(String.format("  ping rtt: min %.3f ms, avg %.3f ms, max %.3f ms (%d pong%s)%n", min / 1000.0,
                    avg / 1000.0, max / 1000.0, rtts.size(), rtts.size() == 1 ? "" : "s"));
        }
        if (close != null) {
            sb.append(String.format("  closed:   %d %s, %s%s%n", close.code(), close.codeName(),
                    close.onWire() ? "initiated by the " + close.initiator() : "no close frame",
                    close.clean() ? " (clean)" : " (not clean)"));
        }
        return sb.toString();
    }

    /** Fills the options; returns a usage problem in one sentence, or null. */
    private String configure(ClientOptions o) {
        if (decoding.problem() != null) {
            return decoding.problem();
        }
        try {
            expectations = Expectations.of(expectationKinds(), expectationValues(), expectClose);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (timeout != null && (timeout <= 0 || !expectations.any())) {
            return timeout <= 0 ? "--timeout must be positive."
                    : "--timeout goes with --expect, --expect-json or --expect-close (-w sets how long to wait for replies).";
        }
        if (expectations.any() && reconnect) {
            return "--expect… and --reconnect do not go together: expectations are about one session.";
        }
        try {
            o.url = parseUrl(url);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String badHeader = headerProblem(headers);
        if (badHeader != null) {
            return badHeader;
        }
        o.headers = headers;
        o.subprotocols = subprotocols;
        o.origin = origin;
        if (auth != null && !auth.contains(":")) {
            return "--auth needs USER:PASS.";
        }
        o.auth = auth;
        if ((cert == null) != (key == null)) {
            return "--cert and --key go together.";
        }
        for (Path p : new Path[] {ca, cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                return "cannot read " + p + ".";
            }
        }
        if (maxMessage < 1) {
            return "--max-message must be positive.";
        }
        o.maxMessage = maxMessage;
        o.ca = ca;
        o.cert = cert;
        o.key = key;
        o.insecure = insecure;
        if (proxy != null) {
            try {
                URI p = new URI(proxy.contains("://") ? proxy : "http://" + proxy);
                if (!"http".equalsIgnoreCase(p.getScheme()) || p.getHost() == null) {
                    return "--proxy must be http://HOST:PORT, not '" + proxy + "'.";
                }
                o.proxy = p;
            } catch (URISyntaxException e) {
                return "--proxy must be http://HOST:PORT, not '" + proxy + "'.";
            }
        }
        if (http1 && http2) {
            return "--http1 and --http2 contradict each other.";
        }
        o.transport = http1 ? ClientOptions.Transport.HTTP1 : http2 ? ClientOptions.Transport.HTTP2 : ClientOptions.Transport.AUTO;
        if (noCompress && compress != null) {
            return "--compress and --no-compress contradict each other.";
        }
        o.extensions = noCompress ? null : compress == null ? DEFAULT_OFFER : compress;
        if (o.extensions != null) {
            try {
                if (DeflateParams.allFromHeader(o.extensions).isEmpty()) {
                    return "--compress '" + o.extensions + "' does not offer permessage-deflate.";
                }
            } catch (IllegalArgumentException e) {
                return "--compress: " + e.getMessage();
            }
        }
        if (closeSpec != null) {
            String[] p = closeSpec.split(":", 2);
            try {
                closeCode = Integer.parseInt(p[0].trim());
            } catch (NumberFormatException e) {
                return "--close needs CODE[:REASON], not '" + closeSpec + "'.";
            }
            if (!CloseCodes.isValidOnWire(closeCode)) {
                return "--close " + closeCode + " (" + CloseCodes.name(closeCode) + ") cannot be sent in a close frame.";
            }
            closeReason = p.length > 1 ? p[1] : "";
            if (closeReason.getBytes(StandardCharsets.UTF_8).length > 123) {
                return "--close reason is longer than the 123 bytes a close frame allows.";
            }
        }
        for (String h : binaryHex) {
            String bad = HexInput.parse(h).problem();
            if (bad != null) {
                return bad.replace("--hex", "--binary-hex");
            }
        }
        if (pingInterval != null && pingInterval <= 0 || pingTimeout != null && pingTimeout <= 0) {
            return "--ping-interval and --ping-timeout must be positive.";
        }
        if (reconnectBase <= 0 || reconnectMax < reconnectBase) {
            return "--reconnect-base must be positive and at most --reconnect-max.";
        }
        if (connectTimeout <= 0) {
            return "--connect-timeout must be positive.";
        }
        o.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout * 1000);
        o.handshakeTimeoutMillis = o.connectTimeoutMillis;
        return null;
    }

    /** "expect" or "expect-json" for each message expectation, in command-line order. */
    private List<String> expectationKinds() {
        List<String> kinds = new ArrayList<>();
        if (spec == null) {
            expect.forEach(e -> kinds.add("expect"));
            expectJson.forEach(e -> kinds.add("expect-json"));
            return kinds;
        }
        for (picocli.CommandLine.Model.ArgSpec a : spec.commandLine().getParseResult().matchedArgs()) {
            if (a instanceof picocli.CommandLine.Model.OptionSpec o
                    && (o.longestName().equals("--expect") || o.longestName().equals("--expect-json"))) {
                kinds.add(o.longestName().substring(2));
            }
        }
        return kinds;
    }

    /** The values of the message expectations, in the order of {@link #expectationKinds()}. */
    private List<String> expectationValues() {
        List<String> values = new ArrayList<>();
        int e = 0;
        int j = 0;
        for (String k : expectationKinds()) {
            values.add(k.equals("expect") ? expect.get(e++) : expectJson.get(j++));
        }
        return values;
    }

    /** The first -H value that is not a 'Name: value' header, in one sentence; null when all are. */
    static String headerProblem(List<String> headers) {
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0 || !dev.wsdebug.wire.Extension.isTokenName(h.substring(0, colon).trim())) {
                return "-H '" + h + "' is not a header: use 'Name: value'.";
            }
        }
        return null;
    }

    static URI parseUrl(String text) {
        String t = text.strip();
        if (!t.contains("://")) {
            t = "ws://" + t;
        }
        URI u;
        try {
            u = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid URL: " + e.getReason() + ".");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "' is an HTTP URL: use ws://" + t.substring(t.indexOf("://") + 3)
                    + " or wss:// instead.");
        }
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("unsupported scheme '" + u.getScheme() + "': use ws:// or wss://.");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host.");
        }
        if (u.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + text + "' has a #fragment, which WebSocket URLs must not have.");
        }
        return u;
    }

    /** Timeouts of the close phase. */
    static final class ClientSessionTimeouts {
        /** The client gives the server this long to finish the close handshake before dropping TCP. */
        static final long CLOSE_WAIT_MS = 7_000;

        private ClientSessionTimeouts() {
        }
    }
}
