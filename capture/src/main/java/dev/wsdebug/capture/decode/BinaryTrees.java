package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * MessagePack and CBOR values as JSON trees (through Jackson's parsers for them), shared by the
 * generic {@code msgpack} and {@code cbor} decoders and the protocols that carry MessagePack
 * (SignalR, WAMP). Binary strings become {@code {"$binary": base64}}, MessagePack extension values
 * {@code {"$ext": type, "$data": base64}}. A value must fill its bytes exactly; nesting is capped.
 */
final class BinaryTrees {
    /** The deepest nesting of arrays and maps read. */
    static final int MAX_DEPTH = 64;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MSGPACK = mapper(new MessagePackFactory());
    private static final ObjectMapper CBOR = mapper(new CBORFactory());

    private BinaryTrees() {
    }

    private static ObjectMapper mapper(JsonFactory f) {
        f.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build());
        return new ObjectMapper(f);
    }

    /** The result of reading one value: a tree, or the sentence saying why there is none. */
    record Result(JsonNode value, String problem) {
        boolean ok() {
            return value != null;
        }
    }

    static Result msgpack(byte[] b, int off, int len) {
        return read(MSGPACK, "MessagePack", b, off, len);
    }

    static Result cbor(byte[] b, int off, int len) {
        return read(CBOR, "CBOR", b, off, len);
    }

    private static Result read(ObjectMapper mapper, String format, byte[] b, int off, int len) {
        if (len == 0) {
            return new Result(null, "An empty message holds no " + format + " value.");
        }
        if (!declaredLengthsFit(mapper == MSGPACK, b, off, len)) {
            return new Result(null, "Not one whole " + format + " value: a length in it runs past the end of the message.");
        }
        try (JsonParser p = mapper.getFactory().createParser(b, off, len)) {
            JsonNode n = mapper.readTree(p);
            if (n == null || n.isMissingNode()) {
                return new Result(null, "An empty message holds no " + format + " value.");
            }
            if (!atEnd(p)) {
                return new Result(null, "Bytes follow the first " + format + " value in the message.");
            }
            JsonNode out = convert(n, 0);
            return out == null ? new Result(null, format + " nested deeper than " + MAX_DEPTH + " levels is not read.")
                    : new Result(out, null);
        } catch (Exception | StackOverflowError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = why.indexOf('\n');
            why = nl < 0 ? why : why.substring(0, nl);
            if (why.length() > 120) {
                why = why.substring(0, 120) + "…";
            }
            return new Result(null, "Not valid " + format + ": " + why.replaceAll("[.]$", "") + ".");
        }
    }

    /** Whether the parser has no further value (MessagePack's parser says so with an end-of-input error). */
    private static boolean atEnd(JsonParser p) throws java.io.IOException {
        try {
            return p.nextToken() == null;
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            return true;
        }
    }

    /** The tree with binary and extension values given their markers, or null when nested too deep. */
    private static JsonNode convert(JsonNode n, int depth) {
        if (depth > MAX_DEPTH) {
            return null;
        }
        if (n.isBinary()) {
            ObjectNode o = NODES.objectNode();
            o.put("$binary", Base64.getEncoder().encodeToString(((com.fasterxml.jackson.databind.node.BinaryNode) n).binaryValue()));
            return o;
        }
        if (n instanceof POJONode pojo) {
            Object v = pojo.getPojo();
            ObjectNode o = NODES.objectNode();
            if (v instanceof MessagePackExtensionType ext) {
                o.put("$ext", ext.getType());
                o.put("$data", Base64.getEncoder().encodeToString(ext.getData()));
            } else if (v instanceof byte[] bytes) {
                o.put("$binary", Base64.getEncoder().encodeToString(bytes));
            } else {
                o.put("$value", String.valueOf(v));
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = NODES.arrayNode(n.size());
            for (JsonNode e : n) {
                JsonNode c = convert(e, depth + 1);
                if (c == null) {
                    return null;
                }
                a.add(c);
            }
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode c = convert(e.getValue(), depth + 1);
                if (c == null) {
                    return null;
                }
                o.set(e.getKey(), c);
            }
            return o;
        }
        return n;
    }

    /**
     * Whether every string, binary and extension length declared in the value fits in the message
     * (a cheap walk before the parser, so that a forged length never makes it allocate). Counts of
     * array and map members need no check: members are read one by one.
     */
    private static boolean declaredLengthsFit(boolean msgpack, byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        // A linear scan over the heads: a value's length prefix is checked against the bytes left.
        // The walk is flat (arrays and maps are only heads), so it needs no recursion.
        while (i < end) {
            int h = b[i] & 0xff;
            long skip;
            int head;
            if (msgpack) {
                if (h <= 0x7f || h >= 0xe0 || (h >= 0x80 && h <= 0x9f) || h == 0xc0 || h == 0xc2 || h == 0xc3) {
                    head = 1;
                    skip = 0;
                } else if (h >= 0xa0 && h <= 0xbf) {
                    head = 1;
                    skip = h & 0x1f;
                } else {
                    switch (h) {
                        case 0xc4, 0xd9 -> { head = 2; skip = u(b, i + 1, 1, end); }
                        case 0xc5, 0xda -> { head = 3; skip = u(b, i + 1, 2, end); }
                        case 0xc6, 0xdb -> { head = 5; skip = u(b, i + 1, 4, end); }
                        case 0xc7 -> { head = 3; skip = u(b, i + 1, 1, end); }
                        case 0xc8 -> { head = 4; skip = u(b, i + 1, 2, end); }
                        case 0xc9 -> { head = 6; skip = u(b, i + 1, 4, end); }
                        case 0xca -> { head = 1; skip = 4; }
                        case 0xcb -> { head = 1; skip = 8; }
                        case 0xcc, 0xd0 -> { head = 1; skip = 1; }
                        case 0xcd, 0xd1 -> { head = 1; skip = 2; }
                        case 0xce, 0xd2 -> { head = 1; skip = 4; }
                        case 0xcf, 0xd3 -> { head = 1; skip = 8; }
                        case 0xd4 -> { head = 2; skip = 1; }
                        case 0xd5 -> { head = 2; skip = 2; }
                        case 0xd6 -> { head = 2; skip = 4; }
                        case 0xd7 -> { head = 2; skip = 8; }
                        case 0xd8 -> { head = 2; skip = 16; }
                        case 0xdc, 0xde -> { head = 3; skip = 0; }
                        case 0xdd, 0xdf -> { head = 5; skip = 0; }
                        default -> { return true; } // 0xc1, never used: the parser says so
                    }
                }
            } else {
                int major = h >> 5;
                int info = h & 0x1f;
                long arg;
                if (info < 24) {
                    head = 1;
                    arg = info;
                } else if (info <= 27) {
                    int n = 1 << (info - 24);
                    head = 1 + n;
                    arg = u(b, i + 1, n, end);
                } else {
                    return true; // indefinite lengths and reserved values: the parser reads them
                }
                skip = (major == 2 || major == 3) ? arg : (major == 7 ? head - 1 : 0);
                if (major == 7) {
                    head = 1;
                }
            }
            if (skip < 0) {
                return false;
            }
            long next = (long) i + head + skip;
            if (next > end) {
                return false;
            }
            i = (int) next;
        }
        return true;
    }

    /** A big-endian unsigned integer of n bytes at i, or -1 when it does not fit before end. */
    private static long u(byte[] b, int i, int n, int end) {
        if (i + n > end) {
            return -1;
        }
        long v = 0;
        for (int k = 0; k < n; k++) {
            v = (v << 8) | (b[i + k] & 0xff);
        }
        return v < 0 || v > Integer.MAX_VALUE ? Integer.MAX_VALUE : v;
    }
}
