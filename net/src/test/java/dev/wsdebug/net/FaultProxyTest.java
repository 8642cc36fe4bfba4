package dev.wsdebug.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug proxy --fault}: the proxy in-process with rules, a python websockets echo server
 * as upstream, and a python websockets client (peers/fault_client.py) that reports what it saw.
 * Each case checks what the client observed and what the proxy's own capture recorded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyTest {
    private static final long CLIENT_TIMEOUT_MILLIS = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG = "the weather today is sunny and warm with a light breeze from the west";
    private static Peer echo;

    private final ServerRecorder recorder = new ServerRecorder();
    private final ByteArrayOutputStream jsonLines = new ByteArrayOutputStream();
    private WsProxy proxy;
    private InetSocketAddress proxyAddress;

    @BeforeAll
    static void startEcho() {
        echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--report-close");
    }

    @AfterAll
    static void stopEcho() {
        if (echo != null) {
            echo.close();
        }
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    // ---- connection-ending actions ----------------------------------------------------------

    @Test
    void closeSendsTheChosenCodeToBothSides() throws Exception {
        startProxy("dir=s2c after=1 close=4002:bye");
        Client c = run("/echo", new Plan().send("one").recv().send("two").waitClosed(5));

        assertThat(c.texts()).as(c.describe()).containsExactly("one");
        JsonNode closed = c.single("closed");
        assertThat(closed.path("code").asInt()).as(c.describe()).isEqualTo(4002);
        assertThat(closed.path("reason").asText()).isEqualTo("bye");
        assertThat(closed.path("close_frame_received").asBoolean()).isTrue();
        // the server got the same close frame, as if from the client
        awaitEchoOutput("CLOSE 4002 bye");
        // the capture: the injected frames both ways, marked, and a clean close with that code
        assertThat(faults()).anyMatch(m -> m.startsWith("injected: close 4002 \"bye\" sent to the client"))
                .anyMatch(m -> m.startsWith("injected: close 4002 \"bye\" sent to the server"));
        CloseEvent ce = recorder.await(CloseEvent.class, x -> true, 5_000);
        assertThat(ce.code()).isEqualTo(4002);
        assertThat(ce.clean()).isTrue();
        assertThat(recorder.frames(Direction.C2S, Opcode.CLOSE)).singleElement()
                .satisfies(f -> assertThat(f.frame().masked()).isTrue());
    }

    @Test
    void closeToTheClientOnlyDropsTheServerWithoutACloseFrame() throws Exception {
        startProxy("match=^bye close=4001:gone to=client");
        Client c = run("/only-client", new Plan().send("bye").waitClosed(5));

        assertThat(c.single("closed").path("code").asInt()).as(c.describe()).isEqualTo(4001);
        awaitEchoOutput("CLOSE 1006 ");
    }

    @Test
    void timerRuleClosesAnIdleConnection() throws Exception {
        startProxy("after-s=0.3 close=4003:late");
        Client c = run("/idle", new Plan().waitClosed(5));

        assertThat(c.single("closed").path("code").asInt()).as(c.describe()).isEqualTo(4003);
        assertThat(faults()).anyMatch(m -> m.contains("triggered by the timer (0.3 s after the upgrade)"));
    }

    @Test
    void resetAbortsWithoutCloseFrame() throws Exception {
        startProxy("match=boom reset");
        Client c = run("/reset", new Plan().send("hi").recv().send("boom").waitClosed(5));

        assertThat(c.texts()).containsExactly("hi");
        JsonNode closed = c.single("closed");
        assertThat(closed.path("code").asInt()).as(c.describe()).isEqualTo(1006);
        assertThat(closed.path("close_frame_received").asBoolean()).isFalse();
        assertThat(faults()).anyMatch(m -> m.startsWith("reset: "));
    }

    @Test
    void blackholeKeepsTheConnectionButAnswersNothing() throws Exception {
        startProxy("match=vanish blackhole");
        Client c = run("/zombie", new Plan().send("hi").recv().send("vanish").ping("01", 1.0).send("anyone?")
                .recv(0.3), "--close-timeout", "0.5");

        assertThat(c.texts()).containsExactly("hi");
        assertThat(c.all("pong_timeout")).as(c.describe()).hasSize(1);
        assertThat(c.all("recv_timeout")).hasSize(1);
        // the connection stayed open until the client gave up on its own close handshake
        assertThat(c.single("closed").path("close_frame_received").asBoolean()).isFalse();
        assertThat(faults()).anyMatch(m -> m.startsWith("blackhole: "));
    }

    // ---- connection actions: idle-timeout, strip-upgrade ----------------------------------------

    /** A silent client: the proxy drops both TCP connections, without a close frame, once the silence lasted. */
    @Test
    void idleTimeoutDropsASilentConnectionWithoutACloseFrame() throws Exception {
        int serverDropsBefore = count(echo.output(), "CLOSE 1006 ");
        startProxy("path=/quiet* idle-timeout=1.5");
        HttpClient http = HttpClient.newHttpClient();
        try (JdkPeer c = JdkPeer.connect(http, "ws://127.0.0.1:" + proxyAddress.getPort() + "/quiet")) {
            c.sendText("once", true);
            assertThat(c.next(JdkPeer.Text.class).text()).isEqualTo("once");
            long lastFrame = System.nanoTime();
            JdkPeer.Received end = c.next();
            double seconds = (System.nanoTime() - lastFrame) / 1e9;

            // the JDK client reports a connection lost without a close frame as onClose with 1006,
            // a code no close frame may carry (RFC 6455 7.4.1)
            assertThat(end).as("after %.2f s", seconds).isEqualTo(new JdkPeer.Closed(1006, ""));
            assertThat(seconds).as("the drop came %.3f s after the last frame", seconds).isBetween(1.4, 3.0);
            System.out.printf("idle-timeout=1.5: client saw the drop %.3f s after the last frame%n", seconds);
        }
        // the server lost its connection without a close frame too
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (count(echo.output(), "CLOSE 1006 ") <= serverDropsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(count(echo.output(), "CLOSE 1006 ")).as(echo.output()).isGreaterThan(serverDropsBefore);
        recorder.awaitCloses(1, 5_000);
        assertThat(faults()).containsExactly("idle-timeout: no frame either way for 1.5 s; both connections dropped"
                + " without a close frame (rule 'path=/quiet* idle-timeout=1.5').");
        assertThat(recorder.frames(Direction.C2S, Opcode.CLOSE)).isEmpty();
        assertThat(recorder.frames(Direction.S2C, Opcode.CLOSE)).isEmpty();
        assertThat(recorder.closes()).singleElement().satisfies(ce -> assertThat(ce.clean()).isFalse());
        // the note comes after the last frame it concerns
        List<dev.wsdebug.capture.Event> all = recorder.events();
        ErrorEvent note = recorder.of(ErrorEvent.class).get(0);
        assertThat(all.indexOf(note)).isGreaterThan(all.indexOf(recorder.messages(Direction.S2C).get(0)));
    }

    /** Pings and pongs are frames: a client that pings every 0.5 s is never idle for 1.5 s. */
    @Test
    void idleTimeoutSparesAConnectionThatPings() throws Exception {
        startProxy("path=/quiet* idle-timeout=1.5");
        HttpClient http = HttpClient.newHttpClient();
        try (JdkPeer c = JdkPeer.connect(http, "ws://127.0.0.1:" + proxyAddress.getPort() + "/quiet-pinger")) {
            long start = System.nanoTime();
            int pongs = 0;
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3_500)) {
                c.ping(new byte[] {(byte) pongs});
                c.next(JdkPeer.Pong.class);
                pongs++;
                Thread.sleep(500);
            }
            c.sendText("still here", true);
            assertThat(c.next(JdkPeer.Text.class).text()).isEqualTo("still here");
            c.sendClose(1000, "done");
            assertThat(c.next(JdkPeer.Closed.class).code()).isEqualTo(1000);
            assertThat(pongs).isGreaterThanOrEqualTo(6);
        }
        recorder.awaitCloses(1, 5_000);
        assertThat(faults()).isEmpty();
        assertThat(recorder.closes()).singleElement().satisfies(ce -> assertThat(ce.code()).isEqualTo(1000));
    }

    /**
     * The upstream never sees Upgrade and Connection, so python websockets answers 426 Upgrade
     * Required; the client gets that answer as it is, and the capture shows the note before the
     * failed handshake. A path the rule does not select upgrades as usual.
     */
    @Test
    void stripUpgradeRelaysTheUpstreamsRefusal() throws Exception {
        startProxy("path=/legacy/* strip-upgrade");
        HttpClient http = HttpClient.newHttpClient();
        java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> JdkPeer.connect(http, "ws://127.0.0.1:" + proxyAddress.getPort() + "/legacy/room"));
        assertThat(failed.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        java.net.http.HttpResponse<?> answer = ((java.net.http.WebSocketHandshakeException) failed.getCause()).getResponse();
        assertThat(answer.statusCode()).isEqualTo(426);

        HandshakeEvent h = recorder.await(HandshakeEvent.class, x -> true, 5_000);
        assertThat(h.response().status()).isEqualTo(426);
        assertThat(h.result().upgraded()).isFalse();
        assertThat(h.request().header("Upgrade")).isNull();
        assertThat(h.request().header("Connection")).isNull();
        assertThat(h.request().header("Sec-WebSocket-Key")).isNotNull(); // everything else went as sent
        ErrorEvent note = recorder.of(ErrorEvent.class).stream().filter(e -> e.kind().equals("fault")).findFirst()
                .orElseThrow();
        assertThat(note.message()).isEqualTo("strip-upgrade: the upgrade request was sent upstream without its"
                + " Upgrade and Connection headers; the answer is relayed as it comes (rule 'path=/legacy/* strip-upgrade').");
        List<dev.wsdebug.capture.Event> all = recorder.events();
        assertThat(all.indexOf(note)).isLessThan(all.indexOf(h));
        assertThat(awaitJsonLine("\"kind\":\"fault\"")).contains("strip-upgrade: ");
        assertThat(awaitJsonLine("\"status\":426")).contains("\"upgraded\":false");

        try (JdkPeer c = JdkPeer.connect(http, "ws://127.0.0.1:" + proxyAddress.getPort() + "/echo")) {
            c.sendText("fine", true);
            assertThat(c.next(JdkPeer.Text.class).text()).isEqualTo("fine");
        }
        assertThat(faults()).hasSize(1);
    }

    // ---- per-message actions ------------------------------------------------------------------

    @Test
    void delayShiftsArrival() throws Exception {
        startProxy("dir=s2c delay=300");
        Client c = run("/slow", new Plan().send("slow").recv());

        JsonNode m = c.messages().get(0);
        assertThat(m.path("text").asText()).isEqualTo("slow");
        assertThat(m.path("elapsed_ms").asDouble()).as(c.describe()).isGreaterThanOrEqualTo(300);
        assertThat(faults()).anyMatch(x -> x.startsWith("delay: s2c text message of 4 bytes \"slow\" held 300 ms"));
    }

    @Test
    void throttleSlowsAMessageDown() throws Exception {
        startProxy("dir=s2c throttle=2000");
        Client c = run("/throttle", new Plan().sendSize(1000).recv(), "--no-compress");

        JsonNode m = c.messages().get(0);
        assertThat(m.path("len").asInt()).isEqualTo(1000);
        // 100-byte slices 50 ms apart: the last leaves 450 ms after the first
        assertThat(m.path("elapsed_ms").asDouble()).as(c.describe()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void replaceRewritesTextBothWays() throws Exception {
        startProxy("replace=secret=>***");
        Client c = run("/replace", new Plan().send("my secret, your secret").recv().send("public").recv(), "--no-compress");

        assertThat(c.texts()).containsExactly("my ***, your ***", "public");
        // the c2s rewrite went to the server: it echoed the rewritten text
        assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().text())
                .containsExactly("my ***, your ***", "public");
        assertThat(faults()).anyMatch(m -> m.startsWith("rewritten: c2s text message of 22 bytes"));
    }

    /**
     * With permessage-deflate and context takeover, the message after a rewrite refers back into a
     * window the receiver never saw; the proxy must send that direction uncompressed from then on.
     * python websockets fails the connection (1007) on a corrupt stream.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void rewriteKeepsACompressedStreamValid(Direction dir) throws Exception {
        startProxy("dir=" + dir.id() + " replace=secret=>***");
        Plan plan = new Plan().send(LONG).recv().send("secret: " + LONG).recv();
        List<String> expected = new ArrayList<>(List.of(LONG, "***: " + LONG));
        for (int i = 0; i < 4; i++) {
            String s = LONG + " " + i + " " + LONG;
            plan.send(s).recv();
            expected.add(s);
        }
        plan.send(LONG + " secret again").recv().close(1000, "done");
        expected.add(LONG + " *** again");
        Client c = run("/deflate", plan);

        assertThat(c.single("open").path("extensions").asText()).contains("permessage-deflate");
        assertThat(c.texts()).as(c.describe()).containsExactlyElementsOf(expected);
        assertThat(c.single("closed").path("code").asInt()).as(c.describe()).isEqualTo(1000);
        // compressed before the rewrite, uncompressed from it on, in the rewritten direction only
        List<MessageEvent> rewritten = recorder.messages(dir);
        assertThat(rewritten).extracting(m -> m.message().compressed())
                .containsExactly(true, false, false, false, false, false, false);
        assertThat(recorder.messages(dir.opposite())).extracting(m -> m.message().compressed()).containsOnly(true);
        assertThat(recorder.frames(dir)).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        assertThat(faults()).anyMatch(m -> m.startsWith("re-encoded: "));
    }

    @Test
    void dropRemovesAMessageAndIsMarkedInJsonLines() throws Exception {
        startProxy("dir=s2c match=two drop");
        Client c = run("/drop", new Plan().send("one").send("two").send("three").send("end").recvUntil("end"));

        assertThat(c.texts()).as(c.describe()).containsExactly("one", "three", "end");
        // the server did get it: only its way back was dropped
        assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().text()).contains("two");
        assertThat(recorder.messages(Direction.S2C)).extracting(m -> m.message().text()).doesNotContain("two");
        String lines = awaitJsonLine("\"kind\":\"fault\"");
        assertThat(lines).contains("\"event\":\"error\"")
                .contains("\"message\":\"drop: s2c text message of 3 bytes \\\"two\\\" not forwarded (rule 'dir=s2c match=two drop').\"");
    }

    @Test
    void duplicateDoublesACompressedMessage() throws Exception {
        startProxy("dir=s2c match=two duplicate");
        Client c = run("/dup", new Plan().send("one " + LONG).send("two " + LONG).send("three " + LONG).send("end")
                .recvUntil("end"));

        assertThat(c.texts()).as(c.describe())
                .containsExactly("one " + LONG, "two " + LONG, "two " + LONG, "three " + LONG, "end");
        assertThat(faults()).anyMatch(m -> m.startsWith("duplicate: s2c text message"));
    }

    @Test
    void noPongSwallowsPongs() throws Exception {
        startProxy("no-pong");
        Client c = run("/nopong", new Plan().ping("02", 1.0).send("still here").recv());

        assertThat(c.all("pong_timeout")).as(c.describe()).hasSize(1);
        assertThat(c.texts()).containsExactly("still here");
        assertThat(recorder.frames(Direction.C2S, Opcode.PING)).hasSize(1);
        assertThat(recorder.frames(Direction.S2C, Opcode.PONG)).isEmpty();
        assertThat(faults()).anyMatch(m -> m.startsWith("drop: s2c pong frame not forwarded"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fragmentYieldsSeveralFrames(boolean compress) throws Exception {
        startProxy("dir=s2c fragment=5");
        String text = "hello fragmented world";
        List<String> flags = compress ? List.of() : List.of("--no-compress");
        Client c = run("/frag", new Plan().send(text).recv().send(LONG).recv().close(1000, ""), flags.toArray(String[]::new));

        assertThat(c.texts()).as(c.describe()).containsExactly(text, LONG);
        List<FrameEvent> out = recorder.dataFrames(Direction.S2C);
        MessageEvent first = recorder.messages(Direction.S2C).get(0);
        assertThat(first.message().frames()).isGreaterThan(1);
        assertThat(out.get(0).frame().opcode()).isEqualTo(Opcode.TEXT);
        assertThat(out.get(0).frame().rsv1()).isEqualTo(compress);
        assertThat(out).allSatisfy(f -> {
            assertThat(f.frame().payloadLength()).isLessThanOrEqualTo(5);
            assertThat(f.frame().violations()).isEmpty();
        });
        if (!compress) {
            assertThat(out.subList(0, 5)).extracting(f -> f.frame().payloadLength()).containsExactly(5L, 5L, 5L, 5L, 2L);
            assertThat(out.subList(1, 5)).allSatisfy(f -> assertThat(f.frame().opcode()).isEqualTo(Opcode.CONTINUATION));
        }
        assertThat(c.single("closed").path("code").asInt()).isEqualTo(1000);
    }

    /**
     * A compressed message the client sends in several frames (RSV1 on the first only, one deflate
     * stream across them), between other fragmented compressed messages: each action treats it as
     * one message, and with context takeover the server's inflater stays valid throughout (python
     * websockets would fail the connection with 1007 otherwise).
     */
    @ParameterizedTest
    @ValueSource(strings = {"drop", "replace=target=>hit", "duplicate", "fragment=7", "delay=100"})
    void rulesActOnAFragmentedCompressedMessage(String action) throws Exception {
        startProxy("dir=c2s match=^target " + action);
        String m1 = LONG + " one";
        String m2 = "target " + LONG;
        String m3 = LONG + " three";
        Client c = run("/fragmented", new Plan().send(m1).fragments(3).send(m2).fragments(4).send(m3).fragments(3)
                .send(LONG).send("end").recvUntil("end").close(1000, "done"));

        List<String> expected = switch (action) {
            case "drop" -> List.of(m1, m3, LONG, "end");
            case "duplicate" -> List.of(m1, m2, m2, m3, LONG, "end");
            case "replace=target=>hit" -> List.of(m1, "hit " + LONG, m3, LONG, "end");
            default -> List.of(m1, m2, m3, LONG, "end");
        };
        assertThat(c.single("open").path("extensions").asText()).contains("permessage-deflate");
        assertThat(c.texts()).as(c.describe()).containsExactlyElementsOf(expected);
        assertThat(c.single("closed").path("code").asInt()).as(c.describe()).isEqualTo(1000);
        // what the server received, as the proxy recorded it
        List<MessageEvent> received = recorder.messages(Direction.C2S);
        assertThat(received).extracting(m -> m.message().text()).containsExactlyElementsOf(expected);
        assertThat(recorder.frames(Direction.C2S)).allSatisfy(f -> assertThat(f.frame().violations()).as("%s", f.frame()).isEmpty());
        assertThat(received.get(0).message().frames()).isEqualTo(4); // 3 and websockets' empty final frame
        assertThat(received.get(0).message().compressed()).isTrue();
        List<Boolean> compressed = received.stream().map(m -> m.message().compressed()).collect(Collectors.toList());
        switch (action) {
            // dropping or rewriting leaves the server's window behind: the rest goes uncompressed
            case "drop" -> assertThat(compressed).containsExactly(true, false, false, false);
            case "replace=target=>hit" -> assertThat(compressed).containsExactly(true, false, false, false, false);
            // the copy is uncompressed, which the server's inflater never sees
            case "duplicate" -> assertThat(compressed).containsExactly(true, true, false, true, true, true);
            default -> assertThat(compressed).containsOnly(true);
        }
        if (action.startsWith("fragment")) {
            MessageEvent cut = received.get(1);
            List<FrameEvent> frames = recorder.dataFrames(Direction.C2S).stream()
                    .filter(f -> f.seq() <= cut.seq()).collect(Collectors.toList());
            List<FrameEvent> ofCut = frames.subList(frames.size() - cut.message().frames(), frames.size());
            assertThat(ofCut).allSatisfy(f -> assertThat(f.frame().payloadLength()).isLessThanOrEqualTo(7));
            assertThat(ofCut).extracting(f -> f.frame().rsv1()).first().isEqualTo(true);
            assertThat(ofCut.subList(1, ofCut.size())).allSatisfy(f -> assertThat(f.frame().rsv1()).isFalse());
        }
        String tag = action.startsWith("replace") ? "rewritten" : action.startsWith("fragment") ? "fragmented"
                : action.replaceAll("=.*", "");
        assertThat(faults()).as("%s", faults()).anyMatch(m -> m.startsWith(tag + ": c2s text message of "
                + m2.length() + " bytes \"target "));
    }

    // ---- matchers -----------------------------------------------------------------------------

    @Test
    void matchersSelectDirectionTypeAndText() throws Exception {
        startProxy("dir=c2s match=^c2s-drop drop", "dir=s2c match=^s2c-dup duplicate", "type=binary drop",
                "type=ping drop");
        Client c = run("/select", new Plan().send("hello").send("c2s-drop").send("s2c-dup").sendHex("0102")
                .send("end").recvUntil("end").ping("03", 0.5));

        assertThat(c.texts()).as(c.describe()).containsExactly("hello", "s2c-dup", "s2c-dup", "end");
        assertThat(c.all("message")).noneMatch(m -> m.path("kind").asText().equals("binary"));
        assertThat(c.all("pong_timeout")).hasSize(1);
        assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().text())
                .containsExactly("hello", "s2c-dup", "end");
        assertThat(recorder.frames(Direction.C2S, Opcode.PING)).isEmpty();
    }

    @Test
    void afterCountsEarlierMessagesOfThatDirection() throws Exception {
        startProxy("dir=s2c after=2 match=^n drop");
        Client c = run("/after", new Plan().send("n1").send("n2").send("n3").send("n4").send("end").recvUntil("end"));

        assertThat(c.texts()).as(c.describe()).containsExactly("n1", "n2", "end");
    }

    @Test
    void pathSelectsConnections() throws Exception {
        startProxy("path=/other/* drop", "path=/ec* dir=s2c match=^p duplicate");
        Client echoed = run("/echo", new Plan().send("plain").send("end").recvUntil("end"));
        Client other = run("/other/room", new Plan().send("plain").recv(0.5));

        assertThat(echoed.texts()).as(echoed.describe()).containsExactly("plain", "plain", "end");
        assertThat(other.texts()).as(other.describe()).isEmpty();
        assertThat(other.all("recv_timeout")).hasSize(1);
    }

    @Test
    void probabilityZeroNeverFiresAndOneAlways() throws Exception {
        startProxy("match=^zero p=0 drop", "dir=s2c match=^one p=1 duplicate");
        Plan plan = new Plan();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            plan.send("zero" + i).send("one" + i);
            expected.addAll(List.of("zero" + i, "one" + i, "one" + i));
        }
        Client c = run("/p", plan.send("end").recvUntil("end"));

        expected.add("end");
        assertThat(c.texts()).as(c.describe()).containsExactlyElementsOf(expected);
    }

    @Test
    void withoutMatchingRulesTheStreamIsUnchanged() throws Exception {
        startProxy("path=/nowhere drop");
        Client c = run("/echo", new Plan().send(LONG).recv().sendSize(70_000).recv().close(1000, "bye"));

        assertThat(c.messages()).hasSize(2);
        assertThat(faults()).isEmpty();
        assertThat(recorder.messages(Direction.S2C)).allSatisfy(m -> assertThat(m.message().compressed()).isTrue());
    }

    // ---- messages over the hold cap ----------------------------------------------------------

    @Test
    void messagesOverTheHoldCapPassUnchanged() throws Exception {
        startProxy(1000, "dir=s2c drop");
        Client c = run("/big", new Plan().sendSize(5000).fragments(5).recv().send("small").recv(0.5), "--no-compress");

        assertThat(c.messages()).as(c.describe()).singleElement()
                .satisfies(m -> assertThat(m.path("len").asInt()).isEqualTo(5000));
        assertThat(c.all("recv_timeout")).hasSize(1);
        assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().frames())
                .containsExactly(6, 1); // websockets ends a fragmented send with an empty final frame
        assertThat(faults()).anyMatch(m -> m.startsWith("passed: a s2c message is larger than the 1000-byte hold cap"))
                .anyMatch(m -> m.startsWith("drop: s2c text message of 5 bytes \"small\""));
    }

    @Test
    void aMessageTooBigToReEncodeClosesWith1009() throws Exception {
        startProxy(1000, "dir=s2c replace=secret=>***");
        Client c = run("/big-deflate", new Plan().send("secret").recv().sendRandom(4000).waitClosed(3));

        assertThat(c.texts()).as(c.describe()).containsExactly("***");
        assertThat(c.single("closed").path("code").asInt()).as(c.describe()).isEqualTo(1009);
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private void startProxy(String... rules) throws Exception {
        startProxy(new ProxyOptions().faultHoldCap, rules);
    }

    private void startProxy(int holdCap, String... rules) throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.faultHoldCap = holdCap;
        o.host = "127.0.0.1";
        o.port = 0;
        o.upstream = URI.create("ws://127.0.0.1:" + echo.port());
        o.faults = FaultPlan.parse(List.of(rules));
        EventSink json = new JsonLinesSink(jsonLines, true);
        proxy = new WsProxy(o, new SynchronizedSink(EventSink.all(recorder, json)));
        proxyAddress = proxy.start();
    }

    private Client run(String path, Plan plan, String... flags) {
        List<String> args = new ArrayList<>();
        args.add("ws://127.0.0.1:" + proxyAddress.getPort() + path);
        args.add(plan.json());
        args.addAll(List.of(flags));
        Peer.Run r = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, "/peers/fault_client.py", CLIENT_TIMEOUT_MILLIS,
                args.toArray(String[]::new));
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.lines()) {
            try {
                events.add(JSON.readTree(line));
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + line + "\n" + r.describe());
            }
        }
        // the proxy's capture of this connection is complete once its close event is out
        recorder.awaitCount(CloseEvent.class, x -> true, (int) proxy.connections(), 5_000);
        return new Client(r, events);
    }

    /** The fault notes of the proxy's capture, in order. */
    private List<String> faults() {
        return recorder.of(ErrorEvent.class).stream().filter(e -> e.kind().equals("fault")).map(ErrorEvent::message)
                .collect(Collectors.toList());
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private void awaitEchoOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!echo.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(echo.output()).contains(text);
    }

    private String awaitJsonLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String all;
            synchronized (jsonLines) {
                all = jsonLines.toString(StandardCharsets.UTF_8);
            }
            for (String line : all.split("\n")) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no JSON line with " + text + " in:\n" + jsonLines.toString(StandardCharsets.UTF_8));
    }

    /** What the client printed. */
    private record Client(Peer.Run run, List<JsonNode> events) {
        List<JsonNode> all(String event) {
            return events.stream().filter(e -> event.equals(e.path("event").asText())).collect(Collectors.toList());
        }

        List<JsonNode> messages() {
            return all("message");
        }

        List<String> texts() {
            return messages().stream().filter(m -> m.has("text")).map(m -> m.path("text").asText())
                    .collect(Collectors.toList());
        }

        JsonNode single(String event) {
            List<JsonNode> found = all(event);
            assertThat(found).as("one '%s' event: %s", event, describe()).hasSize(1);
            return found.get(0);
        }

        String describe() {
            return run.describe();
        }
    }

    /** The client's steps (see fault_client.py). */
    private static final class Plan {
        private final List<Map<String, Object>> steps = new ArrayList<>();

        private Plan add(Object... kv) {
            Map<String, Object> step = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                step.put((String) kv[i], kv[i + 1]);
            }
            steps.add(step);
            return this;
        }

        Plan send(String text) {
            return add("op", "send", "text", text);
        }

        Plan sendHex(String hex) {
            return add("op", "send", "hex", hex);
        }

        Plan sendSize(int size) {
            return add("op", "send", "size", size);
        }

        Plan sendRandom(int size) {
            return add("op", "send", "random", size);
        }

        /** Sends the previous message in this many frames. */
        Plan fragments(int k) {
            steps.get(steps.size() - 1).put("fragments", k);
            return this;
        }

        Plan recv() {
            return recv(5);
        }

        Plan recv(double timeout) {
            return add("op", "recv", "timeout", timeout);
        }

        Plan recvUntil(String text) {
            return add("op", "recv_until", "text", text, "timeout", 5);
        }

        Plan ping(String hex, double timeout) {
            return add("op", "ping", "hex", hex, "timeout", timeout);
        }

        Plan close(int code, String reason) {
            return add("op", "close", "code", code, "reason", reason);
        }

        Plan waitClosed(double timeout) {
            return add("op", "wait_closed", "timeout", timeout);
        }

        String json() {
            try {
                return JSON.writeValueAsString(steps);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
