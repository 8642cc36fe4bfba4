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
 * The phoenix decoder on what the phoenix package's own client (Socket, Channel, serializer 2.0.0,
 * in Node over ws) sends through {@code wsdebug proxy --save} to a minimal Phoenix endpoint written
 * with ws (no Phoenix server runs in Node): the join with its params, the reply paired by ref, a
 * broadcast, and a binary push with its binary reply.
 */
@Tag("packaged-jar")
class DecodePhoenixIT {
    @TempDir
    Path dir;

    private static String script(String name) throws IOException {
        try (InputStream in = DecodePhoenixIT.class.getResourceAsStream("/decode/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(120)
    void phoenixChannelMessagesAreDecoded() throws Exception {
        Peer.requireNode(List.of("phoenix", "ws"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb = dir.resolve("phoenix.wsdb");
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("phoenix endpoint",
                List.of("node", "-e", script("phoenix-server.js")), env)) {
            String ready = server.await(l -> l.startsWith("{\"port\""), true, 20_000);
            int port = jsonLines(ready).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("phoenix client",
                        List.of("node", "-e", script("phoenix-client.js"), "ws://127.0.0.1:" + proxyPort + "/socket"), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe())
                            .contains("{\"joined\":{\"joined\":\"room:lobby\"},\"broadcast\":{\"body\":\"hi\"},\"reply\":[3,2,1]}");
                }
            });
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> decoded = jsonLines(r.out()).stream().filter(n -> n.path("event").asText().equals("message"))
                .map(n -> n.path("decoded")).toList();
        assertThat(decoded).as(r.out()).allSatisfy(d -> {
            assertThat(d.path("protocol").asText()).isEqualTo("phoenix");
            assertThat(d.has("problem")).isFalse();
        });
        JsonNode join = decoded.get(0);
        String joinRef = join.path("value").path("ref").asText();
        assertThat(join.path("summary").asText()).isEqualTo("phx_join topic=room:lobby ref=" + joinRef);
        assertThat(join.path("value").path("payload").path("token").asText()).isEqualTo("t");
        JsonNode joined = decoded.get(1);
        assertThat(joined.path("summary").asText()).isEqualTo("phx_reply ok topic=room:lobby ref=" + joinRef + " response {joined}");
        assertThat(joined.path("value").path("payload").path("response").path("joined").asText()).isEqualTo("room:lobby");

        JsonNode push = decoded.get(2);
        String pushRef = push.path("value").path("ref").asText();
        assertThat(push.path("summary").asText()).isEqualTo("new_msg topic=room:lobby ref=" + pushRef);
        assertThat(push.path("value").path("join_ref").asText()).isEqualTo(joinRef);
        assertThat(decoded).extracting(d -> d.path("summary").asText())
                .contains("new_msg topic=room:lobby", "phx_reply ok topic=room:lobby ref=" + pushRef);

        JsonNode upload = decoded.stream().filter(d -> d.path("summary").asText().startsWith("upload ")).findFirst().orElseThrow();
        String uploadRef = upload.path("value").path("ref").asText();
        assertThat(upload.path("summary").asText()).isEqualTo("upload topic=room:lobby ref=" + uploadRef + " (3 B binary payload)");
        assertThat(upload.path("value").path("payload").path("base64").asText()).isEqualTo("AQID");
        JsonNode reply = decoded.get(decoded.size() - 1);
        assertThat(reply.path("summary").asText()).isEqualTo("phx_reply ok topic=room:lobby ref=" + uploadRef + " (3 B binary payload)");
        assertThat(reply.path("value").path("payload").path("response").path("base64").asText()).isEqualTo("AwIB");
    }
}
