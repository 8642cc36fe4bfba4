package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    /** The generic format the first message recognised was in, while no specific protocol holds the connection. */
    private String generic;

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

    /** Requests still waiting for their answer, by direction and id; the oldest go first past the bound. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    static final int MAX_PENDING = 10_000;

    private record Pending(long seq, String name, long micros) {
    }

    /**
     * The message as its protocol reads it, or null when no decoder recognises it; a response
     * carries the request it answers ({@link Decoded#reply()}).
     */
    Decoded decode(Message m, Direction dir, long seq, long micros) {
        Decoded d = decode(m, dir);
        return d == null || !d.ok() ? d : pair(d, dir, seq, micros);
    }

    private Decoded pair(Decoded d, Direction dir, long seq, long micros) {
        String answered = d.facets().get(Facets.RESPONSE_ID);
        if (answered != null) {
            Pending p = pending.remove(dir.opposite().id() + " " + d.protocol() + " " + answered);
            if (p != null) {
                d = d.withReply(new Decoded.Reply(p.seq(), p.name(), micros - p.micros()));
            }
        }
        String asked = d.facets().get(Facets.REQUEST_ID);
        if (asked != null) {
            if (pending.size() >= MAX_PENDING) {
                Iterator<String> oldest = pending.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            pending.put(dir.id() + " " + d.protocol() + " " + asked, new Pending(seq, d.facets().get(Facets.NAME), micros));
        }
        return d;
    }

    private Decoded decode(Message m, Direction dir) {
        if (chosen != null) {
            return safely(chosen, m, dir);
        }
        for (PayloadDecoder d : decoders) {
            if (d.sniff(m)) {
                Decoded out = safely(d, m, dir);
                if (!d.generic() && out.ok()) {
                    chosen = d;
                } else if (out.ok()) {
                    recognised(out.protocol());
                }
                return out.ok() ? out : null;
            }
        }
        return null;
    }

    /** Notes a generic format a message was read in (the first one counts). */
    void recognised(String format) {
        if (generic == null) {
            generic = format;
        }
    }

    /**
     * The protocol the connection speaks as far as its messages so far tell: the one forced or
     * claimed or recognised (specific), else the generic format of the first message recognised;
     * null when none.
     */
    String protocol() {
        return chosen != null ? chosen.name() : generic;
    }

    /** Whether the connection's protocol is chosen for good (forced, claimed, or a specific one recognised). */
    boolean settled() {
        return chosen != null;
    }

    private Decoded safely(PayloadDecoder d, Message m, Direction dir) {
        return safely(d, m, dir, state);
    }

    /** A decoder that throws after all is a bug of ours: the message is still shown, with the reason. */
    static Decoded safely(PayloadDecoder d, Message m, Direction dir, DecodeState state) {
        try {
            return d.decode(m, dir, state);
        } catch (RuntimeException e) {
            return Decoded.failed(d.name(), "The " + d.name() + " decoder failed on this message (" + e + ").");
        }
    }
}
