package dev.wsdebug.capture;

import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ConversationTest {
    private static final FrameWriter WRITER = new FrameWriter(new Random(7));
    /** The key and accept value of RFC 6455 section 1.3. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static byte[] request(String extraHeaders) {
        return ("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] response101(String extraHeaders) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] frame(int opcode, String payload, boolean masked) {
        FrameSpec spec = FrameSpec.of(opcode, payload.getBytes(StandardCharsets.UTF_8));
        return WRITER.encode(masked ? spec.withMask(0x11223344) : spec);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A whole session: upgrade with subprotocol and deflate, messages both ways, close handshake. */
    private static byte[][] session() {
        MessageDeflater clientDeflate = new MessageDeflater(false);
        MessageDeflater serverDeflate = new MessageDeflater(true);
        byte[] c2s = concat(
                request("Sec-WebSocket-Protocol: chat, superchat\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"),
                frame(Opcode.TEXT, "Hello", true),
                WRITER.encode(new FrameSpec(true, true, false, false, Opcode.TEXT, 0x01020304, 0,
                        clientDeflate.deflate("compressed hello".getBytes(StandardCharsets.UTF_8)))),
                frame(Opcode.PING, "p", true),
                WRITER.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye")).withMask(5)));
        byte[] s2c = concat(
                response101("Sec-WebSocket-Protocol: chat\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"),
                frame(Opcode.TEXT, "Hello", false),
                WRITER.encode(new FrameSpec(true, true, false, false, Opcode.BINARY, null, 0,
                        serverDeflate.deflate(new byte[] {1, 2, 3, 1, 2, 3, 1, 2, 3}))),
                frame(Opcode.PONG, "p", false),
                WRITER.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye"))));
        return new byte[][] {c2s, s2c};
    }

    private static RecordingSink run(byte[] c2s, byte[] s2c, int chunk) {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("7", sink);
        feed(conv, Direction.C2S, c2s, chunk);
        feed(conv, Direction.S2C, s2c, chunk);
        conv.end(3_000_000);
        return sink;
    }

    private static void feed(Conversation conv, Direction dir, byte[] bytes, int chunk) {
        for (int i = 0; i < bytes.length; i += chunk) {
            conv.feed(dir, 1_000_000 + i, bytes, i, Math.min(chunk, bytes.length - i));
        }
    }

    @Test
    void decodesAWholeSessionFromBothStreams() {
        byte[][] s = session();
        RecordingSink sink = run(s[0], s[1], Integer.MAX_VALUE);

        HandshakeEvent h = sink.of(HandshakeEvent.class).get(0);
        assertThat(h.url()).isEqualTo("ws://server.example.com/chat");
        assertThat(h.result().valid()).isTrue();
        assertThat(h.result().subprotocol()).isEqualTo("chat");
        assertThat(h.result().deflate()).isEqualTo(new DeflateParams(false, true, DeflateParams.ABSENT, DeflateParams.ABSENT));

        List<MessageEvent> messages = sink.of(MessageEvent.class);
        assertThat(messages).extracting(m -> m.dir().id() + ":" + (m.message().isText() ? m.message().text()
                : HexFormat.of().formatHex(m.message().payload())))
                .containsExactly("c2s:Hello", "c2s:compressed hello", "s2c:Hello", "s2c:010203010203010203");
        assertThat(messages.get(1).message().compressed()).isTrue();
        assertThat(messages.get(3).message().compressed()).isTrue();

        List<FrameEvent> frames = sink.of(FrameEvent.class);
        assertThat(frames).hasSize(8);
        assertThat(frames).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        // seq is wire order across both directions: the c2s stream was fed first
        assertThat(frames).extracting(FrameEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        CloseEvent close = sink.of(CloseEvent.class).get(0);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("bye");
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();
        assertThat(close.onWire()).isTrue();
        assertThat(sink.of(ErrorEvent.class)).isEmpty();
    }

    @Test
    void anyChunkingGivesTheSameEvents() {
        byte[][] s = session();
        String whole = json(run(s[0], s[1], Integer.MAX_VALUE));
        for (int chunk : new int[] {1, 2, 3, 7, 64}) {
            assertThat(json(run(s[0], s[1], chunk))).as("chunk %d", chunk)
                    .isEqualTo(whole.replaceAll("\"t\":[0-9.]+", "T"));
        }
    }

    private static String json(RecordingSink sink) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink json = new JsonLinesSink(out, false);
        sink.events.forEach(json::accept);
        json.flush();
        // times depend on which chunk completed an event; everything else must match
        return out.toString(StandardCharsets.UTF_8).replaceAll("\"t\":[0-9.]+", "T");
    }

    @Test
    void framesSentBeforeTheResponseAreDecodedOnceTheServerUpgrades() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        conv.feed(Direction.C2S, 1, concat(request(""), frame(Opcode.TEXT, "early", true)));
        assertThat(sink.events).isEmpty();
        conv.feed(Direction.S2C, 2, response101(""));
        assertThat(sink.of(MessageEvent.class)).extracting(m -> m.message().text()).containsExactly("early");
    }

    @Test
    void moreBeforeTheResponseThanIsKeptIsReportedAndThatDirectionIsNotDecoded() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        byte[] big = new byte[40_000];
        Arrays.fill(big, (byte) 'x');
        byte[] frame = frame(Opcode.TEXT, new String(big, StandardCharsets.US_ASCII), true);
        conv.feed(Direction.C2S, 1, request(""));
        int sent = 0;
        while (sent <= (1 << 20)) {
            conv.feed(Direction.C2S, 2, frame);
            sent += frame.length;
        }
        conv.feed(Direction.S2C, 3, concat(response101(""), frame(Opcode.TEXT, "after", false)));
        conv.feed(Direction.C2S, 4, frame(Opcode.TEXT, "later", true));
        long dropped = sent - (1 << 20);
        assertThat(sink.of(ErrorEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("input");
            assertThat(e.message()).startsWith("c2s: the client sent more than 1048576 bytes before the server answered")
                    .contains(dropped + " of them were not kept");
        });
        assertThat(sink.of(MessageEvent.class)).extracting(m -> m.dir().id() + ":" + m.message().text())
                .containsExactly("s2c:after");
    }

    /**
     * A source that keeps the bytes it fed (the fault relay) finds each frame in them at
     * webSocketStart + offset; the s2c start is already known while the handshake event is handled,
     * before the frames that follow the head in the same chunk are reported.
     */
    @Test
    void webSocketStartTellsWhereEachDirectionsFramesBeginInTheBytesFed() {
        byte[] req = request("");
        byte[] resp = response101("");
        byte[] c2s = concat(req, frame(Opcode.TEXT, "early", true), frame(Opcode.PING, "p", true));
        byte[] s2c = concat(resp, frame(Opcode.TEXT, "hello", false), frame(Opcode.BINARY, "bin", false));
        for (int chunk : new int[] {1, 3, 7, Integer.MAX_VALUE}) {
            long[] atHandshake = new long[2];
            RecordingSink sink = new RecordingSink();
            Conversation[] conv = new Conversation[1];
            conv[0] = new Conversation("1", event -> {
                if (event instanceof HandshakeEvent) {
                    atHandshake[0] = conv[0].webSocketStart(Direction.C2S);
                    atHandshake[1] = conv[0].webSocketStart(Direction.S2C);
                }
                sink.accept(event);
            });
            assertThat(conv[0].webSocketStart(Direction.C2S)).isEqualTo(-1);
            feed(conv[0], Direction.C2S, c2s, chunk);
            assertThat(conv[0].webSocketStart(Direction.C2S)).as("chunk %d", chunk).isEqualTo(req.length);
            assertThat(conv[0].webSocketStart(Direction.S2C)).isEqualTo(-1);
            feed(conv[0], Direction.S2C, s2c, chunk);

            assertThat(atHandshake).as("chunk %d", chunk).containsExactly(req.length, resp.length);
            List<FrameEvent> frames = sink.of(FrameEvent.class);
            assertThat(frames).hasSize(4);
            for (FrameEvent f : frames) {
                byte[] stream = f.dir() == Direction.C2S ? c2s : s2c;
                long start = conv[0].webSocketStart(f.dir()) + f.frame().offset();
                long end = start + f.frame().wireLength();
                assertThat(stream[(int) start] & 0x0F).as("%s chunk %d", f.frame(), chunk).isEqualTo(f.frame().opcode());
                assertThat(end).isLessThanOrEqualTo(stream.length);
            }
            FrameEvent last = frames.get(frames.size() - 1);
            assertThat(conv[0].webSocketStart(Direction.S2C) + last.frame().offset() + last.frame().wireLength())
                    .isEqualTo(s2c.length);
        }
    }

    @Test
    void webSocketStartIsZeroForRawFramesAndUnknownForAMalformedHead() {
        Conversation raw = new Conversation("1", new RecordingSink());
        raw.assumeWebSocket(null);
        assertThat(raw.webSocketStart(Direction.C2S)).isZero();
        assertThat(raw.webSocketStart(Direction.S2C)).isZero();

        Conversation bad = new Conversation("2", new RecordingSink());
        bad.feed(Direction.C2S, 1, request(""));
        bad.feed(Direction.S2C, 2, "no status line\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(bad.webSocketStart(Direction.S2C)).isEqualTo(-1);
        assertThat(bad.isWebSocket()).isFalse();
    }

    @Test
    void aRefusedUpgradeIsReportedAndItsBodyIsNotReadAsFrames() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        conv.feed(Direction.C2S, 1, request(""));
        conv.feed(Direction.S2C, 2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\u0081\u0000"
                .getBytes(StandardCharsets.ISO_8859_1));
        conv.end(3);
        HandshakeEvent h = sink.of(HandshakeEvent.class).get(0);
        assertThat(h.result().upgraded()).isFalse();
        assertThat(h.result().problems()).singleElement().asString()
                .contains("200 OK instead of 101").contains("plain HTTP");
        assertThat(sink.of(FrameEvent.class)).isEmpty();
        assertThat(sink.of(CloseEvent.class)).isEmpty();
    }

    @Test
    void aConnectionThatEndsWithoutACloseFrameIsAbnormal() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        conv.assumeWebSocket(null);
        conv.feed(Direction.S2C, 1, frame(Opcode.TEXT, "hi", false));
        conv.end(2);
        CloseEvent c = sink.of(CloseEvent.class).get(0);
        assertThat(c.code()).isEqualTo(1006);
        assertThat(c.codeName()).isEqualTo("Abnormal Closure");
        assertThat(c.onWire()).isFalse();
        assertThat(c.initiator()).isEqualTo("none");
        assertThat(c.clean()).isFalse();
    }

    @Test
    void aCloseFrameWithoutCodeIsReportedAs1005NotOnTheWire() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        conv.assumeWebSocket(null);
        conv.feed(Direction.S2C, 1, frame(Opcode.CLOSE, "", false));
        conv.feed(Direction.C2S, 2, frame(Opcode.CLOSE, "", true));
        CloseEvent c = sink.of(CloseEvent.class).get(0);
        assertThat(c.code()).isEqualTo(1005);
        assertThat(c.onWire()).isFalse();
        assertThat(c.initiator()).isEqualTo("server");
        assertThat(c.clean()).isTrue();
    }

    @Test
    void aStreamCutInsideAFrameKeepsTheFramesBeforeItAndReportsWhere() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink).reportMissingClose(false);
        conv.assumeWebSocket(null);
        byte[] first = frame(Opcode.TEXT, "complete", false);
        byte[] second = frame(Opcode.TEXT, "cut short", false);
        conv.feed(Direction.S2C, 1, concat(first, java.util.Arrays.copyOf(second, 5)));
        conv.end(2);
        assertThat(sink.of(MessageEvent.class)).extracting(m -> m.message().text()).containsExactly("complete");
        ErrorEvent e = sink.of(ErrorEvent.class).get(0);
        assertThat(e.kind()).isEqualTo("input");
        assertThat(e.message()).contains("3 of the frame's 9 payload bytes").contains("byte " + first.length);
        assertThat(sink.of(CloseEvent.class)).isEmpty();
    }

    @Test
    void aMessageAboveTheRetentionCapKeepsItsLengthAndHash() throws Exception {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink, 1000);
        conv.assumeWebSocket(null);
        byte[] big = new byte[70_000];
        new Random(1).nextBytes(big);
        conv.feed(Direction.S2C, 1, WRITER.encode(FrameSpec.of(Opcode.BINARY, big)));
        MessageEvent m = sink.of(MessageEvent.class).get(0);
        assertThat(m.message().length()).isEqualTo(70_000);
        assertThat(m.message().payload()).hasSize(1000).isEqualTo(java.util.Arrays.copyOf(big, 1000));
        assertThat(m.message().truncated()).isTrue();
        assertThat(m.message().sha256())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)));
    }

    @Test
    void garbageInsteadOfAnUpgradeIsAnErrorNotACrash() {
        RecordingSink sink = new RecordingSink();
        Conversation conv = new Conversation("1", sink);
        conv.feed(Direction.C2S, 1, "\u0016\u0003\u0001 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        conv.feed(Direction.S2C, 2, new byte[] {1, 2, 3});
        conv.end(3);
        assertThat(sink.of(ErrorEvent.class)).first().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("handshake");
            assertThat(e.message()).contains("not an HTTP request or status line");
        });
        assertThat(sink.of(FrameEvent.class)).isEmpty();
    }
}
