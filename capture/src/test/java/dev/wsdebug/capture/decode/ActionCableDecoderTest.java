package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vectors written from Action Cable's documented protocol (actioncable-v1-json, as Rails'
 * ActionCable::Connection and the @rails/actioncable client send it); no Action Cable server or
 * client is installed to make them.
 */
class ActionCableDecoderTest {
    private final ActionCableDecoder d = new ActionCableDecoder();

    private Decoded dec(String s) {
        return d.decode(text(s), Direction.S2C, new DecodeState());
    }

    @Test
    void serverMessages() {
        assertThat(dec("{\"type\":\"welcome\"}").summary()).isEqualTo("welcome");
        assertThat(dec("{\"type\":\"ping\",\"message\":1700000000}").summary()).isEqualTo("ping 1700000000");
        Decoded confirm = dec("{\"identifier\":\"{\\\"channel\\\":\\\"ChatChannel\\\",\\\"room\\\":\\\"lobby\\\"}\","
                + "\"type\":\"confirm_subscription\"}");
        assertThat(confirm.summary()).isEqualTo("confirm_subscription channel=ChatChannel room=\"lobby\"");
        assertThat(confirm.value().path("identifier").path("room").asText()).isEqualTo("lobby");
        assertThat(dec("{\"identifier\":\"{\\\"channel\\\":\\\"ChatChannel\\\"}\",\"message\":{\"type\":\"said\","
                + "\"body\":\"hi\"}}").summary()).isEqualTo("broadcast channel=ChatChannel type=\"said\" {type, body}");
        assertThat(dec("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}").summary())
                .isEqualTo("disconnect reason=unauthorized reconnect=false");
        assertThat(dec("{\"type\":\"reject_subscription\",\"identifier\":\"{\\\"channel\\\":\\\"Admin\\\"}\"}").summary())
                .isEqualTo("reject_subscription channel=Admin");
    }

    @Test
    void clientCommands() {
        Decoded sub = dec("{\"command\":\"subscribe\",\"identifier\":\"{\\\"channel\\\":\\\"ChatChannel\\\",\\\"room\\\":\\\"lobby\\\"}\"}");
        assertThat(sub.summary()).isEqualTo("subscribe channel=ChatChannel room=\"lobby\"");
        assertThat(sub.value().path("identifier").path("channel").asText()).isEqualTo("ChatChannel");
        Decoded msg = dec("{\"command\":\"message\",\"identifier\":\"{\\\"channel\\\":\\\"ChatChannel\\\"}\","
                + "\"data\":\"{\\\"action\\\":\\\"speak\\\",\\\"body\\\":\\\"hi\\\"}\"}");
        assertThat(msg.summary()).isEqualTo("message channel=ChatChannel action=speak");
        assertThat(msg.value().path("data").path("body").asText()).isEqualTo("hi");
        assertThat(dec("{\"command\":\"unsubscribe\",\"identifier\":\"{\\\"channel\\\":\\\"ChatChannel\\\"}\"}").summary())
                .isEqualTo("unsubscribe channel=ChatChannel");
    }

    @Test
    void malformedMessagesAreSentences() {
        for (String s : List.of("", "{", "[1]", "{\"type\":\"hello\"}", "{\"command\":\"subscribe\"}",
                "{\"command\":\"subscribe\",\"identifier\":\"not json\"}", "{\"command\":\"subscribe\",\"identifier\":{}}",
                "{\"command\":\"jump\",\"identifier\":\"{}\"}", "{\"command\":\"message\",\"identifier\":\"{}\",\"data\":\"x\"}",
                "{\"type\":\"confirm_subscription\"}", "{\"a\":1}")) {
            Decoded r = dec(s);
            assertThat(r.ok()).as(s).isFalse();
            assertThat(r.problem()).as(s).endsWith(".");
        }
        assertThat(d.decode(binary(new byte[] {1}), Direction.S2C, new DecodeState()).ok()).isFalse();
    }

    @Test
    void claimsAndSniffing() {
        assertThat(d.claims("actioncable-v1-json", "/cable")).isTrue();
        assertThat(d.claims("actioncable-unsupported", "/cable")).isFalse();
        assertThat(d.claims(null, "/cable")).isFalse();
        assertThat(d.sniff(text("{\"type\":\"welcome\"}"))).isTrue();
        assertThat(d.sniff(text("{\"type\":\"ping\",\"message\":1700000000}"))).isTrue();
        assertThat(d.sniff(text("{\"command\":\"subscribe\",\"identifier\":\"{\\\"channel\\\":\\\"C\\\"}\"}"))).isTrue();
        assertThat(d.sniff(text("{\"type\":\"ping\"}"))).isFalse();
        assertThat(d.sniff(text("{\"type\":\"chat\",\"text\":\"x\"}"))).isFalse();
        assertThat(d.sniff(text("{\"command\":\"subscribe\",\"identifier\":\"room1\"}"))).isFalse();
    }
}
