package dev.wsdebug.cli;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.options.LimitOptions;
import dev.wsdebug.cli.output.LiveSink;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.cli.ui.LiveUi;
import dev.wsdebug.net.Addresses;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.fault.FaultRule;
import dev.wsdebug.net.metrics.LoadGauges;
import dev.wsdebug.net.metrics.MetricsServer;
import dev.wsdebug.net.metrics.MetricsSink;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.tls.LocalCa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wsdebug proxy}: an intercepting WebSocket proxy that shows every frame both ways. */
@Command(name = "proxy",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Run an intercepting WebSocket proxy that shows every frame of every connection.", "",
                "Reverse mode (--to URL): clients connect to the proxy as if it were the server. Forward mode"
                        + " (no --to): an HTTP proxy for ws:// (absolute-form requests) and wss:// (CONNECT);"
                        + " other HTTP traffic passes through and is listed (an http event: method, URL, status, sizes,"
                        + " time; -v adds the heads). Bytes are relayed exactly as they"
                        + " arrive: extensions and subprotocols are negotiated end to end.", ""},
        footer = {"", "Examples:",
                "  wsdebug proxy --listen 127.0.0.1:9000 --to ws://127.0.0.1:8765",
                "  wsdebug proxy --to wss://echo.example.test --json > frames.jsonl",
                "  wsdebug proxy                                   # HTTP proxy on 127.0.0.1:8888",
                "  wsdebug proxy --to ws://h:8765 --fault 'dir=s2c after=3 close=4002:bye'",
                "  wsdebug proxy --to ws://h:8765 --fault 'p=0.1 drop' --faults chaos.txt",
                "", "Fault rules: matchers plus exactly one action, separated by spaces; the first",
                "matching rule wins. Without type= a rule matches data messages only.",
                "  matchers  dir=c2s|s2c  type=text|binary|ping|pong|close  match=REGEX",
                "            path=GLOB  after=N  after-s=SECONDS  p=PROBABILITY",
                "  actions   delay=MS  drop  duplicate  reset  blackhole  no-pong",
                "            close=CODE[:REASON] [to=client|server]  throttle=BYTES/S",
                "            fragment=BYTES  replace=REGEX=>TEXT",
                "  per connection (only path= and p= go with them):",
                "            idle-timeout=SECONDS  drop both TCP connections, no close frame,",
                "                                  after that long without a frame either way",
                "            strip-upgrade         send the upgrade request upstream without its",
                "                                  Upgrade and Connection headers",
                "Each fault shows in the output as an error event of kind fault."})
