package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.ourServer;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code proxy} with HTTP/2 (issue 12): Node's {@code http2} module as a raw RFC 8441
 * client and server on both sides of it, a Node client to an HTTP/1.1 {@code ws} server through
 * it, the recording read back with its HTTP/2 stream, and the options' usage errors.
 */
@Tag("packaged-jar")
class ProxyHttp2IT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path script() {
        return Peer.repoRoot().resolve("sniff/src/test/resources/live/h2_ws_peer.js");
    }

    /** Runs the Node RFC 8441 client against a port; its JSON lines. */
    private static List<JsonNode> nodeClient(int port) throws Exception {
        Process node = new ProcessBuilder("node", script().toString(), "client", Integer.toString(port)).redirectErrorStream(true).start();
        try {
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("the Node client finished").isTrue();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.exitValue()).as(out).isZero();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : out.split("\n")) {
                if (l.startsWith("{")) {
                    lines.add(JSON.readTree(l));
                }
            }
            return lines;
        } finally {
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static List<String> seen(List<JsonNode> lines, String event) {
        return lines.stream().filter(n -> n.path("event").asText().equals(event))
                .map(n -> n.path("kind").asText() + " " + n.path("sha256").asText()).toList();
    }

    private static void assertEchoed(List<JsonNode> lines) {
        assertThat(seen(lines, "sent")).as("%s", lines).hasSize(3);
        assertThat(seen(lines, "received")).as("every message echoed unchanged").isEqualTo(seen(lines, "sent"));
        assertThat(lines).anySatisfy(n -> assertThat(n.path("event").asText() + " " + n.path("hex").asText()).isEqualTo("pong 0a0b"));
        assertThat(lines).anySatisfy(n -> assertThat(n.path("event").asText() + " " + n.path("code").asInt()).isEqualTo("closed 4001"));
    }

    /** The proxy's metrics page, once a closed connection shows in it (bounded wait). */
    private static String scrape(ProxyProcess proxy) throws Exception {
        String url = proxy.errLines().stream().filter(l -> l.startsWith("metrics on ")).findFirst()
                .map(l -> l.substring("metrics on ".length()).trim()).orElseThrow(() -> new AssertionError(proxy.errLines()));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = "";
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("wsdebug_close_codes_total{code=\"4001\"} 1.0")) {
                break;
            }
            Thread.sleep(50);
        }
        return body;
    }

    @Test
    @Timeout(90)
    void nodeHttp2PeersOnBothSidesAndTheRecordingReadsBack(@TempDir Path dir) throws Exception {
        Peer.requireInstalled(Peer.Kind.NODE_WS);
        Path cap = dir.resolve("h2.wsdb");
        Process server = new ProcessBuilder("node", script().toString(), "server").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertThat(first).startsWith("PORT ");
            int port = Integer.parseInt(first.substring(5).trim());
            String proxyOut;
            try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + port, "--upstream-http", "2",
                    "--save", cap.toString(), "--metrics", "0")) {
                assertEchoed(nodeClient(proxy.port));
                // the Prometheus metrics count a WebSocket over HTTP/2 as they count one over HTTP/1.1
                String metrics = scrape(proxy);
                assertThat(metrics).as(metrics).contains("wsdebug_connections_total{result=\"clean\"} 1.0",
                        "wsdebug_messages_total{direction=\"c2s\",type=\"text\"} 2.0",
                        "wsdebug_messages_total{direction=\"s2c\",type=\"binary\"} 1.0",
                        "wsdebug_close_codes_total{code=\"4001\"} 1.0");
                proxy.close();
                proxyOut = proxy.out();
            }
            List<JsonNode> live = jsonLines(proxyOut);
            JsonNode h = events(live, "handshake").get(0);
            assertThat(h.get("transport").asText()).as(proxyOut).isEqualTo("h2");
            assertThat(ConnectSupport.header(h.get("request"), ":protocol")).isEqualTo("websocket");
            assertThat(texts(messages(live, "c2s"))).as("the binary message has no text").containsExactly("hello over HTTP/2", null, "two frames");
            JsonNode close = events(live, "close").get(0);
            assertThat(close.get("code").asInt()).isEqualTo(4001);
            assertThat(close.get("clean").asBoolean()).as(proxyOut).isTrue();

            WsdebugProcess.Result read = WsdebugProcess.run("read", cap.toString(), "--json");
            assertThat(read.exit()).as(read.err()).isZero();
            List<JsonNode> saved = jsonLines(read.out());
            JsonNode sh = events(saved, "handshake").get(0);
            assertThat(sh.get("transport").asText()).isEqualTo("h2");
            assertThat(sh.get("stream").asInt()).isEqualTo(h.get("stream").asInt());
            assertThat(texts(messages(saved, "s2c"))).containsExactly("hello over HTTP/2", null, "two frames");
            WsdebugProcess.Result transcript = WsdebugProcess.run("read", cap.toString());
            assertThat(transcript.out()).contains("over HTTP/2, stream " + sh.get("stream").asInt());
        } finally {
            server.destroyForcibly();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(90)
    void aNodeHttp2ClientReachesAnHttp1WsServer() throws Exception {
        try (Peer echo = Peer.start(Peer.Kind.NODE_WS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port())) {
            assertEchoed(nodeClient(proxy.port));
            proxy.close();
            String out = proxy.out();
            JsonNode h = events(jsonLines(out), "handshake").get(0);
            assertThat(h.get("transport").asText()).as(out).isEqualTo("http/1.1");
            assertThat(h.get("upgraded").asBoolean()).isTrue();
            assertThat(events(jsonLines(out), "close").get(0).get("code").asInt()).isEqualTo(4001);
        }
    }

    /**
     * The forward proxy intercepts a wss:// tunnel whose client speaks HTTP/2, and cannot trust the
     * upstream's self-signed certificate: the client's stream gets a 502 whose body says why, and the
     * proxy prints no stack trace (the TLS failure on an HTTP/2 upstream once reached Netty's end of
     * the pipeline).
     */
    @Test
    @Timeout(90)
    void anUntrustedUpstreamIsA502WithItsReasonOnTheClientsStream(@TempDir Path dir) throws Exception {
        ServerOptions tls = new ServerOptions();
        tls.tls = true;
        tls.http2 = true;
        try (ConnectSupport.OurServer server = ourServer(tls);
             ProxyProcess proxy = ProxyProcess.start(java.util.Map.of("XDG_DATA_HOME", dir.toString()))) {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", "--insecure", "--proxy", "http://127.0.0.1:" + proxy.port,
                    "wss://127.0.0.1:" + server.port() + "/x", "-x", "hi");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(r.out() + r.err()).as(explain(r)).contains("over HTTP/2")
                    .contains("response body: The upstream 127.0.0.1:" + server.port() + " (TLS) cannot be reached:"
                            + " unable to find valid certification path to requested target.");
            proxy.close();
            assertThat(String.join("\n", proxy.errLines())).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void noHttp2RefusesAnHttp2ClientAndUpstreamHttpTwoSaysWhyItCannot() throws Exception {
        ServerOptions plain = new ServerOptions(); // HTTP/1.1 only
        try (ConnectSupport.OurServer server = ourServer(plain);
             ProxyProcess strict = ProxyProcess.start("--to", server.url(), "--no-http2");
             ProxyProcess h2up = ProxyProcess.start("--to", server.url(), "--upstream-http", "2")) {
            WsdebugProcess.Result refused = wsdebug("connect", "--http2", "ws://127.0.0.1:" + strict.port + "/x", "-x", "hi");
            assertThat(refused.exit()).as(explain(refused)).isEqualTo(1);
            assertThat(refused.err()).contains("does not speak HTTP/2");

            WsdebugProcess.Result bad = wsdebug("connect", "ws://127.0.0.1:" + h2up.port + "/x", "-x", "hi");
            assertThat(bad.exit()).as(explain(bad)).isEqualTo(1);
            assertThat(bad.err() + bad.out()).contains("502").contains("HTTP/2");
        }
        WsdebugProcess.Result usage = wsdebug("proxy", "--listen", "127.0.0.1:0", "--upstream-http", "3");
        assertThat(usage.exit()).as(explain(usage)).isEqualTo(2);
        assertThat(usage.err()).contains("--upstream-http must be auto, 1.1 or 2, not 3.");
    }
}
