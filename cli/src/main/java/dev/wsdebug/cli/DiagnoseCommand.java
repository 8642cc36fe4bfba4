package dev.wsdebug.cli;

import dev.wsdebug.analysis.Analyzer;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.TranscriptStyle;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.cli.options.DecodeFlags;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.probe.EndpointProbe;
import dev.wsdebug.net.probe.ProbeCheck;
import dev.wsdebug.net.probe.ProbeListener;
import dev.wsdebug.net.probe.ProbeOptions;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code wsdebug diagnose FILE…}: the analysis rules over captures, findings and a verdict per
 * connection; {@code wsdebug diagnose URL}: a probe of a live endpoint ({@link EndpointProbe}), one
 * checklist line per measurement.
 */
@Command(name = "diagnose",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Explain what went wrong in captured WebSocket connections: every rule of the analysis runs over"
                + " the captures (what read takes: .wsdb, pcap, pcapng with --keylog, HAR, JSON Lines) and each finding names the"
                + " cause, points at the frames that show it and says what to change; then one verdict line per"
                + " connection.", "",
                "Rules: handshake-rejected, upgrade-stripped, bad-accept, subprotocol-mismatch, deflate-declined,"
                        + " no-handshake-response, protocol-violation, invalid-utf8, message-too-big,"
                        + " reserved-close-code-on-wire, compressed-without-extension, abnormal-close, idle-timeout,"
                        + " keepalive-too-slow, no-keepalive, zombie, close-handshake-incomplete, server-error, close-CODE"
                        + " (information on 1001, 1008, 1012, 1013, 4000-4999), sequence-gap, reconnect-no-backoff,"
                        + " reconnect-storm.", "",
                "With one ws:// or wss:// URL instead of files, probe the live endpoint and print a checklist of"
                        + " what was measured: DNS, TCP connect per address, TLS (version, cipher, ALPN, certificate"
                        + " chain and expiry, host name), the upgrade and its accept check, subprotocol and"
                        + " permessage-deflate negotiation, ping round trips, the close handshake, and with --idle"
                        + " how long an idle connection survives. Failures are findings too.", "",
                "Exit status: 0 when no finding is an error (no check failed), 1 when one is, 2 for bad usage or an"
                        + " unreadable file.", ""})
