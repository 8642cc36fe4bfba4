package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsServer;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
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

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium using the forward proxy ({@code --proxy-server}) and trusting the local CA
 * through the NSS database in its HOME, as a person would after {@code wsdebug ca}: it loads
 * https://localhost:PAGE/ and that page opens wss://localhost:WS/chromium. Both go through CONNECT
 * tunnels that the proxy intercepts; the proxy verifies the upstreams' self-signed certificate.
 * The page sends messages one after the other's echo, then a report of the echoes it received, and
 * closes with 1000. Chromium reaches the proxy through a {@link LoopbackOnlyGate}, which passes on
 * the connections for localhost unchanged and turns away the browser's own traffic for other hosts,
 * so that nothing here leaves the machine.
 */
class ProxyInterceptChromiumTest {
    /** Bound on the whole page run (start of the browser to the close of the WebSocket). */
    private static final long PAGE_MILLIS = 60_000;
    private static final long WAIT_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SENT = List.of("hello from chromium", "ünïcödé ✓ 🚀",
            "x".repeat(30_000), "last");

    @TempDir
    Path dir;
    private LocalCa ca;
    private TestServer upstream;
    private HttpsServer pageServer;
    private WsProxy proxy;
    private LoopbackOnlyGate gate;
    private final ServerRecorder recorder = new ServerRecorder();
    /** The analysis rules over what the proxy records, for the sessions that are healthy. */
    private final NoFalseAlarms alarms = new NoFalseAlarms();

