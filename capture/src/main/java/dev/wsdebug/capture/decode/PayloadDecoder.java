package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * One application protocol that runs over WebSocket messages: how to recognise it and how to read
 * a message of it. Implementations are pure: everything they remember about a connection (a
 * Socket.IO event waiting for its binary attachments, a STOMP frame split over messages) lives in
 * the {@link DecodeState} they are handed. They never throw on bad input.
 */
public interface PayloadDecoder {
    /** The protocol's name: what {@code --decode} takes and {@link Decoded#protocol()} says. */
    String name();

    /**
     * Whether the connection's opening handshake names this protocol: its negotiated subprotocol
     * ({@code Sec-WebSocket-Protocol}, may be null) or its URL path and query (Socket.IO's
     * {@code EIO=4}).
     */
    default boolean claims(String subprotocol, String url) {
        return false;
    }

    /**
     * Whether a message of a connection nobody claimed looks like this protocol (cheap: it is
     * asked of every such message until one says yes).
     */
    default boolean sniff(Message m) {
        return false;
    }

    /**
     * A generic format (JSON, MessagePack, CBOR…) rather than a protocol: it is tried last, and a
     * connection found to speak it is asked again at the next message (a specific protocol sticks).
     */
    default boolean generic() {
        return false;
    }

    /** Reads one whole message; a message that is not this protocol gives {@link Decoded#failed}. */
    Decoded decode(Message m, Direction dir, DecodeState state);
}