final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8888",
            description = "Where to listen. Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--to", paramLabel = "URL", description = "Reverse mode: the ws:// or wss:// upstream every client goes to.")
    String to;

    @Option(names = "--no-intercept", paramLabel = "HOST", description = "Relay CONNECT tunnels to this host untouched (repeatable).")
    List<String> noIntercept = new ArrayList<>();

    @Option(names = "--no-tls-intercept", description = "Forward mode: relay every CONNECT tunnel untouched (no local CA).")
    boolean noTlsIntercept;

    @Option(names = "--no-http2", description = "Do not accept HTTP/2 from clients (intercepted tunnels offer only"
            + " HTTP/1.1 by ALPN; an h2c preface is refused). By default a client may speak HTTP/2: each stream is"
            + " relayed as a connection of its own, an extended CONNECT (RFC 8441) as a WebSocket.")
    boolean noHttp2;

    @Option(names = "--upstream-http", paramLabel = "VERSION", defaultValue = "auto",
            description = "How WebSockets are opened upstream: auto (HTTP/2 when the client's side is HTTP/2 and a wss://"
                    + " upstream offers h2 with extended CONNECT, else HTTP/1.1), 1.1 (always an HTTP/1.1 upgrade) or 2"
                    + " (always an HTTP/2 stream, h2c in clear text; 502 when the upstream cannot). Default: ${DEFAULT-VALUE}.")
    String upstreamHttp;

    @Option(names = "--upstream-ca", paramLabel = "FILE", description = "Trust these CAs (PEM) for wss:// upstreams.")
    Path upstreamCa;

    @Option(names = {"-k", "--upstream-insecure"}, description = "Do not verify upstream certificates.")
    boolean upstreamInsecure;

    @Option(names = "--save", paramLabel = "FILE.wsdb", description = "Record every connection into a capture file"
            + " (SQLite) for wsdebug read and wsdebug export: the raw bytes as they pass; the frame and message"
            + " tables are filled in pauses of the traffic and completed on exit.")
    Path save;

    @Option(names = "--max-payload", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Keep at most this many decoded bytes of a message (the full length and SHA-256 are kept)."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxPayload;

    @Option(names = "--metrics", paramLabel = "PORT", description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics.")
    Integer metricsPort;

    @Mixin
    LimitOptions limits = new LimitOptions(ProxyOptions.DEFAULT_MAX_CONNECTIONS);

    @Option(names = "--fault", paramLabel = "RULE",
            description = "Inject a fault into WebSocket traffic, e.g. 'dir=s2c after=3 close=4002:bye' (repeatable; see below).")
    List<String> faults = new ArrayList<>();

    @Option(names = "--faults", paramLabel = "FILE", description = "Read fault rules from FILE, one a line (# comments).")
    Path faultsFile;

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print JSON Lines (schema v1) of every connection instead of the transcript.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the status lines, no frames or HTTP requests"
            + " (for load tests; --save still records everything).")
    boolean quiet;

    @Option(names = "-v", description = "Show handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--pretty", description = "Indent text messages that are JSON.")
    boolean pretty;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    @picocli.CommandLine.Mixin
    LiveUi.Options uiOptions = new LiveUi.Options();

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        ProxyOptions o = new ProxyOptions();
        String problem = configure(o);
        if (problem != null) {
            err.println("wsdebug proxy: " + problem);
            return Main.USAGE;
        }
        EventSink view = quiet ? EventSink.all() : json ? new JsonLinesSink(out, true)
                : new LiveSink(new TranscriptPrinter(out, Terminal.style(color).withConn(true).withPrettyJson(pretty)
                        .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2)));
        PrintStream log = json ? err : out;
        LocalCa ca = null;
        if (o.upstream == null && !noTlsIntercept) {
            try {
                ca = LocalCa.loadOrCreate();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                err.println("wsdebug proxy: the local CA cannot be used: " + e.getMessage()
                        + " (wsdebug ca --regenerate makes a new one, or use --no-tls-intercept).");
                return Main.USAGE;
            }
            LocalCa local = ca;
            boolean h2 = !noHttp2;
            o.interceptContext = host -> local.serverContext(host, h2);
        }
        CaptureStore store = null;
        Path storeFile = save;
        if (storeFile == null && uiOptions.ui) {
            storeFile = LiveUi.temporaryStore("proxy");
        }
        if (storeFile != null) {
            try {
                store = new CaptureStore(storeFile, o.retainCap, CaptureStore.DEFAULT_RAW_CAP);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                err.println("wsdebug proxy: " + e.getMessage());
                return Main.USAGE;
            }
        }
        LiveUi ui = null;
        if (uiOptions.ui) {
            try {
                ui = LiveUi.start(uiOptions, decoding, store, save != null ? save.getFileName().toString() : "proxy", log, err);
            } catch (IllegalArgumentException e) {
                store.close();
                LiveUi.deleteTemporary(save == null ? storeFile : null);
                err.println("wsdebug proxy: " + e.getMessage());
                return Main.USAGE;
            }
        }
        LiveUi uiToClose = ui;
        Path temporaryStore = save == null ? storeFile : null;
        CaptureStore storeToClose = store;
        MetricsSink metrics = new MetricsSink();
        MetricsServer metricsServer = null;
        EventSink shown = quiet ? view : new SynchronizedSink(decoding.wrap(view));
        // a connection that ends badly gets its findings printed after it (warnings and errors only)
        dev.wsdebug.analysis.Analyzer analyzer = quiet ? null
                : new dev.wsdebug.analysis.Analyzer(dev.wsdebug.analysis.Analyzer.problemsOnly(shown));
        EventSink watched = analyzer == null ? shown : EventSink.all(shown, analyzer);
        EventSink recording = store == null ? EventSink.all(watched, metrics) : ui == null
                ? EventSink.all(watched, metrics, store) : EventSink.all(watched, metrics, store, ui.notifier());
        o.injectable = ui != null;
        WsProxy proxy = new WsProxy(o, recording);
        if (ui != null) {
            ui.injector(new dev.wsdebug.ui.Injector() {
                @Override
                public String inject(String conn, boolean toServer, int opcode, byte[] payload) {
                    return proxy.inject(conn, toServer ? dev.wsdebug.wire.Direction.C2S : dev.wsdebug.wire.Direction.S2C,
                            opcode, payload);
                }

                @Override
                public boolean open(String conn) {
                    return proxy.injectable(conn);
                }
            });
        }
        if (metricsPort != null) {
            LoadGauges.register(metrics.registry(), proxy.load());
            metricsServer = new MetricsServer(metrics.registry(), metricsPort);
            try {
                metricsServer.start();
            } catch (java.io.IOException e) {
                err.println("wsdebug proxy: cannot serve metrics on 127.0.0.1:" + metricsPort + ": " + e.getMessage() + ".");
                return Main.USAGE;
            }
        }
        MetricsServer metricsToClose = metricsServer;
        InetSocketAddress bound;
        try {
            bound = proxy.start();
        } catch (Exception e) {
            proxy.close();
            if (metricsServer != null) {
                metricsServer.close();
            }
            if (uiToClose != null) {
                uiToClose.close();
            }
            if (store != null) {
                store.close();
            }
            LiveUi.deleteTemporary(temporaryStore);
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                err.println("wsdebug proxy: cannot listen on " + listen + ": " + e.getMessage() + ".");
                return Main.USAGE;
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            if (metricsToClose != null) {
                metricsToClose.close();
            }
            if (uiToClose != null) {
                uiToClose.close();
            }
            if (storeToClose != null) {
                if (temporaryStore != null) {
                    storeToClose.close(); // nobody reads it later: no progress to show
                } else {
                    closeCapture(storeToClose, err);
                }
            }
            LiveUi.deleteTemporary(temporaryStore);
            view.flush();
        }));
        String where = Addresses.hostPort(bound);
        if (o.upstream != null) {
            log.println("proxy listening on " + where + " -> " + o.upstream);
        } else {
            log.println("HTTP proxy listening on " + where + " (ws:// and CONNECT tunnels)");
            if (ca != null) {
                log.println("intercepting wss:// with the local CA " + ca.certificatePath()
                        + "; clients must trust it (see wsdebug ca)");
            }
        }
        if (metricsServer != null) {
            log.println("metrics on " + metricsServer.url());
        }
        if (save != null) {
            log.println("recording to " + save + " (read it with: wsdebug read " + save + ")");
        }
        if (o.faults != null) {
            for (FaultRule r : o.faults.rules()) {
                log.println("  fault: " + r);
            }
        }
        log.flush();
        proxy.awaitClose();
        return 0;
    }

    /**
     * Closes the capture, which first derives the frame and message rows the recording left for
     * later; when that is more than a moment's work, says so and shows the progress on stderr.
     */
    static void closeCapture(CaptureStore store, PrintStream err) {
        try {
            finishCapture(store, err);
        } finally {
            String lost = store.notRecorded(); // the capture says so too, where it happened
            if (lost != null) {
                err.println("wsdebug proxy: " + lost);
                err.flush();
            }
        }
    }

    private static void finishCapture(CaptureStore store, PrintStream err) {
        long backlog = store.indexBacklogBytes();
        if (backlog < (16L << 20)) {
            store.close();
            return;
        }
        err.printf("wsdebug proxy: finishing %s: indexing %d MB of recorded traffic (the raw bytes are saved:"
                + " kill -9 now leaves a readable capture with incomplete tables)%n", store.file(), backlog >> 20);
        err.flush();
        long start = System.nanoTime();
        Thread progress = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(5000);
                    err.printf("wsdebug proxy: %d MB left to index%n", store.indexBacklogBytes() >> 20);
                    err.flush();
                }
            } catch (InterruptedException done) {
                // closed
            }
        }, "wsdebug-index-progress");
        progress.setDaemon(true);
        progress.start();
        try {
            store.close();
        } finally {
            progress.interrupt();
        }
        err.printf("wsdebug proxy: %s complete (%.1f s)%n", store.file(), (System.nanoTime() - start) / 1e9);
        err.flush();
    }

    private String configure(ProxyOptions o) {
        if (decoding.problem() != null) {
            return decoding.problem();
        }
        String limitProblem = limits.applyTo(o.limits);
        if (limitProblem != null) {
            return limitProblem;
        }
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            return "--listen needs HOST:PORT, not '" + listen + "'.";
        }
        o.host = listen.substring(0, colon).replace("[", "").replace("]", "");
        try {
            o.port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            return "--listen needs HOST:PORT, not '" + listen + "'.";
        }
        if (o.port < 0 || o.port > 65535) {
            return "--listen port must be 0-65535.";
        }
        if (to != null) {
            try {
                o.upstream = ConnectCommand.parseUrl(to);
            } catch (IllegalArgumentException e) {
                return "--to: " + e.getMessage();
            }
        }
        if (upstreamCa != null && !Files.isReadable(upstreamCa)) {
            return "cannot read " + upstreamCa + ".";
        }
        if (maxPayload < 1) {
            return "--max-payload must be positive.";
        }
        o.retainCap = maxPayload;
        o.upstreamCa = upstreamCa;
        o.upstreamInsecure = upstreamInsecure;
        o.noIntercept.addAll(noIntercept);
        o.clientHttp2 = !noHttp2;
        switch (upstreamHttp) {
            case "auto" -> o.upstreamHttp = ProxyOptions.UpstreamHttp.AUTO;
            case "1.1", "1", "http/1.1" -> o.upstreamHttp = ProxyOptions.UpstreamHttp.HTTP1;
            case "2", "h2", "http/2" -> o.upstreamHttp = ProxyOptions.UpstreamHttp.HTTP2;
            default -> {
                return "--upstream-http must be auto, 1.1 or 2, not " + upstreamHttp + ".";
            }
        }
        List<FaultRule> rules = new ArrayList<>();
        for (String f : faults) {
            try {
                rules.add(FaultRule.parse(f));
            } catch (IllegalArgumentException e) {
                return "--fault: " + e.getMessage();
            }
        }
        if (faultsFile != null) {
            try {
                rules.addAll(FaultPlan.readFile(faultsFile));
            } catch (IllegalArgumentException e) {
                return "--faults: " + e.getMessage();
            } catch (java.io.IOException e) {
                return "cannot read " + faultsFile + ".";
            }
        }
        o.faults = rules.isEmpty() ? null : new FaultPlan(rules);
        return null;
    }
}
