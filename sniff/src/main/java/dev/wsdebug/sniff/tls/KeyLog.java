package dev.wsdebug.sniff.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The secrets of an NSS key log ({@code SSLKEYLOGFILE}): one {@code LABEL <client random> <secret>}
 * per line, in hex. Browsers, curl, OpenSSL, node ({@code --tls-keylog}) and Python
 * ({@code SSLContext.keylog_filename}) write this format; pcapng files can carry the same text in
 * Decryption Secrets Blocks.
 *
 * <p>Lines of the labels that decrypt records are kept; comments ({@code #}), blank lines and other
 * well-formed labels ({@code RSA}, the ECH labels) are skipped; anything else is a malformed line,
 * skipped but counted ({@link #malformedLines()}). Line ends may be LF, CRLF or CR. Thread-safe:
 * a live capture adds lines ({@link #add}) while its connections look secrets up.
 */
public final class KeyLog implements TlsSecrets {
    /** The labels whose secrets this decoder uses (the TLS 1.2 master secret and the TLS 1.3 secrets). */
    static final Set<String> LABELS = Set.of("CLIENT_RANDOM", "CLIENT_EARLY_TRAFFIC_SECRET",
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET", "EARLY_EXPORTER_SECRET");

    /** A key log pointed at by mistake (a capture, a disk image) is refused rather than read into memory. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private static final long REREAD_NANOS = 1_000_000_000L;

    /** Secret by {@code LABEL + ' ' + lowercase hex client random}. */
    private final Map<String, byte[]> secrets = new ConcurrentHashMap<>();
    private final AtomicInteger malformed = new AtomicInteger();
    private final boolean growing;

    /** The file a {@link #watching} log re-reads, else null. */
    private final Path watched;
    private final LongSupplier clock;
    private final Object rereadLock = new Object();
    private long lastReadNanos;
    private boolean everRead;
    /** Bytes of the watched file parsed so far (only whole lines). */
    private long readOffset;

    /**
     * An empty log that lines will be added to ({@link #add}) while connections are decoded, as a
     * live capture or a pcapng reader does: a connection whose secret is missing waits a little for
     * it ({@link #mayGrow()} is true).
     */
    public KeyLog() {
        this(true, null, System::nanoTime);
    }

    private KeyLog(boolean growing, Path watched, LongSupplier clock) {
        this.growing = growing;
        this.watched = watched;
        this.clock = clock;
    }

    /** The secrets of a complete key log text; lines added later ({@link #add}) are not waited for. */
    public static KeyLog parse(byte[] text) {
        KeyLog log = new KeyLog(false, null, System::nanoTime);
        log.add(text);
        return log;
    }

    /** Like {@link #parse(byte[])}, for text already in a string. */
    public static KeyLog parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a key log file.
     *
     * @throws IOException              the file cannot be read (the message is one sentence)
     * @throws IllegalArgumentException the file holds no usable line (the message says why)
     */
    public static KeyLog read(Path file) throws IOException {
        byte[] text = readWhole(file);
        KeyLog log = parse(text);
        if (log.size() == 0) {
            throw new IllegalArgumentException(noSecretsSentence(file, log.malformedLines()));
        }
        return log;
    }

    /**
     * A key log file that is still being written (by a browser during a live capture): it is read
     * now (missing or empty is fine) and again, at most once a second, whenever a secret is looked
     * up that it does not hold yet. Only whole lines are taken, so a line being written is read on
     * a later pass; a file that shrank (replaced, truncated) is read again from its start.
     */
    public static KeyLog watching(Path file) {
        return watching(file, System::nanoTime);
    }

    static KeyLog watching(Path file, LongSupplier clock) {
        KeyLog log = new KeyLog(true, file, clock);
        synchronized (log.rereadLock) {
            log.reread();
        }
        return log;
    }

    /** Adds the lines of more key log text (a pcapng Decryption Secrets Block, lines of a live log). */
    public void add(byte[] text) {
        parseLines(text, 0, text.length, true);
    }

    @Override
    public byte[] secret(String label, byte[] clientRandom) {
        if (label == null || clientRandom == null) {
            return null;
        }
        String key = label + ' ' + Hex.of(clientRandom);
        byte[] found = secrets.get(key);
        if (found == null && watched != null) {
            synchronized (rereadLock) {
                long now = clock.getAsLong();
                if (!everRead || now - lastReadNanos >= REREAD_NANOS) {
                    reread();
                }
            }
            found = secrets.get(key);
        }
        return found == null ? null : found.clone();
    }

    @Override
    public boolean mayGrow() {
        return growing;
    }

    /** How many secrets the log holds. */
    public int size() {
        return secrets.size();
    }

    /** How many lines were neither a secret, a comment, a blank line nor another known label's line. */
    public int malformedLines() {
        return malformed.get();
    }

    @Override
    public String toString() {
        return "KeyLog[" + size() + " secrets" + (malformedLines() > 0 ? ", " + malformedLines() + " malformed lines" : "")
                + (watched != null ? ", watching " + watched : "") + "]";
    }

    private static byte[] readWhole(Path file) throws IOException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("The key log " + file + " is " + (size >> 20)
                        + " MB, far more than any key log; is it the right file?");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("The key log " + file + " does not exist.", e);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("The key log " + file + " cannot be read: " + reason + ".", e);
        }
    }

    private static String noSecretsSentence(Path file, int malformedLines) {
        if (malformedLines > 0) {
            return "The key log " + file + " has no usable line: " + malformedLines + (malformedLines == 1 ? " line is" : " lines are")
                    + " not of the form 'LABEL <64 hex digits of client random> <hex secret>' (NSS key log format).";
        }
        return "The key log " + file + " holds no secrets (it is empty or has only comments and RSA lines);"
                + " SSLKEYLOGFILE must point at it before the browser or client starts.";
    }

    /** Parses the watched file's new whole lines; caller holds {@link #rereadLock}. */
    private void reread() {
        everRead = true;
        lastReadNanos = clock.getAsLong();
        try (FileChannel channel = FileChannel.open(watched, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < readOffset) {
                readOffset = 0;
            }
            long available = Math.min(size - readOffset, MAX_FILE_BYTES);
            if (available <= 0) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) available);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, readOffset + buffer.position()) < 0) {
                    break;
                }
            }
            byte[] text = buffer.array();
            int end = buffer.position();
            int consumed = parseLines(text, 0, end, false);
            readOffset += consumed;
        } catch (IOException | RuntimeException e) {
            // Not there yet, or unreadable for now: a later lookup tries again.
        }
    }

    /**
     * Parses the lines of text[off, end). With {@code takeTail} false, a last line without its line
     * end is taken only when it is a valid secret line (else it may still be being written).
     *
     * @return the number of bytes consumed
     */
    private int parseLines(byte[] text, int off, int end, boolean takeTail) {
        int i = off;
        if (end - i >= 3 && (text[i] & 0xFF) == 0xEF && (text[i + 1] & 0xFF) == 0xBB && (text[i + 2] & 0xFF) == 0xBF) {
            i += 3; // UTF-8 byte order mark written by some editors
        }
        while (i < end) {
            int lineEnd = i;
            while (lineEnd < end && text[lineEnd] != '\n' && text[lineEnd] != '\r') {
                lineEnd++;
            }
            if (lineEnd == end) {
                LineKind kind = classify(text, i, lineEnd);
                if (takeTail || kind == LineKind.SECRET) {
                    take(kind, text, i, lineEnd);
                    return end - off;
                }
                return i - off;
            }
            take(classify(text, i, lineEnd), text, i, lineEnd);
            i = lineEnd + 1;
            if (text[lineEnd] == '\r' && i < end && text[i] == '\n') {
                i++;
            }
        }
        return i - off;
    }

    private enum LineKind { SECRET, IGNORED, MALFORMED }

    private void take(LineKind kind, byte[] text, int start, int end) {
        switch (kind) {
            case SECRET -> store(text, start, end);
            case MALFORMED -> malformed.incrementAndGet();
            case IGNORED -> {
            }
        }
    }

    private static LineKind classify(byte[] text, int start, int end) {
        int first = start;
        while (first < end && (text[first] == ' ' || text[first] == '\t')) {
            first++;
        }
        if (first == end || text[first] == '#') {
            return LineKind.IGNORED;
        }
        int[] fields = fields(text, first, end);
        if (fields == null || fields.length != 6) {
            return LineKind.MALFORMED;
        }
        String label = new String(text, fields[0], fields[1] - fields[0], StandardCharsets.ISO_8859_1);
        boolean hexFields = allHex(text, fields[2], fields[3]) && allHex(text, fields[4], fields[5]);
        if (!LABELS.contains(label)) {
            // Other labels of the format (RSA pre-master secrets, ECH) are fine but of no use here.
            boolean labelLike = label.chars().allMatch(c -> c == '_' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9');
            return labelLike && hexFields ? LineKind.IGNORED : LineKind.MALFORMED;
        }
        int randomDigits = fields[3] - fields[2];
        int secretDigits = fields[5] - fields[4];
        if (randomDigits != 64 || !hexFields) {
            return LineKind.MALFORMED;
        }
        boolean sizeOk = label.equals("CLIENT_RANDOM") ? secretDigits == 96 : secretDigits == 64 || secretDigits == 96;
        return sizeOk ? LineKind.SECRET : LineKind.MALFORMED;
    }

    private void store(byte[] text, int start, int end) {
        int[] f = fields(text, start, end);
        String label = new String(text, f[0], f[1] - f[0], StandardCharsets.ISO_8859_1);
        byte[] random = Hex.decode(text, f[2], f[3] - f[2]);
        byte[] secret = Hex.decode(text, f[4], f[5] - f[4]);
        secrets.put(label + ' ' + Hex.of(random), secret);
    }

    /**
     * Start and end of each space- or tab-separated field, at most four of them (so a line of more
     * than three fields has eight entries), or null when the line holds control bytes.
     */
    private static int[] fields(byte[] text, int start, int end) {
        int[] found = new int[8];
        int count = 0;
        int i = start;
        while (i < end && count < 8) {
            int c = text[i] & 0xFF;
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int fieldStart = i;
            while (i < end && text[i] != ' ' && text[i] != '\t') {
                int d = text[i] & 0xFF;
                if (d < 0x20 || d == 0x7F) {
                    return null;
                }
                i++;
            }
            found[count++] = fieldStart;
            found[count++] = i;
        }
        int[] out = new int[count];
        System.arraycopy(found, 0, out, 0, count);
        return out;
    }

    private static boolean allHex(byte[] text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (Hex.digit(text[i]) < 0) {
                return false;
            }
        }
        return true;
    }
}
