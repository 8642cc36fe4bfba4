package dev.wsdebug.net;

/**
 * A plain HTTP request the forward proxy passed through (not a WebSocket upgrade), listed the way
 * a proxy log lists it.
 *
 * @param status the response status, or -1 if the upstream never answered
 */
public record HttpExchange(String conn, String method, String url, int status, String reason, long bytes,
                           long millis) {
    @Override
    public String toString() {
        return method + " " + url + " -> " + (status < 0 ? "no response" : status + " " + reason) + ", " + bytes
                + " B, " + millis + " ms";
    }
}
