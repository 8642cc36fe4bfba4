package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

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
}
