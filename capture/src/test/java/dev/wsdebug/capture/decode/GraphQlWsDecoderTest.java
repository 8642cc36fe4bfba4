package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

class GraphQlWsDecoderTest {
    private final GraphQlWsDecoder d = new GraphQlWsDecoder();

    private String summary(String json) {
        Decoded out = d.decode(text(json), Direction.C2S, new DecodeState());
        assertThat(out.problem()).isNull();
        assertThat(out.protocol()).isEqualTo("graphql-ws");
        return out.summary();
    }

    @Test
    void claimsBothSubprotocols() {
        assertThat(d.claims("graphql-transport-ws", "ws://h/graphql")).isTrue();
        assertThat(d.claims("graphql-ws", "ws://h/graphql")).isTrue();
        assertThat(d.claims("mqtt", "ws://h/graphql")).isFalse();
        assertThat(d.claims(null, "ws://h/graphql")).isFalse();
    }

    /** Written by graphql-ws 6.4.2's stringifyMessage (node -e, once). */
    @Test
    void graphqlTransportWsMessages() {
        assertThat(summary("{\"type\":\"connection_init\"}")).isEqualTo("connection_init");
        assertThat(summary("{\"type\":\"connection_ack\"}")).isEqualTo("connection_ack");
        assertThat(summary("{\"type\":\"ping\"}")).isEqualTo("ping");
        assertThat(summary("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription OnMessage { messages }\"}}"))
                .isEqualTo("subscribe id=1 subscription OnMessage");
        assertThat(summary("{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"messages\":\"hi\"}}}")).isEqualTo("next id=1");
        assertThat(summary("{\"id\":\"1\",\"type\":\"complete\"}")).isEqualTo("complete id=1");
        assertThat(summary("{\"id\":\"2\",\"type\":\"error\",\"payload\":[{\"message\":\"boom\"}]}")).isEqualTo("error id=2 \"boom\"");
        assertThat(summary("{\"id\":\"3\",\"type\":\"next\",\"payload\":{\"errors\":[{\"message\":\"bad\"}]}}"))
                .isEqualTo("next id=3 errors=1 \"bad\"");
    }

    @Test
    void legacySubscriptionsTransportWsMessages() {
        assertThat(summary("{\"type\":\"ka\"}")).isEqualTo("ka");
        assertThat(summary("{\"id\":\"7\",\"type\":\"start\",\"payload\":{\"query\":\"mutation AddOne($x: Int) { add(x: $x) }\"}}"))
                .isEqualTo("start id=7 mutation AddOne");
        assertThat(summary("{\"id\":\"7\",\"type\":\"data\",\"payload\":{\"data\":{\"add\":1}}}")).isEqualTo("data id=7");
        assertThat(summary("{\"id\":\"7\",\"type\":\"stop\"}")).isEqualTo("stop id=7");
        assertThat(summary("{\"type\":\"connection_terminate\"}")).isEqualTo("connection_terminate");
    }

    @Test
    void operationTypeAndNameFromTheQueryText() {
        assertThat(GraphQlWsDecoder.operation("{ hello }")).containsExactly("query", null);
        assertThat(GraphQlWsDecoder.operation("  # a comment { x }\n query Hello { hello }")).containsExactly("query", "Hello");
        assertThat(GraphQlWsDecoder.operation("fragment F on Query { hello } query WithFragment { ...F }"))
                .containsExactly("query", "WithFragment");
        assertThat(GraphQlWsDecoder.operation("subscription { count }")).containsExactly("subscription", null);
        assertThat(GraphQlWsDecoder.operation("")).containsExactly("operation", null);
        // the operationName of the payload wins over the text
        assertThat(summary("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"query A { a } query B { b }\","
                + "\"operationName\":\"B\"}}")).isEqualTo("subscribe id=1 query B");
    }

    @Test
    void sniffsConnectionInit() {
        assertThat(d.sniff(text("{\"type\":\"connection_init\",\"payload\":{}}"))).isTrue();
        assertThat(d.sniff(text("{\"type\":\"hello\"}"))).isFalse();
        assertThat(d.sniff(binary(new byte[] {'{'}))).isFalse();
    }

    @Test
    void malformedMessagesSaySo() {
        for (String bad : new String[] {"{\"id\":\"1\"", "[1,2]", "{\"type\":\"subscribez\"}", "{\"type\":3}", "", "\"x\""}) {
            Decoded out = d.decode(text(bad), Direction.C2S, new DecodeState());
            assertThat(out.ok()).as(bad).isFalse();
            assertThat(out.problem()).as(bad).endsWith(".");
        }
        assertThat(d.decode(binary(new byte[] {1, 2}), Direction.C2S, new DecodeState()).problem()).contains("binary");
    }
}
