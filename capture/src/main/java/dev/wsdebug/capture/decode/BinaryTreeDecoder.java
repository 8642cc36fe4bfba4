package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * A generic binary format read into a JSON tree by {@link BinaryTrees} (MessagePack, CBOR): binary
 * messages only; sniffed only when the message starts with a container and is exactly one whole
 * value, since any bytes start some value.
 */
abstract class BinaryTreeDecoder implements PayloadDecoder {
    private final String name;
    /** The format's name in sentences ("MessagePack"). */
    private final String label;

    BinaryTreeDecoder(String name, String label) {
        this.name = name;
        this.label = label;
    }

    /** The bytes as one whole value of the format. */
    abstract BinaryTrees.Result parse(byte[] p);

    /** Whether the first bytes start a map or an array of the format. */
    abstract boolean startsWithContainer(byte[] p);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean generic() {
        return true;
    }

    @Override
    public final boolean sniff(Message m) {
        if (m.isText() || m.truncated() || m.payload().length < 2) {
            return false;
        }
        byte[] p = m.payload();
        return startsWithContainer(p) && parse(p).ok();
    }

    @Override
    public final Decoded decode(Message m, Direction dir, DecodeState state) {
        if (m.isText()) {
            return Decoded.failed(name, "A text message is not " + label + ", which is binary.");
        }
        if (m.truncated()) {
            return Decoded.failed(name, "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + label + ".");
        }
        BinaryTrees.Result r = parse(m.payload());
        return r.ok() ? Decoded.of(name, JsonDecoder.summary(r.value()), r.value()) : Decoded.failed(name, r.problem());
    }
}
