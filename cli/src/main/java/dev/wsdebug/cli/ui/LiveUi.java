package dev.wsdebug.cli.ui;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --ui} on a live source (proxy, sniff): the traffic is recorded into a capture store (the
 * {@code --save} file, or a temporary one deleted on exit) and shown by the web UI, which reads
 * everything from the store; open pages are told when connections get new rows.
 */
public final class LiveUi {
    /** The options a live command mixes in. */
    public static final class Options {
        @Option(names = "--ui", description = "Also show the traffic in the web UI (prints its URL); recorded into"
                + " the --save file, or a temporary capture deleted on exit.")
        public boolean ui;

        @Option(names = "--ui-port", paramLabel = "P", description = "Port of the web UI (default: a free one).")
        int port;

        @Option(names = "--ui-open", description = "Open the web UI in the default browser.")
        boolean open;
    }

    private final UiServer server;
    private final OpenCapture capture;

    private LiveUi(UiServer server, OpenCapture capture) {
        this.server = server;
        this.capture = capture;
    }

    /** A temporary capture file for a live source run with --ui and no --save. */
    public static Path temporaryStore(String command) throws IOException {
        Path p = Files.createTempFile("wsdebug-" + command + "-", ".wsdb");
        Files.delete(p); // the store creates it
        return p;
    }

    /**
     * Starts the UI over {@code store}; its messages are read as the command's {@code --decode} says.
     *
     * @throws IllegalArgumentException with one sentence when it cannot listen
     */
    public static LiveUi start(Options o, DecodeOption decoding, CaptureStore store, String name, PrintStream out, PrintStream err) {
        UiServer server = UiServer.start(new UiOptions().port(o.port).decode(decoding.decode).protoSchema(decoding.schema()));
        OpenCapture c;
        try {
            c = server.captures().live(store.file(), name, "live", store::sync);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LiveUi ui = new LiveUi(server, c);
        UiUrl.announce(server, "127.0.0.1", o.open, out, err);
        return ui;
    }

    /** What tells the UI about new rows: add it to the source's sinks after the store. */
    public EventSink notifier() {
        return server.notifier(capture);
    }

    /** Lets the page inject into the proxy's connections. */
    public void injector(dev.wsdebug.ui.Injector i) {
        capture.injector(i);
    }

    public void close() {
        server.close();
    }

    /** Deletes a temporary capture (and SQLite's files beside it); null: nothing to do. */
    public static void deleteTemporary(Path p) {
        dev.wsdebug.ui.Captures.deleteQuietly(p);
    }
}
