package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sockjs decoder on what the real sockjs server and sockjs-client (WebSocket transport) say
 * to each other through {@code wsdebug proxy --save}: the connection is claimed by its
 * {@code /echo/<server>/<session>/websocket} URL, and {@code wsdebug read --json} shows the open
 * frame, the client's arrays, the echoed {@code a} frames (the JSON message parsed) and the close
 * frame with its code and reason.
 */
@Tag("packaged-jar")
class DecodeSockJsIT {
    @TempDir
    Path dir;

    private static String script(String name) throws IOException {
        try (InputStream in = DecodeSockJsIT.class.getResourceAsStream("/decode/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(120)
    void sockJsFramesAreDecoded() throws Exception {
        Peer.requireNode(List.of("sockjs", "sockjs-client"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb = dir.resolve("sockjs.wsdb");
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("sockjs server",
                List.of("node", "-e", script("sockjs-server.js")), env)) {
            String ready = server.await(l -> l.startsWith("{\"port\""), true, 20_000);
            int port = jsonLines(ready).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("sockjs client",
                        List.of("node", "-e", script("sockjs-client.js"), "http://127.0.0.1:" + proxyPort + "/echo"), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe())
                            .contains("{\"got\":[\"hello\",\"{\\\"type\\\":\\\"chat\\\",\\\"n\\\":1}\"],\"code\":3000,"
                                    + "\"reason\":\"Go away!\"}");
                }
            });
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> messages = jsonLines(r.out()).stream().filter(n -> n.path("event").asText().equals("message")).toList();
        assertThat(messages).as(r.out()).extracting(n -> n.path("dir").asText() + " " + n.path("decoded").path("protocol").asText()
                + " " + n.path("decoded").path("summary").asText()).containsExactlyInAnyOrder(
                "s2c sockjs open",
                "c2s sockjs send \"hello\"",
                "c2s sockjs send json type=\"chat\" {type, n}",
                "s2c sockjs message \"hello\"",
                "s2c sockjs message json type=\"chat\" {type, n}",
                "c2s sockjs send \"bye\"",
                "s2c sockjs close 3000 \"Go away!\"");
        JsonNode echoed = messages.stream().filter(n -> n.path("dir").asText().equals("s2c")
                && n.path("decoded").path("summary").asText().startsWith("message json")).findFirst().orElseThrow();
        JsonNode inner = echoed.path("decoded").path("value").path("messages").get(0);
        assertThat(inner.path("text").asText()).isEqualTo("{\"type\":\"chat\",\"n\":1}");
        assertThat(inner.path("json").path("n").asInt()).isEqualTo(1);
        JsonNode close = messages.get(messages.size() - 1).path("decoded").path("value");
        assertThat(close.path("code").asInt()).isEqualTo(3000);
        assertThat(close.path("reason").asText()).isEqualTo("Go away!");
    }

    /**
     * STOMP over SockJS: @stomp/stompjs on sockjs-client (WebSocket transport; stomp-client.js given
     * an http:// URL) against the minimal STOMP server on the sockjs package (stomp-server.js --sockjs). Every SockJS frame that carries
     * STOMP must show its STOMP frames decoded with the headers and bodies stompjs was told to send,
     * the CONNECTED and the DISCONNECT's RECEIPT paired with their requests, and
     * {@code --filter destination=} must select by the STOMP destination inside SockJS.
     */
    @Test
    @Timeout(120)
    void stompFramesInsideSockJsAreDecoded() throws Exception {
        Peer.requireNode(List.of("sockjs", "sockjs-client", "@stomp/stompjs"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path scripts = Peer.repoRoot().resolve("cli/src/test/resources/decode");
        Path wsdb = dir.resolve("sockjs-stomp.wsdb");
        List<String> clientSaw = new java.util.ArrayList<>();
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("sockjs stomp server",
                List.of("node", scripts.resolve("stomp-server.js").toString(), "--sockjs"), env)) {
            String ready = server.await(l -> l.startsWith("{\"port\""), true, 20_000);
            int port = jsonLines(ready).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("stompjs on sockjs-client",
                        List.of("node", scripts.resolve("stomp-client.js").toString(), "http://127.0.0.1:" + proxyPort + "/stomp"),
                        env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe()).contains("{\"done\":true}");
                    clientSaw.addAll(client.lines());
                }
            });
        }
        assertThat(clientSaw).anyMatch(l -> l.startsWith("{\"message\":\"hello stomp\""));

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> messages = jsonLines(r.out()).stream().filter(n -> n.path("event").asText().equals("message")).toList();
        String all = messages.stream().map(n -> n.path("seq").asText() + " " + n.path("dir").asText() + " "
                + n.path("decoded").path("summary").asText()).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(messages).as(all).allSatisfy(n -> {
            assertThat(n.path("decoded").path("protocol").asText()).isEqualTo("sockjs");
            assertThat(n.path("decoded").has("problem")).isFalse();
        });
        // every STOMP frame inside SockJS, with the direction that carried it
        List<JsonNode> frames = new java.util.ArrayList<>();
        List<String> dirs = new java.util.ArrayList<>();
        for (JsonNode n : messages) {
            for (JsonNode inner : n.path("decoded").path("value").path("messages")) {
                JsonNode d = inner.path("decoded");
                if (d.isMissingNode()) {
                    continue;
                }
                assertThat(d.path("protocol").asText()).as(all).isEqualTo("stomp");
                assertThat(d.has("problem")).as(inner.toString()).isFalse();
                JsonNode v = d.path("value");
                for (JsonNode f : v.has("frames") ? v.path("frames") : List.of(v)) {
                    frames.add(f);
                    dirs.add(n.path("dir").asText());
                }
            }
        }
        List<String> commands = new java.util.ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            commands.add(dirs.get(i) + " " + frames.get(i).path("command").asText());
        }
        // each direction in its order; how the two interleave depends on timing (the client may send its
        // second SEND before or after the first MESSAGE comes back)
        assertThat(commands.stream().filter(c -> c.startsWith("c2s ")).toList()).as(all)
                .containsSubsequence("c2s CONNECT", "c2s SUBSCRIBE", "c2s SEND", "c2s SEND", "c2s DISCONNECT");
        assertThat(commands.stream().filter(c -> c.startsWith("s2c ")).toList()).as(all)
                .containsSubsequence("s2c CONNECTED", "s2c heartbeat", "s2c MESSAGE", "s2c RECEIPT", "s2c MESSAGE",
                        "s2c RECEIPT", "s2c RECEIPT");
        assertThat(commands.indexOf("c2s CONNECT")).as(all).isLessThan(commands.indexOf("s2c CONNECTED"));
        assertThat(commands.lastIndexOf("c2s DISCONNECT")).as(all).isLessThan(commands.lastIndexOf("s2c RECEIPT"));
        List<JsonNode> sends = frames.stream().filter(f -> f.path("command").asText().equals("SEND")).toList();
        assertThat(sends).hasSize(2);
        assertThat(sends.get(0).path("headers").path("destination").asText()).isEqualTo("/topic/greetings");
        assertThat(sends.get(0).path("headers").path("x-note").asText()).isEqualTo("a:b\nc");
        assertThat(sends.get(0).path("body").asText()).isEqualTo("hello stomp");
        assertThat(sends.get(1).path("headers").path("receipt").asText()).isEqualTo("r-json");
        assertThat(sends.get(1).path("body").asText()).isEqualTo("{\"type\":\"chat\",\"n\":2}");
        List<JsonNode> delivered = frames.stream().filter(f -> f.path("command").asText().equals("MESSAGE")).toList();
        assertThat(delivered).extracting(f -> f.path("body").asText()).containsExactly("hello stomp", "{\"type\":\"chat\",\"n\":2}");
        assertThat(delivered).allSatisfy(f -> assertThat(f.path("headers").path("subscription").asText()).isEqualTo("sub-0"));