    @BeforeEach
    void start() throws Exception {
        ChromiumProcess.require();
        ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        ServerOptions so = new ServerOptions();
        so.tls = true;
        upstream = TestServer.start(so);
        Tls.Identity id = upstream.server.identity();
        Path upstreamCert = dir.resolve("upstream.pem");
        Tls.writePem(id.certificate(), upstreamCert);
        pageServer = PageServer.serve(id, page(upstream.port()), false);

        ProxyOptions po = new ProxyOptions();
        po.port = 0;
        po.interceptContext = ca::serverContext;
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

    /** The page: a WebSocket to the echo server, each message after the previous echo, then a report. */
    private static String page(int wsPort) throws IOException {
        return String.join("\n",
                "<!doctype html><meta charset=utf-8><title>wsdebug intercept</title><pre id=log>started</pre>",
                "<script>",
                "const sent = " + JSON.writeValueAsString(SENT) + ";",
                "const seen = [];",
                "const log = (s) => { document.getElementById('log').textContent += '\\n' + s; console.log('wsdebug-page: ' + s); };",
                "const ws = new WebSocket('wss://localhost:" + wsPort + "/chromium?from=page');",
                "ws.onopen = () => { log('open ' + ws.extensions); ws.send(sent[0]); };",
                "ws.onmessage = (e) => {",
                "  if (e.data.startsWith('report:')) { ws.close(1000, 'page done'); return; }",
                "  seen.push(e.data);",
                "  if (seen.length < sent.length) ws.send(sent[seen.length]);",
                "  else ws.send('report:' + JSON.stringify({seen, userAgent: navigator.userAgent, origin: location.origin}));",
                "};",
                "ws.onerror = () => log('error');",
                "ws.onclose = (e) => log('closed ' + e.code + ' ' + e.wasClean);",
                "</script>");
    }

    @Test
    void chromiumTrustingTheCaInItsNssDbIsInterceptedEndToEnd() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        ChromiumProcess.trustInNssDb(home, ca.certificatePath());
        int pagePort = pageServer.getAddress().getPort();
        int wsPort = upstream.port();
        String pageUrl = "https://localhost:" + pagePort + "/";
        String wsUrl = "wss://localhost:" + wsPort + "/chromium?from=page";

        CloseEvent close;
        String chromiumOutput;
        try (ChromiumProcess chromium = ChromiumProcess.start(home, dir.resolve("profile"), List.of(
                "--proxy-server=http://127.0.0.1:" + gate.port(),
                "--proxy-bypass-list=<-loopback>", // Chromium goes direct to localhost unless told otherwise
                "--enable-logging=stderr", "--log-level=0",
                pageUrl))) {
            try {
                HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> wsUrl.equals(e.url()), PAGE_MILLIS);
                close = recorder.await(CloseEvent.class, c -> c.conn().equals(h.conn()), PAGE_MILLIS);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nnot loopback, refused before"
                        + " the proxy: " + gate.refused() + "\n--- chromium ---\n"
                        + chromium.output(), e);
            }
            chromiumOutput = chromium.output();
        }
        String why = "\nproxy:\n" + recorder.dump() + "\nnot loopback, refused before the proxy: "
                + gate.refused() + "\n--- chromium ---\n" + chromiumOutput;

        // the decrypted upgrade, as Chromium sent it from the https page
        HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> wsUrl.equals(e.url()), WAIT_MILLIS);
        assertThat(h.request().header("User-Agent")).as(why).contains("HeadlessChrome/").contains("Chrome/");
        assertThat(h.request().header("Origin")).isEqualTo("https://localhost:" + pagePort);
        assertThat(h.request().header("Host")).isEqualTo("localhost:" + wsPort);
        assertThat(h.result().valid()).as(why).isTrue();
        assertThat(h.result().deflate()).as("Chromium offers permessage-deflate, the server takes it").isNotNull();
        assertThat(h.server()).isEqualTo("localhost:" + wsPort);

        // every message both ways in clear text, then the page's report of what it received
        String conn = h.conn();
        List<MessageEvent> c2s = recorder.messages(Direction.C2S).stream().filter(m -> m.conn().equals(conn)).toList();
        List<MessageEvent> s2c = recorder.messages(Direction.S2C).stream().filter(m -> m.conn().equals(conn)).toList();
        assertThat(c2s).as(why).hasSize(SENT.size() + 1);
        assertThat(s2c).as(why).hasSize(SENT.size() + 1);
        assertThat(c2s.subList(0, SENT.size())).extracting(m -> m.message().text()).containsExactlyElementsOf(SENT);
        assertThat(s2c.subList(0, SENT.size())).extracting(m -> m.message().text()).containsExactlyElementsOf(SENT);
        assertThat(s2c).allSatisfy(m -> assertThat(m.message().compressed()).isTrue());
        String report = c2s.get(SENT.size()).message().text();
        assertThat(report).startsWith("report:");
        assertThat(s2c.get(SENT.size()).message().text()).isEqualTo(report);
        JsonNode r = JSON.readTree(report.substring("report:".length()));
        assertThat(r.path("seen")).extracting(JsonNode::asText).containsExactlyElementsOf(SENT);
        assertThat(r.path("origin").asText()).isEqualTo("https://localhost:" + pagePort);
        assertThat(r.path("userAgent").asText()).isEqualTo(h.request().header("User-Agent"));
        assertThat(recorder.of(FrameEvent.class)).filteredOn(f -> f.conn().equals(conn))
                .allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());

        // the page closed it cleanly
        assertThat(close.code()).as(why).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("page done");
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();

        // the page itself came through an intercepted tunnel too, and Chromium accepted every leaf
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (recorder.of(HttpEvent.class).stream().noneMatch(x -> x.url().equals(pageUrl)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(recorder.of(HttpEvent.class)).as(why).anySatisfy(x -> {
            assertThat(x.method()).isEqualTo("GET");
            assertThat(x.url()).isEqualTo(pageUrl);
            assertThat(x.status()).isEqualTo(200);
        });
        // Chromium refused no leaf (it may still drop a spare connection mid-handshake, without an alert)
        assertThat(recorder.of(ErrorEvent.class)).as(why).noneMatch(e -> e.message().startsWith("The client refused the intercepted TLS session"));
        // nothing but localhost reached the proxy: Chromium's own traffic (time, updates, accounts: it
        // sends some whatever its flags say) was turned away by the gate
        assertThat(recorder.of(HttpEvent.class)).as(why).allSatisfy(x -> assertThat(URI.create(x.url().startsWith("localhost:")
                ? "https://" + x.url() : x.url()).getHost()).isEqualTo("localhost"));
        assertThat(recorder.handshakes()).as(why).allSatisfy(x -> assertThat(URI.create(x.url()).getHost()).isEqualTo("localhost"));
        alarms.assertNone("Chromium through the intercepting proxy, at the proxy");
        upstream.alarms.assertNone("Chromium through the intercepting proxy, at the server");
    }

    @Test
    void chromiumWithoutTheCaRefusesTheLeafAndTheProxySaysWhy() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home")); // no NSS database: only the built-in roots
        String pageUrl = "https://localhost:" + pageServer.getAddress().getPort() + "/";
        ErrorEvent refused;
        String chromiumOutput;
        try (ChromiumProcess chromium = ChromiumProcess.start(home, dir.resolve("profile"), List.of(
                "--proxy-server=http://127.0.0.1:" + gate.port(), "--proxy-bypass-list=<-loopback>", pageUrl))) {
            try {
                refused = recorder.await(ErrorEvent.class, e -> e.kind().equals("tls") && e.message().startsWith("The client refused the intercepted TLS session"),
                        PAGE_MILLIS);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n--- chromium ---\n" + chromium.output(), e);
            }
            Thread.sleep(500); // anything the proxy would report after the refusal
            chromiumOutput = chromium.output();
        }
        String why = "\nproxy:\n" + recorder.dump() + "\n--- chromium ---\n" + chromiumOutput;
        assertThat(refused.message()).as(why).contains("localhost").contains("wsdebug ca");
        // the page never loaded: no request reached the page server, no WebSocket was opened
        assertThat(recorder.handshakes()).as(why).isEmpty();
        assertThat(upstream.server.connections()).isZero();
        assertThat(recorder.of(HttpEvent.class)).as(why).noneMatch(x -> x.url().equals(pageUrl));
        // BoringSSL says why with an alert; one report per refused (or dropped spare) connection, of kind tls
        assertThat(refused.message()).contains("refused").contains("certificate_unknown");
        List<ErrorEvent> errors = recorder.of(ErrorEvent.class);
        assertThat(errors).as(why).allSatisfy(e -> assertThat(e.kind()).isEqualTo("tls"));
        assertThat(errors.stream().map(ErrorEvent::conn).distinct().count()).as(why).isEqualTo(errors.size());
    }
}
