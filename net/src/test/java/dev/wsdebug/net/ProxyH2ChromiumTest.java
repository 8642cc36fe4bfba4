package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsServer;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.tls.LocalCa;
import dev.wsdebug.net.tls.Tls;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium through the forward proxy with TLS interception, to a TLS {@code serve
 * --http2} (issue 12): the leaf offers h2 by ALPN, so Chromium speaks HTTP/2 to the proxy; the
 * page (from an HTTP/1.1 server, relayed as plain HTTP/2 requests) first fetches from the echo
 * server's origin so that Chromium holds an HTTP/2 connection there, whose SETTINGS (the proxy's)
 * enable extended CONNECT, and then opens its WebSocket, which Chromium sends as a stream of that
 * connection. The proxy opens it upstream as an HTTP/2 stream too (auto: the client's version,
 * offered by ALPN), and the recording says {@code transport h2}; the server sees the same.
 */
class ProxyH2ChromiumTest {
    private static final long PAGE_MILLIS = 60_000;
    private static final long WAIT_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SENT = List.of("over h2 both sides", "ünïcödé ✓", "y".repeat(70_000), "last");

    @TempDir
    Path dir;
    private LocalCa ca;
    private TestServer upstream;
    private HttpsServer pageServer;
    private WsProxy proxy;
    private LoopbackOnlyGate gate;
    private final ServerRecorder recorder = new ServerRecorder();
    private final NoFalseAlarms alarms = new NoFalseAlarms();

    @BeforeEach
    void start() throws Exception {
        ChromiumProcess.require();
        ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        ServerOptions so = new ServerOptions();
        so.tls = true;
        so.http2 = true;
        upstream = TestServer.start(so);
        Tls.Identity id = upstream.server.identity();
        Path upstreamCert = dir.resolve("upstream.pem");
        Tls.writePem(id.certificate(), upstreamCert);
        pageServer = PageServer.serve(id, page(upstream.port()), true);

        ProxyOptions po = new ProxyOptions();
        po.port = 0;
        po.interceptContext = host -> ca.serverContext(host, true);
        po.upstreamCa = upstreamCert;
        proxy = new WsProxy(po, new SynchronizedSink(alarms.tee(recorder)));
        gate = new LoopbackOnlyGate(proxy.start().getPort());
    }

    @AfterEach
    void stop() {
        if (gate != null) {
            gate.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (pageServer != null) {
            pageServer.stop(0);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /**
     * The page: a fetch from the echo server's origin (so that Chromium holds an HTTP/2 connection
     * there), then the WebSocket, each message after the previous echo, then a report.
     */
    static String page(int wsPort) throws Exception {
        return String.join("\n",
                "<!doctype html><meta charset=utf-8><title>wsdebug h2</title><pre id=log>started</pre>",
                "<script>",
                "const sent = " + JSON.writeValueAsString(SENT) + ";",
                "const seen = [];",
                "const nav = performance.getEntriesByType('navigation')[0].nextHopProtocol;",
                "const log = (s) => console.log('wsdebug-page: ' + s);",
                // an HTTP/2 connection to the echo server's origin first (the fetch's answer does not matter)
                "fetch('https://localhost:" + wsPort + "/warm', {mode: 'no-cors', credentials: 'include'})",
                "  .catch((e) => log('fetch failed ' + e)).finally(() => {",
                "  const ws = new WebSocket('wss://localhost:" + wsPort + "/chromium-h2');",
                "  ws.onopen = () => { log('open ' + ws.extensions); ws.send(sent[0]); };",
                "  ws.onmessage = (e) => {",
                "    if (e.data.startsWith('report:')) { ws.close(1000, 'page done'); return; }",
                "    seen.push(e.data);",
                "    if (seen.length < sent.length) ws.send(sent[seen.length]);",
                "    else ws.send('report:' + JSON.stringify({seen, nav}));",
                "  };",
                "  ws.onerror = () => log('error');",
                "  ws.onclose = (e) => log('closed ' + e.code + ' ' + e.wasClean);",
                "});",
                "</script>");
    }

    @Test
    void chromiumsHttp2WebSocketIsRelayedOverHttp2BothSidesAndRecorded() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        ChromiumProcess.trustInNssDb(home, ca.certificatePath());
        int pagePort = pageServer.getAddress().getPort();
        int wsPort = upstream.port();
        String pageUrl = "https://localhost:" + pagePort + "/";
        String wsUrl = "wss://localhost:" + wsPort + "/chromium-h2";

        CloseEvent close;
        String chromiumOutput;
        try (ChromiumProcess chromium = ChromiumProcess.start(home, dir.resolve("profile"), List.of(
                "--proxy-server=http://127.0.0.1:" + gate.port(), "--proxy-bypass-list=<-loopback>",
                "--enable-logging=stderr", "--log-level=0", pageUrl))) {
            try {
                HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> wsUrl.equals(e.url()), PAGE_MILLIS);
                close = recorder.await(CloseEvent.class, c -> c.conn().equals(h.conn()), PAGE_MILLIS);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nproxy:\n" + recorder.dump() + "\nnot loopback: " + gate.refused()
                        + "\n--- chromium ---\n" + chromium.output(), e);
            }
            chromiumOutput = chromium.output();
        }
        String why = "\nproxy:\n" + recorder.dump() + "\n--- chromium ---\n" + chromiumOutput;

        // the upstream side as recorded: an extended CONNECT on an HTTP/2 stream, answered 200
        HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> wsUrl.equals(e.url()), WAIT_MILLIS);
        assertThat(h.transport()).as(why).isEqualTo("h2");
        assertThat(h.request().method()).isEqualTo("CONNECT");
        assertThat(h.request().header(":protocol")).isEqualTo("websocket");
        assertThat(h.request().header("user-agent")).as(why).contains("HeadlessChrome/");
        assertThat(h.request().header("origin")).isEqualTo("https://localhost:" + pagePort);
        assertThat(h.request().header("sec-websocket-key")).as("no key on an h2 stream").isNull();
        assertThat(h.response().status()).isEqualTo(200);
        assertThat(h.result().valid()).as(why).isTrue();
        assertThat(h.result().deflate()).as("Chromium offers permessage-deflate, the server takes it").isNotNull();

