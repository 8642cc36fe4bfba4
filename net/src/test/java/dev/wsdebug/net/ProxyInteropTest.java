package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug proxy} between independent clients and servers: python websockets and Node ws on
 * both sides, compression on and off. The client must receive exactly what the server sent, and
 * the proxy's own capture must hold every frame both ways with the right payloads.
 */
class ProxyInteropTest {
    private static final long WAIT_MILLIS = 5_000;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ServerRecorder recorder = new ServerRecorder();
    /** The analysis rules over what the proxy records, for the sessions that are healthy. */
    private final NoFalseAlarms alarms = new NoFalseAlarms();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private InetSocketAddress proxy(URI upstream) throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.port = 0;
        o.upstream = upstream;
        WsProxy p = new WsProxy(o, new SynchronizedSink(alarms.tee(recorder)));
        toClose.add(p);
        return p.start();
    }

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (Peer.Kind client : Peer.Kind.values()) {
            for (Peer.Kind server : Peer.Kind.values()) {
                for (boolean compress : new boolean[] {true, false}) {
                    out.add(Arguments.of(client, server, compress));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} -> proxy -> {1}, compression {2}")
    @MethodSource("pairs")
    void reverseModeRelaysEveryFrameExactly(Peer.Kind clientKind, Peer.Kind serverKind, boolean compress) throws Exception {
        Peer server = Peer.start(serverKind, compress ? new String[0] : new String[] {"--no-deflate"});
        toClose.add(server);
        InetSocketAddress p = proxy(URI.create("ws://127.0.0.1:" + server.port()));
        String text = "héllo through the proxy";
        byte[] binary = Payloads.binary(70_000);
        String big = Payloads.text(20_000);
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText(text).recv()
                .sendBinary(binary.length).recv()
                .sendText(big.length()).fragments(3).recv()
                .ping("rtt".getBytes(StandardCharsets.UTF_8), 3)
                .close(1000, "done");
        PeerClient.Result r = PeerClient.run(clientKind, "ws://127.0.0.1:" + p.getPort() + "/chat", plan);

        // the client received exactly what the echo server sent back
        List<JsonNode> got = r.messages();
        assertThat(got).as(r.describe()).hasSize(3);
        assertThat(got.get(0).path("sha256").asText()).isEqualTo(Payloads.sha256(Payloads.utf8(text)));
        assertThat(got.get(1).path("sha256").asText()).isEqualTo(Payloads.sha256(binary));
        assertThat(got.get(2).path("sha256").asText()).isEqualTo(Payloads.sha256(Payloads.utf8(big)));
        assertThat(r.all("pong")).hasSize(1);
        assertThat(r.single("closed").path("code").asInt()).isEqualTo(1000);

        // the proxy's capture holds both directions with the payloads and the negotiation end to end
        HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> true, WAIT_MILLIS);
        assertThat(h.result().valid()).isTrue();
        assertThat(h.result().deflate() != null).isEqualTo(compress);
        assertThat(h.url()).isEqualTo("ws://127.0.0.1:" + server.port() + "/chat");
        List<MessageEvent> c2s = recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.C2S, 3, WAIT_MILLIS);
        List<MessageEvent> s2c = recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.S2C, 3, WAIT_MILLIS);
        assertThat(c2s).extracting(m -> Payloads.sha256(m.message().payload()))
                .containsExactly(Payloads.sha256(Payloads.utf8(text)), Payloads.sha256(binary), Payloads.sha256(Payloads.utf8(big)));
        assertThat(s2c).extracting(m -> Payloads.sha256(m.message().payload()))
                .containsExactly(Payloads.sha256(Payloads.utf8(text)), Payloads.sha256(binary), Payloads.sha256(Payloads.utf8(big)));
        assertThat(c2s.get(2).message().frames()).as("the client fragmented it").isGreaterThanOrEqualTo(3);
        if (compress) {
            assertThat(s2c).allSatisfy(m -> assertThat(m.message().compressed()).isTrue());
        }
        CloseEvent close = recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.clean()).isTrue();
        assertThat(recorder.of(FrameEvent.class)).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        assertThat(recorder.of(FrameEvent.class)).filteredOn(f -> f.frame().opcode() == Opcode.PONG).hasSize(1);
        alarms.assertNone(clientKind + " -> proxy -> " + serverKind + ", compression " + compress + ", fragments, 70 kB binary");
    }

    @Test
    void forwardModeCarriesWsThroughConnectTunnelsAndListsPlainHttp() throws Exception {
        TestServer upstream = TestServer.start();
        toClose.add(upstream);
        InetSocketAddress p = proxy(null);
        ClientOptions co = new ClientOptions();
        co.url = URI.create(upstream.url("/fwd"));
        co.proxy = URI.create("http://127.0.0.1:" + p.getPort());
        try (WsClient client = new WsClient(co, EventSink.all(), n -> { })) {
            ClientSession s = client.connect();
            s.sendText("through a tunnel");
            MessageEvent echo = recorder.await(MessageEvent.class, m -> m.dir() == Direction.S2C, WAIT_MILLIS);
            assertThat(echo.message().text()).isEqualTo("through a tunnel");
            s.close(1000, "");
            assertThat(s.closed().get().clean()).isTrue();
        }
        assertThat(recorder.handshake().url()).endsWith("/fwd");

        // a plain HTTP request in absolute form passes through and is an http event with both heads
        long before = dev.wsdebug.capture.MicroClock.now();
        String head;
        try (RawSocketClient raw = RawSocketClient.connect(p.getPort())) {
            raw.write(("POST http://127.0.0.1:" + upstream.port() + "/plain HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.ISO_8859_1));
            head = raw.readHead();
            assertThat(head).startsWith("HTTP/1.1 400");
        }
        HttpEvent x = recorder.await(HttpEvent.class, e -> true, WAIT_MILLIS);
        assertThat(x.method()).isEqualTo("POST");
        assertThat(x.url()).isEqualTo("http://127.0.0.1:" + upstream.port() + "/plain");
        assertThat(x.status()).isEqualTo(400);
        assertThat(x.reason()).isEqualTo("Bad Request");
        assertThat(x.request().startLine()).isEqualTo("POST http://127.0.0.1:" + upstream.port() + "/plain HTTP/1.1");
        assertThat(x.request().header("Content-Length")).isEqualTo("5");
        assertThat(x.requestBodyLength()).isEqualTo(5);
        assertThat(x.response().status()).isEqualTo(400);
        String contentLength = x.response().header("Content-Length");
        assertThat(contentLength).isNotNull();
        assertThat(x.responseBodyLength()).isEqualTo(Long.parseLong(contentLength.trim()));
        assertThat(x.timeMicros()).isGreaterThanOrEqualTo(before);
        assertThat(x.durationMicros()).isBetween(0L, 5_000_000L);
        assertThat(recorder.of(HttpEvent.class)).hasSize(1);
        alarms.assertNone("wsdebug client through a CONNECT tunnel, and a plain HTTP request");
    }

    /** A CONNECT tunnel whose TLS the proxy does not intercept is relayed untouched and listed as CONNECT. */
    @Test
    void anUntouchedTunnelIsAnHttpEventWithMethodConnect() throws Exception {
        InetSocketAddress p = proxy(null); // no local CA: tunnels are not intercepted
        try (ServerSocket target = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (java.net.Socket s = target.accept()) {
                    s.getInputStream().readNBytes(10);
                    s.getOutputStream().write(new byte[] {0x16, 3, 3, 0, 2, 'o', 'k'});
                } catch (java.io.IOException ignored) {
                    // the test fails on what the client reads
                }
            }, "tunnel-target");
            answer.setDaemon(true);
            answer.start();
            try (RawSocketClient raw = RawSocketClient.connect(p.getPort())) {
                raw.write(("CONNECT 127.0.0.1:" + target.getLocalPort() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + target.getLocalPort() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertThat(raw.readHead()).startsWith("HTTP/1.1 200 Connection Established");
                raw.write(new byte[] {0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5}); // a TLS record: relayed untouched
                assertThat(raw.readBytes(7)).containsExactly(new byte[] {0x16, 3, 3, 0, 2, 'o', 'k'});
            }
            answer.join(WAIT_MILLIS);
        }
        HttpEvent x = recorder.await(HttpEvent.class, e -> true, WAIT_MILLIS);
        assertThat(x.method()).isEqualTo("CONNECT");
        assertThat(x.url()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(x.status()).isEqualTo(200);
        assertThat(x.reason()).isEqualTo("Connection Established");
        assertThat(x.request().startLine()).startsWith("CONNECT 127.0.0.1:");
        assertThat(x.response().startLine()).isEqualTo("HTTP/1.1 200 Connection Established");
        assertThat(x.requestBodyLength()).isEqualTo(10);
        assertThat(x.responseBodyLength()).isEqualTo(7);
        assertThat(recorder.handshakes()).isEmpty();
    }

    @Test
    void anUpstreamThatDropsTheConnectionBecomes1014ForTheClient() throws Exception {
        ServerOptions so = new ServerOptions();
        so.port = 0;
        so.dropAfter = 1;
        TestServer upstream = TestServer.start(so);
        toClose.add(upstream);
        InetSocketAddress p = proxy(URI.create(upstream.url("/")));
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, "ws://127.0.0.1:" + p.getPort() + "/",
                new PeerClient.Plan().sendText("one").recv().waitClosed(5));
        assertThat(r.messages()).hasSize(1);
        JsonNode closed = r.single("closed");
        assertThat(closed.path("code").asInt()).as(r.describe()).isEqualTo(1014);
        assertThat(closed.path("close_frame_received").asBoolean()).isTrue();
        ErrorEvent e = recorder.await(ErrorEvent.class, x -> x.kind().equals("upstream"), WAIT_MILLIS);
        assertThat(e.message()).contains("1014 Bad Gateway");
        FrameEvent injected = recorder.await(FrameEvent.class,
                f -> f.dir() == Direction.S2C && f.frame().opcode() == Opcode.CLOSE, WAIT_MILLIS);
        assertThat(injected.frame().closeCode()).isEqualTo(1014);
    }

    @Test
    void anUpstreamThatIsDownBecomes502AndIsReported() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        InetSocketAddress p = proxy(URI.create("ws://127.0.0.1:" + closed));
        try (RawSocketClient raw = RawSocketClient.connect(p.getPort())) {
            raw.write(raw.upgradeRequest(p.getPort()).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(raw.readHead()).startsWith("HTTP/1.1 502 Bad Gateway");
        }
        ErrorEvent e = recorder.await(ErrorEvent.class, x -> true, WAIT_MILLIS);
        assertThat(e.kind()).isEqualTo("upstream");
        assertThat(e.message()).contains("127.0.0.1:" + closed).contains("cannot be reached");
    }

    @Test
    void badClientsAreReportedAndOthersKeepBeingServed() throws Exception {
        TestServer upstream = TestServer.start();
        toClose.add(upstream);
        InetSocketAddress p = proxy(URI.create(upstream.url("/")));
        // not HTTP at all
        try (RawSocketClient raw = RawSocketClient.connect(p.getPort())) {
            raw.write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5});
            assertThat(raw.readHead()).startsWith("HTTP/1.1 400");
        }
        // a malformed upgrade (no key) reaches the server, whose refusal is captured with its problem
        try (RawSocketClient raw = RawSocketClient.connect(p.getPort())) {
            raw.write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(raw.readHead()).startsWith("HTTP/1.1 400");
        }
        HandshakeEvent refused = recorder.await(HandshakeEvent.class, h -> h.response() != null && h.response().status() == 400, WAIT_MILLIS);
        assertThat(refused.result().upgraded()).isFalse();
        // a client that disconnects in the middle of a frame: everything before it is kept
        try (RawSocketClient raw = RawSocketClient.upgraded(p.getPort())) {
            raw.write(maskedText("complete"));
            byte[] half = maskedText("cut in the middle");
            raw.write(java.util.Arrays.copyOf(half, 9));
        }
        MessageEvent kept = recorder.await(MessageEvent.class, m -> m.dir() == Direction.C2S && m.message().text().equals("complete"), WAIT_MILLIS);
        assertThat(kept).isNotNull();
        ErrorEvent cut = recorder.await(ErrorEvent.class, x -> x.message().contains("stream ends"), WAIT_MILLIS);
        assertThat(cut.kind()).isEqualTo("input");
        CloseEvent abnormal = recorder.await(CloseEvent.class, c -> c.conn().equals(kept.conn()), WAIT_MILLIS);
        assertThat(abnormal.code()).isEqualTo(1006);
        // and the proxy still serves a well-behaved client
        try (RawSocketClient raw = RawSocketClient.upgraded(p.getPort())) {
            raw.write(maskedText("still here"));
            assertThat(new String(raw.readFrame().payload(), StandardCharsets.UTF_8)).isEqualTo("still here");
        }
    }

    private static byte[] maskedText(String s) {
        return new dev.wsdebug.wire.FrameWriter().encode(dev.wsdebug.wire.FrameSpec
                .of(Opcode.TEXT, s.getBytes(StandardCharsets.UTF_8)).withMask(0x0badcafe));
    }
}
