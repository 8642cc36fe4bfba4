package dev.wsdebug.net.proxy;

import io.netty.handler.ssl.SslContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/** How {@link WsProxy} listens and where it sends traffic. */
public final class ProxyOptions {
    public String host = "127.0.0.1";
    public int port = 8888;
    /** Reverse mode: every client goes to this ws:// or wss:// upstream. Null: forward (HTTP proxy) mode. */
    public URI upstream;
    /** Hosts whose CONNECT tunnels are relayed untouched (no TLS interception). */
    public Set<String> noIntercept = new HashSet<>();
    /** Server TLS context for an intercepted host (leaf signed by the local CA); null disables interception. */
    public Function<String, SslContext> interceptContext;
    /** Extra trust anchors for wss:// upstreams, or null for the JDK trust store. */
    public Path upstreamCa;
    /** Do not verify upstream certificates. */
    public boolean upstreamInsecure;
    public int connectTimeoutMillis = 10_000;
    /**
     * Accept HTTP/2 from clients: the h2c preface on a plain connection, and (set by whoever makes
     * {@link #interceptContext}) h2 offered by ALPN in intercepted tunnels. Each stream is relayed
     * as a connection of its own; an extended CONNECT (RFC 8441) is a WebSocket.
     */
    public boolean clientHttp2 = true;

    /** Which HTTP version opens a WebSocket upstream. */
    public enum UpstreamHttp {
        /** HTTP/2 when the client's side is an HTTP/2 stream and the TLS upstream offers h2 with extended CONNECT, else HTTP/1.1. */
        AUTO,
        /** Always an HTTP/1.1 upgrade. */
        HTTP1,
        /** Always an HTTP/2 stream (h2 by ALPN, h2c with prior knowledge in clear text); 502 when the upstream cannot. */
        HTTP2
    }

    public UpstreamHttp upstreamHttp = UpstreamHttp.AUTO;
    /** Most decoded bytes of one message kept in events. */
    public int retainCap = dev.wsdebug.capture.Conversation.DEFAULT_RETAIN;
    /** Fault rules for WebSocket connections (--fault); null or empty relays bytes as they arrive. */
    public dev.wsdebug.net.fault.FaultPlan faults;
    /**
     * With fault rules: the largest data message (bytes on the wire) held whole so that rules can act
     * on it; larger ones pass unchanged as they arrive.
     */
    public int faultHoldCap = 16 << 20;
    /**
     * Every WebSocket connection goes through a {@link FaultRelay} (with no rules when none apply),
     * so that messages can be injected between whole messages ({@link WsProxy#inject}); set by --ui.
     */
    public boolean injectable;
    /** Each client connection also opens one upstream: half of serve's default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 12_500;
    /**
     * Client connections (the handshake timeout covers the request head, again after a CONNECT),
     * idle time, and the memory budget for decoded messages.
     */
    public final dev.wsdebug.net.limits.Limits limits = new dev.wsdebug.net.limits.Limits(DEFAULT_MAX_CONNECTIONS);
}
