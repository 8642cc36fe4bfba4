package dev.wsdebug.cli;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.export.ExportFormat;
import dev.wsdebug.capture.store.CaptureReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code wsdebug export CAPTURE --har F | --pcapng F | --jsonl F}: a capture for other tools. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = {"Export a capture (.wsdb) for other tools.", "",
                "--har writes HAR 1.2 with Chrome's _webSocketMessages (opens in Chrome DevTools and HAR viewers);"
                        + " --pcapng writes synthesized TCP/IP packets carrying the plaintext conversation"
                        + " (tshark -r F -Y websocket shows the same frames); --jsonl writes the JSON Lines"
                        + " event stream (schema v1).", ""},
        footer = {"", "Examples:",
                "  wsdebug export cap.wsdb --pcapng cap.pcapng && tshark -r cap.pcapng -Y websocket",
                "  wsdebug export cap.wsdb --har cap.har"})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAPTURE", description = "A capture written by wsdebug proxy --save.")
    Path capture;

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

    @Override
    public Integer call() {
        ExportFormat format = target.har != null ? ExportFormat.HAR : target.pcapng != null ? ExportFormat.PCAPNG
                : ExportFormat.JSONL;
        Path out = target.har != null ? target.har : target.pcapng != null ? target.pcapng : target.jsonl;
        if (!Files.isReadable(capture)) {
            Terminal.stderr().println("wsdebug export: cannot read " + capture + ".");
            return Main.USAGE;
        }
        try (CaptureReader reader = CaptureReader.open(capture)) {
            boolean stdout = out.toString().equals("-");
            EventSink sink = stdout ? format.to(Terminal.stdout()) : format.create(out);
            try {
                if (reader.warning() != null) { // what there is is exported
                    Terminal.stderr().println("wsdebug export: " + reader.warning());
                    sink.accept(reader.warningEvent()); // in JSON Lines; the other formats have no place for it
                }
                reader.replay(sink);
            } finally {
                sink.close();
                Terminal.stdout().flush();
            }
            if (!stdout) {
                Terminal.stderr().println("wrote " + out + " (" + reader.connections().size() + " connections, "
                        + Files.size(out) + " bytes)");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            Terminal.stderr().println("wsdebug export: " + e.getMessage());
            return Main.USAGE;
        } catch (IOException | java.io.UncheckedIOException e) {
            Terminal.stderr().println("wsdebug export: cannot write " + out + ": " + e.getMessage() + ".");
            return Main.USAGE;
        }
    }
}
