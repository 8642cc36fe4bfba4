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
}
