package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.replay.Comparison;
import dev.wsdebug.capture.replay.JsonPath;
import dev.wsdebug.capture.replay.RecordedConnection;
import dev.wsdebug.capture.replay.Recording;
import dev.wsdebug.cli.options.DecodeFlags;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.replay.ReplayOptions;
import dev.wsdebug.net.replay.ReplayResult;
import dev.wsdebug.net.replay.Replayer;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.wire.Direction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** {@code wsdebug replay}: a recorded session played again against a server, with a verdict. */
@Command(name = "replay",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Play the client side of a recorded WebSocket session again against a server, and compare what"
                + " the server answers with what it answered in the recording.", "",
                "The capture is anything 'wsdebug read' takes (.wsdb, pcap, pcapng, HAR, JSON Lines). A new connection to --to"
                        + " (with the recorded path and query when --to has none) offers the recorded subprotocols and"
                        + " permessage-deflate and sends the recorded request's other headers (-H replaces or adds,"
                        + " --no-headers leaves them out); then the client's messages, pings and close go out at"
                        + " their recorded times (--speed), as fast as possible, or each after the replies that came"
                        + " before it (--wait-replies). A recorded close waits for the replies before it.",
                "The server's messages are compared in order with the recorded ones: JSON by structure (members in"
                        + " any order, 1 and 1.0 equal) with the --ignore paths left out of both sides, anything else"
                        + " byte for byte; and the server's close code. The first difference is shown with both sides,"
                        + " then the counts. Several connections and no --conn: all are replayed at once, each at its"
                        + " recorded start.", ""},
        footer = {"", "Paths for --ignore: $.timestamp, data.items[*].id, $..ts (any depth), or a JSON pointer /data/ts.",
                "", "Examples:",
                "  wsdebug replay session.wsdb --to ws://127.0.0.1:8080 --ignore '$.ts'",
                "  wsdebug replay capture.pcapng --conn 3 --to ws://127.0.0.1:8080/feed --speed max",
                "  wsdebug replay chrome.har --to wss://staging.example.test --wait-replies -H 'Cookie: s=1'",
                "", "Exit codes: 0 the server answered as recorded, 1 it did not (or a connection failed),"
                        + " 2 bad usage or a capture that cannot be read."})
