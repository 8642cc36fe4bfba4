package dev.wsdebug.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON Lines stream is a contract: field names, order and types of schema v1. */
class JsonLinesSinkTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<JsonNode> lines(byte[] c2s, byte[] s2c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, true);
        Conversation conv = new Conversation("42", sink);
        conv.feed(Direction.C2S, 1_700_000_000_123_456L, c2s);
        conv.feed(Direction.S2C, 1_700_000_001_000_001L, s2c);
        conv.end(1_700_000_002_000_000L);
        sink.flush();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            assertThat(line).doesNotStartWith(" ");
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }

    private static List<String> keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }

    @Test
    void everyEventFollowsSchemaV1() throws Exception {
        FrameWriter w = new FrameWriter(new Random(1));
        byte[] c2s = ConversationTest.concat(
                ConversationTest.request("Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                w.encode(FrameSpec.of(Opcode.TEXT, "Hello".getBytes(StandardCharsets.UTF_8)).withMask(0x37fa213d)),
                w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(4001, "done")).withMask(1)));
        byte[] s2c = ConversationTest.concat(
                ConversationTest.response101("Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                w.encode(FrameSpec.of(Opcode.BINARY, new byte[] {(byte) 0xde, (byte) 0xad})),
                w.encode(FrameSpec.of(Opcode.PING, "x".getBytes(StandardCharsets.UTF_8)).withFin(false)));
        List<JsonNode> nodes = lines(c2s, s2c);
        assertThat(nodes).extracting(n -> n.get("event").asText())
                .containsExactly("handshake", "frame", "message", "frame", "frame", "message", "frame", "close");

        JsonNode h = nodes.get(0);
        assertThat(keys(h)).containsExactly("event", "conn", "t", "transport", "url", "request", "response",
                "upgraded", "accept", "subprotocol", "extensions", "deflate");
        assertThat(h.get("conn").asText()).isEqualTo("42");
        assertThat(h.get("t").decimalValue()).isEqualByComparingTo("1700000001.000001");
        assertThat(h.get("transport").asText()).isEqualTo("http/1.1");
        assertThat(keys(h.get("request"))).containsExactly("method", "target", "headers");
        assertThat(h.get("request").get("headers").get(0).get(0).asText()).isEqualTo("Host");
        assertThat(keys(h.get("response"))).containsExactly("status", "reason", "headers");
        assertThat(h.get("response").get("status").asInt()).isEqualTo(101);
        assertThat(h.get("upgraded").asBoolean()).isTrue();
        assertThat(keys(h.get("accept"))).containsExactly("expected", "actual", "valid");
        assertThat(h.get("accept").get("valid").asBoolean()).isTrue();
        assertThat(h.get("subprotocol").isNull()).isTrue();
        assertThat(keys(h.get("deflate"))).containsExactly("clientNoContextTakeover", "serverNoContextTakeover",
                "clientMaxWindowBits", "serverMaxWindowBits");
        assertThat(h.get("deflate").get("clientMaxWindowBits").asInt()).isEqualTo(15);

        JsonNode f = nodes.get(1);
        assertThat(keys(f)).containsExactly("event", "conn", "t", "dir", "seq", "fin", "rsv1", "rsv2", "rsv3",
                "opcode", "type", "masked", "maskKey", "headerLength", "lengthEncoding", "payloadLength");
        assertThat(f.get("t").decimalValue()).isEqualByComparingTo("1700000000.123456");
        assertThat(f.get("maskKey").asText()).isEqualTo("37fa213d");
        assertThat(f.get("headerLength").asInt()).isEqualTo(6);
        assertThat(f.get("lengthEncoding").asInt()).isEqualTo(7);

        JsonNode m = nodes.get(2);
        assertThat(keys(m)).containsExactly("event", "conn", "t", "dir", "seq", "type", "frames", "compressed",
                "wireLength", "length", "utf8", "text", "truncated");
        assertThat(m.get("seq").asLong()).isEqualTo(f.get("seq").asLong());
        assertThat(m.get("text").asText()).isEqualTo("Hello");
        assertThat(m.get("utf8").asText()).isEqualTo("valid");

        JsonNode close = nodes.get(3);
        assertThat(close.get("closeCode").asInt()).isEqualTo(4001);
        assertThat(close.get("closeReason").asText()).isEqualTo("done");
        assertThat(close.get("payloadHex").asText()).isEqualTo("0fa1646f6e65");

        JsonNode binary = nodes.get(5);
        assertThat(binary.get("utf8").isNull()).isTrue();
        assertThat(binary.get("base64").asText()).isEqualTo("3q0=");

        JsonNode ping = nodes.get(6);
        assertThat(ping.get("type").asText()).isEqualTo("ping");
        JsonNode v = ping.get("violations").get(0);
        assertThat(keys(v)).containsExactly("rule", "rfc", "offset", "detail");
        assertThat(v.get("rule").asText()).isEqualTo("fragmented-control-frame");
        assertThat(v.get("rfc").asText()).isEqualTo("RFC 6455 5.5");

        JsonNode c = nodes.get(7);
        assertThat(keys(c)).containsExactly("event", "conn", "t", "code", "name", "reason", "onWire", "initiator", "clean");
        assertThat(c.get("code").asInt()).isEqualTo(4001);
        assertThat(c.get("name").asText()).isEqualTo("Private Use (4000-4999)");
        assertThat(c.get("initiator").asText()).isEqualTo("client");
        assertThat(c.get("clean").asBoolean()).isFalse();
    }

    @Test
    void aFailedHandshakeListsItsProblems() throws Exception {
        byte[] s2c = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong=\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        JsonNode h = lines(ConversationTest.request(""), s2c).get(0);
        assertThat(h.get("accept").get("valid").asBoolean()).isFalse();
        assertThat(h.get("accept").get("actual").asText()).isEqualTo("wrong=");
        assertThat(h.get("problems").get(0).asText()).contains("Sec-WebSocket-Accept");
    }

    @Test
    void anHttpExchangeFollowsSchemaV1() throws Exception {
        dev.wsdebug.wire.HttpHead req = new dev.wsdebug.wire.HttpHead("POST /x?a=1 HTTP/1.1", List.of(
                new dev.wsdebug.wire.HttpHead.Header("Host", "h"),
                new dev.wsdebug.wire.HttpHead.Header("Content-Length", "3")), 0);
        dev.wsdebug.wire.HttpHead resp = new dev.wsdebug.wire.HttpHead("HTTP/1.1 200 OK", List.of(
                new dev.wsdebug.wire.HttpHead.Header("Content-Type", "text/plain")), 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, true);
        sink.accept(new HttpEvent("7", 1_700_000_000_000_001L, "http://h/x?a=1", req, resp, 3, 512, 12_500));
        sink.accept(new HttpEvent("8", 1_700_000_000_000_002L, "http://h/y", req, null, 3, 0, 10_000_000));
        sink.flush();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).isEqualTo("{\"event\":\"http\",\"conn\":\"7\",\"t\":1700000000.000001,\"method\":\"POST\","
                + "\"url\":\"http://h/x?a=1\",\"status\":200,\"reason\":\"OK\",\"request\":{\"headers\":[[\"Host\",\"h\"],"
                + "[\"Content-Length\",\"3\"]],\"bodyLength\":3},\"response\":{\"headers\":[[\"Content-Type\",\"text/plain\"]],"
                + "\"bodyLength\":512},\"durationMs\":12.500}");
        JsonNode none = MAPPER.readTree(lines[1]);
        assertThat(keys(none)).containsExactly("event", "conn", "t", "method", "url", "status", "reason", "request",
                "response", "durationMs");
        assertThat(none.get("status").asInt()).isEqualTo(-1);
        assertThat(none.get("reason").asText()).isEmpty();
        assertThat(none.get("response").isNull()).isTrue();
        assertThat(none.get("durationMs").decimalValue()).isEqualByComparingTo("10000");
    }

    @Test
    void aFlowEventFollowsSchemaV1() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, true);
        sink.accept(new FlowEvent("3", 1_700_000_000_000_001L, dev.wsdebug.wire.Direction.S2C, FlowEvent.ZERO_WINDOW,
                262_144, 0));
        sink.accept(new FlowEvent("3", 1_700_000_000_800_001L, dev.wsdebug.wire.Direction.S2C, FlowEvent.WINDOW_OPEN,
                -1, 800_000));
        sink.flush();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).containsExactly(
                "{\"event\":\"flow\",\"conn\":\"3\",\"t\":1700000000.000001,\"dir\":\"s2c\",\"kind\":\"zero-window\","
                        + "\"bytes\":262144,\"durationMs\":0.000}",
                "{\"event\":\"flow\",\"conn\":\"3\",\"t\":1700000000.800001,\"dir\":\"s2c\",\"kind\":\"window-open\","
                        + "\"bytes\":null,\"durationMs\":800.000}");
    }

    @Test
    void secondsPrintAsBigDecimalDoes() {
        long[] samples = {0, 1, 999_999, 1_000_000, -1, -1_000_001, 1_733_000_000_123_456L, Long.MAX_VALUE / 2};
        for (long micros : samples) {
            assertThat(JsonLinesSink.seconds(micros)).isEqualTo(java.math.BigDecimal.valueOf(micros, 6).toPlainString());
        }
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 1000; i++) {
            long micros = r.nextLong() >> r.nextInt(40);
            assertThat(JsonLinesSink.seconds(micros)).isEqualTo(java.math.BigDecimal.valueOf(micros, 6).toPlainString());
        }
    }
}
