package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * Protocol Buffers without a schema (protobuf.dev/programming-guides/encoding): the fields by number
 * with what their wire type tells. A varint is a number; a 64-bit or 32-bit field
 * {@code {"fixed64": n, "double": d}} / {@code {"fixed32": n, "float": f}}; a length-delimited field
 * is a printable UTF-8 string when it is one, else a nested message when its bytes parse as one
 * exactly (nesting capped), else a UTF-8 string, else {@code {"$binary": base64}}. A field seen more
 * than once becomes an array. Never sniffed (any bytes may parse): only {@code --decode protobuf}.
 */
final class ProtobufDecoder implements PayloadDecoder {
    static final int MAX_DEPTH = 64;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public boolean generic() {
        return true;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (m.truncated()) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as protobuf.");
        }
        byte[] p = m.payload();
        String[] why = new String[1];
        ObjectNode o = message(p, 0, p.length, 0, why);
        if (o == null) {
            return Decoded.failed(name(), why[0]);
        }
        List<String> names = new ArrayList<>();
        Iterator<String> it = o.fieldNames();
        while (it.hasNext() && names.size() < 8) {
            names.add(it.next());
        }
        String summary = o.isEmpty() ? "empty message"
                : "message, fields " + String.join(" ", names) + (o.size() > names.size() ? " …" : "");
        return Decoded.of(name(), summary, o);
    }

    /**
     * These bytes read without a schema as one message keyed by field number, or null when they are
     * not one; how the schema-aware reading shows fields its schema does not know.
     */
    static ObjectNode fields(byte[] b) {
        return message(b, 0, b.length, 0, new String[1]);
    }

    /** The message in b[off, end) as an object keyed by field number, or null (why[0] says why). */
    private static ObjectNode message(byte[] b, int off, int end, int depth, String[] why) {
        if (depth > MAX_DEPTH) {
            why[0] = "Messages nested deeper than " + MAX_DEPTH + " levels are not read.";
            return null;
        }
        ObjectNode o = NODES.objectNode();
        java.util.Set<String> repeated = new java.util.HashSet<>();
        int[] pos = {off};
        while (pos[0] < end) {
            int at = pos[0] - off;
            long key = varint(b, pos, end);
            if (pos[0] < 0) {
                why[0] = "The field key at byte " + at + " is not a whole varint.";
                return null;
            }
            long field = key >>> 3;
            int wire = (int) (key & 7);
            if (field == 0 || field > 0x1fffffffL) {
                why[0] = "Field number " + field + " at byte " + at + " is out of range (1 to 536870911).";
                return null;
            }
            JsonNode v;
            switch (wire) {
                case 0 -> {
                    long x = varint(b, pos, end);
                    if (pos[0] < 0) {
                        why[0] = "The varint of field " + field + " at byte " + at + " is not whole.";
                        return null;
                    }
                    v = x >= 0 ? NODES.numberNode(x) : NODES.numberNode(BigInteger.valueOf(x).add(TWO_64));
                }
                case 1 -> {
                    if (end - pos[0] < 8) {
                        why[0] = "The 64-bit field " + field + " at byte " + at + " runs past the end.";
                        return null;
                    }
                    long x = 0;
                    for (int k = 7; k >= 0; k--) {
                        x = (x << 8) | (b[pos[0] + k] & 0xff);
                    }
                    pos[0] += 8;
                    ObjectNode f = NODES.objectNode();
                    f.set("fixed64", x >= 0 ? NODES.numberNode(x) : NODES.numberNode(BigInteger.valueOf(x).add(TWO_64)));
                    double d = Double.longBitsToDouble(x);
                    if (Double.isFinite(d)) {
                        f.put("double", d);
                    }
                    v = f;
                }
                case 5 -> {
                    if (end - pos[0] < 4) {
                        why[0] = "The 32-bit field " + field + " at byte " + at + " runs past the end.";
                        return null;
                    }
                    int x = 0;
                    for (int k = 3; k >= 0; k--) {
                        x = (x << 8) | (b[pos[0] + k] & 0xff);
                    }
                    pos[0] += 4;
                    ObjectNode f = NODES.objectNode();
                    f.put("fixed32", x & 0xffffffffL);
                    float fl = Float.intBitsToFloat(x);
                    if (Float.isFinite(fl)) {
                        f.put("float", fl);
                    }
                    v = f;
                }
                case 2 -> {
                    long len = varint(b, pos, end);
                    if (pos[0] < 0 || len < 0 || len > end - pos[0]) {
                        why[0] = "The length of field " + field + " at byte " + at + " runs past the end of the message.";
                        return null;
                    }
                    int s = pos[0];
                    int e = s + (int) len;
                    pos[0] = e;
                    v = lengthDelimited(b, s, e, depth);
                }
                default -> {
                    why[0] = "Wire type " + wire + " of field " + field + " at byte " + at
                            + (wire == 3 || wire == 4 ? " is a group, which is not read." : " does not exist.");
                    return null;
                }
            }
            String k = Long.toString(field);
            JsonNode old = o.get(k);
            if (old == null) {
                o.set(k, v);
            } else if (repeated.contains(k)) {
                ((ArrayNode) old).add(v);
            } else {
                ArrayNode a = NODES.arrayNode();
                a.add(old);
                a.add(v);
                o.set(k, a);
                repeated.add(k);
            }
        }
        return o;
    }

    private static JsonNode lengthDelimited(byte[] b, int s, int e, int depth) {
        String text = utf8(b, s, e);
        if (text != null && printable(text)) {
            return NODES.textNode(text);
        }
        if (e > s) {
            ObjectNode nested = message(b, s, e, depth + 1, new String[1]);
            if (nested != null) {
                return nested;
            }
        }
        if (text != null) {
            return NODES.textNode(text);
        }
        byte[] raw = new byte[e - s];
        System.arraycopy(b, s, raw, 0, raw.length);
        ObjectNode o = NODES.objectNode();
        o.put("$binary", Base64.getEncoder().encodeToString(raw));
        return o;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] b, int s, int e) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, s, e - s)).toString();
        } catch (CharacterCodingException x) {
            return null;
        }
    }

    /** The varint at pos[0], pos[0] moved past it; pos[0] = -1 when it is cut or longer than 10 bytes. */
    private static long varint(byte[] b, int[] pos, int end) {
        long v = 0;
        for (int shift = 0, i = pos[0]; shift < 70 && i < end; shift += 7, i++) {
            int x = b[i] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                pos[0] = i + 1;
                return v;
            }
        }
        pos[0] = -1;
        return 0;
    }
}
