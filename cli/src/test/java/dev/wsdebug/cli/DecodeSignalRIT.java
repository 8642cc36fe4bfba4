package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SignalR end to end: the @microsoft/signalr Node client (WebSockets, no negotiate) with the JSON
 * hub protocol and then the MessagePack one, against a minimal hub peer on ws
 * (resources/decode/signalr-hub.js), through {@code wsdebug proxy --save} (the packaged jar). Nothing
 * names SignalR in the handshake, so the decoder is found by sniffing the client's handshake record;
 * {@code wsdebug read --json} must show both connections' records decoded: the handshake, the
 * client's Invocation of SendMessage, the server's ReceiveMessage and the Completion with its result.
 */
@Tag("packaged-jar")
class DecodeSignalRIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void jsonAndMessagePackHubProtocolsAreDecoded() throws Exception {
        Peer.requireNode(List.of("ws", "@microsoft/signalr", "@microsoft/signalr-protocol-msgpack"), false);
        Path scripts = Peer.repoRoot().resolve("cli/src/test/resources/decode");
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb;
        try (LiveCaptureSupport.Child hub = new LiveCaptureSupport.Child("signalr hub",
                List.of("node", scripts.resolve("signalr-hub.js").toString()), env)) {
            String listening = hub.await(l -> l.contains("\"port\""), true, 20_000);
            int port = jsonLines(listening).get(0).path("port").asInt();
            wsdb = throughProxy(dir.resolve("signalr.wsdb"), port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("signalr client",
                        List.of("node", scripts.resolve("signalr-client.js").toString(), "http://127.0.0.1:" + proxyPort), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe()).contains(
                            "{\"proto\":\"json\",\"result\":\"ok alice\",\"received\":[\"alice\",\"hi\"]}",
                            "{\"proto\":\"messagepack\",\"result\":\"ok alice\",\"received\":[\"alice\",\"hi\"]}");
                }
            });
            hub.terminate();
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> messages = jsonLines(r.out()).stream().filter(n -> n.path("event").asText().equals("message")).toList();
        String all = messages.stream().map(JsonNode::toString).collect(Collectors.joining("\n"));
        assertThat(messages).as(all).allSatisfy(m -> {
            assertThat(m.path("decoded").path("protocol").asText()).isEqualTo("signalr");
            assertThat(m.path("decoded").has("problem")).isFalse();
        });
        Map<String, List<JsonNode>> byConn = new LinkedHashMap<>();
        for (JsonNode m : messages) {
            byConn.computeIfAbsent(m.path("conn").asText(), k -> new java.util.ArrayList<>()).add(m);
        }
        assertThat(byConn).as(all).hasSize(2);
        for (String proto : List.of("json", "messagepack")) {
            List<JsonNode> conn = byConn.values().stream()
                    .filter(l -> l.get(0).path("decoded").path("summary").asText().equals("handshake protocol=" + proto + " version=1"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + proto + " connection in\n" + all));
            List<String> lines = conn.stream().map(m -> m.path("dir").asText() + " " + m.path("decoded").path("summary").asText()).toList();
            assertThat(lines).as(proto + "\n" + all).containsSubsequence(
                    "c2s handshake protocol=" + proto + " version=1",
                    "s2c handshake ok",
                    "c2s Invocation SendMessage id=0 (2 args)",
                    "s2c Invocation ReceiveMessage (2 args)",
                    "s2c Completion id=0 result");
            JsonNode invocation = conn.stream().filter(m -> m.path("decoded").path("summary").asText().startsWith("Invocation SendMessage"))
                    .findFirst().orElseThrow().path("decoded").path("value");
            assertThat(invocation.path("arguments").toString()).isEqualTo("[\"alice\",\"hi\"]");
            JsonNode completion = conn.stream().filter(m -> m.path("decoded").path("summary").asText().startsWith("Completion"))
                    .findFirst().orElseThrow().path("decoded").path("value");
            assertThat(completion.path("result").asText()).isEqualTo("ok alice");
        }
    }
}
