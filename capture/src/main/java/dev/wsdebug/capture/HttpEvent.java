package dev.wsdebug.capture;

import dev.wsdebug.wire.HttpHead;

/**
 * A plain HTTP/1.1 exchange (not a WebSocket upgrade): a request and its response, as the proxy
 * relayed it or a capture shows it. Added to schema v1 as the event {@code http}.
 *
 * @param url                the absolute URL (scheme and Host joined with the target)
 * @param status             the response status, or -1 when no response came
 * @param reason             the reason phrase ("" when none or no response)
 * @param request            the request head (start line and header fields as sent)
 * @param response           the response head, or null when no response came
 * @param requestBodyLength  bytes of the request body (0 when none; -1 when unknown, as a HAR may say)
 * @param responseBodyLength bytes of the response body (as far as seen; -1 when unknown)
 * @param durationMicros     from the request's first byte to the response's last, or to the end
 *                           when it never completed
 */
public record HttpEvent(String conn, long timeMicros, String method, String url, int status, String reason,
                        HttpHead request, HttpHead response, long requestBodyLength, long responseBodyLength,
                        long durationMicros, TlsSummary tls) implements Event {

    /** An exchange not decrypted from a packet capture (no {@code tls} field). */
    public HttpEvent(String conn, long timeMicros, String method, String url, int status, String reason,
                     HttpHead request, HttpHead response, long requestBodyLength, long responseBodyLength,
                     long durationMicros) {
        this(conn, timeMicros, method, url, status, reason, request, response, requestBodyLength, responseBodyLength,
                durationMicros, null);
    }

    /** The same exchange with the TLS handshake of the connection it was decrypted from. */
    public HttpEvent withTls(TlsSummary summary) {
        return new HttpEvent(conn, timeMicros, method, url, status, reason, request, response, requestBodyLength,
                responseBodyLength, durationMicros, summary);
    }
    /**
     * The method from the request head, and the status and reason from the response head (-1 and ""
     * without one).
     */
    public HttpEvent(String conn, long timeMicros, String url, HttpHead request, HttpHead response,
                     long requestBodyLength, long responseBodyLength, long durationMicros) {
        this(conn, timeMicros, request == null ? null : request.method(), url, response == null ? -1 : response.status(),
                response == null || response.reason() == null ? "" : response.reason(), request, response,
                requestBodyLength, responseBodyLength, durationMicros);
    }

    @Override
    public String name() {
        return "http";
    }
}
