package dev.wsdebug.sniff.http;

import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;

import java.util.Locale;

/**
 * Splits one direction of an HTTP/1.1 connection into messages: a head, then a body framed by
 * Content-Length, chunked transfer coding, or the end of the connection (RFC 9112 6.3). Fed bytes
 * in any chunking; never throws on what a capture holds. The bytes of each message are reported as
 * offsets into the direction's stream, so that a caller can hand a message's exact bytes on.
 */
final class HttpMessageReader {
    /** What the reader finds, in stream order. */
    interface Listener {
        /** A message's head is complete; {@code start} is the stream offset of its first byte. */
        void head(HttpHead head, long start, long timeNanos);

        /** The message is complete; {@code bodyLength} bytes of body (after chunked decoding: its data). */
        void complete(long end, long bodyLength, long timeNanos);

        /** The bytes are not HTTP (a malformed head or chunk): the direction is not read further. */
        void broken(String sentence, long timeNanos);
    }

    /** How the body after a head is framed; decided by the caller who knows the request. */
    enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, STOPPED }

    private static final int MAX_CHUNK_LINE = 4096;

    private final Listener listener;
    private final FramingRule framing;
    private State state = State.HEAD;
    private HttpHeadParser head;
    private long offset;
    private long messageStart;
    private long remaining;
    private long bodyLength;
    private final StringBuilder line = new StringBuilder();
    /** Where in the current feed's array the listener stopped the reader; -1 otherwise. */
    private int stoppedAt = -1;

    /** Decides a message's body framing from its head (a response's depends on its request). */
    interface FramingRule {
        Framing framing(HttpHead head);
    }

    HttpMessageReader(Listener listener, FramingRule framing) {
        this.listener = listener;
        this.framing = framing;
    }

    /** Stream offset of the next byte to be fed. */
    long offset() {
        return offset;
    }

    /** True while the bytes fed so far end inside a message (its head or body). */
    boolean inMessage() {
        return state != State.HEAD && state != State.STOPPED || head != null && head.length() > 0;
    }

    boolean stopped() {
        return state == State.STOPPED;
    }

    /** Reads nothing more (the connection became something else, such as a WebSocket). */
    void stop() {
        state = State.STOPPED;
        head = null;
    }

    /** Reads heads again from here (an upgrade that was refused: the connection stays HTTP). */
    void resume() {
        state = State.HEAD;
        head = null;
    }

    /**
     * @return how many of the bytes were read: fewer than {@code len} only when the listener stopped
     *         the reader at a head (the rest belongs to whatever the connection became)
     */
    int feed(byte[] b, int off, int len, long timeNanos) {
        stoppedAt = -1;
        int i = off;
        int end = off + len;
        while (i < end && state != State.STOPPED) {
            switch (state) {
                case HEAD -> i = readHead(b, i, end, timeNanos);
                case LENGTH -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    offset += n;
                    remaining -= n;
                    bodyLength += n;
                    if (remaining == 0) {
                        complete(timeNanos);
                    }
                }
                case UNTIL_CLOSE -> {
                    bodyLength += end - i;
                    offset += end - i;
                    i = end;
                }
                case CHUNK_SIZE, CHUNK_DATA_END, TRAILERS -> i = readLine(b, i, end, timeNanos);
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    offset += n;
                    remaining -= n;
                    bodyLength += n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                }
                default -> i = end;
            }
        }
        return state == State.STOPPED && stoppedAt >= 0 ? stoppedAt - off : len;
    }

    /** The direction ended: a body framed by the end of the connection is complete now. */
    void end(long timeNanos) {
        if (state == State.UNTIL_CLOSE) {
            complete(timeNanos);
        }
    }

    private int readHead(byte[] b, int i, int end, long timeNanos) {
        if (head == null) {
            head = new HttpHeadParser();
            messageStart = offset;
        }
        int used = head.feed(b, i, end - i);
        offset += used;
        if (!head.isDone()) {
            return end;
        }
        HttpHeadParser p = head;
        head = null;
        if (p.error() != null) {
            state = State.STOPPED;
            listener.broken(p.error(), timeNanos);
            return end;
        }
        HttpHead h = p.head();
        bodyLength = 0;
        listener.head(h, messageStart, timeNanos);
        if (state == State.STOPPED) {
            stoppedAt = i + used; // the listener took the connection over (an upgrade)
            return end;
        }
        switch (framing.framing(h)) {
            case NONE -> complete(timeNanos);
            case LENGTH -> {
                remaining = contentLength(h);
                if (remaining <= 0) {
                    complete(timeNanos);
                } else {
                    state = State.LENGTH;
                }
            }
            case CHUNKED -> state = State.CHUNK_SIZE;
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
        return i + used;
    }

    private void complete(long timeNanos) {
        state = State.HEAD;
        listener.complete(offset, bodyLength, timeNanos);
    }

    /** Chunk-size lines, the CRLF after chunk data, and trailer lines (RFC 9112 7.1). */
    private int readLine(byte[] b, int i, int end, long timeNanos) {
        while (i < end) {
            byte c = b[i++];
            offset++;
            if (c == '\n') {
                String text = line.toString();
                line.setLength(0);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                lineDone(text, timeNanos);
                return i;
            }
            if (line.length() >= MAX_CHUNK_LINE) {
                state = State.STOPPED;
                listener.broken("A chunk-size or trailer line is longer than " + MAX_CHUNK_LINE + " bytes.", timeNanos);
                return end;
            }
            line.append((char) (c & 0xFF));
        }
        return i;
    }

    private void lineDone(String text, long timeNanos) {
        switch (state) {
            case CHUNK_SIZE -> {
                int semi = text.indexOf(';');
                String hex = (semi >= 0 ? text.substring(0, semi) : text).trim();
                long size;
                try {
                    size = hex.isEmpty() || hex.length() > 15 ? -1 : Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    size = -1;
                }
                if (size < 0) {
                    state = State.STOPPED;
                    listener.broken("\"" + text + "\" is not a chunk size.", timeNanos);
                } else if (size == 0) {
                    state = State.TRAILERS;
                } else {
                    remaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case CHUNK_DATA_END -> state = State.CHUNK_SIZE; // the CRLF after the data
            case TRAILERS -> {
                if (text.isEmpty()) {
                    complete(timeNanos);
                }
            }
            default -> {
            }
        }
    }

    /** The Content-Length of a head: -1 when absent or not a number. */
    static long contentLength(HttpHead h) {
        String v = h.header("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            int comma = v.indexOf(',');
            return Long.parseLong((comma >= 0 ? v.substring(0, comma) : v).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean chunked(HttpHead h) {
        String te = h.joined("Transfer-Encoding");
        return te != null && te.toLowerCase(Locale.ROOT).trim().endsWith("chunked");
    }
}
