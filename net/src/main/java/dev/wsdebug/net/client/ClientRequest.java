package dev.wsdebug.net.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Builds the HTTP/1.1 upgrade request a client sends (RFC 6455 4.1). */
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
        URI u = o.url;
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        if (u.getRawQuery() != null) {
            path += "?" + u.getRawQuery();
        }
        int port = WsClient.port(u);
        boolean defaultPort = port == (WsClient.secure(u) ? 443 : 80);
        String host = u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost();
        List<String[]> h = new ArrayList<>();
        h.add(new String[] {"Host", defaultPort ? host : host + ":" + port});
        h.add(new String[] {"Upgrade", "websocket"});
        h.add(new String[] {"Connection", "Upgrade"});
        h.add(new String[] {"Sec-WebSocket-Key", key});
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
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
        for (String[] e : h) {
            sb.append(e[0]).append(": ").append(e[1]).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String version() {
        String v = ClientRequest.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
