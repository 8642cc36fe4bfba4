package dev.wsdebug.net.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How {@link WsServer} behaves, including the misbehaviour knobs that reproduce real failures. */
public final class ServerOptions {
    public String host = "127.0.0.1";
    public int port = 8765;
    public boolean tls;
    public Path cert;
    public Path key;
    public boolean compress = true;
    public List<String> subprotocols = new ArrayList<>();
    /** Messages above this many bytes (decoded) close the connection with 1009. */
    public int maxMessage = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 25_000;
    /**
     * Connections, handshake and idle time, and the memory budget (messages being received, or echoed
     * and not yet written).
     */
    public final dev.wsdebug.net.limits.Limits limits = new dev.wsdebug.net.limits.Limits(DEFAULT_MAX_CONNECTIONS);

    /**
     * Also speak HTTP/2 (RFC 8441 WebSockets): by ALPN over TLS, with prior knowledge (h2c) on a
     * plain port, beside HTTP/1.1 on the same port.
     */
    public boolean http2;
    /** With {@link #http2}: leave SETTINGS_ENABLE_CONNECT_PROTOCOL out, so every extended CONNECT is refused. */
    public boolean noConnectProtocol;

    /** Never answer pings: the server looks alive at TCP level but is a zombie. */
    public boolean noPong;
    /** After this many echoed messages, close with {@link #closeCode}; -1 never. */
    public int closeAfter = -1;
    public int closeCode = 1000;
    public String closeReason = "";
    /** After this many echoed messages, close TCP with no close frame (the client sees 1006); -1 never. */
    public int dropAfter = -1;
    /** Answer the upgrade with this HTTP status instead of 101; 0 to accept. */
    public int reject;
    /** Send a wrong Sec-WebSocket-Accept. */
    public boolean badAccept;
    /** Send every reply in frames of at most this many payload bytes; 0 for one frame. */
    public int fragment;
    /** Delay every reply by this many milliseconds. */
    public long delayMs;
    /** Send a ping this often (seconds); 0 never. */
    public double pingInterval;
    /**
     * Answer as a recorded server did instead of echoing (serve --mock); the knobs above still apply
     * to its answers. Null to echo.
     */
    public dev.wsdebug.capture.replay.MockScript mock;
}