        // pairs across SockJS: CONNECTED answers CONNECT, the last RECEIPT the DISCONNECT that asked for it
        JsonNode connect = one(messages, "send stomp CONNECT ");
        JsonNode connected = one(messages, "message stomp CONNECTED ");
        assertThat(connected.path("decoded").path("reply").path("seq").asLong()).as(all).isEqualTo(connect.path("seq").asLong());
        JsonNode disconnect = one(messages, "send stomp DISCONNECT ");
        String receipt = disconnect.path("decoded").path("value").path("messages").get(0).path("decoded").path("value")
                .path("headers").path("receipt").asText();
        JsonNode receipted = one(messages, "message stomp RECEIPT receipt-id=" + receipt);
        assertThat(receipted.path("decoded").path("reply").path("seq").asLong()).as(all).isEqualTo(disconnect.path("seq").asLong());
        assertThat(receipted.path("decoded").path("reply").path("name").asText()).isEqualTo("DISCONNECT");

        // the STOMP destination inside SockJS is what --filter destination= selects: SUBSCRIBE, two SENDs, two MESSAGEs
        WsdebugProcess.Result f = WsdebugProcess.run("read", wsdb.toString(), "--json", "--filter", "destination=/topic/greetings");
        assertThat(f.exit()).as(f.err()).isZero();
        assertThat(jsonLines(f.out()).stream().filter(n -> n.path("event").asText().equals("message"))
                .map(n -> n.path("dir").asText() + " " + n.path("decoded").path("summary").asText().split(" ")[2])
                // the directions interleave as timing has it: grouped by direction (a stable sort keeps each one's order)
                .sorted(java.util.Comparator.comparing((String d) -> d.substring(0, 3))).toList())
                .as(f.out()).containsExactly("c2s SUBSCRIBE", "c2s SEND", "c2s SEND", "s2c 2", "s2c 2");

        // proto=stomp selects every SockJS message that carries STOMP: all but the open frame (and a close, if any)
        WsdebugProcess.Result p = WsdebugProcess.run("read", wsdb.toString(), "--json", "--filter", "proto=stomp");
        assertThat(p.exit()).as(p.err()).isZero();
        long carrying = messages.stream().filter(n -> n.path("decoded").path("value").path("messages").size() > 0
                && n.path("decoded").path("value").path("messages").get(0).has("decoded")).count();
        assertThat(carrying).isGreaterThanOrEqualTo(10); // the 12 frames above: two MESSAGE+RECEIPT pairs share a message
        assertThat(jsonLines(p.out()).stream().filter(n -> n.path("event").asText().equals("message")).count())
                .as(p.out()).isEqualTo(carrying);
    }

    private static JsonNode one(List<JsonNode> messages, String summaryStart) {
        List<JsonNode> found = messages.stream().filter(n -> n.path("decoded").path("summary").asText().startsWith(summaryStart)).toList();
        assertThat(found).as(summaryStart).hasSize(1);
        return found.get(0);
    }
}
