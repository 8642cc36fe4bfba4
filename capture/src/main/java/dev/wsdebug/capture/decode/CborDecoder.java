package dev.wsdebug.capture.decode;

/**
 * CBOR (RFC 8949) in binary messages, as a JSON tree: byte strings as {@code {"$binary": base64}},
 * tags dropped (their content kept). Sniffed only when a binary message starts with an array or a
 * map (after an optional self-described CBOR tag) and is exactly one whole value.
 */
final class CborDecoder extends BinaryTreeDecoder {
    CborDecoder() {
        super("cbor", "CBOR");
    }

    @Override
    BinaryTrees.Result parse(byte[] p) {
        return BinaryTrees.cbor(p, 0, p.length);
    }

    @Override
    boolean startsWithContainer(byte[] p) {
        int h = p[0] & 0xff;
        if (h == 0xd9 && p.length > 3 && (p[1] & 0xff) == 0xd9 && (p[2] & 0xff) == 0xf7) {
            h = p[3] & 0xff; // the self-described CBOR tag 55799
        }
        return h >= 0x80 && h <= 0xbf; // an array or a map (major types 4 and 5)
    }
}
