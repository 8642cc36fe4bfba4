package dev.wsdebug.net.client;

import dev.wsdebug.wire.HttpHead;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Builds the opening handshake a client sends: the HTTP/1.1 upgrade (RFC 6455 4.1) or the extended CONNECT (RFC 8441 4). */
final class ClientRequest {
    private ClientRequest() {
    }

    /** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
    static String newKey() {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    static byte[] build(ClientOptions o, String key) {
        StringBuilder sb = new StringBuilder("GET ").append(target(o.url)).append(" HTTP/1.1\r\n");
        for (String[] e : fields(o, key)) {
            sb.append(e[0]).append(": ").append(e[1]).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The extended CONNECT of RFC 8441 4: the pseudo-headers, then the same fields as the upgrade
     * less those HTTP/2 has no room for (Host becomes :authority; no Upgrade, Connection or key).
     */
    static List<HttpHead.Header> h2(ClientOptions o) {
        List<HttpHead.Header> out = new ArrayList<>();
        out.add(new HttpHead.Header(":method", "CONNECT"));
        out.add(new HttpHead.Header(":protocol", "websocket"));
        out.add(new HttpHead.Header(":scheme", WsClient.secure(o.url) ? "https" : "http"));
        out.add(new HttpHead.Header(":path", target(o.url)));
        int authority = out.size();
        out.add(null);
        for (String[] e : fields(o, null)) {
            switch (e[0].toLowerCase(Locale.ROOT)) {
                case "host" -> out.set(authority, new HttpHead.Header(":authority", e[1]));
                case "upgrade", "connection", "sec-websocket-key" -> {
                }
                default -> out.add(new HttpHead.Header(e[0].toLowerCase(Locale.ROOT), e[1]));
            }
        }
        return out;
    }

    private static String target(URI u) {
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return u.getRawQuery() != null ? path + "?" + u.getRawQuery() : path;
    }

    /** The request's fields in order; a -H header replaces one of ours with the same name. */
    private static List<String[]> fields(ClientOptions o, String key) {
        URI u = o.url;
        int port = WsClient.port(u);
        boolean defaultPort = port == (WsClient.secure(u) ? 443 : 80);
        String host = u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost();
        List<String[]> h = new ArrayList<>();
        h.add(new String[] {"Host", defaultPort ? host : host + ":" + port});
        h.add(new String[] {"Upgrade", "websocket"});
        h.add(new String[] {"Connection", "Upgrade"});
        if (key != null) {
            h.add(new String[] {"Sec-WebSocket-Key", key});
        }
        h.add(new String[] {"Sec-WebSocket-Version", "13"});
        if (o.origin != null) {
            h.add(new String[] {"Origin", o.origin});
        }
        if (!o.subprotocols.isEmpty()) {
            h.add(new String[] {"Sec-WebSocket-Protocol", String.join(", ", o.subprotocols)});
        }
        if (o.extensions != null && !o.extensions.isBlank()) {
            h.add(new String[] {"Sec-WebSocket-Extensions", o.extensions});
        }
        if (o.auth != null) {
            h.add(new String[] {"Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(o.auth.getBytes(StandardCharsets.UTF_8))});
        }
        h.add(new String[] {"User-Agent", "wsdebug/" + version()});
        for (String line : o.headers) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            h.removeIf(e -> e[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)));
            h.add(new String[] {name, value});
        }
        return h;
    }

    private static String version() {
        String v = ClientRequest.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
