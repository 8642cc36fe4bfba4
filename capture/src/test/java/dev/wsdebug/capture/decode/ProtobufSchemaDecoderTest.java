package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.handshake;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Protobuf read with a descriptor set. The schemas are resources/decode/protobuf/*.proto, the
 * descriptor sets made from them by protoc 3.21.12 (commands in the .proto files); the vectors were
 * encoded once by protobufjs 8.8.1 from the .proto files (not from the descriptor sets) or by
 * {@code protoc --encode}, as each constant says.
 */
class ProtobufSchemaDecoderTest {
    /**
     * protobufjs: Envelope {user:"alice", text:"héllo ✓", sentAt:"1733500000123", kind:"KIND_CHAT",
     * tags:["a","b"], counts:{x:1,y:-2}, where:{lat:52.5,lon:-13.25}, note:"first", digest:[0,1,2,255],
     * path:[{lat:1,lon:2},{lat:3,lon:4}], big:"18446744073709551615", delta:-3, ratio:0.5}.
     */
    static final String FULL = "0a05616c696365120a68c3a96c6c6f20e29c9318fbae9be5b93220012a01612a016232050a01781001"
            + "320e0a017910feffffffffffffffff013a12090000000000404a40110000000000802ac04205666972737452040001"
            + "02ff5a1209000000000000f03f1100000000000000405a1209000000000000084011000000000000104060ffffffffff"
            + "ffffffff016805750000003f";
    /**
     * protobufjs, a newer sender's Envelope {string user=1; int32 kind=4; bytes image=9; string trace_id=15;
     * fixed32 shard=16}: {user:"bob", kind:7, image:[137,80,78,71], traceId:"t-1", shard:9}.
     */
    static final String NEWER = "0a03626f6220074a0489504e477a03742d31850109000000";
    /** protobufjs: Presence {user:"carol", avatar:[ff,fe,00], online:true}; field 2 is a string in Envelope. */
    static final String PRESENCE = "0a056361726f6c1203fffe001801";
    /** protoc --encode=chat.v1.Envelope: user: "dave" kind: KIND_SYSTEM counts { key: "z" value: 5 } where { } ratio: nan. */
    static final String PROTOC = "0a0464617665200232050a017a10053a00750000c07f";
    /** protobufjs, a proto2 Login without its required user: {where:{lat:1,lon:1}, attempts:2}. */
    static final String LOGIN_NO_USER = "121209000000000000f03f11000000000000f03f1802";
    /** protoc --encode=legacy.Login: user: "eve". */
    static final String LOGIN = "0a03657665";
    /** protobufjs: Login {user:"eve", ".legacy.device":"phone", ".legacy.lastSeen":{lat:2, lon:3}} (extensions). */
    static final String LOGIN_EXTENDED = "0a03657665a2060570686f6e65aa0612090000000000000040110000000000000840";

    /**
     * protobufjs: Envelope {user:"tim", editedAt:{seconds:1733500000, nanos:123000000}, ttl:{seconds:90,
     * nanos:500000000}, topic:{value:"news"}, replyTo:{user:"alice", editedAt:{seconds:-1}}}.
     */
    static final String WELL_KNOWN = "0a0374696d8a010b08e0b8ccba0610c0a9d33a920108085a1080cab5ee019a01060a046e657773"
            + "a201150a05616c6963658a010b08ffffffffffffffffff01";
    /** protoc --encode=chat.v1.Envelope: edited_at { seconds: 999999999999 } ttl { seconds: 5 nanos: -1 }. */
    static final String WELL_KNOWN_OUT_OF_RANGE = "8a010708ff9f94a58d1d92010d080510ffffffffffffffffff01";

