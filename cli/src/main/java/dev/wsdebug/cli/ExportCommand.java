package dev.wsdebug.cli;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.export.ExportFormat;
import dev.wsdebug.cli.options.DecodeFlags;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wsdebug export CAPTURE --har F | --pcapng F | --jsonl F}: a capture for other tools. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = {"Export a capture for other tools: a .wsdb capture, or a pcap, pcapng, HAR or JSON Lines file (decoded as read"
                + " does, so pcap -> HAR works).", "",
                "--har writes HAR 1.2 with Chrome's _webSocketMessages (opens in Chrome DevTools and HAR viewers);"
                        + " --pcapng writes synthesized TCP/IP packets carrying the plaintext conversation"
                        + " (tshark -r F -Y websocket shows the same frames; from a .wsdb, pcap or pcapng, since"
                        + " HAR and JSON Lines files do not keep the bytes on the wire); --jsonl writes the JSON Lines"
                        + " event stream (schema v1).", ""},
        footer = {"", "Examples:",
                "  wsdebug export cap.wsdb --pcapng cap.pcapng && tshark -r cap.pcapng -Y websocket",
                "  wsdebug export cap.wsdb --har cap.har"})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAPTURE", description = "A capture: .wsdb (wsdebug proxy --save), pcap, pcapng"
            + " or HAR, recognised by content ('-' for standard input).")
    String capture;

    static final class Target {
        @Option(names = "--har", paramLabel = "FILE", description = "Write HAR 1.2.")
        Path har;

        @Option(names = "--pcapng", paramLabel = "FILE", description = "Write pcapng.")
        Path pcapng;

        @Option(names = "--jsonl", paramLabel = "FILE", description = "Write JSON Lines ('-' for standard output).")
        Path jsonl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets for a pcap/pcapng input (NSS key log).")
    Path keylog;

    @Option(names = "--assume-ws", paramLabel = "PORT", description = "For a pcap/pcapng input: decode connections to this"
            + " port as WebSocket frames when no upgrade was captured (repeatable).")
    List<Integer> assumeWs = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream err = Terminal.stderr();
        ExportFormat format = target.har != null ? ExportFormat.HAR : target.pcapng != null ? ExportFormat.PCAPNG
                : ExportFormat.JSONL;
        Path out = target.har != null ? target.har : target.pcapng != null ? target.pcapng : target.jsonl;
        DecodeOptions options;
        try {
            options = DecodeFlags.options(assumeWs, keylog);
        } catch (DecodeFlags.Bad e) {
            return usage(err, e.getMessage());
        }
        CaptureInputs inputs;
        try {
            inputs = CaptureInputs.open(List.of(capture));
        } catch (CaptureInputs.Unreadable e) {
            return usage(err, e.getMessage());
        }
        try (inputs) {
            String bare = format == ExportFormat.PCAPNG ? inputs.withoutWireBytes() : null;
            if (bare != null) {
                // the packets are synthesized from the bytes each side sent; these files never had them
                return usage(err, "--pcapng rebuilds packets from the bytes that crossed the wire, which " + bare
                        + " does not keep (HAR and JSON Lines hold decoded messages); export a .wsdb, pcap or pcapng"
                        + " capture instead.");
            }
            boolean stdout = out.toString().equals("-");
            EventSink sink = stdout ? format.to(Terminal.stdout()) : format.create(out);
            Counting counted = new Counting(sink);
            try {
                inputs.replay(counted, options, name -> { }, (event, warning) -> { // what there is is exported
                    err.println("wsdebug export: " + warning);
                    counted.accept(event); // in JSON Lines; the other formats have no place for it
                });
            } catch (CaptureInputs.Unreadable e) {
                return usage(err, e.getMessage());
            } finally {
                counted.close();
                Terminal.stdout().flush();
            }
            if (!stdout) {
                err.println("wrote " + out + " (" + counted.connections.size() + " connections, " + Files.size(out)
                        + " bytes)");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return usage(err, "cannot write " + out + ": " + e.getMessage() + ".");
        }
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug export: " + sentence);
        return Main.USAGE;
    }

    /** Passes events on and counts the connections they belong to. */
    private static final class Counting implements EventSink {
        private final EventSink next;
        private final java.util.Set<String> connections = new java.util.HashSet<>();

        Counting(EventSink next) {
            this.next = next;
        }

        @Override
        public void accept(dev.wsdebug.capture.Event event) {
            if (event.conn() != null) {
                connections.add(event.conn());
            }
            next.accept(event);
        }

        @Override
        public void chunk(String conn, dev.wsdebug.wire.Direction dir, long t, byte[] b, int off, int len) {
            next.chunk(conn, dir, t, b, off, len);
        }

        @Override
        public void ended(String conn, long t) {
            next.ended(conn, t);
        }

        @Override
        public void assumedWebSocket(String conn, dev.wsdebug.wire.DeflateParams deflate) {
            next.assumedWebSocket(conn, deflate);
        }

        @Override
        public void flush() {
            next.flush();
        }

        @Override
        public void close() {
            next.close();
        }
    }
}
