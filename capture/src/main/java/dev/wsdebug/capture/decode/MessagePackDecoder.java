package dev.wsdebug.capture.decode;

/**
 * MessagePack (msgpack.org) in binary messages, as a JSON tree: binary strings as
 * {@code {"$binary": base64}}, extension values as {@code {"$ext": type, "$data": base64}}. Sniffed
 * only when a binary message starts with an array or a map and is exactly one whole value.
 */
final class MessagePackDecoder extends BinaryTreeDecoder {
    MessagePackDecoder() {
        super("msgpack", "MessagePack");
    }

    @Override
    BinaryTrees.Result parse(byte[] p) {
        return BinaryTrees.msgpack(p, 0, p.length);
    }

    @Override
    boolean startsWithContainer(byte[] p) {
        int h = p[0] & 0xff;
        // fixmap, fixarray, map16/32, array16/32
        return h >= 0x80 && h <= 0x9f || h >= 0xdc && h <= 0xdf;
    }
}
