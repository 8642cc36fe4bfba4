package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vectors made once with the real framing code: the sockjs server's ({@code "a[" + msgs.map(
 * require("sockjs/lib/utils").quote).join(",") + "]"}, its closeFrame {@code "c" + JSON.stringify([code,
 * reason])}, {@code o} and {@code h}) and sockjs-client's WebSocket transport ({@code "[" +
 * require("sockjs-client/lib/utils/escape").quote(msg) + "]"}).
 */
class SockJsDecoderTest {
    private final SockJsDecoder d = new SockJsDecoder();

    private Decoded s2c(String s) {
        return d.decode(text(s), Direction.S2C, new DecodeState());
    }

    @Test
    void serverFrames() {
        assertThat(s2c("o").summary()).isEqualTo("open");
        assertThat(s2c("h").summary()).isEqualTo("heartbeat");
        Decoded a = s2c("a[\"hello\",\"{\\\"type\\\":\\\"chat\\\",\\\"text\\\":\\\"hi\\\"}\",\"x\\u2028y\"]");
        assertThat(a.summary()).isEqualTo("messages 3: \"hello\", json type=\"chat\" {type, text}, \"x\u2028y\"");
        assertThat(a.value().path("messages").get(0).path("text").asText()).isEqualTo("hello");
        assertThat(a.value().path("messages").get(1).path("json").path("text").asText()).isEqualTo("hi");
        assertThat(a.value().path("messages").get(2).has("json")).isFalse();
        assertThat(s2c("a[\"one\"]").summary()).isEqualTo("message \"one\"");
        assertThat(s2c("m\"one\"").summary()).isEqualTo("message \"one\"");
        Decoded c = s2c("c[3000,\"Go away!\"]");
        assertThat(c.summary()).isEqualTo("close 3000 \"Go away!\"");
        assertThat(c.value().path("code").asInt()).isEqualTo(3000);
    }

    @Test
    void clientFrames() {
        assertThat(d.decode(text("[\"hello\"]"), Direction.C2S, new DecodeState()).summary()).isEqualTo("send \"hello\"");
        Decoded j = d.decode(text("[\"{\\\"type\\\":\\\"chat\\\",\\\"n\\\":1}\"]"), Direction.C2S, new DecodeState());
        assertThat(j.summary()).isEqualTo("send json type=\"chat\" {type, n}");
        assertThat(j.value().path("messages").get(0).path("json").path("n").asInt()).isEqualTo(1);
        assertThat(d.decode(text("\"solo\""), Direction.C2S, new DecodeState()).summary()).isEqualTo("send \"solo\"");
    }

    @Test
    void malformedFramesAreSentences() {
        for (String s : List.of("", "x", "oo", "hx", "a", "a[1]", "a{\"a\":1}", "a[\"x\"", "c[3000]", "c[\"a\",\"b\"]", "m1",
                "[1,2]", "[\"a\"]]")) {
            Decoded r = s2c(s);
            assertThat(r.ok()).as(s).isFalse();
            assertThat(r.problem()).as(s).endsWith(".");
        }
        assertThat(d.decode(binary(new byte[] {1}), Direction.S2C, new DecodeState()).ok()).isFalse();
    }

    @Test
    void claimsAndSniffing() {
        assertThat(d.claims(null, "ws://127.0.0.1:9/echo/123/abcdefgh/websocket")).isTrue();
        assertThat(d.claims(null, "/sock/7/x1y2/websocket")).isTrue();
        assertThat(d.claims(null, "/echo/websocket")).as("SockJS's raw WebSocket has no framing").isFalse();
        assertThat(d.claims(null, "/socket/websocket?vsn=2.0.0")).isFalse();
        assertThat(d.claims(null, "/a/srv/sess/websocket")).isFalse();
        assertThat(d.sniff(text("o"))).isTrue();
        assertThat(d.sniff(text("a[\"x\"]"))).isTrue();
        assertThat(d.sniff(text("c[3000,\"Go away!\"]"))).isTrue();
        assertThat(d.sniff(text("h"))).isFalse();
        assertThat(d.sniff(text("ok"))).isFalse();
        assertThat(d.sniff(text("a[1]"))).isFalse();
        assertThat(d.sniff(text("[\"x\"]"))).isFalse();
    }
}
