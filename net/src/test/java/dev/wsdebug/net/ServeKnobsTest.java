package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every misbehaviour knob of {@code wsdebug serve}, observed from real clients (python websockets,
 * and Node ws where it shows something python does not) and from the server's own recording.
 */
class ServeKnobsTest {
    private static final long WAIT_MILLIS = 5_000;
    private static final Peer.Kind PY = Peer.Kind.PYTHON_WEBSOCKETS;
    private static final Peer.Kind NODE = Peer.Kind.NODE_WS;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(ServerOptions opts) throws Exception {
        server = TestServer.start(opts);
        return server;
    }

    private static List<String> texts(PeerClient.Result r) {
        return r.messages().stream().map(m -> m.path("text").asText()).toList();
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void dropAfterEndsTheConnectionWithoutACloseFrame(Peer.Kind kind) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.dropAfter = 2;
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText("one").recv()
                .sendText("two").recv()
                .sendText("three").waitClosed(3);
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        assertThat(texts(r)).as(r.describe()).containsExactly("one", "two");
        JsonNode closed = r.single("closed");
        assertThat(closed.path("code").asInt()).as(r.describe()).isEqualTo(CloseCodes.ABNORMAL);
        if (kind == PY) {
            assertThat(closed.path("close_frame_received").asBoolean()).isFalse();
        }
        CloseEvent close = server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(CloseCodes.ABNORMAL);
        assertThat(close.initiator()).isEqualTo("none");
        assertThat(close.onWire()).isFalse();
        assertThat(server.recorder.frames(Direction.S2C, Opcode.CLOSE)).isEmpty();
        assertThat(server.recorder.messages(Direction.S2C)).hasSize(2);
    }

