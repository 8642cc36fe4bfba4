package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.List;

/**
 * Which decoder reads the messages of one connection, and its state. The choice, in order: the
 * protocol forced with {@code --decode}; the one the handshake names (subprotocol or URL); else,
 * message by message, the first whose {@link PayloadDecoder#sniff} says yes, which then keeps the
 * connection unless it is a generic format.
 */
final class ConnectionDecoding {
    private final List<PayloadDecoder> decoders;
    private final DecodeState state = new DecodeState();
    /** Forced or claimed or sniffed (specific): reads every message of the connection. */
    private PayloadDecoder chosen;

    ConnectionDecoding(List<PayloadDecoder> decoders, PayloadDecoder forced, String subprotocol, String url) {
        this.decoders = decoders;
        this.chosen = forced;
        if (chosen == null) {
            for (PayloadDecoder d : decoders) {
                if (d.claims(subprotocol, url)) {
                    chosen = d;
                    break;
                }
            }
        }
    }

    /** The message as its protocol reads it, or null when no decoder recognises it. */
    Decoded decode(Message m, Direction dir) {
        if (chosen != null) {
            return safely(chosen, m, dir);
        }
        for (PayloadDecoder d : decoders) {
            if (d.sniff(m)) {
                Decoded out = safely(d, m, dir);
                if (!d.generic() && out.ok()) {
                    chosen = d;
                }
                return out.ok() ? out : null;
            }
        }
        return null;
    }

    /** A decoder that throws after all is a bug of ours: the message is still shown, with the reason. */
    private Decoded safely(PayloadDecoder d, Message m, Direction dir) {
        try {
            return d.decode(m, dir, state);
        } catch (RuntimeException e) {
            return Decoded.failed(d.name(), "The " + d.name() + " decoder failed on this message (" + e + ").");
        }
    }
}
