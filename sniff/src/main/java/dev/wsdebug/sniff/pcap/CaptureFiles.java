package dev.wsdebug.sniff.pcap;

import dev.wsdebug.capture.jsonl.JsonLinesReader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tells capture files apart by their first bytes (never by their names: a pcapng called
 * {@code .pcap} is common) and opens packet captures with the right reader.
 */
public final class CaptureFiles {
    /** How many leading bytes {@link #kind} needs at most to decide; fewer are fine. */
    public static final int HEAD_LENGTH = 64;
    private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** Bytes shown in the message for an unknown file. */
    private static final int SHOWN = 8;

    /** What a file holds, judged from its first bytes. */
    public enum Kind {
        /** A wsdebug capture store (any SQLite 3 database; the store checks its own schema). */
        WSDB,
        /** A libpcap file, either byte order, microsecond or nanosecond timestamps. */
        PCAP,
        /** A pcapng file (its first block is a Section Header Block). */
        PCAPNG,
        /** JSON whose first value is an object, as a HAR file is (a UTF-8 byte order mark allowed). */
        HAR,
        /**
         * JSON Lines of wsdebug's events: the first line is an object with an {@code event} field
         * (when the bytes given end before that field, the file is taken for {@link #HAR}).
         */
        JSONL,
        UNKNOWN
    }

    private CaptureFiles() {
    }

    /** The kind of file whose first {@code len} bytes are {@code head}. */
    public static Kind kind(byte[] head, int len) {
        len = Math.min(len, head.length);
        if (len >= SQLITE.length && Arrays.equals(head, 0, SQLITE.length, SQLITE, 0, SQLITE.length)) {
            return Kind.WSDB;
        }
        if (len >= 4) {
            if (Endian.of(PcapReader.MAGIC_MICROS, head, 0) != null || Endian.of(PcapReader.MAGIC_NANOS, head, 0) != null) {
                return Kind.PCAP;
            }
            if (Endian.BIG.i32(head, 0) == PcapngReader.SECTION_HEADER) {
                return Kind.PCAPNG;
            }
        }
        int i = 0;
        if (len >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        if (i < len && head[i] == '{') {
            return JsonLinesReader.looksLikeJsonLines(head, len) ? Kind.JSONL : Kind.HAR;
        }
        return Kind.UNKNOWN;
    }

    /**
     * A reader for the pcap or pcapng capture {@code in} holds, chosen by its first bytes. The
     * stream is buffered here (unless it is a {@link BufferedInputStream}) and belongs to the
     * reader, which closes it.
     *
     * @throws CaptureFormatException when it is neither (or empty): one sentence that the caller
     *                                can put after the file's name
     */
    public static PacketReader open(InputStream in) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 1 << 16);
        buffered.mark(HEAD_LENGTH);
        byte[] head = buffered.readNBytes(HEAD_LENGTH);
        buffered.reset();
        switch (kind(head, head.length)) {
            case PCAP:
                return new PcapReader(buffered);
            case PCAPNG:
                return new PcapngReader(buffered);
            default:
                throw new CaptureFormatException(notACapture(head, head.length));
        }
    }

    /** The sentence for a stream that starts with neither a pcap nor a pcapng magic. */
    static String notACapture(byte[] head, int len) {
        if (len == 0) {
            return "the file is empty, not a pcap or pcapng capture.";
        }
        return switch (kind(head, len)) {
            case WSDB -> "it is an SQLite database (a wsdebug .wsdb capture?), not a pcap or pcapng capture.";
            case HAR -> "it is JSON (a HAR file?), not a pcap or pcapng capture.";
            case JSONL -> "it is JSON Lines (wsdebug's events), not a pcap or pcapng capture.";
            // Only when a reader is given the other format directly.
            case PCAP -> "it is a pcap capture, not a pcapng one.";
            case PCAPNG -> "it is a pcapng capture, not a pcap one.";
            default -> "it is not a pcap or pcapng capture (it starts with " + hex(head, 0, Math.min(len, SHOWN))
                    + (len > SHOWN ? " ..." : "") + ").";
        };
    }

    /** {@code 3f 2a 00}: bytes as people read them in a hex dump. */
    static String hex(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        return s.toString();
    }
}
