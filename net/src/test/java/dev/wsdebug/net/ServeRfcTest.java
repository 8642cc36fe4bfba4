package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 as a server, driven by a client written by hand over a plain socket, so that frames can
 * break the protocol in exactly one way each.
 */
class ServeRfcTest {
    private static final int CLOSE_WAIT_MILLIS = 3_000;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static FrameSpec masked(FrameSpec spec) {
        return spec.withMask(0x1badb002);
    }

    static Stream<Arguments> protocolViolations() {
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
                Arguments.of("unmasked text frame", FrameSpec.of(Opcode.TEXT, hello),
                        CloseCodes.PROTOCOL_ERROR, Rule.CLIENT_FRAME_NOT_MASKED.id()),
                Arguments.of("reserved data opcode 0x3", masked(FrameSpec.of(0x3, hello)),
                        CloseCodes.PROTOCOL_ERROR, Rule.RESERVED_OPCODE.id()),
                Arguments.of("reserved control opcode 0xB", masked(FrameSpec.of(0xB, hello)),
                        CloseCodes.PROTOCOL_ERROR, Rule.RESERVED_OPCODE.id()),
                Arguments.of("RSV2 without an extension", masked(FrameSpec.of(Opcode.TEXT, hello).withRsv(false, true, false)),
                        CloseCodes.PROTOCOL_ERROR, Rule.RESERVED_BIT.id()),
                Arguments.of("RSV1 without permessage-deflate", masked(FrameSpec.of(Opcode.TEXT, hello).withRsv(true, false, false)),
                        CloseCodes.PROTOCOL_ERROR, Rule.RESERVED_BIT.id()),
                Arguments.of("continuation without a message", masked(FrameSpec.of(Opcode.CONTINUATION, hello)),
                        CloseCodes.PROTOCOL_ERROR, Rule.CONTINUATION_WITHOUT_MESSAGE.id()),
                Arguments.of("fragmented ping", masked(FrameSpec.of(Opcode.PING, hello).withFin(false)),
                        CloseCodes.PROTOCOL_ERROR, Rule.FRAGMENTED_CONTROL_FRAME.id()),
                Arguments.of("ping of 126 bytes", masked(FrameSpec.of(Opcode.PING, new byte[126])),
                        CloseCodes.PROTOCOL_ERROR, Rule.CONTROL_FRAME_TOO_LONG.id()),
                Arguments.of("text with invalid UTF-8", masked(FrameSpec.of(Opcode.TEXT, new byte[] {'o', 'k', (byte) 0xC3, 0x28})),
                        CloseCodes.INVALID_PAYLOAD, Rule.TEXT_INVALID_UTF8.id()),
                Arguments.of("text with a UTF-16 surrogate", masked(FrameSpec.of(Opcode.TEXT, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})),
                        CloseCodes.INVALID_PAYLOAD, Rule.TEXT_INVALID_UTF8.id()));
    }

    @ParameterizedTest(name = "{0} -> close {2}")
    @MethodSource("protocolViolations")
    void aBrokenFrameFailsTheConnectionWithTheRightCode(String label, FrameSpec spec, int code, String rule)
            throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            c.send(spec);
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).as("the server answers %s with a close frame", label).isEqualTo(Opcode.CLOSE);
            assertThat(close.masked()).as("server frames are never masked").isFalse();
            assertThat(close.fin()).isTrue();
            assertThat(close.closeCode()).isEqualTo(code);
            assertThat(close.closeReason()).as("the reason names the broken rule").contains(rule);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).as("the server closes TCP after failing").isTrue();
        }
        CloseEvent recorded = server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(recorded.code()).isEqualTo(code);
        assertThat(recorded.initiator()).isEqualTo("server");
        FrameEvent offending = server.recorder.frames(Direction.C2S).get(0);
        assertThat(offending.frame().hasViolation(rule)).as("the server's recording flags %s", rule).isTrue();
    }

    @Test
    void closeWithACodeNotAllowedOnTheWireIsAnsweredWith1002() throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            c.sendMasked(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(CloseCodes.NO_STATUS_RECEIVED, "")));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            assertThat(close.closeReason()).contains(Rule.INVALID_CLOSE_CODE.id());
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
        // the client's close came first, so the recording reports it, as sent
        CloseEvent recorded = server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(recorded.initiator()).isEqualTo("client");
        assertThat(recorded.code()).isEqualTo(CloseCodes.NO_STATUS_RECEIVED);
        assertThat(server.recorder.frames(Direction.S2C, Opcode.CLOSE)).singleElement()
                .satisfies(f -> assertThat(f.frame().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR));
    }

    @Test
    void invalidUtf8SplitAcrossFragmentsIsCaughtToo() throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            // "é" is C3 A9; the second fragment continues it with a byte that is not a continuation byte
            c.sendMasked(new FrameSpec(false, false, false, false, Opcode.TEXT, null, 0, new byte[] {'a', (byte) 0xC3}));
            c.sendMasked(FrameSpec.of(Opcode.CONTINUATION, new byte[] {'b'}));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
    }

    @Test
    void pingGetsAPongWithTheIdenticalPayload() throws Exception {
        byte[] small = "raw-ping ✓".getBytes(StandardCharsets.UTF_8);
        byte[] max = new byte[125];
        for (int i = 0; i < max.length; i++) {
            max[i] = (byte) (255 - i);
        }
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            for (byte[] payload : List.of(small, new byte[0], max)) {
                c.sendMasked(FrameSpec.of(Opcode.PING, payload));
                RawSocketClient.ReadFrame pong = c.readFrame();
                assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
                assertThat(pong.fin()).isTrue();
                assertThat(pong.masked()).isFalse();
                assertThat(pong.payload()).isEqualTo(payload);
            }
            // a ping between the fragments of a message is answered at once, and the message still echoes
            c.sendMasked(new FrameSpec(false, false, false, false, Opcode.TEXT, null, 0, "frag-".getBytes(StandardCharsets.US_ASCII)));
            c.sendMasked(FrameSpec.of(Opcode.PING, small));
            RawSocketClient.ReadFrame pong = c.readFrame();
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            assertThat(pong.payload()).isEqualTo(small);
            c.sendMasked(FrameSpec.of(Opcode.CONTINUATION, "ment".getBytes(StandardCharsets.US_ASCII)));
            RawSocketClient.ReadFrame echo = c.readFrame();
            assertThat(echo.opcode()).isEqualTo(Opcode.TEXT);
            assertThat(echo.fin()).isTrue();
            assertThat(new String(echo.payload(), StandardCharsets.US_ASCII)).isEqualTo("frag-ment");
        }
    }

    @Test
    void closeIsEchoedThenTheServerClosesTcp() throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            c.sendMasked(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye now")));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.masked()).isFalse();
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).as("the server closes TCP first (RFC 6455 7.1.1)").isTrue();
        }
        CloseEvent recorded = server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(recorded.code()).isEqualTo(1000);
        assertThat(recorded.reason()).isEqualTo("bye now");
        assertThat(recorded.initiator()).isEqualTo("client");
        assertThat(recorded.clean()).isTrue();
        server.alarms.assertNone("hand-written client, close 1000 echoed");
    }

    @Test
    void closeWithoutStatusIsEchoedWithoutStatus() throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            c.sendMasked(FrameSpec.of(Opcode.CLOSE, new byte[0]));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.payload()).as("an empty close is answered with an empty close").isEmpty();
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
        CloseEvent recorded = server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(recorded.code()).isEqualTo(CloseCodes.NO_STATUS_RECEIVED);
        assertThat(recorded.clean()).isTrue();
        server.alarms.assertNone("hand-written client, close without status echoed");
    }

    /**
     * A client that sends its first frames in the same write as the upgrade request (which RFC 6455
     * 4.1 tells clients not to do) still gets the 101 first and then the echoes, in order.
     */
    @Test
    void framesPipelinedWithTheUpgradeAreEchoedAfterThe101() throws Exception {
        int port = server.port();
        FrameWriter w = new FrameWriter();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.writeBytes(c.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1));
            all.writeBytes(w.encode(FrameSpec.of(Opcode.TEXT, "early one".getBytes(StandardCharsets.US_ASCII)).withMask(7)));
            all.writeBytes(w.encode(FrameSpec.of(Opcode.PING, "early ping".getBytes(StandardCharsets.US_ASCII)).withMask(9)));
            all.writeBytes(w.encode(FrameSpec.of(Opcode.TEXT, "early two".getBytes(StandardCharsets.US_ASCII)).withMask(11)));
            c.write(all.toByteArray());

            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 101 ");
            assertThat(head).contains("Sec-WebSocket-Accept: " + RawSocketClient.acceptFor(c.key));
            RawSocketClient.ReadFrame one = c.readFrame();
            RawSocketClient.ReadFrame pong = c.readFrame();
            RawSocketClient.ReadFrame two = c.readFrame();
            assertThat(new String(one.payload(), StandardCharsets.US_ASCII)).isEqualTo("early one");
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("early ping");
            assertThat(new String(two.payload(), StandardCharsets.US_ASCII)).isEqualTo("early two");
        }
        // the recording shows the same order as the wire
        server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(server.recorder.frames(Direction.S2C)).extracting(f -> f.frame().opcode())
                .containsExactly(Opcode.TEXT, Opcode.PONG, Opcode.TEXT);
    }

    @Test
    void upgradeRequestArrivingInPiecesIsAnswered() throws Exception {
        int port = server.port();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            byte[] request = c.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1);
            int[] cuts = {0, 3, 20, request.length - 3, request.length - 1, request.length};
            for (int i = 0; i + 1 < cuts.length; i++) {
                c.write(Arrays.copyOfRange(request, cuts[i], cuts[i + 1]));
                Thread.sleep(30);
            }
            assertThat(c.readHead()).startsWith("HTTP/1.1 101 ");
            c.sendMasked(FrameSpec.of(Opcode.TEXT, "after pieces".getBytes(StandardCharsets.US_ASCII)));
            assertThat(new String(c.readFrame().payload(), StandardCharsets.US_ASCII)).isEqualTo("after pieces");
        }
    }

    @Test
    void malformedUpgradeGetsHttp400() throws Exception {
        int port = server.port();
        String noKey = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            c.write(noKey.getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 400 ");
            assertThat(head).doesNotContainIgnoringCase("Sec-WebSocket-Accept");
            int length = contentLength(head);
            String body = new String(c.readBytes(length), StandardCharsets.UTF_8);
            assertThat(body).containsIgnoringCase("Sec-WebSocket-Key");
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).as("the server closes the connection after a 400").isTrue();
        }
        var hs = server.recorder.await(dev.wsdebug.capture.HandshakeEvent.class, e -> e.response() != null, CLOSE_WAIT_MILLIS);
        assertThat(hs.response().status()).isEqualTo(400);
        assertThat(hs.result().upgraded()).isFalse();
        assertThat(server.recorder.of(FrameEvent.class)).isEmpty();
    }

    /**
     * RFC 6455 4.2.2 / 4.4: a version the server does not speak gets an HTTP error (such as 426)
     * and a Sec-WebSocket-Version header listing the versions it does speak.
     */
    @Test
    void upgradeWithAnotherVersionIsRefusedNamingVersion13() throws Exception {
        int port = server.port();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            String request = c.upgradeRequest(port).replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
            c.write(request.getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
            assertThat(head).doesNotContainIgnoringCase("Sec-WebSocket-Accept");
            assertThat(head).containsIgnoringCase("\r\nSec-WebSocket-Version: 13\r\n");
        }
    }

    @Test
    void aFailedConnectionGetsNothingButTheCloseFrame() throws Exception {
        try (RawSocketClient c = RawSocketClient.upgraded(server.port())) {
            c.send(FrameSpec.of(Opcode.TEXT, "unmasked".getBytes(StandardCharsets.US_ASCII)));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
        server.recorder.await(CloseEvent.class, e -> true, CLOSE_WAIT_MILLIS);
        assertThat(server.recorder.frames(Direction.S2C)).as("nothing but the one close frame went out")
                .extracting(f -> f.frame().opcode()).containsExactly(Opcode.CLOSE);
        assertThat(server.recorder.of(ErrorEvent.class)).isEmpty();
    }

    /** RFC 7692 7.2.1 by hand: raw DEFLATE, sync-flushed, without the trailing 00 00 FF FF. */
    static byte[] deflateRaw(byte[] data) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        byte[] buf = new byte[data.length + 64];
        int n = d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH);
        d.end();
        assertThat(Arrays.copyOfRange(buf, n - 4, n)).containsExactly(0, 0, 0xFF, 0xFF);
        return Arrays.copyOf(buf, n - 4);
    }

    private static RawSocketClient upgradedWithDeflate(int port) throws Exception {
        RawSocketClient c = RawSocketClient.connect(port);
        String request = c.upgradeRequest(port).replace("\r\n\r\n",
                "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        c.write(request.getBytes(StandardCharsets.ISO_8859_1));
        String head = c.readHead();
        assertThat(head).startsWith("HTTP/1.1 101 ").contains("Sec-WebSocket-Extensions: permessage-deflate");
        return c;
    }

    @Test
    void compressedMessagesFromAHandWrittenClientAreInflatedAndEchoedCompressed() throws Exception {
        try (RawSocketClient c = upgradedWithDeflate(server.port())) {
            byte[] text = "compressed by hand, compressed by hand, compressed by hand".getBytes(StandardCharsets.US_ASCII);
            c.sendMasked(FrameSpec.of(Opcode.TEXT, deflateRaw(text)).withRsv(true, false, false));
            RawSocketClient.ReadFrame echo = c.readFrame();
            assertThat(echo.opcode()).isEqualTo(Opcode.TEXT);
            assertThat(echo.rsv1()).as("the echo is compressed").isTrue();
            java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
            byte[] in = Arrays.copyOf(echo.payload(), echo.payload().length + 4);
            in[in.length - 2] = (byte) 0xFF;
            in[in.length - 1] = (byte) 0xFF;
            inf.setInput(in);
            byte[] out = new byte[1024];
            int n = inf.inflate(out);
            inf.end();
            assertThat(Arrays.copyOf(out, n)).isEqualTo(text);
        }
    }

    @Test
    void corruptDeflateDataFailsWith1007() throws Exception {
        try (RawSocketClient c = upgradedWithDeflate(server.port())) {
            // block type 3 does not exist: the first byte 0xFF cannot start a DEFLATE stream
            c.sendMasked(FrameSpec.of(Opcode.BINARY, new byte[] {(byte) 0xFF, 0x12, 0x34}).withRsv(true, false, false));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
    }

    @Test
    void compressedTextThatInflatesToInvalidUtf8FailsWith1007() throws Exception {
        try (RawSocketClient c = upgradedWithDeflate(server.port())) {
            c.sendMasked(FrameSpec.of(Opcode.TEXT, deflateRaw(new byte[] {'b', 'a', 'd', (byte) 0xFF, 'x'}))
                    .withRsv(true, false, false));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
    }

    @Test
    void rsv1OnAContinuationFrameFailsWith1002() throws Exception {
        try (RawSocketClient c = upgradedWithDeflate(server.port())) {
            byte[] z = deflateRaw("two frames".getBytes(StandardCharsets.US_ASCII));
            c.sendMasked(new FrameSpec(false, true, false, false, Opcode.TEXT, null, 0, Arrays.copyOf(z, 3)));
            c.sendMasked(new FrameSpec(true, true, false, false, Opcode.CONTINUATION, null, 0, Arrays.copyOfRange(z, 3, z.length)));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            assertThat(close.closeReason()).contains(Rule.RSV1_ON_CONTINUATION.id());
        }
    }

    @Test
    void headerNamesAndTokensAreCaseInsensitiveAndConnectionMayListMore() throws Exception {
        int port = server.port();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            String request = "GET /mixed HTTP/1.1\r\nhost: 127.0.0.1:" + port + "\r\nUPGRADE: WebSocket\r\n"
                    + "connection: keep-alive, Upgrade\r\nsec-websocket-key: " + c.key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            c.write(request.getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 101 ");
            assertThat(head).contains("Sec-WebSocket-Accept: " + RawSocketClient.acceptFor(c.key));
        }
    }

    /** RFC 6455 4.2.2: a handshake that is not valid HTTP still gets an HTTP error, not a silent close. */
    @Test
    void headerLineWithoutColonGetsHttp400() throws Exception {
        int port = server.port();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            String request = c.upgradeRequest(port).replace("Connection: Upgrade\r\n", "Connection Upgrade\r\n");
            c.write(request.getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 400 ");
            String body = new String(c.readBytes(contentLength(head)), StandardCharsets.UTF_8);
            assertThat(body).contains("Connection Upgrade");
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
    }

    @Test
    void headThatNeverEndsGetsHttp431() throws Exception {
        int port = server.port();
        try (RawSocketClient c = RawSocketClient.connect(port)) {
            // exactly as much as the server buffers for a head (64 KiB), without the blank line;
            // no more, so that the server has read everything when it closes (no reset)
            StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            while (b.length() < 64 * 1024) {
                b.append("X-Filler: ").append("f".repeat(1000)).append("\r\n");
            }
            b.setLength(64 * 1024);
            c.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 431 ");
            c.readBytes(contentLength(head));
            assertThat(c.closedByServer(CLOSE_WAIT_MILLIS)).isTrue();
        }
    }

    private static int contentLength(String head) {
        return Arrays.stream(head.split("\r\n"))
                .filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no Content-Length in\n" + head));
    }
}
