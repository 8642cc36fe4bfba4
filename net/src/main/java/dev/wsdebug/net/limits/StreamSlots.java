package dev.wsdebug.net.limits;

import io.netty.handler.codec.http2.Http2StreamChannel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The share of the connection limit one HTTP/2 connection holds. Each stream is a connection of
 * its own to the user (a WebSocket, or a request the proxy relays), so {@code --max-connections}
 * counts streams on HTTP/2 as it counts TCP connections on HTTP/1.1: the connection keeps the
 * place it was admitted with while it has at most one stream open, and takes one more per stream
 * beyond that. A stream over the limit is answered 503 on the stream ({@link StreamOverloadAnswer});
 * the connection and its other streams go on. Thread-safe.
 */
public final class StreamSlots {
    private final ConnectionGate gate;
    private final AtomicInteger streams = new AtomicInteger();

    StreamSlots(ConnectionGate gate) {
        this.gate = gate;
    }

    /**
     * Lets a new stream in, or installs the 503 answer on it.
     *
     * @return true when admitted; its place goes back when the stream closes
     */
    public boolean admit(Http2StreamChannel stream, String server, Consumer<String> log) {
        if (streams.incrementAndGet() > 1) {
            String refusal = gate.take(server, log);
            if (refusal != null) {
                streams.decrementAndGet();
                stream.pipeline().addLast(new StreamOverloadAnswer(refusal));
                return false;
            }
        }
        // the first stream open rides on the connection's own place; every other one gave back its own
        stream.closeFuture().addListener(f -> {
            if (streams.getAndDecrement() > 1) {
                gate.release();
            }
        });
        return true;
    }
}
