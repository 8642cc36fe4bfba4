package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * MessagePack (msgpack.org) in binary messages, as a JSON tree: binary strings as
 * {@code {"$binary": base64}}, extension values as {@code {"$ext": type, "$data": base64}}. Sniffed
 * only when a binary message starts with an array or a map and is exactly one whole value.
 */
final class MessagePackDecoder implements PayloadDecoder {
    @Override
    public String name() {
        return "msgpack";
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
        // a map or an array at the top: fixmap, fixarray, map16/32, array16/32
        return ((h >= 0x80 && h <= 0x9f) || (h >= 0xdc && h <= 0xdf))
                && BinaryTrees.msgpack(p, 0, p.length).ok();
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (m.isText()) {
            return Decoded.failed(name(), "A text message is not MessagePack, which is binary.");
        }
        if (m.truncated()) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as MessagePack.");
        }
        byte[] p = m.payload();
        BinaryTrees.Result r = BinaryTrees.msgpack(p, 0, p.length);
        return r.ok() ? Decoded.of(name(), JsonDecoder.summary(r.value()), r.value()) : Decoded.failed(name(), r.problem());
    }
}
