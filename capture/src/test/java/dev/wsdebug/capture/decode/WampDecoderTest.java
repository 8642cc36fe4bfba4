package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/** WAMP v2 messages as the spec (wamp-proto.org) writes them. */
class WampDecoderTest {
    private final WampDecoder d = new WampDecoder();

    private String summary(String json) {
        Decoded out = d.decode(text(json), Direction.C2S, new DecodeState());
        assertThat(out.problem()).as(json).isNull();
        return out.summary();
    }

    @Test
    void claimsItsSubprotocols() {
        assertThat(d.claims("wamp.2.json", "ws://h/ws")).isTrue();
        assertThat(d.claims("wamp.2.msgpack", "ws://h/ws")).isTrue();
        assertThat(d.claims("mqtt", "ws://h/ws")).isFalse();
    }

    @Test
    void jsonMessages() {
        assertThat(summary("[1,\"realm1\",{\"roles\":{\"caller\":{}}}]")).isEqualTo("HELLO realm1");
        assertThat(summary("[2,9129137332,{\"roles\":{\"broker\":{}}}]")).isEqualTo("WELCOME session=9129137332");
        assertThat(summary("[3,{},\"wamp.error.no_such_realm\"]")).isEqualTo("ABORT wamp.error.no_such_realm");
        assertThat(summary("[6,{},\"wamp.close.close_realm\"]")).isEqualTo("GOODBYE wamp.close.close_realm");
        assertThat(summary("[48,1,{},\"com.example.add\",[2,3]]")).isEqualTo("CALL com.example.add request=1 (2 args)");
        assertThat(summary("[50,1,{},[5]]")).isEqualTo("RESULT request=1 (1 arg)");
        assertThat(summary("[8,48,7,{},\"wamp.error.no_such_procedure\"]")).isEqualTo("ERROR CALL request=7 wamp.error.no_such_procedure");
        assertThat(summary("[16,239714735,{},\"com.myapp.mytopic1\",[\"Hello\"],{\"color\":\"orange\"}]"))
                .isEqualTo("PUBLISH com.myapp.mytopic1 request=239714735 (1 arg) +kwargs {color}");
        assertThat(summary("[17,239714735,4429313566]")).isEqualTo("PUBLISHED request=239714735 publication=4429313566");
        assertThat(summary("[32,713845233,{},\"com.myapp.mytopic1\"]")).isEqualTo("SUBSCRIBE com.myapp.mytopic1 request=713845233");
        assertThat(summary("[33,713845233,5512315355]")).isEqualTo("SUBSCRIBED request=713845233 subscription=5512315355");
        assertThat(summary("[36,5512315355,4429313566,{},[\"Hello, world!\"]]"))
                .isEqualTo("EVENT subscription=5512315355 publication=4429313566 (1 arg)");
        assertThat(summary("[34,85346237,5512315355]")).isEqualTo("UNSUBSCRIBE request=85346237 subscription=5512315355");
        assertThat(summary("[35,85346237]")).isEqualTo("UNSUBSCRIBED request=85346237");
        assertThat(summary("[64,25349185,{},\"com.myapp.myprocedure1\"]")).isEqualTo("REGISTER com.myapp.myprocedure1 request=25349185");
        assertThat(summary("[65,25349185,2103333224]")).isEqualTo("REGISTERED request=25349185 registration=2103333224");
        assertThat(summary("[68,6131533,9823526,{},[\"Hello, world!\"]]")).isEqualTo("INVOCATION request=6131533 registration=9823526 (1 arg)");
        assertThat(summary("[70,6131533,{},[\"Hello, world!\"]]")).isEqualTo("YIELD request=6131533 (1 arg)");
        assertThat(summary("[66,788923562,2103333224]")).isEqualTo("UNREGISTER request=788923562 registration=2103333224");
        assertThat(summary("[67,788923562]")).isEqualTo("UNREGISTERED request=788923562");
        assertThat(summary("[4,\"wampcra\",{\"challenge\":\"x\"}]")).isEqualTo("CHALLENGE wampcra");
        assertThat(summary("[5,\"sig\",{}]")).isEqualTo("AUTHENTICATE");
        assertThat(summary("[49,1,{}]")).isEqualTo("CANCEL request=1");
        assertThat(summary("[69,1,{}]")).isEqualTo("INTERRUPT request=1");
    }

