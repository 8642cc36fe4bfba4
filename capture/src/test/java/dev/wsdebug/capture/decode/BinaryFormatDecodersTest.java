package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/** MessagePack, CBOR and schema-less protobuf. */
class BinaryFormatDecodersTest {
    private static Message hex(String h) {
        return binary(HexFormat.of().parseHex(h));
    }

    private static Decoded decode(PayloadDecoder d, String h) {
        return d.decode(hex(h), Direction.S2C, new DecodeState());
    }

    /** @msgpack/msgpack encode({a:1, b:[true,null,"x"], c:Uint8Array[1,2,3], d:-5, e:1.5}) (node -e, once). */
    static final String MSGPACK = "85a16101a16293c3c0a178a163c403010203a164fba165cb3ff8000000000000";
    /** cbor-x encode of the same value, c a Buffer (node -e, once). */
    static final String CBOR = "b90005616101616283f5f661786163430102036164246165fb3ff8000000000000";

    @Test
    void messagePackToAJsonTree() {
        MessagePackDecoder d = new MessagePackDecoder();
        assertThat(d.generic()).isTrue();
        assertThat(decode(d, MSGPACK).problem()).isNull();
        assertThat(d.sniff(hex(MSGPACK))).isTrue();
        Decoded out = decode(d, MSGPACK);
        assertThat(out.problem()).isNull();
        assertThat(out.value().toString())
                .isEqualTo("{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"$binary\":\"AQID\"},\"d\":-5,\"e\":1.5}");
        assertThat(out.summary()).isEqualTo("{a, b, c, d, e}");
        // @msgpack/msgpack encode(new ExtData(5, [9, 8])): fixext 2
        Decoded ext = decode(d, "d5050908");
        assertThat(ext.value().toString()).isEqualTo("{\"$ext\":5,\"$data\":\"CQg=\"}");
        // {1: "a"} with an integer key, and a typed object like JSON's
        assertThat(decode(d, "8101a161").value().toString()).isEqualTo("{\"1\":\"a\"}");
        assertThat(decode(d, "82a474797065a3626172a161c3").summary()).isEqualTo("type=\"bar\" {type, a}");
    }

    @Test
    void messagePackSniffsOnlyWholeMapsAndArrays() {
        MessagePackDecoder d = new MessagePackDecoder();
        assertThat(d.sniff(hex("05"))).isFalse();                 // a lone integer
        assertThat(d.sniff(hex("a3616263"))).isFalse();           // a lone string
        assertThat(d.sniff(hex(MSGPACK + "00"))).isFalse();       // a trailing byte
        assertThat(d.sniff(hex(MSGPACK.substring(0, 20)))).isFalse(); // cut
        assertThat(d.sniff(text("[1]"))).isFalse();
        assertThat(d.sniff(hex(CBOR))).isFalse();
    }

    @Test
    void cborToAJsonTree() {
        CborDecoder d = new CborDecoder();
        assertThat(d.generic()).isTrue();
        assertThat(d.sniff(hex(CBOR))).isTrue();
        Decoded out = decode(d, CBOR);
        assertThat(out.value().toString())
                .isEqualTo("{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"$binary\":\"AQID\"},\"d\":-5,\"e\":1.5}");
        // self-described CBOR (tag 55799) around [1, 2]
        assertThat(d.sniff(hex("d9d9f7820102"))).isTrue();
        assertThat(decode(d, "d9d9f7820102").value().toString()).isEqualTo("[1,2]");
        assertThat(d.sniff(hex("01"))).isFalse();
        assertThat(d.sniff(hex("820102ff"))).isFalse();
    }

