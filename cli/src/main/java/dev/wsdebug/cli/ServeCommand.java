package dev.wsdebug.cli;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.options.LimitOptions;
import dev.wsdebug.cli.options.MockCapture;
import dev.wsdebug.cli.output.LiveSink;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.metrics.LoadGauges;
import dev.wsdebug.net.metrics.MetricsServer;
import dev.wsdebug.net.metrics.MetricsSink;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import dev.wsdebug.net.tls.Tls;
import dev.wsdebug.wire.CloseCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;

/** {@code wsdebug serve}: an echo server that shows every connection and can misbehave on purpose. */
@Command(name = "serve",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Run a WebSocket echo server that shows every connection's frames, and can misbehave"
                + " on purpose to reproduce real failures.", ""},
        footer = {"", "Examples:",
                "  wsdebug serve                                  # ws://127.0.0.1:8765, echo",
                "  wsdebug serve --tls --port 8443                # wss with a self-signed certificate",
                "  wsdebug serve --no-pong                        # a zombie: pings go unanswered",
                "  wsdebug serve --drop-after 3                   # TCP drops after 3 replies: clients see 1006",
                "  wsdebug serve --close-after 1 --close-code 4000 --close-reason 'go away'",
                "  wsdebug serve --reject 403                     # refuse every upgrade with 403",
                "  wsdebug serve --fragment 10 --delay 500        # slow, fragmented replies",
                "  wsdebug serve --mock cap.wsdb --ignore '$..ts' # answer as the recorded server did",
                "  wsdebug serve --mock cap.wsdb --no-pong        # ... and never answer pings",
                "", "--mock plays the server side of a capture (.wsdb, pcap, pcapng, HAR, JSON Lines):",
                "the recorded subprotocol and permessage-deflate (when the client offers them),",
                "what the server sent before the client's first message (at its recorded time),",
                "and for each client message the replies that followed the best-matching recorded",
                "one, at their recorded delays: the same bytes, else the same JSON without the",
                "--ignore paths, else one answered before (its reply again), else the next",
                "unanswered one of the same kind (a line says so). A server close is replayed with",
                "its code. A message that matches nothing gets no reply and a line. With several",
                "recorded connections a client gets the first to its path (--conn picks one).",
                "The other options still apply to the answers (--delay, --fragment, --no-pong...).",
                "", "Limits: a client that does not read its echoes is no longer read from until it does (and a line",
                "says so after 10 s); messages being received or echoed share a memory budget of a quarter of",
                "the heap (a message that does not fit is refused with 1013 Try Again Later)."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "8765", description = "Port to listen on (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--tls", description = "Serve wss:// (a self-signed certificate is made unless --cert/--key are given).")
    boolean tls;

    @Option(names = "--cert", paramLabel = "FILE", description = "TLS certificate chain (PEM).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "TLS private key (PEM).")
    Path key;

    @Option(names = "--compress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Accept permessage-deflate when offered (--no-compress to refuse). Default: on.")
    boolean compress;

    @Option(names = "--subprotocol", paramLabel = "P", description = "A subprotocol the server speaks (repeatable);"
            + " it picks the first the client offers.")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--max-message", paramLabel = "BYTES", defaultValue = "16777216",
            description = "Close with 1009 when a message is larger. Default: ${DEFAULT-VALUE}.")
    int maxMessage;

    @Mixin
    LimitOptions limits = new LimitOptions(ServerOptions.DEFAULT_MAX_CONNECTIONS);

    @Option(names = "--metrics", paramLabel = "PORT", description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics.")
    Integer metricsPort;

    @Option(names = "--http2", description = "Also take WebSockets over HTTP/2 (RFC 8441): by ALPN with --tls, with prior"
            + " knowledge (h2c) on a plain port, beside HTTP/1.1 on the same port.")
    boolean http2;

    @Option(names = "--no-connect-protocol", description = "With --http2: leave SETTINGS_ENABLE_CONNECT_PROTOCOL out, so"
            + " every WebSocket over HTTP/2 is refused (reproduces \"extended CONNECT disabled\").")
    boolean noConnectProtocol;

    @Option(names = "--no-pong", description = "Never answer pings (a zombie server).")
    boolean noPong;

    @Option(names = "--close-after", paramLabel = "N", description = "Close after N echoed messages, with --close-code.")
    Integer closeAfter;

    @Option(names = "--close-code", paramLabel = "C", defaultValue = "1000", description = "Code for --close-after. Default: ${DEFAULT-VALUE}.")
    int closeCode;

    @Option(names = "--close-reason", paramLabel = "R", defaultValue = "", description = "Reason for --close-after.")
    String closeReason;

    @Option(names = "--drop-after", paramLabel = "N", description = "Drop TCP after N echoed messages, with no close frame (clients see 1006).")
    Integer dropAfter;

    @Option(names = "--reject", paramLabel = "STATUS", description = "Answer every upgrade with this HTTP status instead of 101 (e.g. 200, 302, 403).")
    Integer reject;

    @Option(names = "--bad-accept", description = "Send a wrong Sec-WebSocket-Accept.")
    boolean badAccept;

    @Option(names = "--fragment", paramLabel = "BYTES", description = "Send every reply in frames of at most BYTES payload bytes.")
    int fragment;

    @Option(names = "--delay", paramLabel = "MS", description = "Delay every reply by MS milliseconds.")
    long delay;

    @Option(names = "--ping-interval", paramLabel = "S", description = "Ping every client every S seconds.")
    double pingInterval;

    @Option(names = "--mock", paramLabel = "CAPTURE", description = "Answer as the server recorded in CAPTURE did,"
            + " instead of echoing (see below).")
    String mock;

    @Option(names = "--conn", paramLabel = "ID", description = "With --mock: play this recorded connection to every"
            + " client. Default: the recorded one to the client's path, else the first.")
    String conn;

    @Option(names = "--ignore", paramLabel = "PATH", description = "With --mock: leave this JSON path out when matching"
            + " client messages ($.a.b, /a/b, $..ts; repeatable).")
    List<String> ignore = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print JSON Lines (schema v1) of every connection instead of the transcript.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the listening line (for load tests).")
    boolean quiet;

    @Option(names = "-v", description = "Show handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        ServerOptions o = options();
        String problem = validate();
        if (problem == null) {
            problem = limits.applyTo(o.limits);
        }
        if (problem == null) {
            problem = mock(o, err);
        }
        if (problem != null) {
            err.println("wsdebug serve: " + problem);
            return Main.USAGE;
        }
        EventSink view = quiet ? EventSink.all() : json ? new JsonLinesSink(out, true)
                : new LiveSink(new TranscriptPrinter(out, Terminal.style(color).withConn(true)
                        .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2)));
        EventSink shown = quiet ? view : new SynchronizedSink(decoding.wrap(view));
        MetricsSink metrics = metricsPort == null ? null : new MetricsSink();
        WsServer server = new WsServer(o, metrics == null ? shown : EventSink.all(shown, metrics));
        MetricsServer metricsServer = null;
        if (metrics != null) {
            LoadGauges.register(metrics.registry(), server.load());
            metricsServer = new MetricsServer(metrics.registry(), metricsPort);
            try {
                metricsServer.start();
            } catch (java.io.IOException e) {
                err.println("wsdebug serve: cannot serve metrics on 127.0.0.1:" + metricsPort + ": " + e.getMessage() + ".");
                return Main.USAGE;
            }
        }
        MetricsServer metricsToClose = metricsServer;
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (SSLException e) {
            err.println("wsdebug serve: " + e.getMessage());
            server.close();
            if (metricsToClose != null) {
                metricsToClose.close();
            }
            return Main.USAGE;
        } catch (Exception e) {
            server.close();
            if (metricsToClose != null) {
                metricsToClose.close();
            }
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                err.println("wsdebug serve: cannot listen on " + host + ":" + port + ": " + e.getMessage() + ".");
                return Main.USAGE;
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (metricsToClose != null) {
                metricsToClose.close();
            }
            view.flush();
        }));
        String hostText = io.netty.util.NetUtil.toAddressString(bound.getAddress());
        if (hostText.contains(":")) {
            hostText = "[" + hostText + "]";
        }
        PrintStream status = json ? err : out;
        status.println("listening on " + (tls ? "wss" : "ws") + "://" + hostText + ":" + bound.getPort()
                + (!http2 ? "" : noConnectProtocol ? " (HTTP/1.1, and HTTP/2 without extended CONNECT)"
                : tls ? " (HTTP/1.1, and HTTP/2 by ALPN)" : " (HTTP/1.1, and HTTP/2 with prior knowledge)"));
        if (o.mock != null) {
            status.println(o.mock.summary());
        }
        if (metricsToClose != null) {
            status.println("metrics on " + metricsToClose.url());
        }
        if (server.identity() != null) {
            Path pem = Files.createTempFile("wsdebug-serve-", ".pem");
            Tls.writePem(server.identity().certificate(), pem);
            status.println("self-signed certificate for localhost, 127.0.0.1 and ::1: connect with --ca " + pem
                    + " (or --insecure)");
        }
        status.flush();
        server.awaitClose();
        return 0;
    }

    private String validate() {
        if (decoding.problem() != null) {
            return decoding.problem();
        }
        if (port < 0 || port > 65535) {
            return "--port must be 0-65535, not " + port + ".";
        }
        if ((cert == null) != (key == null)) {
            return "--cert and --key go together.";
        }
        if (cert != null && !tls) {
            return "--cert and --key need --tls.";
        }
        if (noConnectProtocol && !http2) {
            return "--no-connect-protocol needs --http2.";
        }
        for (Path p : new Path[] {cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                return "cannot read " + p + ".";
            }
        }
        if (!CloseCodes.isValidOnWire(closeCode)) {
            return "--close-code " + closeCode + " (" + CloseCodes.name(closeCode) + ") cannot be sent in a close frame.";
        }
        if (closeReason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
            return "--close-reason is longer than the 123 bytes a close frame allows.";
        }
        if (reject != null && (reject < 100 || reject > 599 || reject == 101)) {
            return "--reject must be an HTTP status from 100 to 599 other than 101, not " + reject + ".";
        }
        if (maxMessage < 1 || fragment < 0 || delay < 0 || pingInterval < 0) {
            return "--max-message must be positive, --fragment, --delay and --ping-interval not negative.";
        }
        if (closeAfter != null && closeAfter < 1 || dropAfter != null && dropAfter < 1) {
            return "--close-after and --drop-after count messages: 1 or more.";
        }
        return null;
    }

    /**
     * With --mock: the script, and the recorded subprotocol and compression unless given here; null
     * when fine, else the problem.
     */
    private String mock(ServerOptions o, PrintStream err) {
        if (mock == null) {
            return conn != null || !ignore.isEmpty() ? "--conn and --ignore need --mock." : null;
        }
        try {
            o.mock = MockCapture.load(mock, conn, ignore, err);
        } catch (MockCapture.Unusable e) {
            return e.getMessage();
        }
        if (subprotocols.isEmpty()) {
            o.subprotocols = o.mock.subprotocols();
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--compress")) {
            o.compress = o.mock.deflate();
        }
        return null;
    }

    private ServerOptions options() {
        ServerOptions o = new ServerOptions();
        o.host = host;
        o.port = port;
        o.tls = tls;
        o.cert = cert;
        o.key = key;
        o.compress = compress;
        o.subprotocols = subprotocols;
        o.maxMessage = maxMessage;
        o.http2 = http2;
        o.noConnectProtocol = noConnectProtocol;
        o.noPong = noPong;
        o.closeAfter = closeAfter == null ? -1 : closeAfter;
        o.closeCode = closeCode;
        o.closeReason = closeReason;
        o.dropAfter = dropAfter == null ? -1 : dropAfter;
        o.reject = reject == null ? 0 : reject;
        o.badAccept = badAccept;
        o.fragment = fragment;
        o.delayMs = delay;
        o.pingInterval = pingInterval;
        return o;
    }
}
