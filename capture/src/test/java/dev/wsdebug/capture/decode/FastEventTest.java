package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming read of EVENT/ACK packets gives what the tree path gives, or steps aside. */
class FastEventTest {
    /** The tree path's value (as Jackson writes it) and summary for an Engine.IO message {@code t}. */
    private static String[] tree(String t) throws Exception {
        ObjectNode o = (ObjectNode) SocketIoDecoder.packet(t.substring(1));
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("engineio", "message");
        v.setAll(o);
        return new String[] {Json.MAPPER.writeValueAsString(v), SocketIoDecoder.summary(o)};
    }

    @Test
    void compactPacketsAreReadAsTheTreePathReadsThem() throws Exception {
        for (String t : List.of("42[\"chat\"]", "42[\"chat\",\"hi\"]", "4212[\"chat\",{\"a\":[1,2.5,-3,true,null],\"b\":{}},[]]",
                "42/admin,7[\"stats\",{\"users\":1}]", "42/admin,[\"x\",1]", "42[7,\"numbered\"]", "431[]", "43/admin,12[\"ok\",{\"é\":\"ü\"}]",
                "4212[\"chat\",123456789012345678901234567890,-0.5,1.0E-7]",
                "42[\"x\",{\"a\":1,\"b\":{\"a\":2,\"c\":[{\"a\":3}]},\"c\":true},false,null,0,-1,\"\"]", "431[[],{},[[]]]")) {
            Decoded fast = FastEvent.read(t);
            assertThat(fast).as(t).isNotNull();
            String[] slow = tree(t);
            assertThat(fast.rawValue()).as(t).isEqualTo(slow[0]);
            assertThat(fast.summary()).as(t).isEqualTo(slow[1]);
            assertThat(Json.MAPPER.writeValueAsString(fast.value())).as(t).isEqualTo(slow[0]);
        }
    }

    @Test
    void whatIsNotInJacksonsCompactFormTakesTheTreePath() {
        for (String t : List.of("42[ \"chat\"]", "42[\"ch\\\"at\"]", "42[\"chat\",1e3]", "42[\"chat\",1.50]", "42[\"chat\",-0]",
                "42[\"chat\",{\"a\":1,\"a\":2}]", "42[\"chat\"]x", "42[\"chat\",", "42[]", "42[1.5]", "42{}", "43[1]",
                "45-1[\"b\"]", "42/admin", "42/a\"b,[\"x\"]", "40", "4",
                "42[\"x\",01]", "42[\"x\",1.]", "42[\"x\",tru]", "42[\"x\",1,]", "42[\"x\",{\"a\":}]", "42[\"x\",{\"a\"1}]",
                "42[\"x\",{a:1}]", "42[\"x\"", "42[\"x\",\"\t\"]", "42[\"x\",[1]]]", "43[", "431[1", "431[,1]", "42[\"x\",-]",
                "42[\"x\",{\"a\":1,\"b\":{\"a\":2},\"a\":3}]", "42[\"x\"]]", "42[\"x\",1]2")) {
            assertThat(FastEvent.read(t)).as(t).isNull();
        }
    }

    @Test
    void facetsAreTheTreePathsFacets() {
        SocketIoDecoder d = new SocketIoDecoder();
        for (String t : List.of("4212[\"chat\",\"hi\"]", "42/admin,3[\"stats\"]", "42[\"x\"]", "43/admin,3[1]", "42[5,1]")) {
            Decoded fast = d.decode(DecodingSinkTest.text(t), dev.wsdebug.wire.Direction.C2S, new DecodeState());
            assertThat(fast.rawValue()).as(t).isNotNull();
            Decoded slow = d.decode(DecodingSinkTest.text(t + " "), dev.wsdebug.wire.Direction.C2S, new DecodeState());
            assertThat(slow.rawValue()).as(t).isNull();
            assertThat(fast.facets()).as(t).isEqualTo(slow.facets());
            assertThat(fast.summary()).as(t).isEqualTo(slow.summary());
            assertThat(fast.value()).as(t).isEqualTo(slow.value());
        }
    }

    /**
     * Differential: random mutations of valid packets (characters inserted, deleted, replaced from a
     * JSON-ish alphabet). Whatever the one-pass reader accepts, the tree path must accept too and
     * write the very same JSON: the raw text goes into JSON Lines as it is, so it must be valid JSON.
     */
    @Test
    void whatTheOnePassReaderAcceptsIsExactlyWhatTheTreePathWrites() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(13);
        String[] seeds = {"42[\"chat\",\"hi\",{\"n\":1,\"t\":[true,null,-2,0.5]}]", "4212[\"x\",{\"a\":{\"b\":[[],{}]}}]",
                "43/admin,7[{\"users\":1},\"é\"]", "431[1.0E-7,123456789012345678901234567890,false]"};
        String alphabet = "[]{}\",:0123456789.-+eE tfnrul\\/aé\u0001";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(seeds[r.nextInt(seeds.length)]);
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = r.nextInt(b.length());
                char c = alphabet.charAt(r.nextInt(alphabet.length()));
                switch (r.nextInt(3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> b.deleteCharAt(at);
                    default -> b.setCharAt(at, c);
                }
            }
            String t = b.toString();
            Decoded fast = FastEvent.read(t);
            if (fast == null) {
                continue;
            }
            accepted++;
            String raw = fast.rawValue();
            Json.MAPPER.readTree(raw); // valid JSON, or this throws
            assertThat(raw).as(t).isEqualTo(tree(t)[0]);
        }
        assertThat(accepted).as("some mutations stay valid compact packets").isGreaterThan(100);
    }
}
