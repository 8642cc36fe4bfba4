package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Echo, fragmentation, pings, compression and subprotocols of {@code wsdebug serve}, observed by
 * three independent clients: python websockets, Node ws and the JDK's java.net.http, and checked
 * against what the server's own pipeline recorded.
 */
class ServeEchoInteropTest {
    private static final long WAIT_MILLIS = 5_000;
    private static final int MIB = 1 << 20;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** What a client should get back: kind, length and SHA-256 of the payload. */
    record Expected(String kind, byte[] data) {
        static Expected text(String s) {
            return new Expected("text", Payloads.utf8(s));
        }

        static Expected binary(byte[] b) {
            return new Expected("binary", b);
        }
    }

    private static void assertEchoes(PeerClient.Result r, List<Expected> expected) {
        List<JsonNode> got = r.messages();
        assertThat(got).as(r.describe()).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            Expected e = expected.get(i);
            JsonNode m = got.get(i);
            assertThat(m.path("kind").asText()).as("message %d kind", i).isEqualTo(e.kind());
            assertThat(m.path("len").asLong()).as("message %d length", i).isEqualTo(e.data().length);
            assertThat(m.path("sha256").asText()).as("message %d payload", i).isEqualTo(Payloads.sha256(e.data()));
        }
    }

    /** The server's recording: each c2s message echoed s2c with the same type and bytes. */
    private void assertServerEchoed(int count) {
        List<MessageEvent> in = server.recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.C2S, count, WAIT_MILLIS);
        List<MessageEvent> out = server.recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.S2C, count, WAIT_MILLIS);
        assertThat(in).hasSize(count);
        assertThat(out).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(out.get(i).message().opcode()).isEqualTo(in.get(i).message().opcode());
            assertThat(out.get(i).message().truncated()).isFalse();
            assertThat(out.get(i).message().payload()).isEqualTo(in.get(i).message().payload());
        }
    }

    // ---- echo of every message shape ---------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void echoesEveryMessageShapeUnchanged(Peer.Kind kind) throws Exception {
        server = TestServer.start();
        String unicode = "héllo wörld ✓ 🎉 ∑";
        byte[] someBytes = {0, (byte) 0xFF, 0x10, (byte) 0x80, 0x7F};
        int[] sizes = {125, 126, 65535, 65536};
        PeerClient.Plan plan = new PeerClient.Plan();
        List<Expected> expected = new ArrayList<>();
        plan.sendText("hello, wsdebug").recv();
        expected.add(Expected.text("hello, wsdebug"));
        plan.sendText(unicode).recv();
        expected.add(Expected.text(unicode));
        plan.sendBinary(someBytes).recv();
        expected.add(Expected.binary(someBytes));
        plan.sendText("").recv();
        expected.add(Expected.text(""));
        plan.sendBinary(0).recv();
        expected.add(Expected.binary(new byte[0]));
        for (int n : sizes) {
            plan.sendText(n).recv();
            expected.add(Expected.text(Payloads.text(n)));
            plan.sendBinary(n).recv();
            expected.add(Expected.binary(Payloads.binary(n)));
        }
        plan.sendBinary(MIB).recv();
        expected.add(Expected.binary(Payloads.binary(MIB)));
        plan.sendText(MIB).recv();
        expected.add(Expected.text(Payloads.text(MIB)));
        plan.close(1000, "done");

        // uncompressed, so that the sizes meet the frame length encodings on the wire
        PeerClient.Result r = PeerClient.run(kind, server.url("/echo"), plan, "--no-compress");

        assertEchoes(r, expected);
        assertThat(r.single("closed").path("code").asInt()).isEqualTo(1000);
        assertServerEchoed(expected.size());
        List<FrameEvent> out = server.recorder.dataFrames(Direction.S2C);
        assertThat(out).hasSize(expected.size()).allSatisfy(f -> {
            assertThat(f.frame().fin()).isTrue();
            assertThat(f.frame().masked()).isFalse();
            assertThat(f.frame().rsv1()).isFalse();
            assertThat(f.frame().violations()).isEmpty();
        });
        for (int i = 0; i < expected.size(); i++) {
            long len = expected.get(i).data().length;
            int encoding = len <= 125 ? 7 : len <= 65535 ? 16 : 64;
            assertThat(out.get(i).frame().payloadLength()).isEqualTo(len);
            assertThat(out.get(i).frame().lengthEncoding()).as("length field of a %d-byte echo", len).isEqualTo(encoding);
        }
        CloseEvent close = server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("done");
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();
        assertThat(server.recorder.handshake().url()).isEqualTo(server.url("/echo"));
        server.alarms.assertNone(kind + ", every message shape up to 1 MiB, uncompressed");
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void fragmentedClientMessagesAreReassembledAndEchoed(Peer.Kind kind) throws Exception {
        server = TestServer.start();
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(1000).fragments(4).recv()
                .sendBinary(70_000).fragments(3).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan, "--no-compress");

        assertEchoes(r, List.of(Expected.text(Payloads.text(1000)), Expected.binary(Payloads.binary(70_000))));
        assertServerEchoed(2);
        // python websockets ends a fragmented message with an empty final frame; node ws does not
        List<FrameEvent> in = server.recorder.dataFrames(Direction.C2S);
        assertThat(in).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        List<List<FrameEvent>> messages = splitMessages(in);
        assertThat(messages).hasSize(2);
        assertFragmented(messages.get(0), Opcode.TEXT, 4, 1000);
        assertFragmented(messages.get(1), Opcode.BINARY, 3, 70_000);
        assertThat(server.recorder.messages(Direction.C2S)).extracting(m -> m.message().frames())
                .containsExactly(messages.get(0).size(), messages.get(1).size());
        // the echo is one frame per message (no fragment knob)
        assertThat(server.recorder.messages(Direction.S2C)).extracting(m -> m.message().frames()).containsExactly(1, 1);
        server.alarms.assertNone(kind + ", fragmented messages");
    }

    /** Data frames grouped by message: each group ends with a final frame. */
    static List<List<FrameEvent>> splitMessages(List<FrameEvent> frames) {
        List<List<FrameEvent>> out = new ArrayList<>();
        List<FrameEvent> current = new ArrayList<>();
        for (FrameEvent f : frames) {
            current.add(f);
            if (f.frame().fin()) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        assertThat(current).as("frames after the last final frame").isEmpty();
        return out;
    }

    /** One message in frames: opcode then continuations, FIN on the last only, k non-empty fragments. */
    static void assertFragmented(List<FrameEvent> frames, int opcode, int k, long total) {
        assertThat(frames.get(0).frame().opcode()).isEqualTo(opcode);
        assertThat(frames.subList(1, frames.size())).allSatisfy(f -> assertThat(f.frame().opcode()).isEqualTo(Opcode.CONTINUATION));
        assertThat(frames.subList(0, frames.size() - 1)).allSatisfy(f -> assertThat(f.frame().fin()).isFalse());
        assertThat(frames.stream().filter(f -> f.frame().payloadLength() > 0).count()).isEqualTo(k);
        assertThat(frames.stream().mapToLong(f -> f.frame().payloadLength()).sum()).isEqualTo(total);
    }

    // ---- pings -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void pingsAreAnsweredWithIdenticalPayloads(Peer.Kind kind) throws Exception {
        server = TestServer.start();
        byte[] max = new byte[125];
        for (int i = 0; i < max.length; i++) {
            max[i] = (byte) (i * 7);
        }
        List<byte[]> payloads = List.of(new byte[0], new byte[] {1, 2, 3, 4}, Payloads.utf8("ping ✓"), max);
        PeerClient.Plan plan = new PeerClient.Plan();
        for (byte[] p : payloads) {
            plan.ping(p, 3);
        }
        plan.close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        // each client waits for the pong carrying its ping's payload
        assertThat(r.all("pong")).as(r.describe()).extracting(p -> p.path("hex").asText())
                .containsExactlyElementsOf(payloads.stream().map(Payloads::hex).toList());
        assertThat(r.all("pong_timeout")).isEmpty();
        List<FrameEvent> pings = server.recorder.frames(Direction.C2S, Opcode.PING);
        List<FrameEvent> pongs = server.recorder.frames(Direction.S2C, Opcode.PONG);
        assertThat(pings).hasSize(payloads.size());
        assertThat(pongs).hasSize(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(pongs.get(i).frame().controlPayload()).isEqualTo(pings.get(i).frame().controlPayload())
                    .isEqualTo(payloads.get(i));
            assertThat(pongs.get(i).seq()).as("pong %d follows its ping", i).isGreaterThan(pings.get(i).seq());
        }
        server.alarms.assertNone(kind + ", pings");
    }

    // ---- compression -----------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void compressionIsNegotiatedAndRepliesAreCompressed(Peer.Kind kind) throws Exception {
        server = TestServer.start();
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(10_000).recv()
                .sendBinary(5_000).recv()
                .sendText(3_000).fragments(3).recv()
                .sendText("tiny").recv()
                .sendText("").recv()
                .sendText(10_000).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        assertEchoes(r, List.of(Expected.text(Payloads.text(10_000)), Expected.binary(Payloads.binary(5_000)),
                Expected.text(Payloads.text(3_000)), Expected.text("tiny"), Expected.text(""),
                Expected.text(Payloads.text(10_000))));
        assertThat(r.single("open").path("extensions").asText()).startsWith("permessage-deflate");

        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.request().joined("Sec-WebSocket-Extensions")).contains("permessage-deflate");
        assertThat(hs.response().header("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
        assertThat(hs.result().deflate()).as("the server recorded deflate parameters in force").isNotNull();
        assertThat(hs.result().problems()).isEmpty();

        assertServerEchoed(6);
        List<MessageEvent> out = server.recorder.messages(Direction.S2C);
        assertThat(out).allSatisfy(m -> assertThat(m.message().compressed()).isTrue());
        assertThat(out.get(0).message().wireLength()).as("10000 letters compress").isLessThan(1_000);
        // RSV1 on the first (here: only) frame of every echoed message, and nothing broke a rule
        assertThat(server.recorder.dataFrames(Direction.S2C)).hasSize(6).allSatisfy(f -> {
            assertThat(f.frame().rsv1()).isTrue();
            assertThat(f.frame().violations()).isEmpty();
        });
        assertThat(server.recorder.dataFrames(Direction.C2S)).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        server.alarms.assertNone(kind + ", compression on");
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void noCompressRefusesDeflate(Peer.Kind kind) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.compress = false;
        server = TestServer.start(opts);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(10_000).recv()
                .sendBinary(300).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        assertEchoes(r, List.of(Expected.text(Payloads.text(10_000)), Expected.binary(Payloads.binary(300))));
        assertThat(r.single("open").path("extensions").isNull()).as("client saw no extension: %s", r.describe()).isTrue();
        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.request().joined("Sec-WebSocket-Extensions")).as("the client did offer it").contains("permessage-deflate");
        assertThat(hs.response().header("Sec-WebSocket-Extensions")).isNull();
        assertThat(hs.result().deflate()).isNull();
        assertServerEchoed(2);
        assertThat(server.recorder.dataFrames(Direction.S2C)).allSatisfy(f -> assertThat(f.frame().rsv1()).isFalse());
        assertThat(server.recorder.dataFrames(Direction.C2S)).allSatisfy(f -> assertThat(f.frame().rsv1()).isFalse());
        assertThat(server.recorder.messages(Direction.S2C).get(0).message().wireLength()).isEqualTo(10_000);
        server.alarms.assertNone(kind + ", compression refused by the server");
    }

    // ---- subprotocols ----------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void subprotocolIsTheFirstOfferedThatTheServerSpeaks(Peer.Kind kind) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.subprotocols = List.of("chat.v2", "chat.v1");
        server = TestServer.start(opts);
        PeerClient.Plan plan = new PeerClient.Plan().sendText("hi").recv().close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan,
                "--subprotocol", "chat.v0", "--subprotocol", "chat.v1", "--subprotocol", "chat.v2");

        assertThat(r.single("open").path("subprotocol").asText()).as(r.describe()).isEqualTo("chat.v1");
        assertEchoes(r, List.of(Expected.text("hi")));
        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.request().joined("Sec-WebSocket-Protocol")).contains("chat.v0").contains("chat.v2");
        assertThat(hs.result().subprotocol()).isEqualTo("chat.v1");
        assertThat(hs.result().problems()).isEmpty();
        server.alarms.assertNone(kind + ", subprotocol chosen");
    }

    @Test
    void noSubprotocolWhenTheServerSpeaksNoneOfTheOffered() throws Exception {
        // no alarms check here: the client offering only protocols the server does not speak is what
        // the analysis rightly warns about (subprotocol-mismatch)
        ServerOptions opts = new ServerOptions();
        opts.subprotocols = List.of("chat.v2");
        server = TestServer.start(opts);
        PeerClient.Plan plan = new PeerClient.Plan().sendText("hi").recv().close(1000, "");
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/"), plan,
                "--subprotocol", "mqtt", "--subprotocol", "chat.v1");

        assertThat(r.single("open").path("subprotocol").isNull()).as(r.describe()).isTrue();
        assertEchoes(r, List.of(Expected.text("hi")));
        assertThat(server.recorder.handshake().response().header("Sec-WebSocket-Protocol")).isNull();
    }

    // ---- the JDK client ----------------------------------------------------------------------

    @Test
    void jdkClientEchoesFragmentsPingsAndSubprotocol() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.subprotocols = List.of("chat.v2", "chat.v1");
        server = TestServer.start(opts);
        HttpClient http = HttpClient.newHttpClient();
        String unicode = "héllo ✓ 🎉";
        List<Expected> expected = new ArrayList<>();
        try (JdkPeer c = JdkPeer.connect(http, server.url("/jdk"), "chat.v0", "chat.v1", "chat.v2")) {
            assertThat(c.subprotocol()).isEqualTo("chat.v1");

            c.sendText(unicode, true);
            expected.add(Expected.text(unicode));
            c.sendText("", true);
            expected.add(Expected.text(""));
            c.sendBinary(new byte[0], true);
            expected.add(Expected.binary(new byte[0]));
            for (int n : new int[] {125, 126, 65535, 65536, MIB}) {
                c.sendText(Payloads.text(n), true);
                expected.add(Expected.text(Payloads.text(n)));
                c.sendBinary(Payloads.binary(n), true);
                expected.add(Expected.binary(Payloads.binary(n)));
            }
            // fragmented by the client
            String big = Payloads.text(3000);
            c.sendText(big.substring(0, 1000), false);
            c.sendText(big.substring(1000, 2000), false);
            c.sendText(big.substring(2000), true);
            expected.add(Expected.text(big));
            byte[] bin = Payloads.binary(5000);
            c.sendBinary(java.util.Arrays.copyOfRange(bin, 0, 2500), false);
            c.sendBinary(java.util.Arrays.copyOfRange(bin, 2500, 5000), true);
            expected.add(Expected.binary(bin));

            for (Expected e : expected) {
                byte[] got = e.kind().equals("text")
                        ? Payloads.utf8(c.next(JdkPeer.Text.class).text())
                        : c.next(JdkPeer.Binary.class).data();
                assertThat(Payloads.sha256(got)).as("echo of a %d-byte %s message", e.data().length, e.kind())
                        .isEqualTo(Payloads.sha256(e.data()));
            }

            byte[] pingData = Payloads.utf8("jdk-ping ✓");
            c.ping(pingData);
            assertThat(c.next(JdkPeer.Pong.class).data()).isEqualTo(pingData);

            c.sendClose(1000, "jdk done");
            JdkPeer.Closed closed = c.next(JdkPeer.Closed.class);
            assertThat(closed.code()).isEqualTo(1000);
        }
        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.result().subprotocol()).isEqualTo("chat.v1");
        assertThat(hs.result().deflate()).as("the JDK client offers no compression").isNull();
        assertServerEchoed(expected.size());
        List<FrameEvent> in = server.recorder.dataFrames(Direction.C2S);
        assertThat(in).extracting(f -> f.frame().opcode()).containsSubsequence(
                Opcode.TEXT, Opcode.CONTINUATION, Opcode.CONTINUATION, Opcode.BINARY, Opcode.CONTINUATION);
        assertThat(server.recorder.messages(Direction.C2S)).extracting(m -> m.message().frames()).endsWith(3, 2);
        assertThat(server.recorder.frames(Direction.S2C, Opcode.PONG)).singleElement()
                .satisfies(f -> assertThat(f.frame().controlPayload()).isEqualTo(Payloads.utf8("jdk-ping ✓")));
        CloseEvent close = server.recorder.await(CloseEvent.class, x -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("jdk done");
        assertThat(close.clean()).isTrue();
        server.alarms.assertNone("JDK HttpClient, fragments, pings, 1 MiB messages");
    }
}
