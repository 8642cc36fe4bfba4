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
 * The socket.io decoder on what the real socket.io 4 server and socket.io-client say to each other
 * (WebSocket transport only) through {@code wsdebug proxy --save}: {@code wsdebug read --json}
 * gives every message its {@code decoded} Socket.IO packet, the event names, arguments, ack ids
 * (and the ACK answering each), the {@code /admin} namespace, and binary events joined with their
 * attachment.
 */
@Tag("packaged-jar")
class DecodeSocketIoIT {
    @TempDir
    Path dir;

    private static String script(String name) throws IOException {
        try (InputStream in = DecodeSocketIoIT.class.getResourceAsStream("/decode/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(120)
    void socketIoEventsAcksNamespacesAndAttachmentsAreDecoded() throws Exception {
        Peer.requireNode(List.of("socket.io", "socket.io-client"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb = dir.resolve("sio.wsdb");
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("socket.io server",
                List.of("node", "-e", script("socketio-server.js")), env)) {
            String ready = server.await(l -> l.startsWith("{\"port\""), true, 20_000);
            int port = ConnectSupport.jsonLines(ready).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("socket.io client",
                        List.of("node", "-e", script("socketio-client.js"), "http://127.0.0.1:" + proxyPort + "/"), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe())
                            .contains("{\"sum\":5,\"len\":7,\"thumb\":2,\"stats\":{\"users\":1}}");
                }
            });
            server.await(l -> l.contains("\"got\":\"chat\""), true, 5_000);
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> messages = jsonLines(r.out()).stream().filter(n -> n.path("event").asText().equals("message")).toList();
        List<JsonNode> decoded = messages.stream().map(n -> n.path("decoded")).toList();
        String all = r.out();
        assertThat(decoded).as(all).allSatisfy(d -> {
            assertThat(d.path("protocol").asText()).isEqualTo("socket.io");
            assertThat(d.has("problem")).isFalse();
        });

        // Engine.IO's open, then the CONNECT of the main namespace and its answer with the sid
        JsonNode open = first(decoded, d -> d.path("value").path("engineio").asText().equals("open"), all);
        assertThat(open.path("summary").asText()).startsWith("engine.io open sid=").contains("pingInterval=25000");
        JsonNode connected = first(decoded, d -> d.path("value").path("type").asText().equals("CONNECT")
                && d.path("value").path("data").has("sid") && d.path("value").path("nsp").asText().equals("/"), all);
        assertThat(connected.path("summary").asText()).startsWith("CONNECT ns=/ sid=");

        // the plain event and its arguments
        JsonNode chat = event(decoded, "chat", all);
        assertThat(chat.path("summary").asText()).isEqualTo("EVENT \"chat\" ns=/ (2 args)");
        assertThat(chat.path("value").path("args").get(0).asText()).isEqualTo("hello");
        assertThat(chat.path("value").path("args").get(1).path("n").asInt()).isEqualTo(1);

        // the event with an ack callback, and the ACK with the same id carrying the sum
        JsonNode add = event(decoded, "add", all);
        long addId = add.path("value").path("id").asLong(-1);
        assertThat(add.path("summary").asText()).isEqualTo("EVENT \"add\" ns=/ ack=" + addId + " (2 args)");
        JsonNode addAck = first(decoded, d -> d.path("value").path("type").asText().equals("ACK")
                && d.path("value").path("nsp").asText().equals("/") && d.path("value").path("id").asLong(-2) == addId, all);
        assertThat(addAck.path("value").path("args").get(0).asInt()).isEqualTo(5);
        assertThat(addAck.path("summary").asText()).isEqualTo("ACK id=" + addId + " ns=/ (1 arg)");
        // the ACK names the event it answers, its seq and the time between them
        JsonNode addMessage = messages.stream().filter(n -> n.path("decoded") == add).findFirst().orElseThrow();
        assertThat(addAck.path("reply").path("name").asText()).isEqualTo("add");
        assertThat(addAck.path("reply").path("seq").asLong()).isEqualTo(addMessage.path("seq").asLong());
        assertThat(addAck.path("reply").path("latencyMs").asDouble()).isPositive();
        // and read --stats counts it; --filter selects by event name
        WsdebugProcess.Result statsRun = WsdebugProcess.run("read", wsdb.toString(), "--stats");
        assertThat(statsRun.exit()).as(statsRun.err()).isZero();
        assertThat(statsRun.out()).contains("Request/response latency:").containsPattern("socket\\.io  add +1 ")
                .containsPattern("socket\\.io  stats +1 ");
        WsdebugProcess.Result only = WsdebugProcess.run("read", wsdb.toString(), "--json", "--filter", "event=stats");
        assertThat(jsonLines(only.out()).stream().filter(n -> n.path("event").asText().equals("message")))
                .singleElement().satisfies(n -> assertThat(n.path("decoded").path("summary").asText())
                        .startsWith("EVENT \"stats\" ns=/admin"));

        // the binary event: its header waits, its attachment joins the 7 bytes in place of the placeholder
        JsonNode uploadHead = first(decoded, d -> d.path("summary").asText().startsWith("BINARY_EVENT \"upload\""), all);
        long uploadId = uploadHead.path("value").path("id").asLong(-1);
        assertThat(uploadHead.path("summary").asText()).isEqualTo("BINARY_EVENT \"upload\" ns=/ ack=" + uploadId
                + " (2 args) waits for 1 attachment");
        JsonNode joined = first(decoded, d -> d.path("summary").asText().startsWith("attachment 1/1 of BINARY_EVENT \"upload\""),
                all);
        assertThat(joined.path("summary").asText()).isEqualTo("attachment 1/1 of BINARY_EVENT \"upload\" (7 B), joined:"
                + " BINARY_EVENT \"upload\" ns=/ ack=" + uploadId + " (2 args) with attachment 1 (7 B)");
        assertThat(joined.path("value").path("args").get(0).asText()).isEqualTo("file.bin");
        assertThat(joined.path("value").path("args").get(1).path("binary").asInt()).isEqualTo(7);
        assertThat(joined.path("value").path("args").get(1).path("base64").asText()).isEqualTo("AQIDBAUGBw==");
        JsonNode uploadAck = first(decoded, d -> d.path("value").path("type").asText().equals("ACK")
                && d.path("value").path("nsp").asText().equals("/") && d.path("value").path("id").asLong(-2) == uploadId, all);
        assertThat(uploadAck.path("value").path("args").get(0).asInt()).isEqualTo(7);
        // and the server's binary event the other way
        JsonNode thumb = first(decoded, d -> d.path("summary").asText().startsWith("attachment 1/1 of BINARY_EVENT \"thumb\""),
                all);
        assertThat(thumb.path("value").path("args").get(1).path("base64").asText()).isEqualTo("yv4=");

        // the /admin namespace on the same connection: CONNECT, the event with its ack, the ACK
        first(decoded, d -> d.path("summary").asText().equals("CONNECT ns=/admin"), all);
        first(decoded, d -> d.path("summary").asText().startsWith("CONNECT ns=/admin sid="), all);
        JsonNode stats = event(decoded, "stats", all);
        long statsId = stats.path("value").path("id").asLong(-1);
        assertThat(stats.path("summary").asText()).isEqualTo("EVENT \"stats\" ns=/admin ack=" + statsId + " (0 args)");
        JsonNode statsAck = first(decoded, d -> d.path("value").path("type").asText().equals("ACK")
                && d.path("value").path("nsp").asText().equals("/admin"), all);
        assertThat(statsAck.path("value").path("id").asLong()).isEqualTo(statsId);
        assertThat(statsAck.path("value").path("args").get(0).path("users").asInt()).isEqualTo(1);
        first(decoded, d -> d.path("summary").asText().equals("DISCONNECT ns=/admin"), all);
    }

    private static JsonNode event(List<JsonNode> decoded, String name, String all) {
        return first(decoded, d -> d.path("value").path("type").asText().equals("EVENT")
                && d.path("value").path("event").asText().equals(name), all);
    }

    private static JsonNode first(List<JsonNode> decoded, java.util.function.Predicate<JsonNode> p, String all) {
        return decoded.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("not found in\n" + all));
    }
}
