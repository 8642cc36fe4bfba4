package dev.wsdebug.cli;

import dev.wsdebug.analysis.Analyzer;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.tls.KeyLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wsdebug diagnose FILE…}: the analysis rules over captures, findings and a verdict per connection. */
@Command(name = "diagnose",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Explain what went wrong in captured WebSocket connections: every rule of the analysis runs over"
                + " the captures (what read takes: .wsdb, pcap, pcapng with --keylog, HAR) and each finding names the"
                + " cause, points at the frames that show it and says what to change; then one verdict line per"
                + " connection.", "",
                "Rules: handshake-rejected, upgrade-stripped, bad-accept, subprotocol-mismatch, deflate-declined,"
                        + " no-handshake-response, protocol-violation, invalid-utf8, message-too-big,"
                        + " reserved-close-code-on-wire, compressed-without-extension, abnormal-close, idle-timeout,"
                        + " keepalive-too-slow, no-keepalive, zombie, close-handshake-incomplete, server-error, close-CODE"
                        + " (information on 1001, 1008, 1012, 1013, 4000-4999), sequence-gap, reconnect-no-backoff,"
                        + " reconnect-storm.", "",
                "Exit status: 0 when no finding is an error, 1 when one is, 2 for bad usage or an unreadable file.", ""})
final class DiagnoseCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Captures: .wsdb, pcap, pcapng or HAR ('-' for standard input).")
    List<String> files = new ArrayList<>();

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
        DecodeOptions options = new DecodeOptions();
        for (int port : assumeWs) {
            if (port < 1 || port > 65535) {
                return usage(err, "--assume-ws takes a TCP port (1-65535), not " + port + ".");
            }
            options.assumeWebSocketPorts.add(port);
        }
        if (keylog != null) {
            try {
                options.keys = KeyLog.read(keylog);
            } catch (IOException | IllegalArgumentException e) {
                return usage(err, "--keylog: " + e.getMessage());
            }
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
                }, (reader, warning) -> err.println("wsdebug diagnose: " + warning));
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
