package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.jsonl.JsonLinesReader;
import dev.wsdebug.capture.store.CaptureBrowser;
import dev.wsdebug.capture.store.CaptureReader;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.CaptureFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The captures the UI shows. A capture store (.wsdb) is read where it is; a pcap, pcapng or HAR file
 * goes once through the pipeline into a temporary store (exactly what {@code read --save} does), so
 * every view reads a store and memory does not grow with the file. Live sources register the store
 * they write.
 */
public final class Captures implements AutoCloseable {
    private final Map<String, OpenCapture> byId = new LinkedHashMap<>();
    private final Supplier<DecodeOptions> decodeOptions;
    /** The application protocol messages are read as ({@code --decode}), or null: chosen per connection. */
    private final String decode;
    /** As {@code --proto}, or null. */
    private final dev.wsdebug.capture.decode.ProtoSchema schema;
    private int nextId = 1;

    /** @throws IllegalArgumentException when {@code decode} names no protocol wsdebug knows (one sentence) */
    Captures(Supplier<DecodeOptions> decodeOptions, String decode) {
        this(decodeOptions, decode, null);
    }

    Captures(Supplier<DecodeOptions> decodeOptions, String decode, dev.wsdebug.capture.decode.ProtoSchema schema) {
        new dev.wsdebug.capture.decode.DecodingSink(e -> { }, decode, schema); // refused before the server listens
        this.decodeOptions = decodeOptions;
        this.decode = decode;
        this.schema = schema;
    }

    /**
     * Opens a capture file of any kind {@code read} takes, recognised by its content.
     *
     * @throws IllegalArgumentException with one sentence when it is not a capture or cannot be read
     */
    public OpenCapture open(Path file) {
        return open(file, file.getFileName() == null ? file.toString() : file.getFileName().toString(), false);
    }

    /**
     * Opens an uploaded file, which becomes the UI's: a store is read where it is and deleted with
     * the capture, anything else is deleted once converted (or refused).
     */
    OpenCapture adopt(Path upload, String name) {
        boolean kept = false;
        try {
            OpenCapture c = open(upload, name, true);
            kept = c.kind().equals("wsdb");
            return c;
        } finally {
            if (!kept) {
                deleteQuietly(upload);
            }
        }
    }

    private OpenCapture open(Path file, String name, boolean owned) {
        CaptureFiles.Kind kind = kindOf(file, name);
        if (kind == CaptureFiles.Kind.WSDB) {
            CaptureReader reader = CaptureReader.open(file);
            return add(name, "wsdb", false, new CaptureBrowser(reader).fixed(reader.warning() == null), owned ? file : null,
                    reader.warning(), null);
        }
        Path temp;
        try {
            temp = Files.createTempFile("wsdebug-ui-", ".wsdb");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot create a temporary capture store: " + e.getMessage() + ".");
        }
        String notice = null;
        String[] warning = new String[1];
        try {
            CaptureStore store = new CaptureStore(temp, CaptureStore.DEFAULT_PAYLOAD_CAP, CaptureStore.DEFAULT_RAW_CAP);
            try (CaptureInputs inputs = CaptureInputs.open(List.of(file.toString()))) {
                // a JSON Lines file cut off mid-line: what came before is shown, with the sentence
                inputs.replay(store, decodeOptions.get(), n -> { }, (event, w) -> warning[0] = w);
                notice = warning[0];
            } catch (CaptureInputs.Unreadable e) {
                // what came before the break is kept and shown, with the sentence
                notice = capitalise(e.getMessage());
            } finally {
                store.close();
            }
            if (notice != null && notice.matches("(?i)(cannot read .*: it is empty\\.|.* is not a capture wsdebug reads.*|"
                    + "cannot read .*: no such file\\.|cannot read .*: it is a directory\\.)")) {
                throw new IllegalArgumentException(notice);
            }
            CaptureReader reader = CaptureReader.open(temp);
            return add(name, kind.name().toLowerCase(java.util.Locale.ROOT), false, new CaptureBrowser(reader).fixed(true), temp,
                    notice, null);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    private static CaptureFiles.Kind kindOf(Path file, String name) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("Cannot read " + file + ": it is a directory.");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(JsonLinesReader.SNIFF_LENGTH); // JSON Lines is told from HAR by its first line
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": no such file.");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage() + ".");
        }
        if (head.length == 0) {
            throw new IllegalArgumentException("Cannot read " + name + ": it is empty.");
        }
        CaptureFiles.Kind kind = CaptureFiles.kind(head, head.length);
        if (kind == CaptureFiles.Kind.UNKNOWN) {
            throw new IllegalArgumentException(name + " is not a capture wsdebug reads: not a .wsdb capture"
                    + " store, pcap, pcapng, HAR or JSON Lines file.");
        }
        return kind;
    }

    /**
     * Shows a store a live source is writing.
     *
     * @param sync makes what the source handed over so far visible to readers (the store's sync); the
     *             source owns the store and its file
     */
    public OpenCapture live(Path storeFile, String name, String kind, Runnable sync) {
        sync.run();
        CaptureReader reader = CaptureReader.open(storeFile);
        return add(name, kind, true, new CaptureBrowser(reader), null, null, sync);
    }

    private synchronized OpenCapture add(String name, String kind, boolean live, CaptureBrowser browser, Path temp,
                                         String notice, Runnable sync) {
        DecodedItems decoded = new DecodedItems(browser, decode, schema, DecodedItems.MAX_WEIGHT);
        OpenCapture c = new OpenCapture(String.valueOf(nextId++), name, kind, live, browser, temp, notice, sync,
                decoded, new AppColumn(browser, decoded, decode, schema));
        byId.put(c.id(), c);
        return c;
    }

    /** Stops showing a capture and closes it. */
    public synchronized void remove(OpenCapture c) {
        if (byId.remove(c.id()) != null) {
            c.close();
        }
    }

    public synchronized OpenCapture get(String id) {
        return byId.get(id);
    }

    synchronized List<OpenCapture> all() {
        return new ArrayList<>(byId.values());
    }

    ObjectNode list() {
        ObjectNode out = CaptureBrowser.JSON_FACTORY.objectNode();
        ArrayNode arr = out.putArray("captures");
        for (OpenCapture c : all()) {
            arr.add(c.entry(c.browser().connectionCount()));
        }
        return out;
    }

    /** "cannot read …" starts a sentence here; a sentence that starts with a file name keeps it as it is. */
    private static String capitalise(String s) {
        return s != null && s.startsWith("cannot ") ? "C" + s.substring(1) : s;
    }

    /** Deletes a temporary capture store with the files SQLite keeps beside it; null: nothing. */
    public static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        for (String suffix : new String[]{"", "-wal", "-shm", "-journal"}) {
            try {
                Files.deleteIfExists(Path.of(p + suffix));
            } catch (IOException ignored) {
                // in the temporary directory: the system cleans it up eventually
            }
        }
    }

    @Override
    public synchronized void close() {
        for (OpenCapture c : byId.values()) {
            c.close();
        }
        byId.clear();
    }
}
