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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.oneSentence;
import static dev.wsdebug.cli.ConnectSupport.ourServer;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code connect --http1/--http2} and {@code serve --http2 --no-connect-protocol}
 * options (RFC 8441) against our own server with HTTP/2 on: h2c with prior knowledge, the JSON of an
 * h2 handshake, the one-sentence refusal, the usage errors; and connect's other options over an
 * HTTP/2 stream against Node's http2 module as the server (headers, subprotocols, keepalive pings,
 * standard input, reconnection after a stream reset).
 */
@Tag("packaged-jar")
class ConnectHttp2IT {

    private static ServerOptions http2(boolean connectProtocol) {
        ServerOptions o = new ServerOptions();
        o.http2 = true;
        o.noConnectProtocol = !connectProtocol;
        return o;
    }

    @Test
    void http2OverH2cShowsTheStreamAndEchoes(@TempDir Path dir) throws Exception {
        Path save = dir.resolve("h2.jsonl");
        try (ConnectSupport.OurServer server = ourServer(http2(true))) {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", server.url() + "/chat?room=2", "-x", "one", "-x", "two",
                    "-w", "0.5", "--json", "--save", save.toString());
            assertThat(r.exit()).as(explain(r)).isZero();
            List<JsonNode> all = jsonLines(r.out());
            JsonNode h = events(all, "handshake").get(0);
            assertThat(h.get("transport").asText()).isEqualTo("h2");
            assertThat(h.get("stream").asInt() % 2).isEqualTo(1);
            assertThat(h.at("/request/method").asText()).isEqualTo("CONNECT");
            assertThat(ConnectSupport.header(h.get("request"), ":protocol")).isEqualTo("websocket");
            assertThat(ConnectSupport.header(h.get("request"), ":path")).isEqualTo("/chat?room=2");
            assertThat(h.at("/response/status").asInt()).isEqualTo(200);
            assertThat(h.get("upgraded").asBoolean()).isTrue();
            assertThat(texts(messages(all, "s2c"))).containsExactly("one", "two");
            assertThat(events(all, "close").get(0).get("clean").asBoolean()).isTrue();
            List<JsonNode> saved = jsonLines(Files.readString(save));
            assertThat(events(saved, "handshake").get(0).get("transport").asText()).isEqualTo("h2");
        }
    }

    /**
     * Node's http2 server (sniff's h2_ws_peer.js, which frames WebSocket messages itself) logs each
     * extended CONNECT it gets, selects the first subprotocol offered and resets the stream after two
     * echoes; connect reconnects once and the second session closes cleanly after its pings.
     */
    @Test
    @Timeout(90)
    void headersSubprotocolsPingsStdinAndReconnectOverAnHttp2Stream() throws Exception {
        Path script = Peer.repoRoot().resolve("sniff/src/test/resources/live/h2_ws_peer.js");
        Process node = new ProcessBuilder("node", script.toString(), "server", "--reset-after", "2").start();
        try {
            BufferedReader nodeOut = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String first = nodeOut.readLine();
            assertThat(first).as("the Node server's first line").startsWith("PORT ");
            String url = "ws://127.0.0.1:" + first.substring(5).trim() + "/live?x=1";
            List<String> nodeLines = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> nodeOut.lines().forEach(nodeLines::add), "node server output");
            reader.setDaemon(true);
            reader.start();
            WsdebugProcess.Result r = WsdebugProcess.run("one\ntwo\n".getBytes(StandardCharsets.UTF_8), ConnectSupport.ASCII,
                    "connect", "--http2", url, "-H", "X-Trace: 7", "-s", "chat", "-s", "other", "--ping-interval", "0.2",
                    "--reconnect", "--reconnect-base", "0.2", "--max-reconnects", "1", "--json");
            List<JsonNode> requests = new ArrayList<>();
            for (String l : List.copyOf(nodeLines)) {
                if (l.startsWith("{\"event\":\"request\"")) {
                    requests.add(new ObjectMapper().readTree(l).get("headers"));
                }
            }
            assertThat(r.exit()).as(explain(r)).isZero();
            assertThat(r.err()).as(explain(r)).containsPattern("reconnecting in \\d\\.\\d s \\(attempt 1\\)").contains("pong: round trip");

            assertThat(requests).as("what the server got: %s", requests).hasSize(2).allSatisfy(h -> {
                assertThat(h.path(":protocol").asText()).isEqualTo("websocket");
                assertThat(h.path(":path").asText()).isEqualTo("/live?x=1");
                assertThat(h.path("x-trace").asText()).isEqualTo("7");
                assertThat(h.path("sec-websocket-protocol").asText()).isEqualTo("chat, other");
                assertThat(h.has("sec-websocket-key")).as("no key on an HTTP/2 stream").isFalse();
            });
            List<JsonNode> all = jsonLines(r.out());
            List<JsonNode> handshakes = events(all, "handshake");
            assertThat(handshakes).extracting(h -> h.get("conn").asText()).as("a reconnection is a connection of its own")
                    .containsExactly("1", "2");
            assertThat(handshakes).allSatisfy(h -> {
                assertThat(h.get("transport").asText()).isEqualTo("h2");
                assertThat(h.get("subprotocol").asText()).isEqualTo("chat");
            });
            List<JsonNode> firstSession = all.stream().filter(e -> e.path("conn").asText().equals("1")).toList();
            assertThat(texts(messages(firstSession, "c2s"))).containsExactly("one", "two");
            assertThat(texts(messages(firstSession, "s2c"))).containsExactly("one", "two");
            assertThat(events(all, "close")).extracting(c -> c.get("conn").asText() + " " + c.get("code").asInt() + " "
                    + c.get("clean").asBoolean()).containsExactly("1 1006 false", "2 1000 true");
            List<JsonNode> secondFrames = events(all, "frame").stream().filter(f -> f.get("conn").asText().equals("2")).toList();
            long pings = secondFrames.stream().filter(f -> f.get("dir").asText().equals("c2s") && f.get("type").asText().equals("ping")).count();
            long pongs = secondFrames.stream().filter(f -> f.get("dir").asText().equals("s2c") && f.get("type").asText().equals("pong")).count();
            assertThat(pings).as("pings every 0.2 s in the second session's 1 s").isGreaterThanOrEqualTo(2);
            assertThat(pongs).as("each answered by the Node server").isEqualTo(pings);
        } finally {
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void wsDefaultsToHttp1AndHttp1CanBeForced() throws Exception {
        try (ConnectSupport.OurServer server = ourServer(http2(true))) {
            for (String[] args : new String[][] {{"connect", server.url() + "/a", "-x", "x", "-w", "0.3", "--json"},
                {"connect", "--http1", server.url() + "/a", "-x", "x", "-w", "0.3", "--json"}}) {
                WsdebugProcess.Result r = wsdebug(args);
                assertThat(r.exit()).as(explain(r)).isZero();
                assertThat(events(jsonLines(r.out()), "handshake").get(0).get("transport").asText()).isEqualTo("http/1.1");
            }
        }
    }

    @Test
    void http2FromAServerWithoutExtendedConnectFailsInOneSentence() throws Exception {
        try (ConnectSupport.OurServer server = ourServer(http2(false))) {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", server.url() + "/x", "-x", "hi");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).isEqualTo("wsdebug connect: The server at 127.0.0.1:" + server.port() + " speaks"
                    + " HTTP/2 but its SETTINGS do not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441),"
                    + " so it takes no WebSocket over HTTP/2.");
        }
    }

    @Test
    void contradictoryOrIncompleteOptionsAreUsageErrors() throws Exception {
        WsdebugProcess.Result both = wsdebug("connect", "--http1", "--http2", "ws://127.0.0.1:9/");
        assertThat(both.exit()).as(explain(both)).isEqualTo(2);
        assertThat(both.err()).contains("--http1 and --http2 contradict each other.");
        WsdebugProcess.Result serve = wsdebug("serve", "--port", "0", "--no-connect-protocol");
        assertThat(serve.exit()).as(explain(serve)).isEqualTo(2);
        assertThat(serve.err()).contains("--no-connect-protocol needs --http2.");
    }
}
