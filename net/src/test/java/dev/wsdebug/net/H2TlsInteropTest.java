package dev.wsdebug.net;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.tls.Tls;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WebSockets over HTTP/2 on TLS, chosen by ALPN: {@code connect} offers h2 for wss:// and falls back
 * to HTTP/1.1 when the server does not enable extended CONNECT; {@code serve --http2 --tls} serves
 * both by ALPN; Jetty 12 is the peer each way.
 */
class H2TlsInteropTest {

    private static ClientOptions wss(int port, ClientOptions.Transport transport) {
        ClientOptions o = new ClientOptions();
        o.url = URI.create("wss://127.0.0.1:" + port + "/echo");
        o.insecure = true;
        o.transport = transport;
        o.connectTimeoutMillis = 5_000;
        o.handshakeTimeoutMillis = 5_000;
        return o;
    }

    private static HandshakeEvent handshake(ClientOptions o, List<String> notices) throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        try (WsClient client = new WsClient(o, new SynchronizedSink(events::add), notices::add)) {
            ClientSession s = client.connect();
            HandshakeEvent h = s.handshakeEvent();
            s.sendText("over " + h.transport());
            s.close(1000, "");
            s.closed().get(10, TimeUnit.SECONDS);
            return h;
        }
    }

    @Test
    void wssPicksH2ByAlpnAgainstServe() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        opts.http2 = true;
        try (TestServer server = TestServer.start(opts)) {
            List<String> notices = new CopyOnWriteArrayList<>();
            assertThat(handshake(wss(server.port(), ClientOptions.Transport.AUTO), notices).transport()).as("%s", notices)
                    .isEqualTo("h2");
            assertThat(handshake(wss(server.port(), ClientOptions.Transport.HTTP1), notices).transport()).isEqualTo("http/1.1");
            assertThat(notices).noneMatch(n -> n.contains("HTTP/2"));
        }
    }

    @Test
    void wssFallsBackWhenExtendedConnectIsOff() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        opts.http2 = true;
        opts.noConnectProtocol = true;
        try (TestServer server = TestServer.start(opts)) {
            List<String> notices = new CopyOnWriteArrayList<>();
            assertThat(handshake(wss(server.port(), ClientOptions.Transport.AUTO), notices).transport()).isEqualTo("http/1.1");
            assertThat(notices).containsExactly("The server at 127.0.0.1:" + server.port() + " speaks HTTP/2 but its SETTINGS"
                    + " do not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441), so it takes no WebSocket"
                    + " over HTTP/2. Falling back to HTTP/1.1.");
            try (WsClient client = new WsClient(wss(server.port(), ClientOptions.Transport.HTTP2), e -> { }, n -> { })) {
                assertThatThrownBy(client::connect).isInstanceOf(ClientFailure.class)
                        .hasMessageContaining("do not enable extended CONNECT");
            }
        }
    }

    @Test
    void http2IsRefusedBySentenceWhenAlpnPicksHttp1() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        try (TestServer server = TestServer.start(opts);
             WsClient client = new WsClient(wss(server.port(), ClientOptions.Transport.HTTP2), e -> { }, n -> { })) {
            assertThatThrownBy(client::connect).isInstanceOf(ClientFailure.class)
                    .hasMessage("The server at 127.0.0.1:" + server.port() + " did not choose HTTP/2 by ALPN (it offered none),"
                            + " so it takes no WebSocket over HTTP/2.");
        }
    }

    @Test
    void ourClientAgainstJettyOverTls() throws Exception {
        try (JettyH2.EchoServer jetty = new JettyH2.EchoServer(true, Tls.selfSigned())) {
            List<String> notices = new CopyOnWriteArrayList<>();
            HandshakeEvent h = handshake(wss(jetty.port, ClientOptions.Transport.AUTO), notices);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.request().header(":scheme")).isEqualTo("https");
            assertThat(h.result().valid()).isTrue();
        }
    }

    @Test
    void jettyClientAgainstServeOverTls() throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        opts.http2 = true;
        try (TestServer server = TestServer.start(opts); JettyH2.Client jetty = new JettyH2.Client(true)) {
            JettyH2.Inbox inbox = new JettyH2.Inbox();
            Session s = jetty.ws.connect(inbox, URI.create(server.url("/tls"))).get(10, TimeUnit.SECONDS);
            inbox.awaitOpen();
            s.sendText("secure", Callback.NOOP);
            assertThat(inbox.texts.poll(10, TimeUnit.SECONDS)).as("%s", server.recorder.dump()).isEqualTo("secure");
            s.close(1000, "bye", Callback.NOOP);
            assertThat(inbox.closes.poll(10, TimeUnit.SECONDS)).isEqualTo("1000 bye");
            HandshakeEvent h = server.recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.result().valid()).isTrue();
            // the URL shown follows the :scheme the client sent, as it was on the wire
            assertThat(h.url()).isEqualTo(("https".equals(h.request().header(":scheme")) ? "wss" : "ws")
                    + "://127.0.0.1:" + server.port() + "/tls");
        }
    }
}