final class DiagnoseCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE|URL", description = "Captures: .wsdb, pcap, pcapng, HAR or JSON Lines ('-' for"
            + " standard input); or one ws:// or wss:// URL to probe.")
    List<String> files = new ArrayList<>();

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "URL: add a request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-s", "--subprotocol"}, paramLabel = "PROTO", description = "URL: offer a subprotocol (repeatable).")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "URL: send an Origin header.")
    String origin;

    @Option(names = "--ca", paramLabel = "FILE", description = "URL: trust the certificate authorities in this PEM file.")
    Path ca;

    @Option(names = {"-k", "--insecure"}, description = "URL: do not verify the server's certificate.")
    boolean insecure;

    @Option(names = "--idle", paramLabel = "SECONDS", description = "URL: stay silent (no pings) on one connection for up to"
            + " SECONDS and report when and how it dies; then check that pings at half that time keep one open.")
    Double idle;

    @Option(names = "--json", description = "Print only the findings, as JSON Lines events of kind finding.")
    boolean json;

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets (NSS key log) to decrypt wss:// in packet captures.")
    Path keylog;

    @Option(names = "--assume-ws", paramLabel = "PORT", description = "Decode connections to this port as WebSocket"
            + " frames even without a captured handshake (repeatable).")
    List<Integer> assumeWs = new ArrayList<>();

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        boolean urlMode = files.stream().anyMatch(DiagnoseCommand::looksLikeUrl);
        if (urlMode) {
            if (files.size() > 1) {
                return usage(err, "a URL is probed alone: give one ws:// or wss:// URL, or capture files.");
            }
            return probe(files.get(0), out, err);
        }
        if (!headers.isEmpty() || !subprotocols.isEmpty() || origin != null || ca != null || insecure || idle != null) {
            return usage(err, "-H, -s, --origin, --ca, --insecure and --idle apply to a ws:// or wss:// URL, not to capture files.");
        }
        DecodeOptions options;
        try {
            options = DecodeFlags.options(assumeWs, keylog);
        } catch (DecodeFlags.Bad e) {
            return usage(err, e.getMessage());
        }
        CaptureInputs inputs;
        try {
            inputs = CaptureInputs.open(files);
        } catch (CaptureInputs.Unreadable e) {
            return usage(err, e.getMessage());
        }
        EventSink view = json ? new JsonLinesSink(out, false)
                : new TranscriptPrinter(out, Terminal.style(color).withConn(true));
        // one analyzer per input: connection ids start again in every file
        List<String> names = new ArrayList<>();
        List<Analyzer> analyzers = new ArrayList<>();
        EventSink current = new EventSink() {
            @Override
            public void accept(dev.wsdebug.capture.Event e) {
                analyzers.get(analyzers.size() - 1).accept(e);
            }

            @Override
            public void ended(String conn, long t) {
                analyzers.get(analyzers.size() - 1).ended(conn, t);
            }
        };
        try (inputs) {
            try {
                inputs.replay(current, options, name -> {
                    if (!analyzers.isEmpty()) {
                        analyzers.get(analyzers.size() - 1).finish();
                    }
                    names.add(name);
                    analyzers.add(new Analyzer(view));
                }, (event, warning) -> err.println("wsdebug diagnose: " + warning));
            } catch (CaptureInputs.Unreadable e) {
                analyzers.forEach(Analyzer::finish); // what the complete connections before the break show is still said
                view.flush();
                return usage(err, e.getMessage());
            }
        }
        analyzers.forEach(Analyzer::finish);
        view.flush();
        int errors = 0;
        for (int i = 0; i < analyzers.size(); i++) {
            if (!json) {
                verdicts(analyzers.size() > 1 ? names.get(i) : null, analyzers.get(i), out);
            }
            errors += analyzers.get(i).errors();
        }
        out.flush();
        return errors > 0 ? 1 : 0;
    }

    /** ws:// or wss://, in any case: anything else is a file name, even one with a colon. */
    static boolean looksLikeUrl(String arg) {
        String a = arg.strip().toLowerCase(Locale.ROOT);
        return a.startsWith("ws://") || a.startsWith("wss://");
    }

    private int probe(String text, PrintStream out, PrintStream err) {
        if (keylog != null || !assumeWs.isEmpty()) {
            return usage(err, "--keylog and --assume-ws apply to capture files, not to a URL.");
        }
        ProbeOptions o = new ProbeOptions();
        try {
            o.url = ConnectCommand.parseUrl(text);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                return usage(err, "-H takes 'NAME: VALUE', not '" + h + "'.");
            }
        }
        if (idle != null && !(idle > 0 && idle <= 3600)) {
            return usage(err, "--idle takes seconds from above 0 to 3600, not " + idle + ".");
        }
        if (ca != null && !Files.isReadable(ca)) {
            return usage(err, "--ca " + ca + " cannot be read.");
        }
        o.headers = headers;
        o.subprotocols = subprotocols;
        o.origin = origin;
        o.ca = ca;
        o.insecure = insecure;
        o.idleSeconds = idle == null ? 0 : idle;
        ProbeListener view = json ? jsonView(out) : new Checklist(out, Terminal.utf8Locale(), Terminal.colorFor(color),
                Terminal.style(color));
        EndpointProbe.Outcome outcome;
        try {
            outcome = new EndpointProbe(o).run(view);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (view instanceof Checklist c) {
            c.summary(outcome);
        }
        out.flush();
        return outcome.failed() ? 1 : 0;
    }

    /** JSON Lines: a probe event per check, the findings as finding events, each line as it happens. */
    private static ProbeListener jsonView(PrintStream out) {
        JsonLinesSink findings = new JsonLinesSink(out, true);
        return new ProbeListener() {
            @Override
            public void check(ProbeCheck check) {
                out.println(check.toJson());
                out.flush();
            }

            @Override
            public void finding(FindingEvent finding) {
                findings.accept(finding);
            }
        };
    }

    /**
     * The human view: one checklist line per check as it is measured (a probe with --idle takes
     * seconds), then the findings in full, which say why and what to change.
     */
    private static final class Checklist implements ProbeListener {
        private final PrintStream out;
        private final boolean unicode;
        private final boolean color;
        private final TranscriptStyle style;
        private final List<FindingEvent> findings = new ArrayList<>();

        Checklist(PrintStream out, boolean unicode, boolean color, TranscriptStyle style) {
            this.out = out;
            this.unicode = unicode;
            this.color = color;
            this.style = style;
        }

        @Override
        public void check(ProbeCheck c) {
            String mark = switch (c.status()) {
                case OK -> paint("32", unicode ? "\u2714" : "[ok]");
                case WARN -> paint("33", unicode ? "\u26a0" : "[!!]");
                case FAIL -> paint("31", unicode ? "\u2718" : "[xx]");
            };
            out.println(mark + " " + c.what() + (c.detail() == null || c.detail().isEmpty() ? "" : ": " + c.detail()));
            out.flush();
        }

        @Override
        public void finding(FindingEvent finding) {
            findings.add(finding);
        }

        private String paint(String sgr, String text) {
            return color ? "\u001b[" + sgr + "m" + text + "\u001b[0m" : text;
        }

        void summary(EndpointProbe.Outcome outcome) {
            if (!findings.isEmpty()) {
                out.println();
                TranscriptPrinter printer = new TranscriptPrinter(out, style);
                findings.forEach(printer::accept);
                printer.flush();
            }
            out.println();
            out.println(outcome.failedChecks() == 0 ? "no check failed" + (outcome.warnings() > 0 ? ", "
                    + outcome.warnings() + " warning" + (outcome.warnings() == 1 ? "" : "s") : "")
                    : outcome.failedChecks() + " check" + (outcome.failedChecks() == 1 ? "" : "s") + " failed");
        }
    }

    private static void verdicts(String file, Analyzer analyzer, PrintStream out) {
        List<Analyzer.Verdict> all = analyzer.verdicts();
        out.println();
        if (file != null) {
            out.println("# " + file);
        }
        if (all.isEmpty()) {
            out.println("no WebSocket connection in the capture");
            return;
        }
        int bad = 0;
        for (Analyzer.Verdict v : all) {
            String what = v.worst().isEmpty() ? "ok" : v.worst() + ": " + String.join(", ", v.rules());
            if (v.worst().equals("error")) {
                bad++;
            }
            out.println("conn " + v.conn() + (v.url() != null ? " " + v.url() : "") + ": " + what);
        }
        out.println(all.size() + " connection" + (all.size() == 1 ? "" : "s") + ", " + bad + " with errors, "
                + analyzer.count() + " finding" + (analyzer.count() == 1 ? "" : "s"));
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug diagnose: " + sentence);
        return Main.USAGE;
    }
}
