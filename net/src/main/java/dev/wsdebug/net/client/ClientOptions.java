package dev.wsdebug.net.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@link WsClient} connects to and how. */
public final class ClientOptions {
    /** ws:// or wss:// URL. */
    public URI url;
    /** Extra request headers as "Name: value"; a name the client sets itself (Host, Origin...) replaces it. */
    public List<String> headers = new ArrayList<>();
    public List<String> subprotocols = new ArrayList<>();
    public String origin;
    /** user:password for Basic authentication, or null. */
    public String auth;
    public Path ca;
    public Path cert;
    public Path key;
    public boolean insecure;
    /** http://host:port of an HTTP proxy reached with CONNECT, or null. */
    public URI proxy;
    /** The Sec-WebSocket-Extensions offer, or null for none. */
    public String extensions = "permessage-deflate; client_max_window_bits";
    /** Which HTTP carries the opening handshake. */
    public Transport transport = Transport.AUTO;
    public int connectTimeoutMillis = 10_000;
    /** How long to wait for the upgrade response after the request is sent. */
    public int handshakeTimeoutMillis = 10_000;
    /** Most decoded bytes of one message kept in events. */
    public int retainCap = dev.wsdebug.capture.Conversation.DEFAULT_RETAIN;
    /** A message from the server larger than this fails the connection with 1009 (as soon as a header says so). */
    public long maxMessage = DEFAULT_MAX_MESSAGE;
    public static final long DEFAULT_MAX_MESSAGE = 64L << 20;

    /** A copy to adjust per connection (the lists copied too, so the copy's changes stay its own). */
    public ClientOptions copy() {
        ClientOptions o = new ClientOptions();
        o.url = url;
        o.headers = new ArrayList<>(headers);
        o.subprotocols = new ArrayList<>(subprotocols);
        o.origin = origin;
        o.auth = auth;
        o.ca = ca;
        o.cert = cert;
        o.key = key;
        o.insecure = insecure;
        o.proxy = proxy;
        o.extensions = extensions;
        o.transport = transport;
        o.connectTimeoutMillis = connectTimeoutMillis;
        o.handshakeTimeoutMillis = handshakeTimeoutMillis;
        o.retainCap = retainCap;
        o.maxMessage = maxMessage;
        return o;
    }

    /** The HTTP version of the opening handshake. */
    public enum Transport {
        /**
         * wss://: HTTP/2 when ALPN picks h2 and the server enables extended CONNECT (RFC 8441), else
         * HTTP/1.1; ws://: HTTP/1.1.
         */
        AUTO,
        /** Always the HTTP/1.1 upgrade. */
        HTTP1,
        /** Always an extended CONNECT over HTTP/2 (h2c with prior knowledge on ws://), or fail. */
        HTTP2
    }
}
