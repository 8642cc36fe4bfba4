package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The start line and header fields of an HTTP/1.1 request or response, in wire order with their
 * original spelling.
 *
 * @param raw the head exactly as received (ISO-8859-1, line ends and the final empty line
 *            included), or null for a head rebuilt from stored fields
 */
public record HttpHead(String startLine, List<Header> headers, int length, String raw) {

    /** A head rebuilt from its fields (no raw text). */
    public HttpHead(String startLine, List<Header> headers, int length) {
        this(startLine, headers, length, null);
    }

    /**
     * One header field as received.
     *
     * @param line the field's exact text: its line or lines (when folded), each with its line end,
     *             so that a relay can pass it on byte for byte
     */
    public record Header(String name, String value, String line) {
        /** A field written the usual way: {@code Name: value} and CRLF. */
        public Header(String name, String value) {
            this(name, value, name + ": " + value + "\r\n");
        }
    }

    /**
     * An HTTP/2 header block as a head: the fields in order, pseudo-header fields ({@code :method},
     * {@code :path}, {@code :status}…) included, under a start line made from them ("CONNECT /chat
     * HTTP/2", "HTTP/2 200") so that method, target and status read as for HTTP/1.1. The block's
     * size on the wire (HPACK-compressed) is not known here: length 0, no raw text.
     */
    public static HttpHead ofHttp2(List<Header> fields) {
        String method = null;
        String path = null;
        String status = null;
        for (Header h : fields) {
            switch (h.name()) {
                case ":method" -> method = method == null ? h.value() : method;
                case ":path" -> path = path == null ? h.value() : path;
                case ":status" -> status = status == null ? h.value() : status;
                default -> {
                }
            }
        }
        String start = status != null ? "HTTP/2 " + status : (method == null ? "?" : method) + " "
                + (path == null ? "*" : path) + " HTTP/2";
        return new HttpHead(start, List.copyOf(fields), 0);
    }

    /** The line end the start line used: CRLF, or a bare LF from a lenient sender. */
    public String startLineEnd() {
        return raw != null && raw.length() > startLine.length() && raw.charAt(startLine.length()) == '\n' ? "\n" : "\r\n";
    }

    /** The empty line that ended the head, as sent (CRLF or LF). */
    public String endLine() {
        return raw != null && raw.endsWith("\n") && !raw.endsWith("\r\n") ? "\n" : "\r\n";
    }

    /** Value of the first field with this name (case-insensitive), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** All values of fields with this name joined by ", " as RFC 7230 3.2.2 allows, or null. */
    public String joined(String name) {
        StringBuilder sb = null;
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                if (sb == null) {
                    sb = new StringBuilder(h.value());
                } else {
                    sb.append(", ").append(h.value());
                }
            }
        }
        return sb == null ? null : sb.toString();
    }

    /** Comma-separated tokens of all fields with this name, trimmed and lower-cased. */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>();
        String all = joined(name);
        if (all != null) {
            for (String t : all.split(",")) {
                String v = t.trim().toLowerCase(Locale.ROOT);
                if (!v.isEmpty()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    public boolean isResponse() {
        return startLine.startsWith("HTTP/");
    }

    /** Request method, or null for a response. */
    public String method() {
        return isResponse() ? null : part(0);
    }

    /** Request target, or null for a response. */
    public String target() {
        return isResponse() ? null : part(1);
    }

    /** HTTP version: the first word of a response, the third of a request. */
    public String version() {
        return isResponse() ? part(0) : part(2);
    }

    /** Response status code, or -1 when this is a request or the status is malformed. */
    public int status() {
        if (!isResponse()) {
            return -1;
        }
        String s = part(1);
        try {
            return s != null && s.length() == 3 ? Integer.parseInt(s) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Response reason phrase (may be empty), or null for a request. */
    public String reason() {
        if (!isResponse()) {
            return null;
        }
        String[] p = startLine.split(" ", 3);
        return p.length == 3 ? p[2] : "";
    }

    private String part(int i) {
        String[] p = startLine.split(" ", 3);
        return i < p.length ? p[i] : null;
    }
}
