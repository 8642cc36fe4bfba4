package dev.wsdebug.cli;

import dev.wsdebug.capture.EventFilter;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.har.HarReader;
import dev.wsdebug.capture.store.CaptureReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wsdebug read}: a saved capture shown again, through the same pipeline as the live view. */
@Command(name = "read",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Show saved captures (.wsdb files written with --save FILE.wsdb) and HAR files as a transcript"
                + " or JSON Lines.", "",
                "Each connection's raw bytes are decoded again by the same pipeline as the live view, so you see"
                        + " what was shown live. A connection whose raw bytes were not all kept (the raw cap, or a disk"
                        + " slower than the traffic) is shown"
                        + " from its stored frames and messages, with a note saying so. A capture that was not closed"
                        + " cleanly (still being written, its writer killed, or copied without its -wal file) is"
                        + " shown as far as it goes, with a warning on stderr (and with --json, an error of kind"
                        + " capture in the stream).",
                "A HAR file (a file that starts with '{': Chrome's or Playwright's with their WebSocket messages,"
                        + " Firefox's with the upgrades only, or wsdebug export --har) is read entry by entry: each"
                        + " WebSocket as its handshake and messages (a HAR has no frames: a note says so), each other"
                        + " request as an http event.",
                "pcap and pcapng files (and --keylog for TLS) are planned.", ""},
        footer = {"", "Filter terms (--filter; all must match; repeat the option to add terms):",
                "  conn=ID[,ID]    connection ids",
                "  dir=c2s|s2c     frames and messages sent that way",
                "  type=T[,T]      text, binary, continuation, ping, pong, close, data, control",
                "                  (frames and messages; close also close events), handshake, error,",
                "                  http (plain HTTP exchanges)",
                "  text=SUBSTRING  text messages containing it; quote spaces: text='two words'",
                "  match=REGEX     text messages with a match of the Java regular expression",
                "  code=N[,N]      close frames and close events with that code",
                "Handshakes, close events, errors and http exchanges concern the whole connection:",
                "they pass conn and dir terms, and any other term leaves them out unless it names",
                "them (type=handshake, type=close or code=N for close events, type=error, type=http).",
                "", "Examples:",
                "  wsdebug read session.wsdb",
                "  wsdebug read session.wsdb -vv --filter 'conn=3 dir=s2c'",
                "  wsdebug read session.wsdb --json --filter 'type=text match=error|fail' | jq .",
                "  wsdebug read a.wsdb b.wsdb --filter type=close --filter code=1006",
                "  wsdebug read session.har --json",
                "", "Exit codes: 0 shown (also with a warning that a capture was not closed cleanly), 2 bad usage,"
                        + " a bad filter, or a file that is not a readable capture."})
final class ReadCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Capture files (.wsdb) or HAR files.")
    List<Path> files;

    @Option(names = "--json", description = "Print JSON Lines (schema v1) instead of the transcript.")
    boolean json;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Show only the events that match EXPR (see below).")
    List<String> filters = new ArrayList<>();

    @Option(names = "-v", description = "Show the handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--pretty", description = "Indent text payloads that are JSON.")
    boolean pretty;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour: auto (only on a terminal), always or never. Default: ${DEFAULT-VALUE}.")
    Terminal.ColorMode color;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        List<CaptureReader> readers = new ArrayList<>();
        try {
            return read(out, err, readers);
        } finally {
            out.flush();
            readers.forEach(CaptureReader::close);
        }
    }

    private int read(PrintStream out, PrintStream err, List<CaptureReader> readers) {
        EventFilter filter;
        try {
            filter = EventFilter.parse(filters);
        } catch (IllegalArgumentException e) {
            return usage(err, "--filter: " + e.getMessage());
        }
        int connections = 0;
        List<Object> sources = new ArrayList<>(); // a CaptureReader, or the Path of a HAR file
        for (Path file : files) {
            String problem = unsupported(file);
            if (problem != null) {
                return usage(err, problem);
            }
            try {
                if (HarReader.looksLikeJson(file)) {
                    sources.add(file);
                    connections += 2; // unknown until read: show the connection ids
                    continue;
                }
            } catch (IOException e) {
                return usage(err, "cannot read " + file + ": " + e.getMessage() + ".");
            }
            try {
                CaptureReader r = CaptureReader.open(file);
                readers.add(r);
                sources.add(r);
                connections += r.connections().size();
            } catch (IllegalArgumentException | IllegalStateException e) {
                return usage(err, lower(e.getMessage()));
            }
        }
        EventSink view = json ? new JsonLinesSink(out, false)
                : new TranscriptPrinter(out, Terminal.style(color).withConn(connections > 1)
                .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2).withPrettyJson(pretty));
        EventSink sink = filter.sink(view);
        for (Object source : sources) {
            if (source instanceof Path har) {
                if (!json && sources.size() > 1) {
                    view.flush();
                    out.println("# " + har);
                }
                try {
                    HarReader.read(har, sink);
                } catch (IllegalArgumentException | IOException e) { // what came before the problem is shown
                    view.flush();
                    return usage(err, e instanceof IOException ? "cannot read " + har + ": " + e.getMessage() + "."
                            : e.getMessage());
                }
                continue;
            }
            CaptureReader r = (CaptureReader) source;
            if (!json && sources.size() > 1) {
                view.flush();
                out.println("# " + r.file());
            }
            if (r.warning() != null) { // not an input error: what there is is shown
                view.flush();
                out.flush();
                err.println("wsdebug read: " + r.warning());
                if (json) {
                    sink.accept(r.warningEvent());
                }
            }
            try {
                r.replay(sink);
            } catch (IllegalArgumentException | IllegalStateException e) {
                view.flush();
                return usage(err, lower(e.getMessage()));
            }
        }
        view.flush();
        return 0;
    }

    /**
     * Says what a file is when it is a kind that read will take later (pcap, pcapng), or cannot be
     * read at all; null for anything else (HarReader or CaptureReader has the last word).
     */
    private static String unsupported(Path file) {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            return "cannot read " + file + ": no such file.";
        } catch (IOException e) {
            return Files.isDirectory(file) ? "cannot read " + file + ": it is a directory."
                    : "cannot read " + file + ": " + e.getMessage() + ".";
        }
        int magic = n < 4 ? 0 : ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        String kind = null;
        if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1) {
            kind = "a pcap capture";
        } else if (magic == 0x0a0d0d0a) {
            kind = "a pcapng capture";
        }
        return kind == null ? null : file + " is " + kind + ", which read does not take yet: for now it reads .wsdb"
                + " captures (saved with --save FILE.wsdb) and HAR files.";
    }

    private static String lower(String sentence) {
        return sentence.startsWith("Cannot ") ? "c" + sentence.substring(1) : sentence;
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug read: " + sentence);
        return Main.USAGE;
    }
}