        // the server saw the same over HTTP/2
        HandshakeEvent atServer = upstream.recorder.await(HandshakeEvent.class, e -> e.url().endsWith("/chromium-h2"), WAIT_MILLIS);
        assertThat(atServer.transport()).isEqualTo("h2");

        String conn = h.conn();
        List<MessageEvent> c2s = recorder.messages(Direction.C2S).stream().filter(m -> m.conn().equals(conn)).toList();
        List<MessageEvent> s2c = recorder.messages(Direction.S2C).stream().filter(m -> m.conn().equals(conn)).toList();
        assertThat(c2s).as(why).hasSize(SENT.size() + 1);
        assertThat(s2c).as(why).hasSize(SENT.size() + 1);
        assertThat(c2s.subList(0, SENT.size())).extracting(m -> m.message().text()).containsExactlyElementsOf(SENT);
        assertThat(s2c.subList(0, SENT.size())).extracting(m -> m.message().text()).containsExactlyElementsOf(SENT);
        JsonNode report = JSON.readTree(c2s.get(SENT.size()).message().text().substring("report:".length()));
        assertThat(report.path("seen")).extracting(JsonNode::asText).containsExactlyElementsOf(SENT);
        // Chromium loaded the page itself over HTTP/2 from the proxy: the client side speaks h2
        assertThat(report.path("nav").asText()).as(why).isEqualTo("h2");
        assertThat(recorder.of(FrameEvent.class)).filteredOn(f -> f.conn().equals(conn))
                .allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        assertThat(close.code()).as(why).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("page done");
        assertThat(close.clean()).isTrue();

        // the plain HTTP/2 requests passed through and were listed: the page (chunked upstream), the warm-up fetch
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (recorder.of(HttpEvent.class).stream().noneMatch(x -> x.url().equals(pageUrl)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(recorder.of(HttpEvent.class)).as(why).anySatisfy(x -> {
            assertThat(x.method()).isEqualTo("GET");
            assertThat(x.url()).isEqualTo(pageUrl);
            assertThat(x.status()).isEqualTo(200);
        });
        assertThat(recorder.of(HttpEvent.class)).as(why).anySatisfy(x ->
                assertThat(x.url()).isEqualTo("https://localhost:" + wsPort + "/warm"));
        alarms.assertNone("Chromium over HTTP/2 through the intercepting proxy, at the proxy");
    }
}