    @Test
    void noPongLeavesPingsUnansweredWhileEchoStillWorks() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.noPong = true;
        start(opts);
        byte[] ping = "are you there".getBytes(StandardCharsets.US_ASCII);
        PeerClient.Plan plan = new PeerClient.Plan()
                .ping(ping, 1.5)
                .sendText("still echoing").recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), plan);

        assertThat(r.single("pong_timeout").path("hex").asText()).isEqualTo(Payloads.hex(ping));
        assertThat(r.all("pong")).isEmpty();
        assertThat(texts(r)).containsExactly("still echoing");
        server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(server.recorder.frames(Direction.C2S, Opcode.PING)).hasSize(1);
        assertThat(server.recorder.frames(Direction.S2C, Opcode.PONG)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 200})
    void rejectAnswersWithTheStatusPython(int status) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.reject = status;
        start(opts);
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), new PeerClient.Plan().sendText("x").recv());

        JsonNode error = r.single("connect_error");
        assertThat(error.path("error").asText()).as(r.describe()).isEqualTo("InvalidStatusCode");
        assertThat(error.path("status").asInt()).isEqualTo(status);
        assertThat(r.all("open")).isEmpty();
        HandshakeEvent hs = server.recorder.await(HandshakeEvent.class, h -> h.response() != null, WAIT_MILLIS);
        assertThat(hs.response().status()).isEqualTo(status);
        assertThat(hs.result().upgraded()).isFalse();
        assertThat(server.recorder.of(FrameEvent.class)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 200, 302})
    void rejectAnswersWithTheStatusNode(int status) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.reject = status;
        start(opts);
        PeerClient.Result r = PeerClient.run(NODE, server.url("/"), new PeerClient.Plan().sendText("x").recv());

        JsonNode error = r.single("connect_error");
        assertThat(error.path("status").asInt()).as(r.describe()).isEqualTo(status);
        assertThat(r.all("open")).isEmpty();
        HandshakeEvent hs = server.recorder.await(HandshakeEvent.class, h -> h.response() != null, WAIT_MILLIS);
        assertThat(hs.response().status()).isEqualTo(status);
        if (status == 302) {
            assertThat(hs.response().header("Location")).isEqualTo("/moved");
        }
    }

    @Test
    void rejectAndBadAcceptAreRefusedByTheJdkClient() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        ServerOptions opts = new ServerOptions();
        opts.reject = 403;
        start(opts);
        Throwable refused = catchThrowable(() -> JdkPeer.connect(http, server.url("/")).close());
        assertThat(refused).isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(refused.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        assertThat(((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse().statusCode())
                .isEqualTo(403);
        server.close();

        ServerOptions bad = new ServerOptions();
        bad.badAccept = true;
        start(bad);
        Throwable wrongAccept = catchThrowable(() -> JdkPeer.connect(http, server.url("/")).close());
        assertThat(wrongAccept).isInstanceOf(java.util.concurrent.ExecutionException.class);
        // the server did switch protocols; the JDK refuses the 101 because of its accept value
        assertThat(wrongAccept.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        assertThat(((java.net.http.WebSocketHandshakeException) wrongAccept.getCause()).getResponse().statusCode())
                .isEqualTo(101);
        StringBuilder chain = new StringBuilder();
        for (Throwable t = wrongAccept; t != null; t = t.getCause()) {
            chain.append(t).append('\n');
        }
        assertThat(chain.toString()).containsIgnoringCase("Sec-WebSocket-Accept");
        HandshakeEvent hs = server.recorder.await(HandshakeEvent.class, h -> h.response() != null, WAIT_MILLIS);
        assertThat(hs.result().acceptValid()).isFalse();
    }

    /** python websockets follows a redirect, to the same server, which redirects again, until it gives up. */
    @Test
    void reject302IsFollowedByPythonUntilItGivesUp() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.reject = 302;
        start(opts);
        PeerClient.Result r = PeerClient.run(PY, server.url("/start"), new PeerClient.Plan().sendText("x").recv());

        JsonNode error = r.single("connect_error");
        assertThat(error.path("message").asText()).as(r.describe()).containsIgnoringCase("redirect");
        List<HandshakeEvent> hs = server.recorder.awaitCount(HandshakeEvent.class, h -> h.response() != null, 2, WAIT_MILLIS);
        assertThat(hs).allSatisfy(h -> {
            assertThat(h.response().status()).isEqualTo(302);
            assertThat(h.response().header("Location")).isEqualTo("/moved");
        });
        assertThat(hs.get(0).url()).endsWith("/start");
        assertThat(hs.get(1).url()).as("the client followed Location").endsWith("/moved");
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void badAcceptIsRefusedByTheClient(Peer.Kind kind) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.badAccept = true;
        start(opts);
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), new PeerClient.Plan().sendText("x").recv());

        JsonNode error = r.single("connect_error");
        if (kind == PY) {
            assertThat(error.path("error").asText()).as(r.describe()).isIn("InvalidHeaderValue", "InvalidHandshake");
        }
        assertThat(error.path("message").asText()).as(r.describe()).containsIgnoringCase("Sec-WebSocket-Accept");
        assertThat(r.all("open")).isEmpty();
        HandshakeEvent hs = server.recorder.await(HandshakeEvent.class, h -> h.response() != null, WAIT_MILLIS);
        assertThat(hs.result().upgraded()).isTrue();
        assertThat(hs.result().acceptValid()).isFalse();
        assertThat(hs.result().actualAccept()).isNotEqualTo(hs.result().expectedAccept());
        assertThat(hs.result().problems()).isNotEmpty();
    }

    @Test
    void closeAfterSendsTheChosenCodeAndReasonPython() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.closeAfter = 2;
        opts.closeCode = 4001;
        opts.closeReason = "done here ✓";
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText("one").recv()
                .sendText("two").recv()
                .waitClosed(3);
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), plan);

        assertThat(texts(r)).containsExactly("one", "two");
        JsonNode closed = r.single("closed");
        assertThat(closed.path("code").asInt()).as(r.describe()).isEqualTo(4001);
        assertThat(closed.path("reason").asText()).isEqualTo("done here ✓");
        assertThat(closed.path("close_frame_received").asBoolean()).isTrue();
        CloseEvent close = server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(4001);
        assertThat(close.reason()).isEqualTo("done here ✓");
        assertThat(close.initiator()).isEqualTo("server");
        assertThat(close.clean()).as("the client answered the close").isTrue();
    }

    @Test
    void closeAfterSendsTheChosenCodeAndReasonNode() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.closeAfter = 1;
        opts.closeCode = 1001;
        opts.closeReason = "going away";
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan().sendText("one").recv().waitClosed(3);
        PeerClient.Result r = PeerClient.run(NODE, server.url("/"), plan);

        assertThat(texts(r)).containsExactly("one");
        JsonNode closed = r.single("closed");
        assertThat(closed.path("code").asInt()).as(r.describe()).isEqualTo(1001);
        assertThat(closed.path("reason").asText()).isEqualTo("going away");
        CloseEvent close = server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(1001);
        assertThat(close.clean()).isTrue();
    }

    @Test
    void fragmentSplitsRepliesIntoFramesOfAtMostN() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.fragment = 10;
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(35).recv()
                .sendBinary(25).recv()
                .sendText("short").recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), plan, "--no-compress");

        assertThat(r.messages()).extracting(m -> m.path("sha256").asText()).containsExactly(
                Payloads.sha256(Payloads.utf8(Payloads.text(35))), Payloads.sha256(Payloads.binary(25)),
                Payloads.sha256(Payloads.utf8("short")));
        List<FrameEvent> out = server.recorder.dataFrames(Direction.S2C);
        assertThat(out).extracting(f -> f.frame().opcode()).containsExactly(
                Opcode.TEXT, Opcode.CONTINUATION, Opcode.CONTINUATION, Opcode.CONTINUATION,
                Opcode.BINARY, Opcode.CONTINUATION, Opcode.CONTINUATION,
                Opcode.TEXT);
        assertThat(out).extracting(f -> f.frame().payloadLength()).containsExactly(10L, 10L, 10L, 5L, 10L, 10L, 5L, 5L);
        assertThat(out).extracting(f -> f.frame().fin()).containsExactly(false, false, false, true, false, false, true, true);
        assertThat(out).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        assertThat(server.recorder.messages(Direction.S2C)).extracting(m -> m.message().frames()).containsExactly(4, 3, 1);
        server.alarms.assertNone("python websockets, server replies in 10-byte frames");
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void fragmentOfACompressedReplySetsRsv1OnTheFirstFrameOnly(Peer.Kind kind) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.fragment = 8;
        start(opts);
        byte[] noisy = new byte[400];
        new java.util.Random(42).nextBytes(noisy);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(2000).recv()
                .sendBinary(noisy).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("sha256").asText()).containsExactly(
                Payloads.sha256(Payloads.utf8(Payloads.text(2000))), Payloads.sha256(noisy));
        assertThat(server.recorder.handshake().result().deflate()).isNotNull();
        List<List<FrameEvent>> messages = ServeEchoInteropTest.splitMessages(server.recorder.dataFrames(Direction.S2C));
        assertThat(messages).hasSize(2).allSatisfy(frames -> {
            assertThat(frames.size()).isGreaterThan(1);
            assertThat(frames.get(0).frame().rsv1()).isTrue();
            assertThat(frames.subList(1, frames.size())).allSatisfy(f -> {
                assertThat(f.frame().opcode()).isEqualTo(Opcode.CONTINUATION);
                assertThat(f.frame().rsv1()).isFalse();
            });
            assertThat(frames).allSatisfy(f -> {
                assertThat(f.frame().payloadLength()).isLessThanOrEqualTo(8);
                assertThat(f.frame().violations()).isEmpty();
            });
        });
        server.alarms.assertNone(kind + ", compressed server replies in 8-byte frames");
    }

    @Test
    void delayShiftsEveryReply() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.delayMs = 300;
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText("first").recv()
                .sendText("second").recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), plan);

        assertThat(texts(r)).containsExactly("first", "second");
        assertThat(r.messages()).allSatisfy(m ->
                assertThat(m.path("elapsed_ms").asDouble()).as("client-side wait").isGreaterThanOrEqualTo(300.0));
        List<MessageEvent> in = server.recorder.messages(Direction.C2S);
        List<MessageEvent> out = server.recorder.messages(Direction.S2C);
        assertThat(out).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(out.get(i).timeMicros() - in.get(i).timeMicros()).as("server-side delay of reply %d", i)
                    .isGreaterThanOrEqualTo(300_000L);
        }
    }

    @Test
    void pingIntervalSendsPingsThePythonClientAnswers() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.pingInterval = 0.2;
        start(opts);
        PeerClient.Result r = PeerClient.run(PY, server.url("/"), new PeerClient.Plan().sleep(900).close(1000, ""));

        assertThat(r.single("closed").path("code").asInt()).isEqualTo(1000);
        server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        List<FrameEvent> pings = server.recorder.frames(Direction.S2C, Opcode.PING);
        List<FrameEvent> pongs = server.recorder.frames(Direction.C2S, Opcode.PONG);
        assertThat(pings.size()).as(server.recorder.dump()).isGreaterThanOrEqualTo(2);
        assertThat(new String(pings.get(0).frame().controlPayload(), StandardCharsets.US_ASCII)).isEqualTo("ping 1");
        assertThat(new String(pings.get(1).frame().controlPayload(), StandardCharsets.US_ASCII)).isEqualTo("ping 2");
        assertThat(pongs).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(pongs.get(i).frame().controlPayload()).isEqualTo(pings.get(i).frame().controlPayload());
        }
        server.alarms.assertNone("python websockets, server pings every 0.2 s");
    }

    @Test
    void pingIntervalPingsAreSeenByTheNodeClient() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.pingInterval = 0.2;
        start(opts);
        PeerClient.Result r = PeerClient.run(NODE, server.url("/"), new PeerClient.Plan().sleep(900).close(1000, ""));

        List<String> pings = r.all("ping").stream().map(p -> p.path("hex").asText()).toList();
        assertThat(pings.size()).as(r.describe()).isGreaterThanOrEqualTo(2);
        assertThat(pings.subList(0, 2)).containsExactly(
                Payloads.hex("ping 1".getBytes(StandardCharsets.US_ASCII)),
                Payloads.hex("ping 2".getBytes(StandardCharsets.US_ASCII)));
        server.alarms.assertNone("node ws, server pings every 0.2 s");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void maxMessageClosesWith1009(boolean compress) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.maxMessage = 1000;
        start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(1000).recv()
                .sendText(1001).waitClosed(3);
        PeerClient.Result r = compress
                ? PeerClient.run(PY, server.url("/"), plan)
                : PeerClient.run(PY, server.url("/"), plan, "--no-compress");

        assertThat(r.messages()).as(r.describe()).singleElement()
                .satisfies(m -> assertThat(m.path("len").asInt()).isEqualTo(1000));
        JsonNode closed = r.single("closed");
        assertThat(closed.path("code").asInt()).as(r.describe()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        CloseEvent close = server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(close.initiator()).isEqualTo("server");
        assertThat(server.recorder.messages(Direction.S2C)).hasSize(1);
    }

    @Test
    void maxMessageCountsTheWholeFragmentedMessage() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.maxMessage = 1000;
        start(opts);
        // every fragment is small, the message is not
        PeerClient.Plan plan = new PeerClient.Plan().sendText(1500).fragments(5).waitClosed(3);
        PeerClient.Result r = PeerClient.run(NODE, server.url("/"), plan, "--no-compress");

        assertThat(r.messages()).as(r.describe()).isEmpty();
        assertThat(r.single("closed").path("code").asInt()).as(r.describe()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }
}
