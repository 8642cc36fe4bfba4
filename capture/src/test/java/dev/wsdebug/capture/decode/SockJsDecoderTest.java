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

    /** Messages of one SockJS connection through the sink, as `read` decodes them. */
    private static List<dev.wsdebug.capture.MessageEvent> connection(Object... dirAndText) {
        List<dev.wsdebug.capture.Event> out = new java.util.ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, null);
        sink.accept(DecodingSinkTest.handshake("1", "ws://127.0.0.1:1/stomp/842/x1y2z3/websocket", null));
        for (int i = 0; i < dirAndText.length; i += 2) {
            long seq = i / 2 + 1;
            sink.accept(new dev.wsdebug.capture.MessageEvent("1", seq * 1000, (Direction) dirAndText[i], seq, text((String) dirAndText[i + 1])));
        }
        return out.stream().filter(e -> e instanceof dev.wsdebug.capture.MessageEvent).map(e -> (dev.wsdebug.capture.MessageEvent) e).toList();
    }

    /**
     * @stomp/stompjs over sockjs-client and a STOMP server on the sockjs package (recorded once through
     * wsdebug proxy, as DecodeSockJsIT does, with a longer first body): the STOMP frames inside the SockJS frames are read by the
     * STOMP decoder, their facets are the SockJS message's, and CONNECTED and RECEIPT pair with the
     * CONNECT and DISCONNECT they answer.
     */
    @Test
    void stompInsideSockJsIsDecoded() {
        List<dev.wsdebug.capture.MessageEvent> out = connection(
                Direction.S2C, "o",
                Direction.C2S, "[\"CONNECT\\naccept-version:1.2,1.1,1.0\\nheart-beat:0,0\\n\\n\\u0000\"]",
                Direction.S2C, "a[\"CONNECTED\\nversion:1.2\\nheart-beat:0,0\\nserver:mini-stomp/1.0\\nsession:sess-1\\n\\n\\u0000\"]",
                Direction.S2C, "a[\"\\n\"]",
                Direction.C2S, "[\"SUBSCRIBE\\nid:sub-0\\ndestination:/topic/greetings\\n\\n\\u0000\"]",
                Direction.C2S, "[\"SEND\\ndestination:/topic/greetings\\ncontent-type:text/plain\\nreceipt:r-text\\nx-note:a\\\\cb\\\\nc"
                        + "\\ncontent-length:17\\n\\nhello over sockjs\\u0000\"]",
                Direction.S2C, "a[\"MESSAGE\\ndestination:/topic/greetings\\nsubscription:sub-0\\nmessage-id:m-1\\ncontent-type:text/plain"
                        + "\\ncontent-length:17\\n\\nhello over sockjs\\u0000RECEIPT\\nreceipt-id:r-text\\n\\n\\u0000\"]",
                Direction.C2S, "[\"DISCONNECT\\nreceipt:close-1\\n\\n\\u0000\"]",
                Direction.S2C, "a[\"RECEIPT\\nreceipt-id:close-1\\n\\n\\u0000\"]",
                Direction.S2C, "c[1000,\"bye\"]");
        assertThat(out).extracting(m -> m.decoded().protocol() + " " + m.decoded().summary()).containsExactly(
                "sockjs open",
                "sockjs send stomp CONNECT accept-version=1.2,1.1,1.0 heart-beat=0,0",
                "sockjs message stomp CONNECTED version=1.2 heart-beat=0,0 session=sess-1 server=mini-stomp/1.0",
                "sockjs message stomp heartbeat",
                "sockjs send stomp SUBSCRIBE id=sub-0 destination=/topic/greetings",
                "sockjs send stomp SEND destination=/topic/greetings content-type=text/plain receipt=r-text (17 B body)",
                "sockjs message stomp 2 frames: MESSAGE destination=/topic/greetings subscription=sub-0 message-id=m-1 (17 B body);"
                        + " RECEIPT receipt-id=r-text",
                "sockjs send stomp DISCONNECT receipt=close-1",
                "sockjs message stomp RECEIPT receipt-id=close-1",
                "sockjs close 1000 \"bye\"");
        Decoded send = out.get(5).decoded();
        com.fasterxml.jackson.databind.JsonNode inner = send.value().path("messages").get(0).path("decoded");
        assertThat(inner.path("protocol").asText()).isEqualTo("stomp");
        assertThat(inner.path("value").path("headers").path("x-note").asText()).isEqualTo("a:b\nc");
        assertThat(inner.path("value").path("body").asText()).isEqualTo("hello over sockjs");
        assertThat(send.facets()).containsEntry(Facets.DESTINATION, "/topic/greetings").containsEntry(Facets.OP, "SEND")
                .containsEntry(Facets.REQUEST_ID, "receipt r-text").containsEntry(Facets.CARRIES, "stomp");
        // proto=stomp selects the SockJS frames that carry STOMP (not the open and close frames); proto=sockjs all
        dev.wsdebug.capture.EventFilter stomp = dev.wsdebug.capture.EventFilter.parse(List.of("proto=stomp"));
        assertThat(out.stream().filter(stomp::test).count()).isEqualTo(8);
        dev.wsdebug.capture.EventFilter sockjs = dev.wsdebug.capture.EventFilter.parse(List.of("proto=sockjs"));
        assertThat(out.stream().filter(sockjs::test).count()).isEqualTo(10);
        assertThat(out.get(2).decoded().reply().seq()).isEqualTo(2);
        assertThat(out.get(2).decoded().reply().latencyMicros()).isEqualTo(1000);
        assertThat(out.get(8).decoded().reply().seq()).isEqualTo(8);
        assertThat(out.get(8).decoded().reply().name()).isEqualTo("DISCONNECT");
    }

    /**
     * Inner strings keep the inner decoder's state: a STOMP frame split over two strings (as stompjs
     * does with splitLargeFrames) is read whole at its end; two strings in one frame list both and
     * pair neither; a string that is no STOMP after all is shown with the reason, the frame still read.
     */
    @Test
    void innerStateSpansStringsAndFrames() {
        List<dev.wsdebug.capture.MessageEvent> out = connection(
                Direction.C2S, "[\"SEND\\ndestination:/q\\nreceipt:r1\\n\\n\\u0000\"]",
                Direction.C2S, "[\"SEND\\ndestination:/q/split\\ncontent-le\"]",
                Direction.C2S, "[\"ngth:2\\n\\nhi\\u0000\"]",
                Direction.S2C, "a[\"RECEIPT\\nreceipt-id:r1\\n\\n\\u0000\",\"MESSAGE\\ndestination:/q\\n\\nx\\u0000\"]",
                Direction.S2C, "a[\"not stomp at all\\n\\n\\u0000\"]");
        assertThat(out.get(2).decoded().summary()).startsWith("send stomp SEND destination=/q/split");
        com.fasterxml.jackson.databind.JsonNode joined = out.get(2).decoded().value().path("messages").get(0).path("decoded").path("value");
        assertThat(joined.path("body").asText()).isEqualTo("hi");
        Decoded two = out.get(3).decoded();
        assertThat(two.summary()).isEqualTo("messages 2: stomp RECEIPT receipt-id=r1, stomp MESSAGE destination=/q (1 B body)");
        assertThat(two.reply()).isNull();
        assertThat(two.facets()).doesNotContainKeys(Facets.RESPONSE_ID, Facets.REQUEST_ID).containsEntry(Facets.OP, "RECEIPT");
        Decoded bad = out.get(4).decoded();
        assertThat(bad.ok()).isTrue();
        assertThat(bad.summary()).startsWith("message stomp (not read: ").endsWith(".)");
        assertThat(bad.value().path("messages").get(0).path("decoded").path("problem").asText()).endsWith(".");
        assertThat(bad.value().path("messages").get(0).path("text").asText()).isEqualTo("not stomp at all\n\n\u0000");
    }

    /** Strings no specific decoder recognises stay strings (or JSON), and choose nothing for later ones. */
    @Test
    void plainStringsChooseNoInnerDecoder() {
        List<dev.wsdebug.capture.MessageEvent> out = connection(
                Direction.S2C, "a[\"hello\",\"{\\\"type\\\":\\\"chat\\\",\\\"n\\\":1}\"]",
                Direction.C2S, "[\"CONNECT\\naccept-version:1.2\\n\\n\\u0000\"]");
        assertThat(out.get(0).decoded().summary()).isEqualTo("messages 2: \"hello\", json type=\"chat\" {type, n}");
        assertThat(out.get(1).decoded().summary()).isEqualTo("send stomp CONNECT accept-version=1.2");
    }
}
