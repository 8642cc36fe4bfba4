package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's vectors were made once with the phoenix package's own Serializer (1.8.16, loaded
 * in Node from its CommonJS build): {@code Serializer.encode({join_ref: "1", ref: "1", topic:
 * "room:lobby", event: "phx_join", payload: {token: "t"}})} and the binary push of
 * {@code Uint8Array [1,2,3]}. The server's binary reply, broadcast and push were written from the
 * serializer's layout and checked by decoding them with {@code Serializer.decode}; the JSON reply
 * and the 1.0.0 object are written from the documented format.
 */
class PhoenixDecoderTest {
    private final PhoenixDecoder d = new PhoenixDecoder();

    private Decoded dec(Direction dir, dev.wsdebug.wire.Message m) {
        return d.decode(m, dir, new DecodeState());
    }

    @Test
    void version2Arrays() {
        Decoded join = dec(Direction.C2S, text("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"token\":\"t\"}]"));
        assertThat(join.summary()).isEqualTo("phx_join topic=room:lobby ref=1");
        assertThat(join.value().path("payload").path("token").asText()).isEqualTo("t");
        assertThat(join.value().path("join_ref").asText()).isEqualTo("1");
        Decoded reply = dec(Direction.S2C, text("[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
        assertThat(reply.summary()).isEqualTo("phx_reply ok topic=room:lobby ref=1");
        assertThat(dec(Direction.C2S, text("[null,\"2\",\"phoenix\",\"heartbeat\",{}]")).summary())
                .isEqualTo("heartbeat topic=phoenix ref=2");
        assertThat(dec(Direction.S2C, text("[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]")).summary())
                .isEqualTo("new_msg topic=room:lobby");
        assertThat(dec(Direction.S2C, text("[\"1\",\"4\",\"room:lobby\",\"phx_reply\",{\"status\":\"error\","
                + "\"response\":{\"reason\":\"unmatched topic\"}}]")).summary())
                .isEqualTo("phx_reply error topic=room:lobby ref=4 response {reason}");
    }

    @Test
    void version1Objects() {
        Decoded v1 = dec(Direction.C2S, text("{\"topic\":\"room:lobby\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"1\"}"));
        assertThat(v1.summary()).isEqualTo("phx_join topic=room:lobby ref=1");
        assertThat(v1.value().path("vsn").asText()).isEqualTo("1.0.0");
    }

    @Test
    void binaryMessages() {
        Decoded push = dec(Direction.C2S, binary(HexFormat.of().parseHex("0001010a063133726f6f6d3a6c6f62627975706c6f6164010203")));
        assertThat(push.summary()).isEqualTo("upload topic=room:lobby ref=3 (3 B binary payload)");
        assertThat(push.value().path("payload").path("base64").asText()).isEqualTo("AQID");
        Decoded reply = dec(Direction.S2C, binary(HexFormat.of().parseHex("0101010a023133726f6f6d3a6c6f6262796f6b0405")));
        assertThat(reply.summary()).isEqualTo("phx_reply ok topic=room:lobby ref=3 (2 B binary payload)");
        assertThat(reply.value().path("payload").path("response").path("binary").asInt()).isEqualTo(2);
        assertThat(dec(Direction.S2C, binary(HexFormat.of().parseHex("020a03726f6f6d3a6c6f626279696d67ff00"))).summary())
                .isEqualTo("img topic=room:lobby (2 B binary payload)");
        Decoded spush = dec(Direction.S2C, binary(HexFormat.of().parseHex("00010a0331726f6f6d3a6c6f626279696d670708")));
        assertThat(spush.summary()).isEqualTo("img topic=room:lobby (2 B binary payload)");
        assertThat(spush.value().path("join_ref").asText()).isEqualTo("1");
    }

    @Test
    void malformedMessagesAreSentences() {
        for (String s : List.of("", "[", "[1,2,3]", "[\"1\",\"1\",3,\"e\",{}]", "[{},\"1\",\"t\",\"e\",{}]", "{\"topic\":\"t\"}",
                "\"x\"", "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":[]}")) {
            Decoded r = dec(Direction.C2S, text(s));
            assertThat(r.ok()).as(s).isFalse();
            assertThat(r.problem()).as(s).endsWith(".");
        }
        for (String hex : List.of("", "05", "00", "000109", "020a03726f6f")) {
            Decoded r = dec(Direction.C2S, binary(HexFormat.of().parseHex(hex)));
            assertThat(r.ok()).as(hex).isFalse();
            assertThat(r.problem()).as(hex).endsWith(".");
        }
    }

    @Test
    void claimsAndSniffing() {
        assertThat(d.claims(null, "ws://localhost:4000/socket/websocket?vsn=2.0.0")).isTrue();
        assertThat(d.claims(null, "/live/websocket?_csrf_token=x&vsn=2.0.0")).isTrue();
        assertThat(d.claims(null, "/socket/websocket?vsn=1.0.0")).isTrue();
        assertThat(d.claims(null, "/socket/websocket")).isFalse();
        assertThat(d.claims(null, "/socket?vsn=2.0.0")).isFalse();
        assertThat(d.sniff(text("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{}]"))).isTrue();
        assertThat(d.sniff(text("{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":null}"))).isTrue();
        assertThat(d.sniff(text("[1,2,3,4,5]"))).isFalse();
        assertThat(d.sniff(text("[\"a\",\"b\",\"c\",\"d\",\"e\"]"))).as("five strings are not enough").isFalse();
        assertThat(d.sniff(text("[null,\"12\",\"room:1\",\"ping\",\"x\"]"))).isFalse();
        assertThat(d.sniff(text("{\"topic\":\"t\",\"event\":\"e\"}"))).isFalse();
    }
}
