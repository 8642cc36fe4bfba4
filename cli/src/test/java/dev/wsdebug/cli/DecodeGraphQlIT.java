package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GraphQL over WebSocket end to end: the graphql-ws library's server ({@code useServer} on a ws
 * server, a Query and a Subscription counting to 3) and its client ({@code createClient} with the
 * ws package) talk through {@code wsdebug proxy --save} (the packaged jar); {@code wsdebug read
 * --json} must then show every message decoded as graphql-ws with the types, ids and operations the
 * client asked for.
 */
@Tag("packaged-jar")
class DecodeGraphQlIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aSubscriptionAndAQueryAreDecoded() throws Exception {
        Peer.requireNode(List.of("ws", "graphql", "graphql-ws"), false);
        Path scripts = Peer.repoRoot().resolve("cli/src/test/resources/decode");
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb;
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("graphql-ws server",
                List.of("node", scripts.resolve("graphql-server.js").toString()), env)) {
            String listening = server.await(l -> l.contains("\"port\""), true, 20_000);
            int port = ConnectSupport.jsonLines(listening).get(0).path("port").asInt();
            wsdb = throughProxy(dir.resolve("graphql.wsdb"), port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("graphql-ws client",
                        List.of("node", scripts.resolve("graphql-client.js").toString(),
                                "ws://127.0.0.1:" + proxyPort + "/graphql"), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe()).contains("{\"done\":true}");
                }
            });
            server.terminate();
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> messages = jsonLines(r.out()).stream()
                .filter(n -> n.path("event").asText().equals("message")).toList();
        String all = messages.stream().map(JsonNode::toString).reduce("", (a, b) -> a + "\n" + b);
        assertThat(messages).as(all).isNotEmpty();
        assertThat(messages).as(all).allSatisfy(m -> {
            assertThat(m.path("decoded").path("protocol").asText()).isEqualTo("graphql-ws");
            assertThat(m.path("decoded").has("problem")).isFalse();
        });
        List<String> types = messages.stream().map(m -> m.path("decoded").path("value").path("type").asText()).toList();
        List<String> summaries = messages.stream().map(m -> m.path("decoded").path("summary").asText()).toList();
        assertThat(types).as(all).startsWith("connection_init", "connection_ack");

        // the subscription: subscribe with its operation, three next with 1, 2, 3, complete; same id
        List<JsonNode> subscribes = messages.stream().filter(m -> m.path("decoded").path("value").path("type").asText()
                .equals("subscribe")).toList();
        assertThat(subscribes).as(all).hasSize(2);
        String subId = subscribes.get(0).path("decoded").path("value").path("id").asText();
        String queryId = subscribes.get(1).path("decoded").path("value").path("id").asText();
        assertThat(subId).isNotEqualTo(queryId);
        assertThat(subscribes.get(0).path("decoded").path("summary").asText())
                .isEqualTo("subscribe id=" + subId + " subscription OnCount");
        assertThat(subscribes.get(0).path("dir").asText()).isEqualTo("c2s");
        assertThat(summaries).as(all).containsSubsequence("subscribe id=" + subId + " subscription OnCount",
                "next id=" + subId, "next id=" + subId, "next id=" + subId, "complete id=" + subId,
                "subscribe id=" + queryId + " query Greeting", "next id=" + queryId, "complete id=" + queryId);
        List<Integer> counts = messages.stream()
                .filter(m -> m.path("decoded").path("summary").asText().equals("next id=" + subId))
                .map(m -> m.path("decoded").path("value").path("payload").path("data").path("count").asInt()).toList();
        assertThat(counts).containsExactly(1, 2, 3);
        JsonNode greeting = messages.stream()
                .filter(m -> m.path("decoded").path("summary").asText().equals("next id=" + queryId)).findFirst().orElseThrow();
        assertThat(greeting.path("dir").asText()).isEqualTo("s2c");
        assertThat(greeting.path("decoded").path("value").path("payload").path("data").path("hello").asText())
                .isEqualTo("hello ws");
    }
}
