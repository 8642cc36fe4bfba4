package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.UnknownFieldSet;

import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A protobuf message read with its schema as a JSON tree, close to protobuf's JSON mapping but
 * showing only what was on the wire: fields by their .proto names in field-number order, enums by
 * name (a number the enum does not know stays a number), bytes in base64, 64-bit integers as exact
 * numbers, map fields as objects, repeated fields as arrays, the set member of a oneof under its
 * own name, well-known types as {@link ProtoWellKnown} writes them. Fields the schema does not know
 * are kept under their numbers ({@code "15"}; .proto names never start with a digit), read as the
 * schema-less decoder reads them.
 */
final class ProtoTree {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private ProtoTree() {
    }

    static ObjectNode of(MessageOrBuilder m) {
        ObjectNode o = NODES.objectNode();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            o.set(name(f), field(f, e.getValue()));
        }
        unknown(m.getUnknownFields(), o);
        return o;
    }

    /** Extensions go by their full name in brackets, as in the text format. */
    static String name(FieldDescriptor f) {
        return f.isExtension() ? "[" + f.getFullName() + "]" : f.getName();
    }

    static JsonNode field(FieldDescriptor f, Object v) {
        if (f.isMapField()) {
            ObjectNode map = NODES.objectNode();
            for (Object entry : (List<?>) v) {
                MessageOrBuilder kv = (MessageOrBuilder) entry;
                FieldDescriptor key = kv.getDescriptorForType().findFieldByNumber(1);
                FieldDescriptor value = kv.getDescriptorForType().findFieldByNumber(2);
                map.set(scalar(key, kv.getField(key)).asText(), scalar(value, kv.getField(value)));
            }
            return map;
        }
        if (f.isRepeated()) {
            ArrayNode a = NODES.arrayNode();
            for (Object x : (List<?>) v) {
                a.add(scalar(f, x));
            }
            return a;
        }
        return scalar(f, v);
    }

    private static JsonNode scalar(FieldDescriptor f, Object v) {
        return switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> NODES.numberNode((Integer) v);
            case UINT32, FIXED32 -> NODES.numberNode(Integer.toUnsignedLong((Integer) v));
            case INT64, SINT64, SFIXED64 -> NODES.numberNode((Long) v);
            case UINT64, FIXED64 -> unsigned((Long) v);
            // JSON has no NaN or infinities: their names, as protobuf's JSON mapping writes them
            case FLOAT -> Float.isFinite((Float) v) ? NODES.numberNode((Float) v) : NODES.textNode(v.toString());
            case DOUBLE -> Double.isFinite((Double) v) ? NODES.numberNode((Double) v) : NODES.textNode(v.toString());
            case BOOL -> NODES.booleanNode((Boolean) v);
            case STRING -> NODES.textNode((String) v);
            case BYTES -> NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> enumValue((EnumValueDescriptor) v);
            case MESSAGE, GROUP -> {
                JsonNode known = ProtoWellKnown.of((MessageOrBuilder) v);
                yield known != null ? known : of((MessageOrBuilder) v);
            }
        };
    }

    /** An open enum keeps numbers it has no name for; they are shown as numbers. */
    private static JsonNode enumValue(EnumValueDescriptor e) {
        EnumValueDescriptor known = e.getType().findValueByNumber(e.getNumber());
        return known != null ? NODES.textNode(known.getName()) : NODES.numberNode(e.getNumber());
    }

    private static JsonNode unsigned(long x) {
        return x >= 0 ? NODES.numberNode(x) : NODES.numberNode(BigInteger.valueOf(x).add(TWO_64));
    }

    /** Each unknown field under its number, as the schema-less decoder reads its bytes (groups in base64). */
    private static void unknown(UnknownFieldSet fields, ObjectNode o) {
        for (Map.Entry<Integer, UnknownFieldSet.Field> e : fields.asMap().entrySet()) {
            String number = Integer.toString(e.getKey());
            byte[] wire = e.getValue().toByteString(e.getKey()).toByteArray();
            ObjectNode read = ProtobufDecoder.fields(wire);
            if (read != null && read.has(number)) {
                o.set(number, read.get(number));
            } else {
                ObjectNode raw = NODES.objectNode();
                raw.put("$binary", Base64.getEncoder().encodeToString(wire));
                o.set(number, raw);
            }
        }
    }
}
