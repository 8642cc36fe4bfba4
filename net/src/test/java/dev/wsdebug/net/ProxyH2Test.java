package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.HandshakeFailure;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The proxy with HTTP/2 on either side (issue 12): clients that open their WebSocket as an
 * extended CONNECT stream (Jetty's HTTP/2-only client, our own client with --http2), upstreams
 * that take one (Jetty's h2c server, {@code serve --http2}), and every mix with HTTP/1.1. The
 * frames pass unchanged; the recording is the upstream side as it crossed the wire.
 */
class ProxyH2Test {
    private WsProxy proxy;
    private final ServerRecorder recorder = new ServerRecorder();
    private final NoFalseAlarms alarms = new NoFalseAlarms();

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private int proxy(String upstream, ProxyOptions.UpstreamHttp version, String... faults) throws Exception {
        return proxy(upstream, version, false, faults);
    }

    private int proxy(String upstream, ProxyOptions.UpstreamHttp version, boolean injectable, String... faults) throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.injectable = injectable;
        o.port = 0;
        o.upstream = URI.create(upstream);
        o.upstreamHttp = version;
        o.upstreamInsecure = true;
        if (faults.length > 0) {
            o.faults = FaultPlan.parse(List.of(faults));
        }
        proxy = new WsProxy(o, new SynchronizedSink(alarms.tee(recorder)));
        return proxy.start().getPort();
    }

    private static void sent(java.util.function.Consumer<Callback> send) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        send.accept(Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(10, TimeUnit.SECONDS);
    }

    private static ClientOptions client(String url, boolean h2) {
        ClientOptions o = H2JettyInteropTest.h2(url);
        o.transport = h2 ? ClientOptions.Transport.HTTP2 : ClientOptions.Transport.HTTP1;
        return o;
    }

    /** Jetty's HTTP/2 client through the proxy to an HTTP/1.1 serve: the stream becomes an upgrade upstream. */
    @Test
    void jettyH2ClientToAnHttp1UpstreamIsTranslated() throws Exception {
        try (TestServer server = TestServer.start(); JettyH2.Client jetty = new JettyH2.Client()) {
            int port = proxy("ws://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.AUTO);
            JettyH2.Inbox inbox = new JettyH2.Inbox();
            org.eclipse.jetty.websocket.client.ClientUpgradeRequest req = new org.eclipse.jetty.websocket.client.ClientUpgradeRequest();
            req.addExtensions("permessage-deflate");
            Session s = jetty.ws.connect(inbox, URI.create("ws://127.0.0.1:" + port + "/mixed?q=1"), req).get(10, TimeUnit.SECONDS);
            inbox.awaitOpen();
            sent(cb -> s.sendText("through the proxy", cb));
            byte[] big = new byte[2 << 20];
            new Random(11).nextBytes(big);
            sent(cb -> s.sendBinary(ByteBuffer.wrap(big), cb));
            sent(cb -> s.sendPartialText("fr", false, cb));
            sent(cb -> s.sendPartialText("ag", true, cb));
            sent(cb -> s.sendPing(ByteBuffer.wrap(new byte[] {9}), cb));
            String why = recorder.dump();
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).as(why).isEqualTo("through the proxy");
            assertThat(inbox.binaries.poll(10, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(big));
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("frag");
            assertThat(inbox.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(new byte[] {9}));
            s.close(4100, "jetty leaves", Callback.NOOP);
            assertThat(inbox.closes.poll(10, TimeUnit.SECONDS)).isEqualTo("4100 jetty leaves");

            HandshakeEvent h = recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("http/1.1");
            assertThat(h.request().method()).isEqualTo("GET");
            assertThat(h.request().target()).isEqualTo("/mixed?q=1");
            assertThat(h.request().header("Sec-WebSocket-Key")).as("the proxy's own key").hasSize(24);
            assertThat(h.result().valid()).isTrue();
            assertThat(h.result().deflate()).as("negotiated end to end").isNotNull();
            CloseEvent close = recorder.await(CloseEvent.class, x -> true, 5_000);
            assertThat(close.code()).isEqualTo(4100);
            assertThat(close.clean()).isTrue();
            assertThat(recorder.messages(Direction.C2S)).extracting(m -> m.message().opcode() == Opcode.TEXT
                    ? m.message().text() : "binary " + m.message().length())
                    .containsExactly("through the proxy", "binary " + big.length, "frag");
            assertThat(server.recorder.await(HandshakeEvent.class, x -> true, 5_000).transport()).isEqualTo("http/1.1");
            alarms.assertNone("Jetty h2 through the proxy to HTTP/1.1");
        }
    }

    /** {@code --max-connections} counts the client's streams: Jetty's third WebSocket on one connection gets 503. */
    @Test
    void theConnectionLimitCountsTheClientsStreams() throws Exception {
        try (TestServer server = TestServer.start(); JettyH2.Client jetty = new JettyH2.Client()) {
            ProxyOptions o = new ProxyOptions();
            o.port = 0;
            o.upstream = URI.create("ws://127.0.0.1:" + server.port());
            o.limits.maxConnections = 2;
            proxy = new WsProxy(o, new SynchronizedSink(recorder));
            int port = proxy.start().getPort();
            List<JettyH2.Inbox> inboxes = new java.util.ArrayList<>();
            List<Session> sessions = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                JettyH2.Inbox inbox = new JettyH2.Inbox();
                inboxes.add(inbox);
                sessions.add(jetty.ws.connect(inbox, URI.create("ws://127.0.0.1:" + port + "/s" + i)).get(10, TimeUnit.SECONDS));
                inbox.awaitOpen();
            }
            assertThat(proxy.load().openConnections()).isEqualTo(2);
            assertThatThrownBy(() -> jetty.ws.connect(new JettyH2.Inbox(), URI.create("ws://127.0.0.1:" + port + "/third"))
                    .get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasMessageContaining("503");
            for (int i = 0; i < 2; i++) {
                int k = i;
                sent(cb -> sessions.get(k).sendText("still " + k, cb));
                assertThat(inboxes.get(i).texts.poll(10, TimeUnit.SECONDS)).isEqualTo("still " + i);
            }
            assertThat(proxy.load().refusedConnections()).isEqualTo(1);
            assertThat(server.server.load().openConnections()).as("the refused stream never reached upstream").isEqualTo(2);
            for (Session s : sessions) {
                s.close(1000, "", Callback.NOOP);
            }
        }
    }

    /** HTTP/2 on both sides: Jetty's client and Jetty's h2c server, with the server's close code. */
    @Test
    void jettyToJettyOverHttp2BothSides() throws Exception {
        try (JettyH2.EchoServer server = new JettyH2.EchoServer(true); JettyH2.Client jetty = new JettyH2.Client()) {
            int port = proxy("ws://127.0.0.1:" + server.port, ProxyOptions.UpstreamHttp.HTTP2);
            JettyH2.Inbox inbox = new JettyH2.Inbox();
            Session s = jetty.ws.connect(inbox, URI.create("ws://127.0.0.1:" + port + "/echo")).get(10, TimeUnit.SECONDS);
            inbox.awaitOpen();
            sent(cb -> s.sendText("frag:3", cb));
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).as(recorder.dump()).isEqualTo("part0part1part2");
            sent(cb -> s.sendText("close:4001:bye from jetty", cb));
            assertThat(inbox.closes.poll(10, TimeUnit.SECONDS)).isEqualTo("4001 bye from jetty");

            HandshakeEvent h = recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.stream() % 2).isEqualTo(1);
            assertThat(h.request().header(":path")).isEqualTo("/echo");
            assertThat(h.result().valid()).isTrue();
            CloseEvent close = recorder.await(CloseEvent.class, x -> true, 5_000);
            assertThat(close.code()).isEqualTo(4001);
            assertThat(close.initiator()).isEqualTo("server");
            assertThat(close.clean()).as(recorder.dump()).isTrue();
            assertThat(recorder.of(FrameEvent.class)).filteredOn(f -> f.dir() == Direction.S2C && (f.frame().opcode() == Opcode.TEXT
                    || f.frame().opcode() == Opcode.CONTINUATION)).as("the fragments as Jetty sent them").hasSize(3);
            alarms.assertNone("Jetty to Jetty over h2 through the proxy");
        }
    }

    /** An HTTP/1.1 client, an HTTP/2 upstream: the 200 comes back as a 101 with the accept of the client's key. */
    @Test
    void http1ClientToAnHttp2Upstream() throws Exception {
        try (JettyH2.EchoServer server = new JettyH2.EchoServer(true)) {
            int port = proxy("ws://127.0.0.1:" + server.port, ProxyOptions.UpstreamHttp.HTTP2);
            ServerRecorder events = new ServerRecorder();
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/echo", false), new SynchronizedSink(events), n -> { })) {
                ClientSession s = c.connect();
                HandshakeEvent mine = s.handshakeEvent();
                assertThat(mine.transport()).isEqualTo("http/1.1");
                assertThat(mine.response().status()).isEqualTo(101);
                assertThat(mine.result().valid()).as("the accept matches our key").isTrue();
                s.sendText("h1 in, h2 out");
                assertThat(Waits.until(10_000, () -> !events.messages(Direction.S2C).isEmpty())).as(recorder.dump()).isTrue();
                assertThat(events.messages(Direction.S2C).get(0).message().text()).isEqualTo("h1 in, h2 out");
                s.close(1000, "done");
                assertThat(s.closed().get(10, TimeUnit.SECONDS).clean()).isTrue();
            }
            HandshakeEvent h = recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.request().header(":protocol")).isEqualTo("websocket");
            assertThat(h.request().header("sec-websocket-key")).isNull();
            assertThat(recorder.await(CloseEvent.class, x -> true, 5_000).clean()).isTrue();
        }
    }

    /**
     * The HTTP/2 upstream resets the WebSocket's stream (serve --drop-after over HTTP/2): the proxy
     * closes the client's side with 1014 at once, whichever version the client speaks, and records
     * the reset on the upstream side without any I/O error.
     */
    @Test
    void anUpstreamStreamResetIsA1014ForTheClient() throws Exception {
        ServerOptions so = new ServerOptions();
        so.http2 = true;
        so.dropAfter = 1;
        try (TestServer server = TestServer.start(so)) {
            int port = proxy("ws://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.HTTP2);
            for (boolean h2 : new boolean[] {true, false}) {
                ServerRecorder events = new ServerRecorder();
                try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/drop", h2), new SynchronizedSink(events), n -> { })) {
                    ClientSession s = c.connect();
                    s.sendText("only one");
                    CloseEvent close = s.closed().get(5, TimeUnit.SECONDS);
                    assertThat(close.code()).as("client over %s: %s", h2 ? "h2" : "http/1.1", recorder.dump()).isEqualTo(1014);
                    assertThat(close.reason()).isEqualTo("upstream connection lost");
                    assertThat(close.initiator()).isEqualTo("server");
                    assertThat(events.messages(Direction.S2C)).extracting(m -> m.message().text()).containsExactly("only one");
                }
            }
            assertThat(Waits.until(5_000, () -> recorder.of(dev.wsdebug.capture.ErrorEvent.class).stream()
                    .filter(e -> e.kind().equals("upstream")).count() == 2)).as(recorder.dump()).isTrue();
            assertThat(recorder.of(dev.wsdebug.capture.ErrorEvent.class)).extracting(dev.wsdebug.capture.ErrorEvent::message)
                    .contains("The server reset the stream with CANCEL (0x8).")
                    .noneMatch(m -> m.startsWith("The upstream connection failed"));
        }
    }

    /** --upstream-http 2 to a server without extended CONNECT: the client is answered 502 with why. */
    @Test
    void http2UpstreamWithoutExtendedConnectIsA502() throws Exception {
        ServerOptions so = new ServerOptions();
        so.http2 = true;
        so.noConnectProtocol = true;
        try (TestServer server = TestServer.start(so)) {
            int port = proxy("ws://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.HTTP2);
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/x", false), new ServerRecorder(), n -> { })) {
                assertThatThrownBy(c::connect).isInstanceOfSatisfying(HandshakeFailure.class, f -> {
                    assertThat(f.response().status()).isEqualTo(502);
                    assertThat(f.bodyExcerpt()).contains("do not enable extended CONNECT");
                });
            }
            ErrorEvent e = recorder.await(ErrorEvent.class, x -> x.kind().equals("upstream"), 5_000);
            assertThat(e.message()).contains("127.0.0.1:" + server.port()).contains("RFC 8441");
        }
    }

    /** auto, a TLS upstream with h2 but without extended CONNECT: the proxy falls back to HTTP/1.1 and says so. */
    @Test
    void autoFallsBackToHttp1WhenTheUpstreamDoesNotEnableExtendedConnect() throws Exception {
        ServerOptions so = new ServerOptions();
        so.http2 = true;
        so.tls = true;
        so.noConnectProtocol = true;
        try (TestServer server = TestServer.start(so)) {
            int port = proxy("wss://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.AUTO);
            ServerRecorder events = new ServerRecorder();
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/fb", true), new SynchronizedSink(events), n -> { })) {
                ClientSession s = c.connect();
                assertThat(s.handshakeEvent().transport()).isEqualTo("h2");
                s.sendText("fell back");
                assertThat(Waits.until(10_000, () -> !events.messages(Direction.S2C).isEmpty())).as(recorder.dump()).isTrue();
                s.close(1000, "");
                s.closed().get(10, TimeUnit.SECONDS);
            }
            ErrorEvent note = recorder.await(ErrorEvent.class, x -> x.kind().equals("http2"), 5_000);
            assertThat(note.message()).contains("do not enable extended CONNECT").contains("over HTTP/1.1 instead");
            assertThat(recorder.await(HandshakeEvent.class, x -> true, 5_000).transport()).isEqualTo("http/1.1");
        }
    }

    /** Fault rules act on an HTTP/2 stream as on a TCP connection: a close injected after two messages, then a reset. */
    @Test
    void faultRulesWorkOnHttp2Streams() throws Exception {
        ServerOptions so = new ServerOptions();
        so.http2 = true;
        try (TestServer server = TestServer.start(so)) {
            int port = proxy("ws://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.HTTP2,
                    "path=/close dir=s2c after=2 close=4002:enough", "path=/reset dir=c2s match=^boom$ reset");
            ServerRecorder events = new ServerRecorder();
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/close", true), new SynchronizedSink(events), n -> { })) {
                ClientSession s = c.connect();
                for (String m : List.of("a", "b", "c")) {
                    s.sendText(m);
                }
                CloseEvent close;
                try {
                    close = s.closed().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("no close; proxy:\n" + recorder.dump() + "\nclient:\n" + events.dump(), e);
                }
                assertThat(close.code()).as(recorder.dump()).isEqualTo(4002);
                assertThat(close.reason()).isEqualTo("enough");
                assertThat(events.messages(Direction.S2C)).extracting(m -> m.message().text()).containsExactly("a", "b");
            }
            assertThat(recorder.await(ErrorEvent.class, x -> x.kind().equals("fault"), 5_000).message()).contains("4002");

            ServerRecorder reset = new ServerRecorder();
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/reset", true), new SynchronizedSink(reset), n -> { })) {
                ClientSession s = c.connect();
                s.sendText("fine");
                assertThat(Waits.until(10_000, () -> !reset.messages(Direction.S2C).isEmpty())).isTrue();
                s.sendText("boom");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).as("a stream reset is an abort").isEqualTo(1006);
                assertThat(close.clean()).isFalse();
            }
            assertThat(recorder.await(ErrorEvent.class, x -> x.kind().equals("fault") && x.message().startsWith("reset"), 5_000)
                    .message()).contains("RST_STREAM");
        }
    }

    /** A plain request on an HTTP/2 stream (no WebSocket) goes upstream as HTTP/1.1 and is listed. */
    @Test
    void plainHttp2RequestsPassThroughAndAreListed() throws Exception {
        com.sun.net.httpserver.HttpServer plain = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        plain.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                byte[] answer = (ex.getRequestMethod() + " " + ex.getRequestURI() + " " + body.length + " bytes: "
                        + new String(body, java.nio.charset.StandardCharsets.UTF_8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("X-Seen", ex.getRequestHeaders().getFirst("X-Test"));
                ex.sendResponseHeaders(201, 0); // chunked
                ex.getResponseBody().write(answer);
            }
        });
        plain.start();
        try {
            int port = proxy("ws://127.0.0.1:" + plain.getAddress().getPort(), ProxyOptions.UpstreamHttp.AUTO);
            // Jetty's HTTP/2 client: a POST with a body, h2c with prior knowledge
            org.eclipse.jetty.client.HttpClient http = new org.eclipse.jetty.client.HttpClient(
                    new org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2(
                            new org.eclipse.jetty.http2.client.HTTP2Client()));
            http.start();
            try {
                org.eclipse.jetty.client.ContentResponse r = http.POST("http://127.0.0.1:" + port + "/form?x=1")
                        .headers(h -> h.put("X-Test", "yes"))
                        .body(new org.eclipse.jetty.client.StringRequestContent("hello body"))
                        .timeout(10, TimeUnit.SECONDS).send();
                assertThat(r.getVersion().asString()).isEqualTo("HTTP/2.0");
                assertThat(r.getStatus()).isEqualTo(201);
                assertThat(r.getHeaders().get("x-seen")).isEqualTo("yes");
                assertThat(r.getContentAsString()).isEqualTo("POST /form?x=1 10 bytes: hello body");
            } finally {
                http.stop();
            }
            HttpEvent x = recorder.await(HttpEvent.class, e -> true, 5_000);
            assertThat(x.method()).isEqualTo("POST");
            assertThat(x.url()).isEqualTo("http://127.0.0.1:" + plain.getAddress().getPort() + "/form?x=1");
            assertThat(x.status()).isEqualTo(201);
        } finally {
            plain.stop(0);
        }
    }

    /** What the web UI does: messages injected into a live HTTP/2 stream, toward either side. */
    @Test
    void messagesAreInjectedIntoHttp2Streams() throws Exception {
        ServerOptions so = new ServerOptions();
        so.http2 = true;
        try (TestServer server = TestServer.start(so)) {
            int port = proxy("ws://127.0.0.1:" + server.port(), ProxyOptions.UpstreamHttp.HTTP2, true);
            ServerRecorder events = new ServerRecorder();
            try (WsClient c = new WsClient(client("ws://127.0.0.1:" + port + "/ui", true), new SynchronizedSink(events), n -> { })) {
                ClientSession s = c.connect();
                String conn = recorder.await(HandshakeEvent.class, x -> true, 5_000).conn();
                assertThat(Waits.until(5_000, () -> proxy.injectable(conn))).isTrue();
                assertThat(proxy.inject(conn, Direction.S2C, Opcode.TEXT, "to the client".getBytes())).isNull();
                assertThat(proxy.inject(conn, Direction.C2S, Opcode.TEXT, "to the server".getBytes())).isNull();
                assertThat(Waits.until(10_000, () -> events.messages(Direction.S2C).size() >= 2)).as(recorder.dump()).isTrue();
                assertThat(events.messages(Direction.S2C)).extracting(m -> m.message().text())
                        .containsExactlyInAnyOrder("to the client", "to the server");
                s.close(1000, "");
                assertThat(s.closed().get(10, TimeUnit.SECONDS).clean()).isTrue();
            }
            assertThat(recorder.of(ErrorEvent.class)).filteredOn(e -> e.kind().equals("inject")).hasSize(2);
        }
    }
}
