package dev.wsdebug.net;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate parameters (RFC 7692 7.1) that python websockets and Node ws put in their
 * offers: the server must accept them and then keep to them, which the clients check by decoding.
 */
class ServeDeflateParamsTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Letters in no pattern, deterministic. */
    private static String noise(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    static Stream<Arguments> offers() {
        List<Arguments> out = new ArrayList<>();
        for (Peer.Kind kind : Peer.Kind.values()) {
            out.add(Arguments.of(kind, List.of(), List.of()));
            out.add(Arguments.of(kind, List.of("--server-no-context-takeover"), List.of("server_no_context_takeover")));
            out.add(Arguments.of(kind, List.of("--client-no-context-takeover"), List.of("client_no_context_takeover")));
            out.add(Arguments.of(kind, List.of("--server-max-window-bits", "10"), List.of("server_max_window_bits=10")));
            out.add(Arguments.of(kind, List.of("--client-max-window-bits", "9"), List.of()));
            out.add(Arguments.of(kind, List.of("--server-no-context-takeover", "--client-no-context-takeover",
                    "--server-max-window-bits", "9"), List.of("server_no_context_takeover", "client_no_context_takeover",
                    "server_max_window_bits=9")));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("offers")
    void offeredParametersAreAcceptedAndKept(Peer.Kind kind, List<String> flags, List<String> inResponse) throws Exception {
        server = TestServer.start();
        String block = noise(2000, 7);
        // back-references 2000 bytes away: too far for a window of 2^9 or 2^10 bytes
        String repeated = block + block + block;
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(repeated).recv()
                .sendText(repeated).recv()
                .sendBinary(30_000).recv()
                .sendText("").recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan, flags.toArray(String[]::new));

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("sha256").asText()).containsExactly(
                Payloads.sha256(Payloads.utf8(repeated)), Payloads.sha256(Payloads.utf8(repeated)),
                Payloads.sha256(Payloads.binary(30_000)), Payloads.sha256(new byte[0]));
        assertThat(r.single("closed").path("code").asInt()).as(r.describe()).isEqualTo(1000);

        HandshakeEvent hs = server.recorder.handshake();
        String response = hs.response().header("Sec-WebSocket-Extensions");
        assertThat(response).startsWith("permessage-deflate");
        for (String p : inResponse) {
            assertThat(response).contains(p);
        }
        assertThat(hs.result().problems()).as("the server's answer fits the offer").isEmpty();
        assertThat(server.recorder.of(dev.wsdebug.capture.FrameEvent.class))
                .allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());

        List<MessageEvent> out = server.recorder.messages(Direction.S2C);
        assertThat(out).hasSize(4);
        if (flags.contains("--server-max-window-bits")) {
            // wsdebug's compressor only has a 2^15 window, so it must not compress at all
            assertThat(out).allSatisfy(m -> assertThat(m.message().compressed()).isFalse());
        } else {
            assertThat(out).allSatisfy(m -> assertThat(m.message().compressed()).isTrue());
            long first = out.get(0).message().wireLength();
            long second = out.get(1).message().wireLength();
            if (flags.contains("--server-no-context-takeover")) {
                assertThat(second).as("without context takeover the repeat compresses no better").isEqualTo(first);
            } else {
                assertThat(second).as("with context takeover the repeat refers back to the first").isLessThan(first / 4);
            }
        }
        server.alarms.assertNone(kind + ", permessage-deflate offer " + flags);
    }

    @ParameterizedTest
    @EnumSource(Peer.Kind.class)
    void compressedFragmentedClientMessagesAreInflated(Peer.Kind kind) throws Exception {
        server = TestServer.start();
        String text = noise(5000, 11) + noise(5000, 11);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(text).fragments(4).recv()
                .sendBinary(40_000).fragments(3).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(kind, server.url("/"), plan);

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("sha256").asText()).containsExactly(
                Payloads.sha256(Payloads.utf8(text)), Payloads.sha256(Payloads.binary(40_000)));
        List<MessageEvent> in = server.recorder.messages(Direction.C2S);
        assertThat(in).allSatisfy(m -> {
            assertThat(m.message().compressed()).isTrue();
            assertThat(m.message().frames()).isGreaterThanOrEqualTo(3);
            assertThat(m.message().violations()).isEmpty();
        });
        List<List<dev.wsdebug.capture.FrameEvent>> messages =
                ServeEchoInteropTest.splitMessages(server.recorder.dataFrames(Direction.C2S));
        assertThat(messages).hasSize(2).allSatisfy(frames -> {
            assertThat(frames.get(0).frame().rsv1()).isTrue();
            assertThat(frames.subList(1, frames.size())).allSatisfy(f -> assertThat(f.frame().rsv1()).isFalse());
        });
        server.alarms.assertNone(kind + ", compressed fragmented messages");
    }
}