    /** @msgpack/msgpack and cbor-x encode([48, 1, {}, "com.example.add", [2, 3]]) (node -e, once). */
    @Test
    void binaryMessages() {
        Decoded mp = d.decode(binary(HexFormat.of().parseHex("95300180af636f6d2e6578616d706c652e616464920203")), Direction.C2S, new DecodeState());
        assertThat(mp.summary()).isEqualTo("CALL com.example.add request=1 (2 args)");
        assertThat(mp.value().toString()).isEqualTo("[48,1,{},\"com.example.add\",[2,3]]");
        Decoded cbor = d.decode(binary(HexFormat.of().parseHex("85183001b900006f636f6d2e6578616d706c652e616464820203")),
                Direction.C2S, new DecodeState());
        assertThat(cbor.summary()).isEqualTo("CALL com.example.add request=1 (2 args)");
    }

    @Test
    void malformedMessagesSaySo() {
        String[] bad = {"[", "{}", "[]", "[\"x\"]", "[99,1]", "[48,1]", "[1]", "[8,48,7]", "\"HELLO\""};
        for (String t : bad) {
            Decoded out = d.decode(text(t), Direction.C2S, new DecodeState());
            assertThat(out.ok()).as(t).isFalse();
            assertThat(out.problem()).as(t).endsWith(".");
        }
        for (String h : new String[] {"", "c1", "95300180af"}) {
            Decoded out = d.decode(binary(HexFormat.of().parseHex(h)), Direction.C2S, new DecodeState());
            assertThat(out.ok()).as(h).isFalse();
            assertThat(out.problem()).as(h).endsWith(".");
        }
    }

    /** One connection's messages decoded in order through one state, as the sink does. */
    private final DecodeState session = new DecodeState();

    private Decoded next(String json, Direction dir) {
        Decoded out = d.decode(text(json), dir, session);
        assertThat(out.problem()).as(json).isNull();
        return out;
    }

    /**
     * EVENT and INVOCATION carry only the ids SUBSCRIBED and REGISTERED gave; the session's earlier
     * messages name the topic and procedure behind them (ids as autobahn and a router wrote them).
     */
    @Test
    void eventsAndInvocationsAreNamedFromTheSession() {
        next("[32,1,{},\"com.example.topic\"]", Direction.C2S);
        Decoded subscribed = next("[33,1,601559922686111]", Direction.S2C);
        assertThat(subscribed.summary()).isEqualTo("SUBSCRIBED com.example.topic request=1 subscription=601559922686111");
        assertThat(subscribed.facets()).containsEntry(Facets.TOPIC, "com.example.topic").containsEntry(Facets.RESPONSE_ID, "1");
        next("[64,2,{},\"com.example.add2\"]", Direction.C2S);
        next("[65,2,8036511313731967]", Direction.S2C);

        Decoded event = next("[36,601559922686111,1456973153283163,{},[\"hello\",42],{\"color\":\"orange\"}]", Direction.S2C);
        assertThat(event.summary()).isEqualTo("EVENT com.example.topic subscription=601559922686111"
                + " publication=1456973153283163 (2 args) +kwargs {color}");
        assertThat(event.facets()).containsEntry(Facets.TOPIC, "com.example.topic").containsEntry(Facets.OP, "EVENT");
        Decoded invocation = next("[68,1,8036511313731967,{},[2,3],{\"note\":\"sum\"}]", Direction.S2C);
        assertThat(invocation.summary()).isEqualTo("INVOCATION com.example.add2 request=1 registration=8036511313731967 (2 args) +kwargs {note}");
        assertThat(invocation.facets()).containsEntry(Facets.METHOD, "com.example.add2")
                .containsEntry(Facets.NAME, "INVOCATION com.example.add2").containsEntry(Facets.REQUEST_ID, "1");
        assertThat(next("[34,4,601559922686111]", Direction.C2S).summary())
                .isEqualTo("UNSUBSCRIBE com.example.topic request=4 subscription=601559922686111");
        assertThat(next("[66,5,8036511313731967]", Direction.C2S).summary())
                .isEqualTo("UNREGISTER com.example.add2 request=5 registration=8036511313731967");

        // an id nobody announced stays an id; a pattern-based subscription's EVENT names its topic itself
        assertThat(next("[36,77,1,{}]", Direction.S2C).summary()).isEqualTo("EVENT subscription=77 publication=1");
        Decoded pattern = next("[36,77,2,{\"topic\":\"com.example.other\"}]", Direction.S2C);
        assertThat(pattern.summary()).isEqualTo("EVENT com.example.other subscription=77 publication=2");
        assertThat(pattern.facets()).containsEntry(Facets.TOPIC, "com.example.other");
        // a refused SUBSCRIBE leaves nothing behind for a later SUBSCRIBED with the same request id
        next("[32,9,{},\"com.example.refused\"]", Direction.C2S);
        next("[8,32,9,{},\"wamp.error.not_authorized\"]", Direction.S2C);
        assertThat(next("[33,9,55]", Direction.S2C).summary()).isEqualTo("SUBSCRIBED request=9 subscription=55");
    }

