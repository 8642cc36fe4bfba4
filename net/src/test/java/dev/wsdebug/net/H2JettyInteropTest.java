package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WebSockets over HTTP/2 (RFC 8441) with Jetty 12 as the peer: our client against Jetty's h2c
 * server, Jetty's h2c client against {@code serve --http2}, and the refusals when extended CONNECT
 * is not enabled.
 */
class H2JettyInteropTest {

    /** The messages of one direction as text, or "binary LENGTH". */
    private static List<String> messages(ServerRecorder events, Direction dir) {
        return events.messages(dir).stream()
                .map(m -> m.message().opcode() == Opcode.TEXT ? m.message().text() : "binary " + m.message().length())
                .collect(Collectors.toList());
    }

    /** Runs one Jetty send and waits until it is done. */
    private static void sent(java.util.function.Consumer<Callback> send) throws Exception {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        send.accept(Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(10, TimeUnit.SECONDS);
    }

    /** Our client over an HTTP/1.1 upgrade. */
    static ClientOptions h1(String url) {
        ClientOptions o = h2(url);
        o.transport = ClientOptions.Transport.HTTP1;
        return o;
    }

    static ClientOptions h2(String url) {
        ClientOptions o = new ClientOptions();
        o.url = URI.create(url);
        o.transport = ClientOptions.Transport.HTTP2;
        o.connectTimeoutMillis = 5_000;
        o.handshakeTimeoutMillis = 5_000;
        return o;
    }

    @Test
    void ourClientTalksToJettyOverH2c() throws Exception {
        try (JettyH2.EchoServer jetty = new JettyH2.EchoServer(true)) {
            ServerRecorder events = new ServerRecorder();
            List<String> notices = new CopyOnWriteArrayList<>();
            try (WsClient client = new WsClient(h2("ws://127.0.0.1:" + jetty.port + "/echo?x=1"), events, notices::add)) {
                ClientSession s = client.connect();
                HandshakeEvent h = s.handshakeEvent();
                assertThat(h.transport()).isEqualTo("h2");
                assertThat(h.stream() % 2).as("a client-initiated stream").isEqualTo(1);
                assertThat(h.request().header(":protocol")).isEqualTo("websocket");
                assertThat(h.request().header(":path")).isEqualTo("/echo?x=1");
                assertThat(h.response().status()).isEqualTo(200);
                assertThat(h.result().valid()).isTrue();
                assertThat(h.result().deflate()).as("Jetty negotiates permessage-deflate").isNotNull();

                s.sendText("hello over h2");
                byte[] big = new byte[3 << 20];
                new Random(7).nextBytes(big);
                s.sendBinary(big);
                s.sendText("frag:4");
                s.ping(null);
                assertThat(Waits.until(10_000, () -> messages(events, Direction.S2C).size() >= 3 && !s.rtts().isEmpty())).isTrue();
                assertThat(messages(events, Direction.S2C)).containsExactly("hello over h2", "binary " + big.length,
                        "part0part1part2part3");
                MessageEvent echoed = events.of(MessageEvent.class).stream()
                        .filter(m -> m.dir() == Direction.S2C && m.message().opcode() == Opcode.BINARY).findFirst().orElseThrow();
                assertThat(echoed.message().length()).isEqualTo(big.length);
                MessageEvent frag = events.of(MessageEvent.class).stream()
                        .filter(m -> m.dir() == Direction.S2C && m.message().text() != null && m.message().text().startsWith("part"))
                        .findFirst().orElseThrow();
                assertThat(frag.message().frames()).isEqualTo(4);
                assertThat(events.of(FrameEvent.class).stream().filter(f -> f.dir() == Direction.C2S)
                        .allMatch(f -> f.frame().masked())).isTrue();

                s.sendText("close:4001:bye from jetty");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).isEqualTo(4001);
                assertThat(close.reason()).isEqualTo("bye from jetty");
                assertThat(close.clean()).isTrue();
                assertThat(close.initiator()).isEqualTo("server");
            }
            assertThat(notices).noneMatch(n -> n.contains("failing"));
        }
    }

