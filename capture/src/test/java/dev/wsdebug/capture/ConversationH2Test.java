package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake as HTTP/2 header blocks (RFC 8441): the stream's DATA each way are then the
 * WebSocket byte streams, decoded exactly as after an HTTP/1.1 upgrade.
 */
class ConversationH2Test {
    private static final long T0 = 1_700_000_000_000_000L;

    private static List<HttpHead.Header> fields(String... nameValues) {
        List<HttpHead.Header> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(new HttpHead.Header(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    private static final List<HttpHead.Header> REQUEST = fields(":method", "CONNECT", ":protocol", "websocket",
            ":scheme", "https", ":path", "/chat?room=1", ":authority", "example.com", "sec-websocket-version", "13");

    @Test
    void anExtendedConnectThenFramesInData() {
        RecordingSink sink = new RecordingSink();
        Conversation c = new Conversation("1", sink);
        c.h2Request(T0, 3, REQUEST, true);
        // the client may send DATA right after its request: kept until the answer
        c.feed(Direction.C2S, T0 + 5, ConversationTest.frame(Opcode.TEXT, "early", true));
        c.h2Response(T0 + 10, fields(":status", "200"));
        c.feed(Direction.S2C, T0 + 20, ConversationTest.frame(Opcode.TEXT, "hi", false));
        c.feed(Direction.C2S, T0 + 30, ConversationTest.frame(Opcode.CLOSE, "", true));
        c.feed(Direction.S2C, T0 + 40, ConversationTest.frame(Opcode.CLOSE, "", false));
        c.end(T0 + 50); // END_STREAM both ways
        HandshakeEvent h = sink.of(HandshakeEvent.class).get(0);
        assertThat(h.transport()).isEqualTo("h2");
        assertThat(h.stream()).isEqualTo(3);
        assertThat(h.url()).isEqualTo("wss://example.com/chat?room=1");
        assertThat(h.result().valid()).isTrue();
        assertThat(h.request().header(":protocol")).isEqualTo("websocket");
        assertThat(sink.of(MessageEvent.class)).extracting(m -> m.dir() + " " + m.message().text())
                .containsExactly("C2S early", "S2C hi");
        assertThat(sink.of(MessageEvent.class).get(0).message().firstOffset()).isZero();
        CloseEvent close = sink.of(CloseEvent.class).get(0);
        assertThat(close.clean()).isTrue();
        assertThat(sink.of(ErrorEvent.class)).isEmpty();

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        JsonLinesSink lines = new JsonLinesSink(json, true);
        lines.accept(h);
        lines.flush();
        assertThat(json.toString(StandardCharsets.UTF_8)).startsWith("{\"event\":\"handshake\",\"conn\":\"1\","
                + "\"t\":1700000000.000010,\"transport\":\"h2\",\"stream\":3,\"url\":\"wss://example.com/chat?room=1\","
                + "\"request\":{\"method\":\"CONNECT\",\"target\":\"/chat?room=1\",\"headers\":[[\":method\",\"CONNECT\"],")
                .as("RFC 8441 has no key and no accept, so there is no accept check to report")
                .contains("\"upgraded\":true,\"accept\":null,");
    }

    @Test
    void aResetStreamIsAnAbort() {
        RecordingSink sink = new RecordingSink();
        Conversation c = new Conversation("1", sink);
        c.h2Request(T0, 5, REQUEST, true);
        c.h2Response(T0 + 10, fields(":status", "200"));
        c.feed(Direction.S2C, T0 + 20, ConversationTest.frame(Opcode.TEXT, "hi", false));
        c.h2Reset(T0 + 30, Direction.C2S, 8);
        assertThat(sink.of(ErrorEvent.class)).extracting(ErrorEvent::message)
                .containsExactly("The client reset the stream with CANCEL (0x8).");
        CloseEvent close = sink.of(CloseEvent.class).get(0);
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.clean()).isFalse();
    }

    @Test
    void aRefusedConnectIsNotAWebSocketAndNoAnswerIsSaid() {
        RecordingSink sink = new RecordingSink();
        Conversation c = new Conversation("1", sink);
        c.h2Request(T0, 1, REQUEST, false);
        c.h2Response(T0 + 10, fields(":status", "400"));
        c.end(T0 + 20);
        HandshakeEvent h = sink.of(HandshakeEvent.class).get(0);
        assertThat(h.result().upgraded()).isFalse();
        assertThat(h.result().problems().get(0)).contains("did not enable extended CONNECT");
        assertThat(c.isWebSocket()).isFalse();

        RecordingSink none = new RecordingSink();
        Conversation open = new Conversation("2", none);
        open.h2Request(T0, 7, REQUEST, true);
        open.end(T0 + 20);
        assertThat(none.of(ErrorEvent.class)).extracting(ErrorEvent::message)
                .containsExactly("The connection ended before the server answered the upgrade request.");
        assertThat(none.of(HandshakeEvent.class).get(0).stream()).isEqualTo(7);
        assertThat(none.of(HandshakeEvent.class).get(0).response()).isNull();
    }

    @Test
    void aCaptureKeepsTheStreamAndTheTransport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("h2.wsdb");
        try (dev.wsdebug.capture.store.CaptureStore store = dev.wsdebug.capture.store.CaptureStore.create(file)) {
            Conversation c = new Conversation("1", store);
            c.h2Request(T0, 3, REQUEST, true);
            c.h2Response(T0 + 10, fields(":status", "200"));
            c.feed(Direction.S2C, T0 + 20, ConversationTest.frame(Opcode.TEXT, "hi", false));
            c.end(T0 + 30);
        }
        RecordingSink back = new RecordingSink();
        try (dev.wsdebug.capture.store.CaptureReader reader = dev.wsdebug.capture.store.CaptureReader.open(file)) {
            reader.replay(back);
        }
        HandshakeEvent h = back.of(HandshakeEvent.class).get(0);
        assertThat(h.transport()).isEqualTo("h2");
        assertThat(h.stream()).isEqualTo(3);
        assertThat(h.result().upgraded()).isTrue();
        assertThat(h.request().startLine()).isEqualTo("CONNECT /chat?room=1 HTTP/2");
        assertThat(back.of(MessageEvent.class)).extracting(m -> m.message().text()).containsExactly("hi");
    }
}
