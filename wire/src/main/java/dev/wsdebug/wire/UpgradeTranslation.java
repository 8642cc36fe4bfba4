package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns one HTTP version's opening handshake into the other's, for a proxy whose two sides speak
 * different versions (RFC 8441 4 and 5 against RFC 6455 4): an HTTP/1.1 upgrade request becomes
 * an extended CONNECT and the other way round, a 101 becomes a 200 and the other way round. Plain
 * requests translate the same way, with the method and target as they are.
 *
 * <p>What does not exist in the other version is dropped: the connection-specific fields
 * (RFC 9113 8.2.2: Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade), and
 * {@code Sec-WebSocket-Key}/{@code Accept}, which only the HTTP/1.1 side has (the caller makes a
 * key and an accept for it). Every other field passes in order with its value unchanged; names
 * are lower-cased toward HTTP/2, as it requires (RFC 9113 8.2.1).
 */
public final class UpgradeTranslation {
    private UpgradeTranslation() {
    }

    /** Fields with no meaning on the other side of the translation. */
    private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "upgrade", "te", "host", "sec-websocket-key", "sec-websocket-accept", "http2-settings");

    /**
     * An HTTP/2 request (its header block, pseudo-fields first) as an HTTP/1.1 request head: an
     * extended CONNECT for {@code websocket} becomes a GET upgrade carrying {@code key}; any other
     * request keeps its method. {@code absoluteTarget} writes the target as a URL (a request to a
     * forward proxy), else as a path with a Host field.
     *
     * @param extra fields the caller adds at the end (Connection: close for a plain request; a
     *              Content-Length or Transfer-Encoding for its body)
     */
    public static String h1Request(List<HttpHead.Header> h2, String key, boolean absoluteTarget, List<HttpHead.Header> extra) {
        String method = pseudo(h2, ":method");
        String protocol = pseudo(h2, ":protocol");
        String scheme = pseudo(h2, ":scheme");
        String authority = pseudo(h2, ":authority");
        String path = pseudo(h2, ":path");
        boolean websocket = "CONNECT".equals(method) && protocol != null && protocol.equalsIgnoreCase("websocket");
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String target = path;
        if (absoluteTarget && authority != null) {
            boolean tls = "https".equalsIgnoreCase(scheme);
            target = (websocket ? (tls ? "wss" : "ws") : (tls ? "https" : "http")) + "://" + authority + path;
        }
        StringBuilder sb = new StringBuilder(websocket ? "GET" : method == null ? "GET" : method)
                .append(' ').append(target).append(" HTTP/1.1\r\n");
        if (authority != null) {
            sb.append("Host: ").append(authority).append("\r\n");
        }
        if (websocket) {
            sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key).append("\r\n");
        }
        boolean version = false;
        for (HttpHead.Header h : h2) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (n.startsWith(":") || DROPPED.contains(n)) {
                continue;
            }
            if (n.equals("cookie") && sb.indexOf("\r\nCookie: ") >= 0) {
                // HTTP/2 may split cookies into fields of their own; HTTP/1.1 wants one (RFC 9113 8.2.3)
                int at = sb.indexOf("\r\nCookie: ");
                int end = sb.indexOf("\r\n", at + 2);
                sb.insert(end, "; " + h.value());
                continue;
            }
            version |= n.equals("sec-websocket-version");
            sb.append(h1Name(h.name())).append(": ").append(h.value()).append("\r\n");
        }
        if (websocket && !version) {
            sb.append("Sec-WebSocket-Version: 13\r\n");
        }
        for (HttpHead.Header h : extra) {
            sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /**
     * An HTTP/1.1 request head as an HTTP/2 header block: an upgrade becomes an extended CONNECT
     * (RFC 8441 4), with {@code :scheme}, {@code :authority} from Host and {@code :path} from the
     * target (an absolute one is cut to its path).
     */
    public static List<HttpHead.Header> h2Request(HttpHead h1, boolean tls) {
        boolean websocket = h1.tokens("Upgrade").contains("websocket");
        String target = h1.target() == null ? "/" : h1.target();
        String authority = h1.header("Host");
        int scheme = target.indexOf("://");
        if (scheme > 0) {
            int slash = target.indexOf('/', scheme + 3);
            if (authority == null) {
                authority = target.substring(scheme + 3, slash < 0 ? target.length() : slash);
            }
            target = slash < 0 ? "/" : target.substring(slash);
        }
        List<HttpHead.Header> out = new ArrayList<>();
        out.add(new HttpHead.Header(":method", websocket ? "CONNECT" : h1.method()));
        if (websocket) {
            out.add(new HttpHead.Header(":protocol", "websocket"));
        }
        out.add(new HttpHead.Header(":scheme", tls ? "https" : "http"));
        if (authority != null) {
            out.add(new HttpHead.Header(":authority", authority));
        }
        out.add(new HttpHead.Header(":path", target));
        for (HttpHead.Header h : h1.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(n)) {
                out.add(new HttpHead.Header(n, h.value()));
            }
        }
        return out;
    }

    /**
     * An HTTP/2 response block as an HTTP/1.1 response head: 200 to an extended CONNECT becomes
     * a 101 with {@code accept} (the accept of the key the HTTP/1.1 client sent); any other status
     * is kept, and since the HTTP/2 side ends its body with the stream, the head says
     * {@code Connection: close} so the HTTP/1.1 side's body ends with the connection.
     */
    public static String h1Response(List<HttpHead.Header> h2, boolean upgrade, String accept) {
        String status = pseudo(h2, ":status");
        int code;
        try {
            code = status == null ? 502 : Integer.parseInt(status);
        } catch (NumberFormatException e) {
            code = 502;
        }
        boolean switched = upgrade && code / 100 == 2;
        StringBuilder sb = new StringBuilder("HTTP/1.1 ");
        if (switched) {
            sb.append("101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
                    .append(accept).append("\r\n");
        } else {
            sb.append(code).append(' ').append(reason(code)).append("\r\n");
        }
        for (HttpHead.Header h : h2) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (n.startsWith(":") || DROPPED.contains(n) || switched && n.equals("content-length")) {
                continue;
            }
            sb.append(h1Name(h.name())).append(": ").append(h.value()).append("\r\n");
        }
        if (!switched) {
            sb.append("Connection: close\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /**
     * An HTTP/1.1 response head as an HTTP/2 header block: a 101 to an upgrade becomes 200
     * (RFC 8441 5), anything else keeps its status.
     */
    public static List<HttpHead.Header> h2Response(HttpHead h1) {
        int status = h1.status();
        List<HttpHead.Header> out = new ArrayList<>();
        out.add(new HttpHead.Header(":status", Integer.toString(status == 101 ? 200 : status)));
        for (HttpHead.Header h : h1.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(n)) {
                out.add(new HttpHead.Header(n, h.value()));
            }
        }
        return out;
    }

    /** The first value of a pseudo-header field, or null. */
    private static String pseudo(List<HttpHead.Header> fields, String name) {
        for (HttpHead.Header h : fields) {
            if (h.name().equals(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** Sec-WebSocket-Protocol and the like, as HTTP/1.1 peers usually spell them (any case is valid). */
    private static String h1Name(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean up = true;
        for (char c : name.toCharArray()) {
            sb.append(up ? Character.toUpperCase(c) : c);
            up = c == '-';
        }
        return sb.toString().replace("Websocket", "WebSocket");
    }

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> code / 100 == 2 ? "OK" : "";
        };
    }
}
