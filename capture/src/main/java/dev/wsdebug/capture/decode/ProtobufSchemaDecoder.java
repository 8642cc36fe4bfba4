package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * Protocol Buffers read with a schema ({@code --proto FILE.desc}): protobuf-java's
 * {@link DynamicMessage} parses each message as the {@link ProtoSchema}'s type, shown by
 * {@link ProtoTree}. Asked of every binary message of a connection no other protocol holds (the
 * user said what they are), before the guessing formats; text messages are left to the others. A
 * message that does not parse keeps the sentence why and, as its value, the schema-less reading.
 */
final class ProtobufSchemaDecoder implements PayloadDecoder {
    /** Field names in a summary before "…". */
    private static final int SUMMARY_FIELDS = 6;

    private final ProtoSchema schema;
    private final ProtobufDecoder schemaless = new ProtobufDecoder();

    ProtobufSchemaDecoder(ProtoSchema schema) {
        this.schema = schema;
    }

    @Override
    public String name() {
        return schemaless.name();
    }

    @Override
    public boolean generic() {
        return true;
    }

    @Override
    public boolean sniff(Message m) {
        return !m.isText();
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        String type = schema.typeName();
        if (m.truncated()) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + type + ".");
        }
        DynamicMessage msg;
        try {
            // partial: a proto2 message without its required fields is still shown, with the sentence
            msg = DynamicMessage.newBuilder(schema.type()).mergeFrom(m.payload(), schema.extensions()).buildPartial();
        } catch (InvalidProtocolBufferException e) {
            return failed(m, dir, state, "It does not parse as " + type + ": " + firstSentence(e.getMessage()) + ".");
        }
        ObjectNode value = ProtoTree.of(msg);
        String summary = type + " " + fieldList(msg);
        List<String> missing = msg.findInitializationErrors();
        if (!missing.isEmpty()) {
            return new Decoded(name(), summary, value, "Required field" + (missing.size() == 1 ? " " : "s ")
                    + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing.");
        }
        return Decoded.of(name(), summary, value);
    }

    /** Not the schema's type: the sentence, and the schema-less reading when the bytes are protobuf at all. */
    private Decoded failed(Message m, Direction dir, DecodeState state, String why) {
        Decoded guess = schemaless.decode(m, dir, state);
        return new Decoded(name(), null, guess.ok() ? guess.value() : null, why);
    }

    /** {@code {user, text, sent_at, #15}}: the fields present, unknown ones by number. */
    private static String fieldList(DynamicMessage msg) {
        List<String> names = new ArrayList<>();
        for (FieldDescriptor f : msg.getAllFields().keySet()) {
            names.add(ProtoTree.name(f));
        }
        for (Integer n : msg.getUnknownFields().asMap().keySet()) {
            names.add("#" + n);
        }
        int total = names.size();
        List<String> shown = names.subList(0, Math.min(SUMMARY_FIELDS, total));
        return "{" + String.join(", ", shown) + (total > shown.size() ? ", …" : "") + "}";
    }

    /** protobuf-java's messages run to several sentences; the first says what went wrong. */
    private static String firstSentence(String s) {
        if (s == null || s.isBlank()) {
            return "the bytes are not a protobuf message";
        }
        int dot = s.indexOf(". ");
        String first = (dot > 0 ? s.substring(0, dot) : s).strip();
        if (first.endsWith(".")) {
            first = first.substring(0, first.length() - 1);
        }
        if (first.isEmpty()) {
            return "the bytes are not a protobuf message";
        }
        return Character.toLowerCase(first.charAt(0)) + first.substring(1);
    }
}