    /** Topics are the topic facet, procedures the method facet; GOODBYE and its answer pair like a request. */
    @Test
    void facetsNameTopicsProceduresAndTheGoodbyeExchange() {
        assertThat(next("[16,1,{\"acknowledge\":true},\"com.example.topic\",[1]]", Direction.C2S).facets())
                .containsEntry(Facets.TOPIC, "com.example.topic").containsEntry(Facets.REQUEST_ID, "1")
                .containsEntry(Facets.NAME, "PUBLISH com.example.topic").doesNotContainKey(Facets.METHOD);
        assertThat(next("[48,2,{},\"com.example.add2\",[2,3]]", Direction.C2S).facets())
                .containsEntry(Facets.METHOD, "com.example.add2").doesNotContainKey(Facets.TOPIC);
        assertThat(next("[8,48,2,{},\"wamp.error.no_such_procedure\"]", Direction.S2C).facets())
                .containsEntry(Facets.RESPONSE_ID, "2").containsEntry(Facets.OP, "ERROR");
        assertThat(next("[6,{},\"wamp.close.normal\"]", Direction.C2S).facets()).containsEntry(Facets.REQUEST_ID, "goodbye");
        assertThat(next("[6,{},\"wamp.close.goodbye_and_out\"]", Direction.S2C).facets())
                .containsEntry(Facets.RESPONSE_ID, "goodbye").doesNotContainKey(Facets.REQUEST_ID);
    }

    /**
     * cbor-x writes numbers above 2^32 as float64, so a router encoding with it sends its ids as
     * floats: cbor-x encode([33, 1, 8769841503219579]) and an EVENT (node -e, once). The summary
     * and the pairing use the id's digits; the value stays what was on the wire.
     */
    @Test
    void idsWrittenAsFloatsAreReadAsIds() {
        Decoded subscribed = d.decode(binary(HexFormat.of().parseHex("83182101fb433f281fd7892f7b")), Direction.S2C, new DecodeState());
        assertThat(subscribed.summary()).isEqualTo("SUBSCRIBED request=1 subscription=8769841503219579");
        assertThat(subscribed.value().get(2).isDouble()).isTrue();
        Decoded event = d.decode(binary(HexFormat.of().parseHex("861824fb433fbf9b7d0b729ffb4339f2fe5d413bc5b900008265"
                + "68656c6c6f182ab9000165636f6c6f72666f72616e6765")), Direction.S2C, new DecodeState());
        assertThat(event.summary()).isEqualTo("EVENT subscription=8936398816768671 publication=7304048717937605 (2 args) +kwargs {color}");
        assertThat(WampDecoder.id(Json.MAPPER.getNodeFactory().numberNode(1.5))).isNull();
        assertThat(WampDecoder.id(Json.MAPPER.getNodeFactory().numberNode(1e300))).isNull();
    }

