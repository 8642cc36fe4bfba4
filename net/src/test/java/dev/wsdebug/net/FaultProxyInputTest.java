package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug proxy --fault} with input no well-behaved client sends: a hand-written client
 * (exact bytes, any chunking, broken frames) through the proxy to wsdebug's own server, whose
 * pipeline records what it received. Covers how the fault relay cuts what its input pipeline
 * reports: frames before the 101, control frames inside a held message, protocol violations,
 * undecodable payloads, a sender that stops mid-message, a refused upgrade.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyInputTest {
    private static final long WAIT_MILLIS = 5_000;
    /** A rule that applies to every connection and never fires: the relay runs, nothing is changed. */
    private static final String INERT = "match=^never-sent drop";
    private static final FrameWriter WRITER = new FrameWriter();

    private final ServerRecorder recorder = new ServerRecorder();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestServer server;
    private int proxyPort;

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void framesSentBeforeThe101WaitForItThenMeetTheRules() throws Exception {
        start(new ServerOptions(), "match=^early duplicate");
        try (RawSocketClient c = RawSocketClient.connect(proxyPort)) {
            // the request and a frame in one write: the frame reaches the relay before the server answers
            c.write(concat(c.upgradeRequest(proxyPort).getBytes(StandardCharsets.ISO_8859_1), masked(text("early"))));
            assertThat(c.readHead()).startsWith("HTTP/1.1 101 ");
            assertThat(texts(c, 2)).containsExactly("early", "early");
        }
        assertThat(faults()).anyMatch(m -> m.startsWith("duplicate: c2s text message of 5 bytes \"early\" sent twice"));
    }

    /**
     * A ping between the fragments of a message the relay holds goes on at once (a control frame
     * may interleave); the message follows whole once its last frame is in.
     */
    @Test
    void aControlFrameInsideAHeldMessagePassesBeforeIt() throws Exception {
        start(new ServerOptions(), "match=^hello duplicate");
        try (RawSocketClient c = RawSocketClient.upgraded(proxyPort)) {
            c.write(concat(masked(text("hel").withFin(false)), masked(FrameSpec.of(Opcode.PING, bytes("p"))),
                    masked(FrameSpec.of(Opcode.CONTINUATION, bytes("lo")))));
            RawSocketClient.ReadFrame pong = c.readFrame();
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("p");
            assertThat(texts(c, 2)).containsExactly("hello", "hello");
        }
        server.recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.C2S, 2, WAIT_MILLIS);
        assertThat(server.recorder.frames(Direction.C2S)).extracting(f -> f.frame().opcode())
                .containsExactly(Opcode.PING, Opcode.TEXT, Opcode.CONTINUATION, Opcode.TEXT, Opcode.CONTINUATION);
        assertThat(server.recorder.frames(Direction.C2S)).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
    }

    /**
     * What a sender had not finished when it closed its socket is not forwarded: a rule could not
     * have decided on it. The receiver sees the stream end after the last whole message.
     */
    @Test
    void aSenderThatStopsMidMessageHasTheUnfinishedPartWithheld() throws Exception {
        start(new ServerOptions(), INERT);
        try (RawSocketClient c = RawSocketClient.upgraded(proxyPort)) {
            byte[] cut = masked(FrameSpec.of(Opcode.CONTINUATION, bytes("never completed")));
            c.write(concat(masked(text("complete")), masked(text("part").withFin(false)), Arrays.copyOf(cut, 9)));
            assertThat(texts(c, 1)).containsExactly("complete");
        }
        CloseEvent closed = server.recorder.await(CloseEvent.class, x -> true, WAIT_MILLIS);
        assertThat(closed.code()).isEqualTo(1006);
        assertThat(server.recorder.frames(Direction.C2S)).extracting(f -> f.frame().opcode()).containsExactly(Opcode.TEXT);
        recorder.await(CloseEvent.class, x -> true, WAIT_MILLIS);
        // the proxy's capture shows what the server received: the stream ended between frames
        assertThat(recorder.of(ErrorEvent.class)).noneMatch(e -> e.kind().equals("input"));
        assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().text()).containsExactly("complete");
    }

    /** Frames the server must reject, each from a client that otherwise behaves. */
    enum Broken {
        UNMASKED(FrameSpec.of(Opcode.TEXT, bytes("bare")), Rule.CLIENT_FRAME_NOT_MASKED),
        CONTINUATION_ALONE(FrameSpec.of(Opcode.CONTINUATION, bytes("orphan")).withMask(0x01020304),
                Rule.CONTINUATION_WITHOUT_MESSAGE),
        RESERVED_OPCODE(FrameSpec.of(0x3, bytes("what")).withMask(0x01020304), Rule.RESERVED_OPCODE),
        RSV2(FrameSpec.of(Opcode.TEXT, bytes("rsv2")).withRsv(false, true, false).withMask(0x01020304), Rule.RESERVED_BIT);

        final FrameSpec spec;
        final Rule rule;

        Broken(FrameSpec spec, Rule rule) {
            this.spec = spec;
            this.rule = rule;
        }
    }

    /**
     * A frame that breaks the protocol is forwarded as it came (after a valid message, so rules do
     * run on this connection): the server sees the fault and fails the connection with 1002, as it
     * would without the proxy, and the capture reports the violation on the frame it received.
     */
    @ParameterizedTest
    @EnumSource(Broken.class)
    void aFrameThatBreaksTheProtocolReachesTheServerAsSent(Broken broken) throws Exception {
        start(new ServerOptions(), INERT);
        try (RawSocketClient c = RawSocketClient.upgraded(proxyPort)) {
            c.write(masked(text("fine")));
            assertThat(texts(c, 1)).containsExactly("fine");
            c.write(WRITER.encode(broken.spec));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).as(close.closeReason()).isEqualTo(1002);
            assertThat(close.closeReason()).isEqualTo(broken.rule.id());
        }
        FrameEvent received = server.recorder.await(FrameEvent.class,
                f -> f.dir() == Direction.C2S && f.frame().hasViolation(broken.rule.id()), WAIT_MILLIS);
        assertThat(received.frame().opcode()).isEqualTo(broken.spec.opcode());
        assertThat(recorder.await(FrameEvent.class, f -> f.dir() == Direction.C2S && f.frame().hasViolation(broken.rule.id()),
                WAIT_MILLIS).frame().payloadLength()).isEqualTo(broken.spec.payload().length);
    }

    /**
     * A compressed message that does not inflate has no payload a rule could read: it passes as it
     * came, even under a rule that drops every message, and the server fails the connection with
     * 1007 as it would without the proxy.
     */
    @Test
    void aCompressedMessageThatCannotBeInflatedPassesAsSent() throws Exception {
        start(new ServerOptions(), "dir=c2s drop");
        try (RawSocketClient c = upgradedWithDeflate()) {
            // 0xff starts a deflate block of the reserved type 3
            c.write(masked(new FrameSpec(true, true, false, false, Opcode.TEXT, null, 0, new byte[] {(byte) 0xff, 1, 2})));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).as(close.closeReason()).isEqualTo(1007);
        }
        MessageEvent received = server.recorder.await(MessageEvent.class, m -> m.dir() == Direction.C2S, WAIT_MILLIS);
        assertThat(received.message().compressed()).isTrue();
        assertThat(received.message().violations()).extracting(v -> v.rule()).contains(Rule.DEFLATE_STREAM_INVALID.id());
        recorder.await(CloseEvent.class, x -> true, WAIT_MILLIS);
        assertThat(faults()).singleElement().asString()
                .startsWith("passed: a compressed c2s text message cannot be inflated, so no rule sees it; sent as it was");
    }

    /** replace= would turn text that is not valid UTF-8 into valid text: it leaves it as it came. */
    @Test
    void replaceLeavesTextThatIsNotValidUtf8AsItCame() throws Exception {
        start(new ServerOptions(), "replace=a=>b");
        try (RawSocketClient c = RawSocketClient.upgraded(proxyPort)) {
            c.write(masked(text("abc")));
            assertThat(texts(c, 1)).containsExactly("bbc");
            c.write(masked(FrameSpec.of(Opcode.TEXT, new byte[] {'a', (byte) 0xff})));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.closeCode()).as(close.closeReason()).isEqualTo(1007);
        }
        MessageEvent bad = server.recorder.await(MessageEvent.class,
                m -> m.dir() == Direction.C2S && m.message().utf8InvalidAt() >= 0, WAIT_MILLIS);
        assertThat(bad.message().payload()).containsExactly('a', 0xff);
        recorder.await(CloseEvent.class, x -> true, WAIT_MILLIS);
        assertThat(faults()).anyMatch(m -> m.startsWith("rewritten: c2s text message of 3 bytes \"abc\""))
                .anyMatch(m -> m.startsWith("passed: c2s text message of 2 bytes") && m.contains("is not valid UTF-8; sent as it was"));
    }

    @Test
    void aRefusedUpgradePassesUntouched() throws Exception {
        ServerOptions so = new ServerOptions();
        so.reject = 403;
        start(so, "drop");
        try (RawSocketClient c = RawSocketClient.connect(proxyPort)) {
            c.write(c.upgradeRequest(proxyPort).getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertThat(head).startsWith("HTTP/1.1 403 ");
            String body = "wsdebug serve --reject 403\n";
            assertThat(head).contains("Content-Length: " + body.length());
            assertThat(new String(c.readBytes(body.length()), StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(c.closedByServer(5_000)).isTrue();
        }
        assertThat(faults()).isEmpty();
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private void start(ServerOptions so, String... rules) throws Exception {
        so.port = 0;
        server = TestServer.start(so);
        toClose.add(server);
        ProxyOptions o = new ProxyOptions();
        o.port = 0;
        o.upstream = URI.create(server.url("/"));
        o.faults = FaultPlan.parse(List.of(rules));
        WsProxy p = new WsProxy(o, new SynchronizedSink(recorder));
        toClose.add(p);
        InetSocketAddress a = p.start();
        proxyPort = a.getPort();
    }

    /** Upgrades offering permessage-deflate with its defaults (context takeover both ways). */
    private RawSocketClient upgradedWithDeflate() throws Exception {
        RawSocketClient c = RawSocketClient.connect(proxyPort);
        toClose.add(c);
        String request = c.upgradeRequest(proxyPort).replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        c.write(request.getBytes(StandardCharsets.ISO_8859_1));
        String head = c.readHead();
        assertThat(head).startsWith("HTTP/1.1 101 ").contains("permessage-deflate");
        return c;
    }

    /** Reads n frames, which must be text messages in one frame each. */
    private static List<String> texts(RawSocketClient c, int n) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawSocketClient.ReadFrame f = c.readFrame();
            assertThat(f.opcode()).as("frame %d", i).isEqualTo(Opcode.TEXT);
            assertThat(f.fin()).isTrue();
            out.add(new String(f.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private List<String> faults() {
        return recorder.of(ErrorEvent.class).stream().filter(e -> e.kind().equals("fault")).map(ErrorEvent::message)
                .collect(Collectors.toList());
    }

    private static FrameSpec text(String s) {
        return FrameSpec.of(Opcode.TEXT, bytes(s));
    }

    private static byte[] masked(FrameSpec spec) {
        return WRITER.encode(spec.withMask(WRITER.randomMaskKey()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
