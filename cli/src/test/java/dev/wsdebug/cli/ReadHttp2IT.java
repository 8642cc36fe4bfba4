package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.LiveCaptureSupport.of;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug read --json} (the packaged jar) of a WebSocket over HTTP/2 (RFC 8441) recorded by
 * dumpcap on lo: Node http2 peers (sniff's h2_ws_peer.js) speaking h2c with prior knowledge. The
 * handshake event says {@code "transport":"h2"} and the {@code "stream"}, on connection
 * {@code <tcp>.<stream>}; the messages and the close follow as for any WebSocket. Takes 3-5 s.
 */
@Tag("packaged-jar")
@Tag("live-capture")
class ReadHttp2IT {
    @Test
    @Timeout(90)
    void readShowsAWebSocketOverHttp2(@TempDir Path dir) throws Exception {
        String node = LiveCaptureSupport.tool("node");
        Path script = LiveCaptureSupport.peerScript("h2_ws_peer.js");
        Path pcap = dir.resolve("h2.pcapng");
        int port;
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("node http2 server",
                List.of(node, script.toString(), "server"), Map.of())) {
            port = Integer.parseInt(server.await(l -> l.matches("PORT \\d+"), true, 20_000).substring(5));
            try (LiveCaptureSupport.Dumpcap cap = new LiveCaptureSupport.Dumpcap(pcap, "tcp port " + port)) {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("node http2 client",
                        List.of(node, script.toString(), "client", Integer.toString(port)), Map.of())) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                }
                server.await(l -> l.contains("\"closed\""), true, 10_000);
                cap.stop();
            }
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", pcap.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> events = jsonLines(r.out());
        assertThat(events).filteredOn(e -> e.path("event").asText().equals("error")).isEmpty();
        List<JsonNode> handshakes = of(events, "1.1", "handshake");
        assertThat(handshakes).hasSize(1);
        JsonNode h = handshakes.get(0);
        assertThat(h.path("transport").asText()).isEqualTo("h2");
        assertThat(h.path("stream").asInt()).isEqualTo(1);
        assertThat(h.path("url").asText()).isEqualTo("ws://127.0.0.1:" + port + "/live");
        assertThat(h.path("request").path("method").asText()).isEqualTo("CONNECT");
        assertThat(h.path("response").path("status").asInt()).isEqualTo(200);
        // the client sends all three before the echoes come: the order holds within each direction
        for (String way : List.of("c2s", "s2c")) {
            assertThat(of(events, "1.1", "message")).filteredOn(m -> m.path("dir").asText().equals(way))
                    .extracting(m -> m.path("type").asText() + " " + m.path("length").asInt())
                    .containsExactly("text 17", "binary 300", "text 10");
        }
        JsonNode close = of(events, "1.1", "close").get(0);
        assertThat(close.path("code").asInt()).isEqualTo(4001);
        assertThat(close.path("clean").asBoolean()).isTrue();
    }
}
