package dev.wsdebug.sniff;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.har.HarReader;
import dev.wsdebug.capture.jsonl.JsonLinesReader;
import dev.wsdebug.capture.store.CaptureReader;
import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files {@code read} and {@code export} take, recognised by their content, not their name:
 * capture stores (.wsdb), pcap, pcapng, HAR and JSON Lines; {@code -} is standard input. Stores,
 * HAR and JSON Lines files are replayed one after the other; all packet captures are merged by time
 * and decoded as one (so a session split over several files, or captured at two places, reads as one).
 */
public final class CaptureInputs implements AutoCloseable {
    /** A file that cannot be read as given: one sentence, exit 2. */
    public static final class Unreadable extends Exception {
        public Unreadable(String sentence) {
            super(sentence);
        }
    }

    /** One input: a name to show, its kind, and its bytes (a store is opened by path). */
    private record Input(String name, Path path, CaptureFiles.Kind kind, InputStream stream) {
    }

    private final List<Input> inputs = new ArrayList<>();
    private final List<CaptureReader> stores = new ArrayList<>();
    private CaptureSummary summary;

    private CaptureInputs() {
    }

    /** Opens and recognises every file; the first that cannot be read stops with its sentence. */
    public static CaptureInputs open(List<String> names) throws Unreadable {
        CaptureInputs in = new CaptureInputs();
        boolean stdinUsed = false;
        try {
            for (String name : names) {
                if (name.equals("-")) {
                    if (stdinUsed) {
                        throw new Unreadable("standard input (-) can be read only once.");
                    }
                    stdinUsed = true;
                    in.add(name, null, new BufferedInputStream(System.in, 1 << 16));
                } else {
                    Path p = Path.of(name);
                    if (Files.isDirectory(p)) {
                        throw new Unreadable("cannot read " + name + ": it is a directory.");
                    }
                    try {
                        in.add(name, p, new BufferedInputStream(Files.newInputStream(p), 1 << 16));
                    } catch (NoSuchFileException e) {
                        throw new Unreadable("cannot read " + name + ": no such file.");
                    } catch (IOException e) {
                        throw new Unreadable(Files.isDirectory(p) ? "cannot read " + name + ": it is a directory."
                                : "cannot read " + name + ": " + e.getMessage() + ".");
                    }
                }
            }
            return in;
        } catch (Unreadable | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private void add(String name, Path path, BufferedInputStream stream) throws Unreadable {
        byte[] head;
        try {
            stream.mark(CaptureFiles.HEAD_LENGTH);
            head = stream.readNBytes(CaptureFiles.HEAD_LENGTH);
            stream.reset();
        } catch (IOException e) {
            throw new Unreadable("cannot read " + name + ": " + e.getMessage() + ".");
        }
        CaptureFiles.Kind kind = CaptureFiles.kind(head, head.length);
        if (kind == CaptureFiles.Kind.HAR && firstLineIsEvent(name, stream)) {
            kind = CaptureFiles.Kind.JSONL; // its writer put the event field beyond the first bytes
        }
        if (kind == CaptureFiles.Kind.WSDB) {
            if (path == null) {
                throw new Unreadable("a capture store (.wsdb) cannot be read from standard input: give its file name.");
            }
            closeQuietly(stream);
            try {
                stores.add(CaptureReader.open(path));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new Unreadable(lower(e.getMessage()));
            }
        } else if (kind == CaptureFiles.Kind.UNKNOWN) {
            closeQuietly(stream);
            throw new Unreadable(head.length == 0 ? "cannot read " + name + ": it is empty."
                    : name + " is not a capture wsdebug reads: not a .wsdb capture store, pcap, pcapng, HAR or JSON"
                    + " Lines file (it starts with " + hexStart(head) + ").");
        }
        inputs.add(new Input(name, path, kind, kind == CaptureFiles.Kind.WSDB ? null : stream));
    }

    /**
     * Whether the first line of a stream that starts with a JSON object is a JSON Lines event: looks
     * ahead to that line's end (at most {@link JsonLinesReader#SNIFF_LENGTH} bytes), never further, so
     * that a live stream on standard input is not waited on beyond its first line.
     */
    private static boolean firstLineIsEvent(String name, BufferedInputStream stream) throws Unreadable {
        byte[] line = new byte[JsonLinesReader.SNIFF_LENGTH];
        int n = 0;
        boolean content = false;
        try {
            stream.mark(line.length);
            int b;
            while (n < line.length && (b = stream.read()) >= 0) {
                line[n++] = (byte) b;
                if (b == '\n' && content) {
                    break;
                }
                content |= b == '{';
            }
            stream.reset();
        } catch (IOException e) {
            throw new Unreadable("cannot read " + name + ": " + e.getMessage() + ".");
        }
        return JsonLinesReader.looksLikeJsonLines(line, n);
    }

    /** Connections in the stores, and 2 for other inputs (their count is not known before reading). */
    public int connectionsHint() {
        int n = 0;
        for (CaptureReader r : stores) {
            n += r.connections().size();
        }
        return n + (inputs.size() - stores.size()) * 2;
    }

    /**
     * The name of the first input that keeps messages but not the bytes that crossed the wire (a HAR
     * or JSON Lines file), or null when every input has them.
     */
    public String withoutWireBytes() {
        return inputs.stream().filter(i -> i.kind == CaptureFiles.Kind.HAR || i.kind == CaptureFiles.Kind.JSONL)
                .map(Input::name).findFirst().orElse(null);
    }

    public boolean hasPacketCaptures() {
        return inputs.stream().anyMatch(i -> i.kind == CaptureFiles.Kind.PCAP || i.kind == CaptureFiles.Kind.PCAPNG);
    }

    /** What the packet captures held (after {@link #replay}), or null without packet captures. */
    public CaptureSummary summary() {
        return summary;
    }

    /**
     * Every input into the sink: stores and HAR files in turn, the packet captures merged at the
     * place of the first one.
     *
     * @param heading called before each input when there are several (the transcript names them)
     * @param warning called with a warning and the same as an error event of kind {@code capture}:
     *                a store's (not closed cleanly), before its events; a JSON Lines file's (its last
     *                line breaks off), after them
     * @throws Unreadable when a file breaks off: the events before the break were sent
     */
    public void replay(EventSink sink, DecodeOptions options, java.util.function.Consumer<String> heading,
                java.util.function.BiConsumer<ErrorEvent, String> warning) throws Unreadable {
        int store = 0;
        boolean packetsDone = false;
        for (Input in : inputs) {
            switch (in.kind) {
                case WSDB -> {
                    CaptureReader r = stores.get(store++);
                    heading.accept(in.name);
                    if (r.warning() != null) {
                        warning.accept(r.warningEvent(), r.warning());
                    }
                    try {
                        r.replay(sink);
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        throw new Unreadable(lower(e.getMessage()));
                    }
                }
                case HAR -> {
                    heading.accept(in.name);
                    try {
                        HarReader.read(in.stream, in.name, sink);
                    } catch (IllegalArgumentException e) {
                        throw new Unreadable(e.getMessage());
                    } catch (IOException e) {
                        throw new Unreadable("cannot read " + in.name + ": " + e.getMessage() + ".");
                    }
                }
                case JSONL -> {
                    heading.accept(in.name);
                    jsonLines(in, sink, warning);
                }
                default -> {
                    if (!packetsDone) {
                        packetsDone = true;
                        decodePackets(sink, options, heading);
                    }
                }
            }
        }
    }

    private static void jsonLines(Input in, EventSink sink, java.util.function.BiConsumer<ErrorEvent, String> warning)
            throws Unreadable {
        JsonLinesReader.Result r;
        try {
            r = JsonLinesReader.read(in.stream, in.name, sink);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(e.getMessage());
        } catch (IOException e) {
            throw new Unreadable("cannot read " + in.name + ": " + e.getMessage() + ".");
        }
        if (r.warning() != null) {
            warning.accept(r.warning(), r.warning().message());
        }
    }

    private void decodePackets(EventSink sink, DecodeOptions options, java.util.function.Consumer<String> heading)
            throws Unreadable {
        List<PacketReader> readers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        CaptureDecoder decoder = new CaptureDecoder(sink, options);
        try {
            for (Input in : inputs) {
                if (in.kind == CaptureFiles.Kind.PCAP || in.kind == CaptureFiles.Kind.PCAPNG) {
                    try {
                        PacketReader r = CaptureFiles.open(in.stream);
                        decoder.takeSecretsFrom(r);
                        readers.add(r);
                        names.add(in.name);
                    } catch (IOException e) {
                        throw new Unreadable("cannot read " + in.name + ": " + lowerFirst(e.getMessage()));
                    }
                }
            }
            heading.accept(String.join(" + ", names));
            MergedPackets merged = new MergedPackets(readers, names);
            try {
                Packet p;
                while ((p = merged.next()) != null) {
                    decoder.packet(p);
                }
            } catch (MergedPackets.NamedCaptureException e) {
                decoder.finish(); // what the complete connections before the break hold is shown
                throw new Unreadable("cannot read " + e.file() + ": " + lowerFirst(e.getMessage()));
            } catch (IOException e) {
                decoder.finish();
                throw new Unreadable("cannot read " + String.join(", ", names) + ": " + lowerFirst(e.getMessage()));
            } catch (UncheckedIOException e) {
                throw new Unreadable(e.getMessage());
            }
            decoder.finish();
        } finally {
            summary = decoder.summary();
            for (PacketReader r : readers) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // read to the end already
                }
            }
        }
    }

    @Override
    public void close() {
        for (Input in : inputs) {
            closeQuietly(in.stream);
        }
        stores.forEach(CaptureReader::close);
    }

    private static void closeQuietly(InputStream s) {
        if (s != null && s != System.in) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }

    private static String hexStart(byte[] head) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            sb.append(String.format("%02x ", head[i] & 0xFF));
        }
        return sb.toString().trim() + (head.length > 8 ? " ..." : "");
    }

    public static String lower(String sentence) {
        return sentence != null && sentence.startsWith("Cannot ") ? "c" + sentence.substring(1) : sentence;
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "the file is damaged.";
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    public static void printSummary(PrintStream out, CaptureSummary s) {
        if (s != null) {
            out.println("# " + s + ".");
        }
    }
}
