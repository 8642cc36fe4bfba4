package dev.wsdebug.capture.jsonl;

import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of a stream, one at a time, as bytes: only the current line is held (a JSON Lines file
 * may be gigabytes, a single line as large as its largest message). Lines end with LF; a CR before
 * it is dropped. Whether the last line had its line end tells a complete file from one whose writer
 * stopped in the middle of a line.
 */
final class Lines {
    /** The largest line a Java array can hold, with room for the array header. */
    static final int MAX_LINE = Integer.MAX_VALUE - 16;

    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private byte[] line = new byte[1 << 12];
    private int length;
    private long number;
    private boolean terminated;

    Lines(InputStream in) {
        this.in = in;
    }

    /**
     * Moves to the next line; false at the end of the stream.
     *
     * @throws IOException when reading fails, or a line is longer than {@link #MAX_LINE}
     */
    boolean next() throws IOException {
        length = 0;
        while (true) {
            if (pos == end) {
                int n = eof ? -1 : in.read(chunk);
                if (n < 0) {
                    eof = true;
                    if (length == 0) {
                        return false;
                    }
                    number++;
                    terminated = false;
                    return true;
                }
                pos = 0;
                end = n;
            }
            int nl = pos;
            while (nl < end && chunk[nl] != '\n') {
                nl++;
            }
            append(nl - pos);
            boolean found = nl < end;
            pos = found ? nl + 1 : end;
            if (found) {
                number++;
                terminated = true;
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                return true;
            }
        }
    }

    private void append(int n) throws IOException {
        if ((long) length + n > MAX_LINE) {
            throw new IOException("line " + (number + 1) + " is longer than " + MAX_LINE + " bytes");
        }
        if (length + n > line.length) {
            byte[] bigger = new byte[(int) Math.min(MAX_LINE, Math.max((long) line.length * 2, (long) length + n))];
            System.arraycopy(line, 0, bigger, 0, length);
            line = bigger;
        }
        System.arraycopy(chunk, pos, line, length, n);
        length += n;
    }

    /** The current line's bytes, valid until the next call of {@link #next}: {@code [0, length())}. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** The current line's number, from 1. */
    long number() {
        return number;
    }

    /** Whether the current line ended with a line end (false only for a last line without one). */
    boolean terminated() {
        return terminated;
    }

    /** Whether the current line holds nothing but spaces and tabs. */
    boolean blank() {
        for (int i = 0; i < length; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
