package dev.wsdebug.net.probe;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket connection of the probe, opened with wsdebug's own client so that every frame goes
 * through the one pipeline; this class is the sink that notes what the probe times: when the
 * handshake ended, when the server's close frame came, when anything last arrived.
 */
final class ProbeConnection implements EventSink, AutoCloseable {
    /** The offer {@code connect} makes by default. */
    static final String DEFAULT_OFFER = new ClientOptions().extensions;

    final String conn;
    private final WsClient client;
    private volatile HandshakeEvent handshake;
    private volatile CloseEvent closeEvent;
    private final CompletableFuture<Integer> serverClose = new CompletableFuture<>();
    private volatile long serverCloseNanos;
    private volatile long lastInboundNanos;
    ClientSession session;
    ClientFailure failure;
    /** When the opening handshake completed: the start of any silence that follows. */
    long openNanos;
    /** From the start of the TCP connect to the end of the upgrade. */
    double openMs;

    private ProbeConnection(ProbeOptions o, long id, String extensions) {
        this.conn = Long.toString(id);
        ClientOptions co = new ClientOptions();
        co.url = o.url;
        co.headers = o.headers;
        co.subprotocols = o.subprotocols;
        co.origin = o.origin;
        co.ca = o.ca;
        co.insecure = o.insecure;
        co.extensions = extensions;
        co.connectTimeoutMillis = o.connectTimeoutMillis;
        co.handshakeTimeoutMillis = o.connectTimeoutMillis;
        // the checks read an HTTP/1.1 upgrade (the key and its accept); whether h2 is offered is not probed yet
        co.transport = ClientOptions.Transport.HTTP1;
        // a probe's notices (each pong's round trip) are measured here and shown as checks instead
        this.client = new WsClient(co, this, notice -> { }).connectionIdsFrom(id);
    }

    /**
     * Opens connection number {@code id} with this Sec-WebSocket-Extensions offer (null: none).
     * Never throws for a failed connection: {@link #failure} says why.
     */
    static ProbeConnection open(ProbeOptions o, long id, String extensions) throws InterruptedException {
        ProbeConnection c = new ProbeConnection(o, id, extensions);
        long start = System.nanoTime();
        try {
            c.session = c.client.connect();
            c.openNanos = System.nanoTime();
            c.openMs = (c.openNanos - start) / 1e6;
        } catch (ClientFailure f) {
            c.failure = f;
            c.openMs = Millis.since(start);
        }
        return c;
    }

    boolean isOpen() {
        return session != null && session.isOpen();
    }

    @Override
    public void accept(Event event) {
        if (event instanceof HandshakeEvent h) {
            handshake = h;
        } else if (event instanceof FrameEvent f && f.dir() == Direction.S2C) {
            lastInboundNanos = System.nanoTime();
            if (f.frame().opcode() == Opcode.CLOSE && !serverClose.isDone()) {
                serverCloseNanos = lastInboundNanos;
                serverClose.complete(f.frame().closeCode());
            }
        } else if (event instanceof CloseEvent c) {
            closeEvent = c;
        }
    }

    /** The handshake as decoded, or null when no response arrived. */
    HandshakeEvent handshake() {
        return handshake;
    }

    /** How the connection ended, once it has. */
    CloseEvent closeEvent() {
        return closeEvent;
    }

    /** Completes with the code of the server's close frame (-1 without one) when it arrives. */
    CompletableFuture<Integer> serverClose() {
        return serverClose;
    }

    long serverCloseNanos() {
        return serverCloseNanos;
    }

    long lastInboundNanos() {
        return lastInboundNanos;
    }

    /** Closes with 1000 and waits a little for the server's answer, so the server sees a clean close. */
    void closeGently(long waitMillis) {
        if (session != null && session.isOpen()) {
            session.close(1000, "");
            try {
                session.closed().get(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // close() below drops it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    @Override
    public void close() {
        if (session != null && session.isOpen()) {
            session.abort();
        }
        client.close();
    }
}
