package dev.wsdebug.net.proxy;

import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a proxied request goes and the request head to send there: the Host header follows the
 * upstream, an absolute-form target becomes origin-form; every other header (extensions,
 * subprotocols, cookies) passes unchanged.
 *
 * @param tls whether the upstream connection uses TLS
 */
record ProxyRoute(String host, int port, boolean tls, byte[] head, String url, boolean websocket) {

    /** Reverse mode: everything goes to the one upstream. */
    static ProxyRoute reverse(HttpHead req, URI upstream) {
        boolean tls = "wss".equalsIgnoreCase(upstream.getScheme());
        int port = upstream.getPort() > 0 ? upstream.getPort() : tls ? 443 : 80;
        String target = originForm(req.target());
        boolean ws = isUpgrade(req);
        return new ProxyRoute(upstream.getHost(), port, tls, rewrite(req, target, hostHeader(upstream.getHost(), port, tls)),
                (ws ? tls ? "wss://" : "ws://" : tls ? "https://" : "http://") + hostHeader(upstream.getHost(), port, tls) + target, ws);
    }

    /**
     * Forward mode: an absolute-form request (GET ws://h:p/x or http://h:p/x), or an origin-form
     * one inside a CONNECT tunnel to {@code tunnelHost:tunnelPort}.
     *
     * @return null when the request names no host to go to
     */
    static ProxyRoute forward(HttpHead req, String tunnelHost, int tunnelPort, boolean tunnelTls) {
        String t = req.target();
        if (tunnelHost != null) {
            String target = originForm(t);
            return new ProxyRoute(tunnelHost, tunnelPort, tunnelTls,
                    rewrite(req, target, req.header("Host") != null ? req.header("Host") : hostHeader(tunnelHost, tunnelPort, tunnelTls)),
                    (isUpgrade(req) ? (tunnelTls ? "wss://" : "ws://") : (tunnelTls ? "https://" : "http://"))
                            + hostHeader(tunnelHost, tunnelPort, tunnelTls) + target, isUpgrade(req));
        }
        URI u;
        try {
            u = URI.create(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (u.getScheme() == null || u.getHost() == null) {
            return null;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("wss") || scheme.equals("https");
        int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
        String target = originForm(t);
        return new ProxyRoute(u.getHost(), port, tls, rewrite(req, target, hostHeader(u.getHost(), port, tls)), t,
                isUpgrade(req));
    }

    /**
     * The request head to send without its Upgrade and Connection fields (the {@code strip-upgrade}
     * fault: a proxy that drops hop-by-hop headers), every other byte as in {@link #head()}.
     */
    byte[] headWithoutUpgrade() {
        HttpHeadParser p = new HttpHeadParser();
        p.feed(head, 0, head.length);
        HttpHead req = p.head(); // complete and valid: the proxy built it from a head it parsed
        StringBuilder sb = new StringBuilder(req.startLine()).append(req.startLineEnd());
        for (HttpHead.Header h : req.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!n.equals("upgrade") && !n.equals("connection")) {
                sb.append(h.line());
            }
        }
        sb.append(req.endLine());
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static boolean isUpgrade(HttpHead req) {
        return req.tokens("Upgrade").contains("websocket");
    }

    private static String originForm(String target) {
        if (target == null || target.startsWith("/")) {
            return target == null ? "/" : target;
        }
        try {
            URI u = URI.create(target);
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        } catch (IllegalArgumentException e) {
            return target;
        }
    }

    private static String hostHeader(String host, int port, boolean tls) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return port == (tls ? 443 : 80) ? h : h + ":" + port;
    }

    /**
     * The request head with a new target and Host, proxy-only headers removed, and every other byte
     * exactly as received: each field's own line (spelling, spacing, folding, line ends) and the
     * line ends of the head. A debugger's proxy must not tidy what it relays.
     */
    private static byte[] rewrite(HttpHead req, String target, String host) {
        StringBuilder sb = new StringBuilder();
        if (target.equals(req.target())) {
            sb.append(req.startLine());
        } else {
            sb.append(req.method()).append(' ').append(target).append(' ').append(req.version());
        }
        sb.append(req.startLineEnd());
        boolean hostDone = false;
        for (HttpHead.Header h : req.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (n.equals("proxy-connection") || n.equals("proxy-authorization")) {
                continue;
            }
            if (n.equals("host")) {
                if (!hostDone) {
                    sb.append(h.value().equals(host) ? h.line() : withValue(h, host));
                    hostDone = true;
                }
                continue;
            }
            sb.append(h.line());
        }
        if (!hostDone) {
            sb.append("Host: ").append(host).append("\r\n");
        }
        sb.append(req.endLine());
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The field's line with another value: its name, colon and spacing as sent, its line end. */
    private static String withValue(HttpHead.Header h, String value) {
        String line = h.line();
        int colon = line.indexOf(':');
        int v = colon + 1;
        while (v < line.length() && (line.charAt(v) == ' ' || line.charAt(v) == '\t')) {
            v++;
        }
        String end = line.endsWith("\r\n") ? "\r\n" : "\n";
        return line.substring(0, v) + value + end;
    }
}