    static byte[] resource(String name) {
        try (InputStream in = ProtobufSchemaDecoderTest.class.getResourceAsStream("/decode/protobuf/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final ProtoSchema ENVELOPE = ProtoSchema.of(resource("chat.desc"), "chat.desc", "chat.v1.Envelope");

    private static Decoded decode(ProtoSchema schema, String hex) {
        return new ProtobufSchemaDecoder(schema).decode(binary(HexFormat.of().parseHex(hex)), Direction.S2C, new DecodeState());
    }

    @Test
    void everyKindOfFieldByName() {
        Decoded d = decode(ENVELOPE, FULL);
        assertThat(d.ok()).as(d.problem()).isTrue();
        assertThat(d.protocol()).isEqualTo("protobuf");
        assertThat(d.summary()).isEqualTo("chat.v1.Envelope {user, text, sent_at, kind, tags, counts, …}");
        assertThat(d.value().toString()).isEqualTo("{\"user\":\"alice\",\"text\":\"héllo ✓\",\"sent_at\":1733500000123,"
                + "\"kind\":\"KIND_CHAT\",\"tags\":[\"a\",\"b\"],\"counts\":{\"x\":1,\"y\":-2},"
                + "\"where\":{\"lat\":52.5,\"lon\":-13.25},\"note\":\"first\",\"digest\":\"AAEC/w==\","
                + "\"path\":[{\"lat\":1.0,\"lon\":2.0},{\"lat\":3.0,\"lon\":4.0}],\"big\":18446744073709551615,"
                + "\"delta\":-3,\"ratio\":0.5}");
    }

    @Test
    void unknownFieldsAreKeptByNumberAndUnknownEnumValuesAsNumbers() {
        Decoded d = decode(ENVELOPE, NEWER);
        assertThat(d.ok()).as(d.problem()).isTrue();
        assertThat(d.summary()).isEqualTo("chat.v1.Envelope {user, kind, image, #15, #16}");
        assertThat(d.value().path("kind").asInt()).isEqualTo(7);
        assertThat(d.value().path("kind").isNumber()).isTrue();
        assertThat(d.value().path("image").asText()).isEqualTo("iVBORw=="); // the oneof's bytes member
        assertThat(d.value().has("note")).isFalse();
        assertThat(d.value().path("15").asText()).isEqualTo("t-1");
        assertThat(d.value().path("16").path("fixed32").asLong()).isEqualTo(9);
    }

    @Test
    void protocEncodedDefaultsAndNaN() {
        Decoded d = decode(ENVELOPE, PROTOC);
        assertThat(d.value().toString()).isEqualTo(
                "{\"user\":\"dave\",\"kind\":\"KIND_SYSTEM\",\"counts\":{\"z\":5},\"where\":{},\"ratio\":\"NaN\"}");
        assertThat(d.summary()).isEqualTo("chat.v1.Envelope {user, kind, counts, where, ratio}");
        assertThat(decode(ENVELOPE, "").summary()).isEqualTo("chat.v1.Envelope {}");
    }

    @Test
    void wellKnownTypesAsTheJsonMappingWritesThem() {
        Decoded d = decode(ENVELOPE, WELL_KNOWN);
        assertThat(d.value().toString()).isEqualTo("{\"user\":\"tim\",\"edited_at\":\"2024-12-06T15:46:40.123Z\","
                + "\"ttl\":\"90.5s\",\"topic\":\"news\",\"reply_to\":{\"user\":\"alice\",\"edited_at\":\"1969-12-31T23:59:59Z\"}}");
        // outside the documented ranges they are shown as the messages they are
        assertThat(decode(ENVELOPE, WELL_KNOWN_OUT_OF_RANGE).value().toString()).isEqualTo(
                "{\"edited_at\":{\"seconds\":999999999999},\"ttl\":{\"seconds\":5,\"nanos\":-1}}");
    }

    @Test
    void nestingBeyondProtobufJavasLimitSaysSo() {
        byte[] m = HexFormat.of().parseHex("0a0178"); // {user: "x"}
        for (int depth = 0; depth < 150; depth++) {
            byte[] outer = new byte[m.length + 6];
            outer[0] = (byte) 0xa2; // field 20 (reply_to), length-delimited
            outer[1] = 0x01;
            int n = 2;
            for (int len = m.length; ; len >>>= 7) { // the length as a varint
                outer[n++] = (byte) (len < 0x80 ? len : (len & 0x7f) | 0x80);
                if (len < 0x80) {
                    break;
                }
            }
            System.arraycopy(m, 0, outer, n, m.length);
            m = java.util.Arrays.copyOf(outer, n + m.length);
        }
        Decoded d = new ProtobufSchemaDecoder(ENVELOPE).decode(binary(m), Direction.C2S, new DecodeState());
        assertThat(d.problem()).isEqualTo("It does not parse as chat.v1.Envelope: protocol message had too many levels of nesting.");
    }

    @Test
    void anotherTypeSaysWhyAndKeepsTheSchemalessReading() {
        Decoded d = decode(ENVELOPE, PRESENCE);
        assertThat(d.ok()).isFalse();
        assertThat(d.protocol()).isEqualTo("protobuf");
        assertThat(d.problem()).isEqualTo("It does not parse as chat.v1.Envelope: protocol message had invalid UTF-8.");
        assertThat(d.value().toString()).isEqualTo("{\"1\":\"carol\",\"2\":{\"$binary\":\"//4A\"},\"3\":1}");
        assertThat(d.summary()).isNull();
    }

    @Test
    void cutMessagesSayWhy() {
        Decoded d = decode(ENVELOPE, FULL.substring(0, FULL.length() - 6));
        assertThat(d.problem()).isEqualTo("It does not parse as chat.v1.Envelope: while parsing a protocol message,"
                + " the input ended unexpectedly in the middle of a field.");
        assertThat(d.value()).isNull();
        Message kept = new Message(2, 1, false, 100, 100, HexFormat.of().parseHex(FULL.substring(0, 20)), true, "x", -1, 0, List.of());
        assertThat(new ProtobufSchemaDecoder(ENVELOPE).decode(kept, Direction.C2S, new DecodeState()).problem())
                .isEqualTo("Only the first 10 of 100 bytes of this message were kept, so it cannot be read as chat.v1.Envelope.");
    }

    @Test
    void proto2RequiredFieldsAndTheTypeChosenFromAnImportingFile() {
        ProtoSchema login = ProtoSchema.of(resource("legacy.desc"), "legacy.desc", null); // chat.proto is only imported
        assertThat(login.typeName()).isEqualTo("legacy.Login");
        assertThat(decode(login, LOGIN).value().toString()).isEqualTo("{\"user\":\"eve\"}");
        Decoded d = decode(login, LOGIN_NO_USER);
        assertThat(d.problem()).isEqualTo("Required field user is missing.");
        assertThat(d.value().toString()).isEqualTo("{\"where\":{\"lat\":1.0,\"lon\":1.0},\"attempts\":2}");
        assertThat(d.summary()).isEqualTo("legacy.Login {where, attempts}");
        Decoded extended = decode(login, LOGIN_EXTENDED);
        assertThat(extended.value().toString()).isEqualTo(
                "{\"user\":\"eve\",\"[legacy.device]\":\"phone\",\"[legacy.last_seen]\":{\"lat\":2.0,\"lon\":3.0}}");
        assertThat(extended.summary()).isEqualTo("legacy.Login {user, [legacy.device], [legacy.last_seen]}");
    }

    @Test
    void typesByNameNestedOnesToo() {
        assertThat(ProtoSchema.of(resource("chat.desc"), "chat.desc", ".chat.v1.Point").typeName()).isEqualTo("chat.v1.Point");
        assertThat(ProtoSchema.of(resource("chat.desc"), "chat.desc", "chat.v1.Envelope.CountsEntry").typeName())
                .isEqualTo("chat.v1.Envelope.CountsEntry");
        assertThat(ProtoSchema.of(resource("legacy.desc"), "legacy.desc", "chat.v1.Presence").typeName())
                .isEqualTo("chat.v1.Presence");
    }

    @Test
    void schemaProblemsAreOneSentence() {
        assertThatThrownBy(() -> ProtoSchema.of(resource("chat.desc"), "chat.desc", null)).hasMessage(
                "chat.desc has 3 message types (chat.v1.Point, chat.v1.Envelope, chat.v1.Presence): choose one with --proto-type.");
        assertThatThrownBy(() -> ProtoSchema.of(resource("chat.desc"), "chat.desc", "chat.v1.Nope")).hasMessage(
                "chat.v1.Nope is not a message type of chat.desc; it has chat.v1.Point, chat.v1.Envelope, chat.v1.Presence.");
        assertThatThrownBy(() -> ProtoSchema.of(resource("legacy-no-imports.desc"), "x.desc", null)).hasMessage(
                "x.desc lacks chat.proto, which legacy.proto imports (make it with protoc --include_imports).");
        // the .proto itself given by mistake: the advice must not name it as protoc's output
        assertThatThrownBy(() -> ProtoSchema.of(resource("chat.proto"), "protos/chat.proto", null)).hasMessage(
                "protos/chat.proto is a .proto source, not a descriptor set: make one with protoc"
                        + " --descriptor_set_out=protos/chat.desc --include_imports protos/chat.proto.");
        String notASet = "x.desc is not a protobuf descriptor set (make one with protoc --descriptor_set_out=FILE.desc"
                + " --include_imports FILE.proto).";
        assertThatThrownBy(() -> ProtoSchema.of(new byte[0], "x.desc", null)).hasMessage(notASet);
        assertThatThrownBy(() -> ProtoSchema.of(HexFormat.of().parseHex(FULL), "x.desc", null)).hasMessage(notASet);
    }

    @Test
    void randomDescriptorBytesGiveASentenceOrASchema() {
        Random r = new Random(13);
        byte[] good = resource("chat.desc");
        for (int i = 0; i < 3000; i++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            try {
                ProtoSchema.of(b, "x.desc", "chat.v1.Envelope");
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).endsWith(".").doesNotContain("\n");
            }
        }
    }

    @Test
    void randomMessagesNeverThrow() {
        Random r = new Random(7);
        ProtobufSchemaDecoder d = new ProtobufSchemaDecoder(ENVELOPE);
        byte[] full = HexFormat.of().parseHex(FULL);
        for (int i = 0; i < 5_000; i++) {
            byte[] b = i % 2 == 0 ? new byte[r.nextInt(40)] : full.clone();
            if (i % 2 == 0) {
                r.nextBytes(b);
            } else {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            Decoded out = d.decode(binary(b), Direction.C2S, new DecodeState());
            assertThat(out.ok() ? out.summary() : out.problem()).isNotNull().doesNotContain("\n");
        }
    }

    private static List<MessageEvent> run(String decode, ProtoSchema schema, Event... events) {
        List<Event> out = new ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, decode, schema);
        for (Event e : events) {
            sink.accept(e);
        }
        return out.stream().filter(e -> e instanceof MessageEvent).map(e -> (MessageEvent) e).toList();
    }

    private static MessageEvent msg(String conn, Message m) {
        return new MessageEvent(conn, 1, Direction.S2C, 1, m);
    }

    private static Message hex(String h) {
        return binary(HexFormat.of().parseHex(h));
    }

    @Test
    void withASchemaBinaryMessagesOfUnclaimedConnectionsAreItsTypeAndTextStaysAsItWas() {
        List<MessageEvent> out = run(null, ENVELOPE, handshake("1", "ws://h/chat", null),
                msg("1", hex(FULL)), msg("1", text("{\"op\":\"ping\"}")), msg("1", hex(PRESENCE)),
                msg("1", hex(BinaryFormatDecodersTest.MSGPACK)), msg("1", text("hello")));
        assertThat(out.get(0).decoded().summary()).startsWith("chat.v1.Envelope {user");
        assertThat(out.get(1).decoded().protocol()).isEqualTo("json");
        assertThat(out.get(2).decoded().problem()).contains("invalid UTF-8"); // said, not dropped
        // the schema goes before the formats that are only guessed: these bytes are no Envelope
        assertThat(out.get(3).decoded().protocol()).isEqualTo("protobuf");
        assertThat(out.get(3).decoded().ok()).isFalse();
        assertThat(out.get(4).decoded()).isNull();
    }

    @Test
    void aConnectionAnotherProtocolHoldsKeepsIt() {
        // MQTT CONNECT (mqtt-packet) on a connection that negotiated mqtt
        List<MessageEvent> out = run(null, ENVELOPE, handshake("1", "ws://h/mqtt", "mqtt"),
                msg("1", hex("100c00044d5154540402003c0000")));
        assertThat(out.get(0).decoded().protocol()).isEqualTo("mqtt");
    }

    @Test
    void decodeProtobufWithASchemaReadsEveryMessageAndOtherChoicesAreRefused() {
        List<MessageEvent> out = run("protobuf", ENVELOPE, msg("1", hex(FULL)), msg("1", text("\n\u0003bob")));
        assertThat(out).extracting(m -> m.decoded().summary()).containsExactly(
                "chat.v1.Envelope {user, text, sent_at, kind, tags, counts, …}", "chat.v1.Envelope {user}");
        assertThat(run("protobuf", null, msg("1", hex(FULL))).get(0).decoded().summary()).startsWith("message, fields 1 2 3");
        for (String other : List.of("json", "none")) {
            assertThatThrownBy(() -> new DecodingSink(e -> { }, other, ENVELOPE)).hasMessage(
                    "--proto reads messages as protobuf, so it cannot go with --decode " + other + ".");
        }
    }
}
