package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * The well-known types people put in messages, shown as protobuf's JSON mapping writes them: a
 * {@code google.protobuf.Timestamp} as RFC 3339 UTC, a {@code Duration} as seconds ({@code "90.5s"}),
 * a wrapper ({@code StringValue}…) as its value. Only when the message is exactly that: fields
 * the type does not have, or values outside its documented range, leave it a plain message.
 */
final class ProtoWellKnown {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String PACKAGE = "google.protobuf.";
    private static final Set<String> WRAPPERS = Set.of("DoubleValue", "FloatValue", "Int64Value", "UInt64Value",
            "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue");
    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range timestamp.proto allows. */
    private static final long MIN_SECONDS = -62_135_596_800L;
    private static final long MAX_SECONDS = 253_402_300_799L;
    /** About 10,000 years, the range duration.proto allows. */
    private static final long MAX_DURATION_SECONDS = 315_576_000_000L;
    private static final int MAX_NANOS = 999_999_999;

    private ProtoWellKnown() {
    }

    /** The message's JSON form when it is a well-known type as the mapping writes it, else null. */
    static JsonNode of(MessageOrBuilder m) {
        String name = m.getDescriptorForType().getFullName();
        if (!name.startsWith(PACKAGE) || !m.getUnknownFields().asMap().isEmpty()) {
            return null;
        }
        String simple = name.substring(PACKAGE.length());
        if (simple.equals("Timestamp") || simple.equals("Duration")) {
            Long seconds = integer(m, "seconds");
            Long nanos = integer(m, "nanos");
            if (seconds == null || nanos == null) {
                return null; // a file of its own that calls something else google.protobuf.Timestamp
            }
            return simple.equals("Timestamp") ? timestamp(seconds, nanos) : duration(seconds, nanos);
        }
        if (WRAPPERS.contains(simple)) {
            FieldDescriptor value = m.getDescriptorForType().findFieldByName("value");
            return value == null ? null : ProtoTree.field(value, m.getField(value));
        }
        return null;
    }

    private static Long integer(MessageOrBuilder m, String field) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
        if (f == null || f.isRepeated()
                || f.getJavaType() != FieldDescriptor.JavaType.LONG && f.getJavaType() != FieldDescriptor.JavaType.INT) {
            return null;
        }
        return ((Number) m.getField(f)).longValue();
    }

    private static JsonNode timestamp(long seconds, long nanos) {
        if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos > MAX_NANOS) {
            return null;
        }
        return NODES.textNode(Instant.ofEpochSecond(seconds, nanos).toString());
    }

    private static JsonNode duration(long seconds, long nanos) {
        boolean sameSign = seconds == 0 || nanos == 0 || (seconds < 0) == (nanos < 0);
        if (Math.abs(seconds) > MAX_DURATION_SECONDS || Math.abs(nanos) > MAX_NANOS || !sameSign) {
            return null;
        }
        BigDecimal s = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9)).stripTrailingZeros();
        return NODES.textNode((s.signum() == 0 ? "0" : s.toPlainString()) + "s");
    }
}
