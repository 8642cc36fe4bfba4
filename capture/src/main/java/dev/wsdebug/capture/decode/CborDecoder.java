package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * CBOR (RFC 8949) in binary messages, as a JSON tree: byte strings as {@code {"$binary": base64}},
 * tags dropped (their content kept). Sniffed only when a binary message starts with an array or a
 * map (after an optional self-described CBOR tag) and is exactly one whole value.
 */
final class CborDecoder implements PayloadDecoder {
    @Override
    public String name() {
        return "cbor";
    }

    @Override
    public boolean generic() {
        return true;
    }

    @Override
    public boolean sniff(Message m) {
        if (m.isText() || m.truncated() || m.payload().length < 2) {
            return false;
        }
        byte[] p = m.payload();
        int h = p[0] & 0xff;
        if (h == 0xd9 && p.length > 3 && (p[1] & 0xff) == 0xd9 && (p[2] & 0xff) == 0xf7) {
            h = p[3] & 0xff; // the self-described CBOR tag 55799
        }
        // an array or a map at the top (major types 4 and 5)
        return (h >= 0x80 && h <= 0xbf)
                && BinaryTrees.cbor(p, 0, p.length).ok();
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (m.isText()) {
            return Decoded.failed(name(), "A text message is not CBOR, which is binary.");
        }
        if (m.truncated()) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as CBOR.");
        }
        byte[] p = m.payload();
        BinaryTrees.Result r = BinaryTrees.cbor(p, 0, p.length);
        return r.ok() ? Decoded.of(name(), JsonDecoder.summary(r.value()), r.value()) : Decoded.failed(name(), r.problem());
    }
}