    @Test
    void ourClientClosesWithItsOwnCode() throws Exception {
        try (JettyH2.EchoServer jetty = new JettyH2.EchoServer(true)) {
            ServerRecorder events = new ServerRecorder();
            try (WsClient client = new WsClient(h2("ws://127.0.0.1:" + jetty.port + "/echo"), events, n -> { })) {
                ClientSession s = client.connect();
                s.close(3001, "client done");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).isEqualTo(3001);
                assertThat(close.initiator()).isEqualTo("client");
                assertThat(close.clean()).isTrue();
            }
        }
    }

    @Test
    void ourClientSaysWhenTheServerDidNotEnableExtendedConnect() throws Exception {
        try (JettyH2.EchoServer jetty = new JettyH2.EchoServer(false)) {
            ServerRecorder events = new ServerRecorder();
            try (WsClient client = new WsClient(h2("ws://127.0.0.1:" + jetty.port + "/echo"), events, n -> { })) {
                assertThatThrownBy(client::connect).isInstanceOf(ClientFailure.class)
                        .hasMessage("The server at 127.0.0.1:" + jetty.port + " speaks HTTP/2 but its SETTINGS do not enable"
                                + " extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441), so it takes no WebSocket"
                                + " over HTTP/2.");
            }
        }
    }

    @Test
    void jettyClientTalksToServeHttp2OverH2c() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        opts.subprotocols.add("chat");
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client()) {
            JettyH2.Inbox inbox = new JettyH2.Inbox();
            org.eclipse.jetty.websocket.client.ClientUpgradeRequest req = new org.eclipse.jetty.websocket.client.ClientUpgradeRequest();
            req.setSubProtocols("chat");
            req.addExtensions("permessage-deflate");
            Session s = jetty.ws.connect(inbox, URI.create(server.url("/any")), req).get(10, TimeUnit.SECONDS);
            inbox.awaitOpen();
            assertThat(s.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo("chat");
            // each send waits for the previous one: Jetty fails a send made while another is pending
            sent(cb -> s.sendText("one", cb));
            byte[] big = new byte[2 << 20];
            new Random(3).nextBytes(big);
            sent(cb -> s.sendBinary(ByteBuffer.wrap(big), cb));
            sent(cb -> s.sendPartialText("fr", false, cb));
            sent(cb -> s.sendPartialText("ag", true, cb));
            sent(cb -> s.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3}), cb));
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).as("%s", server.recorder.dump()).isEqualTo("one");
            assertThat(inbox.binaries.poll(10, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(big));
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("frag");
            assertThat(inbox.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            s.close(1000, "done", Callback.NOOP);
            assertThat(inbox.closes.poll(10, TimeUnit.SECONDS)).isEqualTo("1000 done");

            HandshakeEvent h = server.recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.request().header(":protocol")).isEqualTo("websocket");
            assertThat(h.result().valid()).isTrue();
            assertThat(h.result().deflate()).isNotNull();
            CloseEvent close = server.recorder.await(CloseEvent.class, x -> true, 5_000);
            assertThat(close.code()).isEqualTo(1000);
            assertThat(close.clean()).isTrue();
        }
    }

    @Test
    void manyRoundTripsEachEchoed() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client()) {
            for (int c = 0; c < 20; c++) {
                JettyH2.Inbox inbox = new JettyH2.Inbox();
                Session s = jetty.ws.connect(inbox, URI.create(server.url("/rt" + c))).get(10, TimeUnit.SECONDS);
                inbox.awaitOpen();
                for (int i = 0; i < 20; i++) {
                    String text = "m" + c + "." + i;
                    sent(cb -> s.sendText(text, cb));
                    assertThat(inbox.texts.poll(5, TimeUnit.SECONDS)).as("round trip %s", text).isEqualTo(text);
                }
                s.close(1000, "", Callback.NOOP);
            }
        }
    }

    @Test
    void severalWebSocketsShareOneH2Connection() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client()) {
            List<JettyH2.Inbox> inboxes = new ArrayList<>();
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                JettyH2.Inbox inbox = new JettyH2.Inbox();
                inboxes.add(inbox);
                sessions.add(jetty.ws.connect(inbox, URI.create(server.url("/s" + i))).get(10, TimeUnit.SECONDS));
                inbox.awaitOpen();
            }
            for (int i = 0; i < 5; i++) {
                sessions.get(i).sendText("stream " + i, Callback.NOOP);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(inboxes.get(i).texts.poll(10, TimeUnit.SECONDS)).as("%s", server.recorder.dump())
                        .isEqualTo("stream " + i);
            }
            List<HandshakeEvent> hs = server.recorder.awaitCount(HandshakeEvent.class, x -> true, 5, 5_000);
            assertThat(hs).hasSize(5);
            assertThat(hs).extracting(HandshakeEvent::stream).doesNotHaveDuplicates();
            assertThat(hs.stream().map(HandshakeEvent::client).distinct()).as("one TCP connection").hasSize(1);
            for (Session s : sessions) {
                s.close(1000, "", Callback.NOOP);
            }
        }
    }

    /**
     * {@code --max-connections} counts WebSockets on HTTP/2 as on HTTP/1.1: with a limit of 2,
     * Jetty's third WebSocket on the same HTTP/2 connection is answered 503 on its stream while the
     * first two go on echoing; a plain HTTP/1.1 client is refused as well; once one stream closes
     * there is room for a new stream.
     */
    @Test
    void theConnectionLimitCountsStreams() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        opts.limits.maxConnections = 2;
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client()) {
            List<JettyH2.Inbox> inboxes = new ArrayList<>();
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                JettyH2.Inbox inbox = new JettyH2.Inbox();
                inboxes.add(inbox);
                sessions.add(jetty.ws.connect(inbox, URI.create(server.url("/s" + i))).get(10, TimeUnit.SECONDS));
                inbox.awaitOpen();
            }
            assertThat(server.server.load().openConnections()).as("two streams on one TCP connection").isEqualTo(2);
            assertThatThrownBy(() -> jetty.ws.connect(new JettyH2.Inbox(), URI.create(server.url("/third")))
                    .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("503");
            try (WsClient h1 = new WsClient(h1(server.url("/h1")), new ServerRecorder(), n -> { })) {
                assertThatThrownBy(h1::connect).isInstanceOf(ClientFailure.class).hasMessageContaining("503");
            }
            for (int i = 0; i < 2; i++) {
                sessions.get(i).sendText("still here " + i, Callback.NOOP);
                assertThat(inboxes.get(i).texts.poll(10, TimeUnit.SECONDS)).isEqualTo("still here " + i);
            }
            assertThat(server.server.load().refusedConnections()).isEqualTo(2);
            assertThat(server.recorder.of(dev.wsdebug.capture.ErrorEvent.class)).filteredOn(e -> e.kind().equals("limit"))
                    .first().extracting(dev.wsdebug.capture.ErrorEvent::message).asString()
                    .startsWith("Refused a new connection with 503 Service Unavailable: 2 connections are open");

            sessions.get(0).close(1000, "", Callback.NOOP);
            assertThat(Waits.until(5_000, () -> server.server.load().openConnections() == 1)).isTrue();
            JettyH2.Inbox later = new JettyH2.Inbox();
            Session again = jetty.ws.connect(later, URI.create(server.url("/later"))).get(10, TimeUnit.SECONDS);
            later.awaitOpen();
            again.sendText("room again", Callback.NOOP);
            assertThat(later.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("room again");
            assertThat(server.server.load().openConnections()).isEqualTo(2);
            again.close(1000, "", Callback.NOOP);
            sessions.get(1).close(1000, "", Callback.NOOP);
        }
    }

    @Test
    void serveWithoutConnectProtocolRefusesJetty() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        opts.noConnectProtocol = true;
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client()) {
            assertThatThrownBy(() -> jetty.ws.connect(new JettyH2.Inbox(), URI.create(server.url("/x"))).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void ourClientAgainstServeHttp2AndItsKnobs() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        opts.closeAfter = 2;
        opts.closeCode = 4002;
        opts.closeReason = "two is enough";
        try (TestServer server = TestServer.start(opts)) {
            ServerRecorder events = new ServerRecorder();
            try (WsClient client = new WsClient(h2(server.url("/knobs")), new SynchronizedSink(events), n -> { })) {
                ClientSession s = client.connect();
                assertThat(s.handshakeEvent().transport()).isEqualTo("h2");
                s.sendText("a");
                s.sendText("b");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).isEqualTo(4002);
                assertThat(messages(events, Direction.S2C)).containsExactly("a", "b");
            }
        }
        ServerOptions drop = new ServerOptions();
        drop.http2 = true;
        drop.dropAfter = 1;
        try (TestServer server = TestServer.start(drop)) {
            ServerRecorder events = new ServerRecorder();
            try (WsClient client = new WsClient(h2(server.url("/drop")), new SynchronizedSink(events), n -> { })) {
                ClientSession s = client.connect();
                s.sendText("only");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).as("an RST_STREAM is an abort").isEqualTo(1006);
                Waits.until(2_000, () -> !events.of(dev.wsdebug.capture.ErrorEvent.class).isEmpty());
                assertThat(events.of(dev.wsdebug.capture.ErrorEvent.class)).as("%s", events.dump())
                        .extracting(dev.wsdebug.capture.ErrorEvent::message).contains("The server reset the stream with CANCEL (0x8).");
            }
        }
        ServerOptions reject = new ServerOptions();
        reject.http2 = true;
        reject.reject = 403;
        try (TestServer server = TestServer.start(reject)) {
            try (WsClient client = new WsClient(h2(server.url("/no")), new ServerRecorder(), n -> { })) {
                assertThatThrownBy(client::connect).isInstanceOf(ClientFailure.class).hasMessageContaining("403");
            }
        }
    }
}
