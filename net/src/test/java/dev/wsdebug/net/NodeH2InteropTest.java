package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSockets over HTTP/2 with Node's built-in {@code http2} module as a raw RFC 8441 peer (the
 * sniff tests' h2_ws_peer.js: it parses and masks WebSocket frames itself), both ways: our client
 * against its h2c server, its h2c client against {@code serve --http2}.
 */
class NodeH2InteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path script() {
        return Peer.repoRoot().resolve("sniff/src/test/resources/live/h2_ws_peer.js");
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (l.startsWith("{")) {
                nodes.add(JSON.readTree(l));
            }
        }
        return nodes;
    }

    @Test
    @Timeout(60)
    void ourClientTalksToANodeHttp2Server() throws Exception {
        Peer.requireInstalled(Peer.Kind.NODE_WS);
        Process node = new ProcessBuilder("node", script().toString(), "server").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertThat(first).startsWith("PORT ");
            int port = Integer.parseInt(first.substring(5).trim());
            ServerRecorder events = new ServerRecorder();
            try (WsClient client = new WsClient(H2JettyInteropTest.h2("ws://127.0.0.1:" + port + "/live"), events, n -> { })) {
                ClientSession s = client.connect();
                HandshakeEvent h = s.handshakeEvent();
                assertThat(h.transport()).isEqualTo("h2");
                assertThat(h.response().status()).isEqualTo(200);
                assertThat(h.result().valid()).as("%s", h.result().problems()).isTrue();
                s.sendText("hello node");
                byte[] bin = new byte[70_000]; // a 64-bit length, over several DATA frames
                new java.util.Random(5).nextBytes(bin);
                s.sendBinary(bin);
                s.ping(null);
                assertThat(Waits.until(10_000, () -> events.messages(Direction.S2C).size() >= 2 && !s.rtts().isEmpty()))
                        .as("echoes and the pong").isTrue();
                assertThat(events.messages(Direction.S2C).get(0).message().text()).isEqualTo("hello node");
                assertThat(events.messages(Direction.S2C).get(1).message().length()).isEqualTo(bin.length);
                s.close(1000, "done");
                CloseEvent close = s.closed().get(10, TimeUnit.SECONDS);
                assertThat(close.code()).isEqualTo(1000);
                assertThat(close.clean()).isTrue();
            }
            // what the Node server itself received: the same messages
            node.toHandle().destroy(); // SIGTERM; Process.destroy would also close the pipe read below
            assertThat(node.waitFor(5, TimeUnit.SECONDS)).isTrue();
            StringBuilder rest = new StringBuilder();
            for (String l; (l = out.readLine()) != null; ) {
                rest.append(l).append('\n');
            }
            List<JsonNode> seen = lines(rest.toString());
            assertThat(seen).filteredOn(n -> n.path("event").asText().equals("received"))
                    .extracting(n -> n.path("kind").asText() + " " + n.path("len").asInt())
                    .containsExactly("text 10", "binary 70000");
            assertThat(seen).anySatisfy(n -> assertThat(n.path("event").asText() + " " + n.path("code").asInt())
                    .isEqualTo("closed 1000"));
        } finally {
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void aNodeHttp2ClientTalksToServeHttp2() throws Exception {
        Peer.requireInstalled(Peer.Kind.NODE_WS);
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        try (TestServer server = TestServer.start(opts)) {
            Process node = new ProcessBuilder("node", script().toString(), "client", Integer.toString(server.port()))
                    .redirectErrorStream(true).start();
            try {
                assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("the Node client finished").isTrue();
                String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(node.exitValue()).as(out).isZero();
                List<JsonNode> seen = lines(out);
                List<String> sent = seen.stream().filter(n -> n.path("event").asText().equals("sent"))
                        .map(n -> n.path("kind").asText() + " " + n.path("sha256").asText()).toList();
                List<String> received = seen.stream().filter(n -> n.path("event").asText().equals("received"))
                        .map(n -> n.path("kind").asText() + " " + n.path("sha256").asText()).toList();
                assertThat(sent).as(out).hasSize(3);
                assertThat(received).as("every message echoed unchanged").isEqualTo(sent);
                assertThat(seen).anySatisfy(n -> assertThat(n.path("event").asText() + " " + n.path("hex").asText())
                        .isEqualTo("pong 0a0b"));
                assertThat(seen).anySatisfy(n -> assertThat(n.path("event").asText() + " " + n.path("code").asInt())
                        .isEqualTo("closed 4001"));
            } finally {
                node.destroyForcibly();
                node.waitFor(5, TimeUnit.SECONDS);
            }
            HandshakeEvent h = server.recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.request().header(":path")).isEqualTo("/live");
            assertThat(server.recorder.messages(Direction.C2S)).extracting(m -> m.message().isText()
                    ? m.message().text() : "binary " + m.message().length())
                    .containsExactly("hello over HTTP/2", "binary 300", "two frames");
            CloseEvent close = server.recorder.await(CloseEvent.class, x -> true, 5_000);
            assertThat(close.code()).isEqualTo(4001);
            assertThat(close.clean()).isTrue();
        }
    }

    /**
     * Refusal: Node's http2 client asks for a WebSocket over HTTP/2 from {@code serve --http2
     * --no-connect-protocol} although the SETTINGS did not enable extended CONNECT (Node sends it
     * anyway). It gets 400 with the reason in the body, and serve's record says why.
     */
    @Test
    @Timeout(60)
    void aNodeClientAskingWithoutTheSettingGetsAClearRefusal() throws Exception {
        Peer.requireInstalled(Peer.Kind.NODE_WS);
        ServerOptions opts = new ServerOptions();
        opts.http2 = true;
        opts.noConnectProtocol = true;
        try (TestServer server = TestServer.start(opts)) {
            String script = String.join("\n",
                    "const http2 = require('http2');",
                    "const s = http2.connect('http://127.0.0.1:' + process.argv[1]);",
                    "setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(1); }, 15000).unref();",
                    "s.on('error', (e) => { console.log(JSON.stringify({error: String(e)})); process.exit(1); });",
                    "s.on('remoteSettings', (st) => {",
                    "  const req = s.request({':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/refused',",
                    "    ':authority': '127.0.0.1:' + process.argv[1], 'sec-websocket-version': '13'});",
                    "  let status = 0; let body = '';",
                    "  req.on('response', (h) => { status = h[':status']; });",
                    "  req.on('data', (d) => { body += d; });",
                    "  req.on('end', () => { console.log(JSON.stringify({setting: st.enableConnectProtocol, status, body}));",
                    "    s.close(); });",
                    "});");
            Process node = new ProcessBuilder("node", "-e", script, Integer.toString(server.port())).redirectErrorStream(true).start();
            try {
                assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(node.exitValue()).as(out).isZero();
                JsonNode r = lines(out).get(0);
                assertThat(r.path("setting").asBoolean(true)).as("serve's SETTINGS leave it out").isFalse();
                assertThat(r.path("status").asInt()).isEqualTo(400);
                assertThat(r.path("body").asText()).as(out).isNotBlank();
            } finally {
                node.destroyForcibly();
                node.waitFor(5, TimeUnit.SECONDS);
            }
            HandshakeEvent h = server.recorder.await(HandshakeEvent.class, x -> true, 5_000);
            assertThat(h.transport()).isEqualTo("h2");
            assertThat(h.result().upgraded()).isFalse();
            assertThat(h.result().problems()).anySatisfy(p -> assertThat(p)
                    .contains("did not enable extended CONNECT in its SETTINGS"));
        }
    }
}
