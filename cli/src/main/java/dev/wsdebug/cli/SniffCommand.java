package dev.wsdebug.cli;

import dev.wsdebug.capture.EventFilter;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.output.LiveSink;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.cli.ui.LiveUi;
import dev.wsdebug.sniff.CaptureDecoder;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.LiveCapture;
import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.tls.KeyLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code wsdebug sniff}: live capture into the same pipeline as {@code read}. */
@Command(name = "sniff",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Capture packets live and show every WebSocket in them as it happens, like read does for a"
                + " capture file: frames print as they complete, HTTP/1.1 exchanges are listed, wss:// is decrypted"
                + " with --keylog (re-read while it grows).", "",
                "Packets come from dumpcap (pcapng) or tcpdump, whichever is installed, started as a child process;"
                        + " capturing needs root or the capture capability. FILTER is a BPF capture filter passed"
                        + " to the tool as it is. Ctrl-C (or SIGTERM) stops, with everything captured shown and"
                        + " saved.", ""},
        footer = {"", "Examples:",
                "  sudo wsdebug sniff                               # every WebSocket on lo",
                "  sudo wsdebug sniff -i any tcp port 8765",
                "  sudo wsdebug sniff tcp port 443 --keylog $SSLKEYLOGFILE --json",
                "  sudo wsdebug sniff --write live.pcapng --save live.wsdb",
                "", "Exit codes: 0 stopped, 2 bad usage, no capture tool, no permission, no such interface,"
                        + " or a filter that is not BPF."})
final class SniffCommand implements Callable<Integer> {
    @Option(names = {"-i", "--interface"}, paramLabel = "IFACE", defaultValue = "lo",
            description = "The interface to capture on (any: all of them). Default: ${DEFAULT-VALUE}.")
    String iface;

    @Parameters(paramLabel = "FILTER", arity = "0..*", description = "A BPF capture filter, e.g. tcp port 8765.")
    List<String> filterWords = new ArrayList<>();

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets (NSS key log), re-read while it grows.")
    Path keylog;

    @Option(names = "--assume-ws", paramLabel = "PORT", description = "Decode connections to this port as WebSocket frames"
            + " when no upgrade was captured (repeatable).")
    List<Integer> assumeWs = new ArrayList<>();

    @Option(names = "--write", paramLabel = "FILE", description = "Also write the packets, as the tool gave them (pcapng from"
            + " dumpcap, pcap from tcpdump), to FILE.")
    Path write;

    @Option(names = "--save", paramLabel = "FILE.wsdb", description = "Record what is decoded into a capture file.")
    Path save;

    @picocli.CommandLine.Mixin
    LiveUi.Options uiOptions = new LiveUi.Options();

    @Option(names = "--streams", paramLabel = "DIR", description = "Write each TCP connection's bytes into DIR, one file per direction.")
    Path streams;

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print JSON Lines (schema v1) instead of the transcript.")
    boolean json;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Show only the events that match EXPR (as for read).")
    List<String> filters = new ArrayList<>();

    @Option(names = "-v", description = "Show the handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        EventFilter filter;
        try {
            filter = EventFilter.parse(filters);
        } catch (IllegalArgumentException e) {
            return usage(err, "--filter: " + e.getMessage());
        }
        if (decoding.problem() != null) {
            return usage(err, decoding.problem());
        }
        DecodeOptions options = new DecodeOptions();
        for (int port : assumeWs) {
            if (port < 1 || port > 65535) {
                return usage(err, "--assume-ws takes a TCP port (1-65535), not " + port + ".");
            }
            options.assumeWebSocketPorts.add(port);
        }
        if (keylog != null) {
            options.keys = KeyLog.watching(keylog);
        }
        options.streamsDir = streams;
        CaptureStore store = null;
        Path temporaryStore = save == null && uiOptions.ui ? LiveUi.temporaryStore("sniff") : null;
        if (save != null || temporaryStore != null) {
            try {
                store = CaptureStore.create(save != null ? save : temporaryStore);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                return usage(err, e.getMessage());
            }
        }
        String bpf = filterWords.isEmpty() ? null : String.join(" ", filterWords);
        LiveCapture capture;
        try {
            capture = LiveCapture.start(iface, bpf);
        } catch (LiveCapture.Failure e) {
            closeStore(store, temporaryStore, err);
            return usage(err, e.getMessage());
        }
        LiveUi ui = null;
        if (uiOptions.ui) {
            try {
                ui = LiveUi.start(uiOptions, decoding, store, "sniff " + iface, json ? err : out, err);
            } catch (IllegalArgumentException e) {
                capture.close();
                closeStore(store, temporaryStore, err);
                return usage(err, e.getMessage());
            }
        }
        EventSink view = json ? new JsonLinesSink(out, true)
                : new TranscriptPrinter(out, Terminal.style(color).withConn(true)
                .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2));
        EventSink shown = new LiveSink(decoding.wrap(filter.sink(view)));
        // a connection that ends badly (or stalls) gets its findings printed after it: warnings and errors only
        dev.wsdebug.analysis.Analyzer analyzer = new dev.wsdebug.analysis.Analyzer(
                dev.wsdebug.analysis.Analyzer.problemsOnly(shown));
        EventSink watched = EventSink.all(shown, analyzer);
        EventSink sink = new SynchronizedSink(store == null ? watched : ui == null ? EventSink.all(watched, store)
                : EventSink.all(watched, store, ui.notifier()));
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            capture.stop(); // the tool flushes and ends its output; the loop below then finishes
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "sniff-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        CaptureDecoder decoder = new CaptureDecoder(sink, options);
        String problem = null;
        try {
            InputStream in = capture.packets();
            OutputStream copy = write == null ? null : Files.newOutputStream(write);
            if (copy != null) {
                in = new Tee(in, copy);
            }
            try (PacketReader reader = CaptureFiles.open(in)) {
                err.println("capturing on " + iface + (bpf == null ? "" : " (" + bpf + ")") + " with " + capture.tool()
                        + "; Ctrl-C to stop");
                err.flush();
                decoder.takeSecretsFrom(reader);
                Packet p;
                while ((p = reader.next()) != null) {
                    decoder.packet(p);
                }
            } catch (IOException e) {
                problem = capture.failure();
                if (problem == null && !(e instanceof java.io.EOFException)) {
                    problem = "the capture from " + capture.tool() + " broke off: " + e.getMessage();
                }
            } finally {
                if (copy != null) {
                    copy.close();
                }
            }
            if (problem == null) {
                problem = capture.failure();
            }
            decoder.finish();
            analyzer.finish();
            view.flush();
            if (!json && decoder.summary().packets() > 0) {
                CaptureInputs.printSummary(out, decoder.summary());
            } else if (json) {
                CaptureInputs.printSummary(err, decoder.summary());
            }
            out.flush();
        } finally {
            capture.close();
            if (ui != null) {
                ui.close();
            }
            closeStore(store, temporaryStore, err);
            done.countDown();
        }
        if (problem != null) {
            return usage(err, problem);
        }
        return 0;
    }

    private static void closeStore(CaptureStore store, Path temporary, PrintStream err) {
        if (store != null) {
            if (temporary != null) {
                store.close();
            } else {
                ProxyCommand.closeCapture(store, err);
            }
        }
        LiveUi.deleteTemporary(temporary);
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug sniff: " + sentence);
        return Main.USAGE;
    }

    /** Copies what is read to a second stream: --write keeps the capture as the tool gave it. */
    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;

        Tee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
            }
            return n;
        }
    }
}