    @Test
    void forgedLengthsAndDeepNestingFailWithASentence() {
        MessagePackDecoder mp = new MessagePackDecoder();
        CborDecoder cb = new CborDecoder();
        String[] badMsgpack = {"", "c1", "c67fffffff00", "db7fffffff61", "c9ffffffff0100", "dd7fffffff",
                "91".repeat(200) + "00", "85a161", "cf0102", MSGPACK + "c0"};
        for (String h : badMsgpack) {
            Decoded out = decode(mp, h);
            assertThat(out.ok()).as(h).isFalse();
            assertThat(out.problem()).as(h).endsWith(".");
            assertThat(mp.sniff(hex(h))).as(h).isFalse();
        }
        String[] badCbor = {"", "5b7fffffffffffffff00", "7a7fffffff61", "9b7fffffffffffffff", "81".repeat(200) + "00",
                "a2616101", "ff", "1b0102", "5f41014102", CBOR + "00"};
        for (String h : badCbor) {
            Decoded out = decode(cb, h);
            assertThat(out.ok()).as(h).isFalse();
            assertThat(out.problem()).as(h).endsWith(".");
            assertThat(cb.sniff(hex(h))).as(h).isFalse();
        }
        assertThat(mp.decode(text("{}"), Direction.C2S, new DecodeState()).problem()).contains("text");
    }

    /**
     * protobufjs 7 encoding M{id:150, text:"hello", inner:{name:"bob"}, d:1.5, f:7, raw:[ff,00,80], s:-2} of
     * {@code message Inner {string name=1;} message M {int32 id=1; string text=2; Inner inner=3; double d=4;
     * fixed32 f=5; bytes raw=6; sint32 s=7;}} (node -e, once).
     */
    static final String PROTOBUF = "089601120568656c6c6f1a050a03626f6221000000000000f83f2d070000003203ff00803803";

    @Test
    void protobufWithoutASchema() {
        ProtobufDecoder d = new ProtobufDecoder();
        assertThat(d.generic()).isTrue();
        assertThat(d.sniff(hex(PROTOBUF))).isFalse();
        Decoded out = decode(d, PROTOBUF);
        assertThat(out.problem()).isNull();
        assertThat(out.value().toString()).isEqualTo("{\"1\":150,\"2\":\"hello\",\"3\":{\"1\":\"bob\"},"
                + "\"4\":{\"fixed64\":4609434218613702656,\"double\":1.5},\"5\":{\"fixed32\":7,\"float\":9.8E-45},"
                + "\"6\":{\"$binary\":\"/wCA\"},\"7\":3}");
        assertThat(out.summary()).isEqualTo("message, fields 1 2 3 4 5 6 7");
        // repeated fields (unpacked) become arrays; a negative int64 is its unsigned varint
        assertThat(decode(d, "080108020803").value().toString()).isEqualTo("{\"1\":[1,2,3]}");
        assertThat(decode(d, "08ffffffffffffffffff01").value().toString()).isEqualTo("{\"1\":18446744073709551615}");
        assertThat(decode(d, "").summary()).isEqualTo("empty message");
    }

    @Test
    void malformedProtobufSaysWhere() {
        ProtobufDecoder d = new ProtobufDecoder();
        assertThat(decode(d, "08").problem()).isEqualTo("The varint of field 1 at byte 0 is not whole.");
        assertThat(decode(d, "0a05616263").problem()).contains("runs past the end");
        assertThat(decode(d, "0b").problem()).contains("group");
        assertThat(decode(d, "0f").problem()).contains("Wire type 7");
        assertThat(decode(d, "00").problem()).contains("Field number 0");
        assertThat(decode(d, "09010203").problem()).contains("64-bit");
        assertThat(decode(d, "ffffffffffffffffffffff").problem()).contains("not a whole varint");
        // nesting deeper than the cap is read as bytes, not recursed into
        StringBuilder deep = new StringBuilder("0800");
        for (int i = 0; i < 100; i++) {
            int len = deep.length() / 2;
            deep.insert(0, String.format("0a%02x", len)); // grows past 127 bytes: use a 2-byte varint then
            if (len >= 126) {
                break;
            }
        }
        assertThat(decode(d, deep.toString()).ok()).isTrue();
    }
}
