package dev.wsdebug.ui;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * The UI's request checks (DESIGN.md principle 5). A local web server is reachable from every page
 * the user's browser opens, so each request must prove it comes from our own page: the run's random
 * token (query parameter on the first load, then a cookie or a header); a Host header naming the
 * listener (a DNS-rebinding page would send its own name); and no foreign Origin on the live feed
 * or a POST (cross-site WebSocket hijacking and request forgery).
 */
final class Guard {
    static final String COOKIE = "wsdebug_token";
    static final String HEADER = "X-Wsdebug-Token";

    /** Why a request is refused: status and one sentence; null fields when it passes. */
    record Verdict(int status, String sentence, boolean setCookie) {
        boolean refused() {
            return status != 0;
        }
    }

    private final String token;
    private final byte[] tokenBytes;
    private volatile Set<String> hosts = Set.of();

    Guard(String token) {
        this.token = token != null ? token : random();
        this.tokenBytes = this.token.getBytes(StandardCharsets.US_ASCII);
    }

    private static String random() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    String token() {
        return token;
    }

    /** The Host header values that name this listener, once its port is known. */
    void listener(String boundHost, int port) {
        String h = boundHost.toLowerCase(Locale.ROOT);
        String literal = h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
        this.port = port;
        hosts = Set.copyOf(java.util.List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port,
                literal + ":" + port));
    }

    Verdict check(HttpRequest req) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT)) && !ipLiteral(host)) {
            return new Verdict(421, "The Host header (" + host + ") does not name this wsdebug UI; open the URL"
                    + " wsdebug printed.", false);
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        boolean sensitive = req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD
                || new QueryStringDecoder(req.uri()).path().equals("/api/live");
        if (sensitive && origin != null && !sameOrigin(origin, host)) {
            return new Verdict(403, "Requests from another site (Origin " + origin + ") are refused.", false);
        }
        String given = new QueryStringDecoder(req.uri()).parameters().getOrDefault("token", java.util.List.of()).stream()
                .findFirst().orElse(null);
        if (given != null && matches(given)) {
            return new Verdict(0, null, true);
        }
        String header = req.headers().get(HEADER);
        if (header != null && matches(header)) {
            return new Verdict(0, null, false);
        }
        String cookies = req.headers().get(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            for (Cookie c : ServerCookieDecoder.STRICT.decode(cookies)) {
                if (c.name().equals(COOKIE) && matches(c.value())) {
                    return new Verdict(0, null, false);
                }
            }
        }
        return new Verdict(403, given != null || header != null ? "The token is wrong: open the URL wsdebug printed"
                + " (each run has its own)." : "A token is required: open the URL wsdebug printed, with its ?token=.",
                false);
    }

    private volatile int port;

    /**
     * An address, not a name, with the listener's port: what a browser sends when the UI is opened by
     * IP from another machine (--host). DNS rebinding needs a name it controls, so an address is safe.
     */
    private boolean ipLiteral(String host) {
        int colon = host.lastIndexOf(':');
        if (colon < 0 || !host.substring(colon + 1).equals(Integer.toString(port))) {
            return false;
        }
        String h = host.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            return h.length() > 2 && h.substring(1, h.length() - 1).matches("[0-9A-Fa-f:.]+");
        }
        return h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private boolean sameOrigin(String origin, String requestHost) {
        String o = origin.toLowerCase(Locale.ROOT);
        // the page's own origin: the address this very request was sent to (the Host checked above)
        return o.equals("http://" + requestHost.toLowerCase(Locale.ROOT));
    }

    private boolean matches(String given) {
        return MessageDigest.isEqual(tokenBytes, given.getBytes(StandardCharsets.US_ASCII));
    }
}
