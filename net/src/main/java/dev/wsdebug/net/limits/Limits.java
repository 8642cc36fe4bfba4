package dev.wsdebug.net.limits;

/** How a server or proxy bounds its load: the settings behind {@link Load}. */
public final class Limits {
    /** Connections open at once; a new one over it is answered 503 and closed. */
    public int maxConnections;
    /** A client that has not sent its request head this long after connecting is closed; 0 never. */
    public long handshakeTimeoutMillis = 10_000;
    /** A connection with no traffic this long is closed (a WebSocket with 1001); 0 never, the default. */
    public long idleTimeoutMillis;
    /** Bytes of messages all connections may hold at once; 0 for a quarter of the heap. */
    public long memoryBudget;
    /** How long a peer may leave what it is sent unread before a line says so. */
    public long stallNoticeMillis = StallWatch.NOTICE_AFTER_MS;

    public Limits(int maxConnections) {
        this.maxConnections = maxConnections;
    }
}
