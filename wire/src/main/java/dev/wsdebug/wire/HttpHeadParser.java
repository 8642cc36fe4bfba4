package dev.wsdebug.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects an HTTP/1.1 head (start line and header fields up to the empty line) from bytes that
 * may arrive in any chunking, and tells how many bytes belonged to it so that what follows (the
 * first frames) can go to the frame parser.
 */
public final class HttpHeadParser {
    /** A head longer than this is not an HTTP upgrade worth waiting for. */
    public static final int MAX_HEAD = 64 * 1024;

    private final byte[] buf = new byte[MAX_HEAD];
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
            if (fill == MAX_HEAD) {
                error = "The HTTP head is longer than " + MAX_HEAD + " bytes without an empty line ending it.";
                return i;
            }
            byte c = b[off + i];
            buf[fill++] = c;
            if (c == '\n' && endsHead()) {
                head = parse();
                return i + 1;
            }
        }
        return len;
    }

    private boolean endsHead() {
        // CRLF CRLF, tolerating bare LF line ends as RFC 7230 3.5 allows a recipient to.
        return (fill >= 4 && buf[fill - 4] == '\r' && buf[fill - 3] == '\n' && buf[fill - 2] == '\r')
                || (fill >= 2 && buf[fill - 2] == '\n')
                || (fill >= 3 && buf[fill - 3] == '\n' && buf[fill - 2] == '\r');
    }

    private HttpHead parse() {
        String text = new String(buf, 0, fill, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n");
        String start = lines.length > 0 ? lines[0] : "";
        List<HttpHead.Header> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !headers.isEmpty()) {
                // obsolete line folding: continues the previous field's value
                HttpHead.Header last = headers.remove(headers.size() - 1);
                headers.add(new HttpHead.Header(last.name(), last.value() + " " + line.trim()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                error = "Header line \"" + line + "\" has no name and colon.";
                continue;
            }
            headers.add(new HttpHead.Header(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        if (!start.matches("HTTP/\\d\\.\\d \\d{3}( .*)?") && !start.matches("[A-Za-z]+ \\S+ HTTP/\\d\\.\\d")) {
            error = "\"" + start + "\" is not an HTTP request or status line.";
        }
        return new HttpHead(start, headers, fill);
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

    /** A sentence saying why the head is malformed, or null. */
    public String error() {
        return error;
    }

    /** Bytes buffered so far. */
    public int length() {
        return fill;
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