    /**
     * cbor-x and cbor both encode UNSUBSCRIBED [35, 52229] as 82 18 23 19 cc 05, which is also one
     * whole MessagePack map {24: 35, 25: 5}; a WAMP message is an array, so it is read as CBOR.
     */
    @Test
    void cborThatAlsoParsesAsAMessagePackMapIsReadAsCbor() {
        Decoded out = d.decode(binary(HexFormat.of().parseHex("82182319cc05")), Direction.S2C, new DecodeState());
        assertThat(out.problem()).isNull();
        assertThat(out.summary()).isEqualTo("UNSUBSCRIBED request=52229");
        assertThat(out.value().toString()).isEqualTo("[35,52229]");
    }

    /**
     * Element types a router or client might get wrong: each is shown with one sentence or read as
     * far as it goes, never an exception (the sink shows the raw message beside the sentence).
     */
    @Test
    void wrongElementTypesNeverThrow() {
        String[] odd = {"[1.5,\"realm1\",{}]", "[\"48\",1,{},\"p\"]", "[48,\"x\",{},5]", "[48,1,{},null,[1]]",
            "[36,1,2,\"details\"]", "[68,1,2,[],[1]]", "[33,1e400,2]", "[6,{},7]", "[3,{},null]", "[8,\"x\",1,{},\"e\"]",
            "[8,48,{},{},\"e\"]", "[32,1,{},[\"t\"]]", "[65,null,null]", "[2,{},{}]", "[1,null,null]", "[null]",
            "[true,1,2,3]", "[-1,1,2]", "[4294967344,1,{},\"p\"]", "[64,1,{},\"p\"] "};
        for (String t : odd) {
            Decoded out = d.decode(text(t), Direction.C2S, session);
            assertThat(out.protocol()).as(t).isEqualTo("wamp");
            if (!out.ok()) {
                assertThat(out.problem()).as(t).endsWith(".").doesNotContain("\n");
            } else {
                assertThat(out.summary()).as(t).isNotBlank();
            }
        }
        assertThat(d.decode(text("[1.5,\"realm1\",{}]"), Direction.C2S, session).ok()).isFalse();
        assertThat(d.decode(text("[\"48\",1,{},\"p\"]"), Direction.C2S, session).ok()).isFalse();
        assertThat(d.decode(text("[4294967344,1,{},\"p\"]"), Direction.C2S, session).ok()).isFalse();
    }

    /**
     * On a connection that negotiated wamp.2.json, malformed messages pass the sink into the
     * transcript as they were (the raw text line) with one line of reason each, and the next good
     * message is decoded as before.
     */
    @Test
    void malformedMessagesAreShownRawWithOneSentence() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        dev.wsdebug.capture.TranscriptPrinter printer = new dev.wsdebug.capture.TranscriptPrinter(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8),
                dev.wsdebug.capture.TranscriptStyle.plain().withTime(false).withColor(false));
        DecodingSink sink = new DecodingSink(printer, null);
        sink.accept(DecodingSinkTest.handshake("1", "ws://h/ws", "wamp.2.json"));
        String[] bad = {"[48,1]", "{\"hello\":1}", "[99,1,{}]", "[1,\"realm1\""};
        long seq = 1;
        for (String t : bad) {
            sink.accept(new dev.wsdebug.capture.MessageEvent("1", seq, Direction.C2S, seq++, text(t)));
        }
        sink.accept(new dev.wsdebug.capture.MessageEvent("1", seq, Direction.C2S, seq, text("[48,7,{},\"com.example.add\",[1]]")));
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        List<String> reasons = out.lines().filter(l -> l.strip().startsWith("wamp: ")).toList();
        assertThat(reasons).as(out).hasSize(bad.length).allSatisfy(l -> assertThat(l.strip()).endsWith(".")
                .satisfies(x -> assertThat(x.indexOf(". ")).as("one sentence: " + x).isEqualTo(-1)));
        assertThat(reasons.get(0)).contains("The CALL message lacks the elements WAMP gives it.");
        assertThat(reasons.get(2)).contains("99 is no WAMP v2 message type.");
        for (String t : bad) {
            assertThat(out).as(out).contains(t.replace("\"", "\\\""));
        }
        assertThat(out).contains("wamp CALL com.example.add request=7 (1 arg)");
        assertThat(out).doesNotContain("Exception");
    }
}
