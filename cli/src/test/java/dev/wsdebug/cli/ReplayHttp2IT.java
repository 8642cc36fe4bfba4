package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay} of a WebSocket recorded over HTTP/2 (RFC 8441): a {@code connect --http2 --save}
 * session with Node's http2 module as the server replays against a new Node http2 server over
 * HTTP/2 again, as recorded; against an HTTP/1.1-only server (Node {@code ws}) it fails in one
 * sentence that names {@code --http1}, and with {@code --http1} it is the same session.
 */
@Tag("packaged-jar")
class ReplayHttp2IT {

    /** Node's RFC 8441 echo server (sniff's h2_ws_peer.js); its port. */
    private static Process nodeH2() throws Exception {
        Path script = Peer.repoRoot().resolve("sniff/src/test/resources/live/h2_ws_peer.js");
        return new ProcessBuilder("node", script.toString(), "server").redirectErrorStream(true).start();
    }

    private static int port(Process node) throws Exception {
        String first = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).as("the Node server's first line").startsWith("PORT ");
        return Integer.parseInt(first.substring(5).trim());
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(120)
    void aSessionRecordedOverHttp2ReplaysOverHttp2OrWithHttp1WhenAsked(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("h2.jsonl");
        Process recorded = nodeH2();
        try {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", "ws://127.0.0.1:" + port(recorded) + "/live",
                    "-x", "one", "-x", "{\"n\":2,\"items\":[1,2]}", "-w", "0.5", "--save", saved.toString());
            assertThat(r.exit()).as(explain(r)).isZero();
        } finally {
            stop(recorded);
        }

        Process again = nodeH2();
        try {
            WsdebugProcess.Result r = wsdebug("replay", saved.toString(), "--to", "ws://127.0.0.1:" + port(again), "--json");
            assertThat(r.exit()).as(explain(r)).isZero();
            List<JsonNode> all = jsonLines(r.out());
            JsonNode h = events(all, "handshake").get(0);
            assertThat(h.get("transport").asText()).as("as recorded").isEqualTo("h2");
            assertThat(h.at("/request/method").asText()).isEqualTo("CONNECT");
            JsonNode verdict = events(all, "replay").get(0);
            assertThat(verdict.toString()).as(r.out()).contains("\"equal\":true");
        } finally {
            stop(again);
        }

        try (Peer http1 = Peer.start(Peer.Kind.NODE_WS)) {
            String to = "ws://127.0.0.1:" + http1.port();
            WsdebugProcess.Result refused = wsdebug("replay", saved.toString(), "--to", to);
            assertThat(refused.exit()).as(explain(refused)).isEqualTo(1);
            assertThat(refused.out()).as(explain(refused)).contains("does not speak HTTP/2")
                    .contains("The recording opened it over HTTP/2; --http1 replays it with the HTTP/1.1 upgrade.")
                    .contains("FAILED");

            WsdebugProcess.Result h1 = wsdebug("replay", saved.toString(), "--to", to, "--http1", "--json");
            assertThat(h1.exit()).as(explain(h1)).isZero();
            List<JsonNode> all = jsonLines(h1.out());
            assertThat(events(all, "handshake").get(0).get("transport").asText()).isEqualTo("http/1.1");
            assertThat(events(all, "replay").get(0).toString()).contains("\"equal\":true");
        }

        WsdebugProcess.Result both = wsdebug("replay", saved.toString(), "--to", "ws://127.0.0.1:9/", "--http1", "--http2");
        assertThat(both.exit()).as(explain(both)).isEqualTo(2);
        assertThat(both.err()).contains("--http1 and --http2 contradict each other.");
    }
}
