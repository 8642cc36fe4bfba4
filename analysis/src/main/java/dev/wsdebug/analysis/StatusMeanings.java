package dev.wsdebug.analysis;

/**
 * What an HTTP status instead of 101 usually means for a WebSocket upgrade: the meaning, the
 * usual cause and the fix.
 */
final class StatusMeanings {
    private StatusMeanings() {
    }

    /** {meaning, cause, fix} for a status. */
    static String[] of(int status) {
        return switch (status) {
            case 200 -> new String[]{"the request was handled as plain HTTP.",
                    "The URL reaches an ordinary web handler (a page, a health check, a catch-all route), or a proxy in"
                            + " front answered it itself without passing the upgrade on.",
                    "Point the client at the WebSocket endpoint's exact path, and make sure every proxy on the way"
                            + " forwards Upgrade and Connection."};
            case 301, 302, 303, 307, 308 -> new String[]{"a redirect, which WebSocket clients do not follow.",
                    "The server moved the endpoint (often http -> https, or a trailing slash added); browsers and most"
                            + " libraries fail the handshake instead of following it.",
                    "Use the Location the server gives (ws -> wss, the exact path) in the client."};
            case 400 -> new String[]{"the server found the upgrade request malformed.",
                    "A missing or wrong Sec-WebSocket-Key or Sec-WebSocket-Version, a header the server does not"
                            + " accept, or a request that was not an upgrade when it arrived.",
                    "Compare the request headers with RFC 6455 4.1 and check what reaches the server behind proxies."};
            case 401, 407 -> new String[]{"authentication is required" + (status == 407 ? " by a proxy." : "."),
                    "The request carried no credentials or wrong ones (a cookie, a token or Authorization header the"
                            + " server expects).",
                    "Send the credentials the endpoint expects on the upgrade request (browsers cannot set headers:"
                            + " use a cookie or a token in the URL)."};
            case 403 -> new String[]{"the server refused this client.",
                    "Most often an Origin check (the page's origin is not allowed), otherwise authentication or an IP"
                            + " rule.",
                    "Check the Origin the client sends against the server's allowed origins, then its credentials."};
            case 404 -> new String[]{"nothing serves WebSocket at that path.",
                    "A wrong path, or a route registered only for another host name or under a prefix a proxy strips"
                            + " or adds.",
                    "Use the exact path the server registers its WebSocket handler at."};
            case 426 -> new String[]{"the server wants another protocol version or a real upgrade.",
                    "Sec-WebSocket-Version is not 13, or the request arrived without its Upgrade header.",
                    "Send Sec-WebSocket-Version: 13 and make proxies forward the Upgrade header."};
            case 429 -> new String[]{"too many requests: rate limited.",
                    "The client (or many clients at once) reconnected faster than the server allows.",
                    "Reconnect with exponential backoff and jitter, and honour Retry-After."};
            case 502, 503, 504 -> new String[]{"a gateway or load balancer could not get a good answer from the server.",
                    "The backend is down, overloaded, restarting or too slow to answer the upgrade (" + status + ").",
                    "Check the backend's health and the gateway's upstream timeout; retry with backoff."};
            default -> new String[]{"",
                    "The server does not accept a WebSocket at this URL.",
                    "Check the URL, the server's log and its WebSocket configuration."};
        };
    }
}
