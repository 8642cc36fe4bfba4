package dev.wsdebug.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects an HTTP/1.1 head (start line and header fields up to the empty line) from bytes that
 * may arrive in any chunking, and tells how many bytes belonged to it so that what follows (the
 * first frames) can go to the frame parser.
 *
 * <p>Memory follows the head, not the limit: the buffer starts small, doubles as bytes arrive (up to
 * {@link #MAX_HEAD}) and is released once the head is parsed, so an idle connection keeps only the
 * parsed {@link HttpHead}. Parsing is linear in the head's length, folded lines included.
 */
public final class HttpHeadParser {
    /** A head longer than this is not an HTTP upgrade worth waiting for. */
    public static final int MAX_HEAD = 64 * 1024;
    private static final int FIRST_BUFFER = 512;

    private byte[] buf;
    private int fill;
    private HttpHead head;
    private String error;

    /**
     * Feeds bytes.
     *
     * @return how many of them belong to the head; fewer than {@code len} once the head is complete
     *         or has failed
     */
    public int feed(byte[] b, int off, int len) {
        if (isDone()) {
            return 0;
        }
        for (int i = 0; i < len; i++) {
            if (buf == null || fill == buf.length) {
                grow();
            }
            byte c = b[off + i];
            buf[fill++] = c;
            if (c == '\n' && endsHead()) {
                head = parse();
                buf = null;
                return i + 1;
            }
            if (fill == MAX_HEAD) {
                error = "The HTTP head is longer than " + MAX_HEAD + " bytes without an empty line ending it.";
                buf = null;
                return i + 1;
            }
        }
        return len;
    }

    private void grow() {
        buf = buf == null ? new byte[FIRST_BUFFER] : Arrays.copyOf(buf, Math.min(MAX_HEAD, buf.length * 2));
    }

    private boolean endsHead() {
        // CRLF CRLF, tolerating bare LF line ends as RFC 7230 3.5 allows a recipient to.
        return (fill >= 4 && buf[fill - 4] == '\r' && buf[fill - 3] == '\n' && buf[fill - 2] == '\r')
                || (fill >= 2 && buf[fill - 2] == '\n')
                || (fill >= 3 && buf[fill - 3] == '\n' && buf[fill - 2] == '\r');
    }

    /** One pass over the lines; a folded line is appended to the field it continues (no re-copying). */
    private HttpHead parse() {
        String text = new String(buf, 0, fill, StandardCharsets.ISO_8859_1);
        int lineStart = 0;
        String start = null;
        List<HttpHead.Header> headers = new ArrayList<>();
        String name = null;
        StringBuilder value = null;
        int fieldStart = 0;
        while (lineStart < text.length()) {
            int lf = text.indexOf('\n', lineStart);
            int next = lf < 0 ? text.length() : lf + 1;
            int end = lf < 0 ? text.length() : (lf > lineStart && text.charAt(lf - 1) == '\r' ? lf - 1 : lf);
            if (start == null) {
                start = text.substring(lineStart, end);
            } else if (end == lineStart) {
                break; // the empty line that ends the head
            } else if ((text.charAt(lineStart) == ' ' || text.charAt(lineStart) == '\t') && name != null) {
                // obsolete line folding (RFC 7230 3.2.4): continues the previous field's value
                String more = text.substring(lineStart, end).trim();
                if (value.length() > 0 && !more.isEmpty()) {
                    value.append(' ');
                }
                value.append(more);
            } else {
                if (name != null) {
                    headers.add(new HttpHead.Header(name, value.toString(), text.substring(fieldStart, lineStart)));
                    name = null;
                }
                int colon = text.indexOf(':', lineStart);
                if (colon <= lineStart || colon >= end) {
                    if (error == null) {
                        error = "Header line \"" + text.substring(lineStart, end) + "\" has no name and colon.";
                    }
                } else {
                    name = text.substring(lineStart, colon).trim();
                    value = new StringBuilder(text.substring(colon + 1, end).trim());
                    fieldStart = lineStart;
                }
            }
            lineStart = next;
        }
        if (name != null) {
            headers.add(new HttpHead.Header(name, value.toString(), text.substring(fieldStart, lineStart)));
        }
        if (start == null) {
            start = "";
        }
        if (!isStartLine(start)) {
            error = "\"" + start + "\" is not an HTTP request or status line.";
        }
        return new HttpHead(start, headers, fill, text);
    }

    private static boolean isStartLine(String s) {
        return s.matches("HTTP/\\d\\.\\d \\d{3}( .*)?") || s.matches("[A-Za-z]+ \\S+ HTTP/\\d\\.\\d");
    }

    public boolean isComplete() {
        return head != null;
    }

    /** True when the head is complete or cannot be parsed. */
    public boolean isDone() {
        return head != null || fill == MAX_HEAD;
    }

    /** The head, once complete. */
    public HttpHead head() {
        return head;
    }

    /** A sentence saying why the head is malformed or too long, or null. */
    public String error() {
        return error;
    }

    /** Bytes fed to the head so far. */
    public int length() {
        return fill;
    }

    /** A copy of the bytes fed so far of a head not yet complete (empty once it is parsed or failed). */
    public byte[] buffered() {
        return buf == null ? new byte[0] : Arrays.copyOf(buf, fill);
    }

    /** Bytes this parser holds right now (its buffer; nothing once the head is parsed). */
    public int retainedBytes() {
        return buf == null ? 0 : buf.length;
    }

    /**
     * Quick test on the first bytes of a stream: does it start like an HTTP request or response
     * rather than WebSocket frames?
     */
    public static boolean looksLikeHttp(byte[] b, int off, int len) {
        int n = Math.min(len, 5);
        String s = new String(b, off, n, StandardCharsets.ISO_8859_1);
        return s.startsWith("GET ") || s.startsWith("HTTP/") || (n < 5 && ("GET ".startsWith(s) || "HTTP/".startsWith(s)));
    }
}