final class ReplayCommand implements Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "A capture: .wsdb, pcap, pcapng, HAR or JSON Lines ('-' for standard input).")
    String capture;

    @Option(names = "--to", required = true, paramLabel = "URL", description = "The server to replay against (ws:// or wss://).")
    String to;

    @Option(names = "--conn", paramLabel = "ID", description = "Replay only this connection of the capture (repeatable). Default: all.")
    List<String> conns = new ArrayList<>();

    @Option(names = "--speed", paramLabel = "1|N|max", defaultValue = "1",
            description = "Recorded time divided by N (2: twice as fast), or max: no waiting. Default: ${DEFAULT-VALUE}.")
    String speed;

    @Option(names = "--wait-replies", description = "Send each client message once the server has sent as many messages"
            + " as it had by then in the recording (instead of at its recorded time).")
    boolean waitReplies;

    @Option(names = "--ignore", paramLabel = "PATH", description = "Leave this JSON path out of the comparison (repeatable).")
    List<String> ignore = new ArrayList<>();

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A request header replacing the recorded one of that name, or added (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--no-headers", description = "Do not send the recorded request's headers (subprotocols and extension offers are kept).")
    boolean noHeaders;

    @Option(names = "--http1", description = "Open every WebSocket with the HTTP/1.1 upgrade, however it was recorded.")
    boolean http1;

    @Option(names = "--http2", description = "Open every WebSocket as an HTTP/2 stream (RFC 8441; h2c for ws://), or"
            + " fail. Without either, each opens as recorded: over HTTP/2 when its recorded handshake was an extended"
            + " CONNECT, else with the HTTP/1.1 upgrade.")
    boolean http2;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "10",
            description = "The longest wait for the server at any point (a reply, its close). Default: ${DEFAULT-VALUE} s.")
    double timeout;

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets to decrypt a packet capture of wss:// (NSS key log).")
    Path keylog;

    @Option(names = "--ca", paramLabel = "FILE", description = "Trust the certificate authorities in this PEM file.")
    Path ca;

    @Option(names = {"-k", "--insecure"}, description = "Do not verify the server's certificate.")
    boolean insecure;

    @Option(names = "--json", description = "Print the replayed sessions as JSON Lines (schema v1), each followed by a"
            + " 'replay' event with the verdict.")
    boolean json;

    @Option(names = "-v", description = "Also show the replayed sessions as a transcript; -vv with every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        ReplayOptions options = new ReplayOptions();
        String problem = configure(options);
        if (problem != null) {
            return usage(err, problem);
        }
        List<RecordedConnection> chosen;
        try {
            chosen = read(err);
        } catch (CaptureInputs.Unreadable e) {
            return usage(err, e.getMessage());
        }
        if (chosen == null) {
            return Main.USAGE;
        }
        boolean several = chosen.size() > 1;
        EventSink view = json ? new JsonLinesSink(out, true)
                : verbose.length > 0 ? new TranscriptPrinter(out, Terminal.style(color).withConn(several)
                .withHeaders(true).withFrames(verbose.length >= 2)) : e -> { };
        EventSink sink = new SynchronizedSink(view);
        PrintStream notices = json ? err : out;
        List<ReplayResult> results = run(chosen, options, sink, notices);
        sink.flush();
        boolean allEqual = true;
        for (int i = 0; i < results.size(); i++) {
            ReplayResult r = results.get(i);
            allEqual &= r.equal();
            if (json) {
                out.println(MAPPER.writeValueAsString(event(r, i + 1)));
            } else {
                print(out, r, chosen.get(i));
            }
        }
        if (several && !json) {
            long same = results.stream().filter(ReplayResult::equal).count();
            out.println(results.size() + " connections replayed: " + same + " answered as recorded, "
                    + (results.size() - same) + " did not.");
        }
        out.flush();
        return allEqual ? 0 : 1;
    }

    /** The capture's connections to replay; null after a usage problem has been printed. */
    private List<RecordedConnection> read(PrintStream err) throws CaptureInputs.Unreadable {
        DecodeOptions decode = new DecodeOptions();
        try {
            decode.keys = DecodeFlags.options(List.of(), keylog).keys;
        } catch (DecodeFlags.Bad e) {
            usage(err, e.getMessage());
            return null;
        }
        Recording recording = new Recording();
        try (CaptureInputs inputs = CaptureInputs.open(List.of(capture))) {
            inputs.replay(recording, decode, name -> { }, (event, warning) -> err.println("wsdebug replay: " + warning));
        }
        List<RecordedConnection> all = recording.connections().stream()
                .filter(c -> c.handshake() != null || !c.from(Direction.C2S).isEmpty()).toList();
        if (all.isEmpty()) {
            usage(err, capture + " has no WebSocket connection to replay.");
            return null;
        }
        if (conns.isEmpty()) {
            return all;
        }
        List<RecordedConnection> chosen = new ArrayList<>();
        for (String id : conns) {
            RecordedConnection c = all.stream().filter(x -> x.conn().equals(id)).findFirst().orElse(null);
            if (c == null) {
                usage(err, capture + " has no connection " + id + " (it has " + String.join(", ",
                        all.stream().map(RecordedConnection::conn).toList()) + ").");
                return null;
            }
            chosen.add(c);
        }
        return chosen;
    }

    /** Replays each connection on a thread of its own, started at its recorded offset from the first. */
    private static List<ReplayResult> run(List<RecordedConnection> chosen, ReplayOptions options, EventSink sink,
                                          PrintStream notices) throws InterruptedException {
        Replayer replayer = new Replayer(options);
        long first = chosen.stream().mapToLong(RecordedConnection::startMicros).min().orElse(0);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(chosen.size(), 256));
        try {
            List<Future<ReplayResult>> futures = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) {
                RecordedConnection c = chosen.get(i);
                long connId = i + 1;
                long startNanos = Double.isFinite(options.speed)
                        ? (long) ((c.startMicros() - first) * 1000 / options.speed) : 0;
                futures.add(pool.submit(() -> {
                    long wait = t0 + startNanos - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    return replayer.replay(c, connId, sink, n -> {
                        synchronized (notices) {
                            notices.println("  " + n);
                        }
                    });
                }));
            }
            List<ReplayResult> results = new ArrayList<>();
            for (Future<ReplayResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new IllegalStateException("replay failed: " + cause, cause);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void print(PrintStream out, ReplayResult r, RecordedConnection rec) {
        long sent = rec.messagesFrom(Direction.C2S).size();
        out.println("replay of connection " + r.recordedConn() + " (" + sent + " client message" + (sent == 1 ? "" : "s")
                + ") to " + r.url());
        if (r.failure() != null) {
            out.println("  could not connect: " + r.failure());
            out.println("  FAILED");
            return;
        }
        Comparison.Result c = r.comparison();
        if (!c.equal()) {
            out.println("  first difference: " + c.differences().get(0));
            if (c.firstRecorded() != null) {
                out.println("    recorded: " + c.firstRecorded());
                out.println("    replayed: " + c.firstReplayed());
            }
            for (String d : c.differences().subList(1, Math.min(c.differences().size(), 10))) {
                out.println("  " + d);
            }
            if (c.differences().size() > 10) {
                int more = c.differences().size() - 10;
                out.println("  … and " + more + " more difference" + (more == 1 ? "" : "s"));
            }
        }
        for (String n : r.notes()) {
            out.println("  note: " + n);
        }
        out.println("  " + c.summary());
        out.println(c.equal() ? "  SAME: the server answered as recorded" : "  DIFFERENT");
    }

    private static ObjectNode event(ReplayResult r, long connId) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("event", "replay");
        n.put("conn", Long.toString(connId));
        n.put("t", System.currentTimeMillis() / 1000.0);
        n.put("recordedConn", r.recordedConn());
        n.put("url", r.url());
        n.put("equal", r.equal());
        if (r.failure() != null) {
            n.put("failure", r.failure());
        } else {
            Comparison.Result c = r.comparison();
            n.put("recorded", c.recorded());
            n.put("replayed", c.replayed());
            n.put("same", c.same());
            n.put("different", c.different());
            n.put("missing", c.missing());
            n.put("extra", c.extra());
            c.differences().forEach(n.putArray("differences")::add);
        }
        r.notes().forEach(n.putArray("notes")::add);
        return n;
    }

    private String configure(ReplayOptions o) {
        try {
            o.to = ConnectCommand.parseUrl(to);
        } catch (IllegalArgumentException e) {
            return "--to: " + e.getMessage();
        }
        String s = speed.trim().toLowerCase(Locale.ROOT);
        if (s.equals("max")) {
            o.speed = Double.POSITIVE_INFINITY;
        } else {
            try {
                o.speed = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                o.speed = -1;
            }
            if (!(o.speed > 0) || Double.isInfinite(o.speed)) {
                return "--speed takes a positive number or max, not '" + speed + "'.";
            }
        }
        if (waitReplies && !speed.equals("1")) {
            return "--wait-replies and --speed do not go together: with --wait-replies each message waits for its replies.";
        }
        for (String p : ignore) {
            try {
                o.ignore.add(JsonPath.parse(p));
            } catch (IllegalArgumentException e) {
                return "--ignore: " + e.getMessage();
            }
        }
        String badHeader = ConnectCommand.headerProblem(headers);
        if (badHeader != null) {
            return badHeader;
        }
        o.headers.addAll(headers);
        o.noHeaders = noHeaders;
        if (http1 && http2) {
            return "--http1 and --http2 contradict each other.";
        }
        o.transport = http1 ? ClientOptions.Transport.HTTP1 : http2 ? ClientOptions.Transport.HTTP2 : null;
        o.waitReplies = waitReplies;
        if (!(timeout > 0)) {
            return "--timeout must be positive.";
        }
        o.timeoutMillis = (long) (timeout * 1000);
        if (ca != null && !java.nio.file.Files.isReadable(ca)) {
            return "cannot read " + ca + ".";
        }
        o.client.ca = ca;
        o.client.insecure = insecure;
        return null;
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug replay: " + sentence);
        return Main.USAGE;
    }
}
