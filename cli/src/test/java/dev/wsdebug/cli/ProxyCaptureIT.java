package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.LiveCaptureSupport.comparable;
import static dev.wsdebug.cli.LiveCaptureSupport.of;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One session through {@code wsdebug proxy --save X.wsdb} (the packaged jar) while dumpcap records
 * both of its sides on lo (python websockets client to the proxy, proxy to a python websockets
 * server): {@code read X.wsdb --json} and {@code read capture.pcapng --json} give the same frames
 * (every field but the connection id, time, seq and the capture's packet numbers: FIN, RSV, opcode,
 * mask bit and key, lengths, close code and reason, violations), the same messages (type, frames,
 * compression, lengths, text or base64) and the same close event, for the client side and for the
 * upstream side alike — the proxy relays the frames unchanged. The recording's messages are also
 * what the peers sent and received (length and SHA-256). The handshakes agree on the response
 * (status, extensions, deflate parameters); the request differs (the proxy names its upstream in Host).
 * Takes 6-10 s.
 */
@Tag("packaged-jar")
@Tag("live-capture")
class ProxyCaptureIT {

    private static final String PLAN = """
            [{"op":"send","kind":"text","text":"hello through the proxy"},{"op":"recv"},
             {"op":"send","kind":"text","text":"hello again through the proxy"},{"op":"recv"},
             {"op":"send","kind":"text","text":"three fragments through the proxy","fragments":3},{"op":"recv"},
             {"op":"send","kind":"binary","size":300000,"random":true},{"op":"recv"},
             {"op":"send","kind":"text","text":"wsdebug:frag 3 5000 text"},{"op":"recv"},
             {"op":"ping","hex":"c0ffee"},
             {"op":"send","kind":"text","text":"wsdebug:ping 0102"},
             {"op":"send","kind":"text","text":"after the ping"},{"op":"recv"},
             {"op":"close","code":4001,"reason":"proxy bye"}]""";

    @Test
    @Timeout(120)
    void readOfTheRecordingEqualsReadOfTheCaptureOnBothSides(@TempDir Path dir) throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        Path wsdb = dir.resolve("proxied.wsdb");
        Path pcap = dir.resolve("proxied.pcapng");
        List<JsonNode> client;
        int proxyPort;
        int serverPort;
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("py_peer server", List.of("/usr/bin/python3",
                LiveCaptureSupport.peerScript("py_peer.py").toString(), "server"), Map.of("PYTHONUNBUFFERED", "1"))) {
            serverPort = Integer.parseInt(server.await(l -> l.matches("PORT \\d+"), true, 20_000).substring(5));
            try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + serverPort, "--save", wsdb.toString())) {
                proxyPort = proxy.port;
                try (LiveCaptureSupport.Dumpcap cap = new LiveCaptureSupport.Dumpcap(pcap,
                        "tcp port " + proxyPort + " or tcp port " + serverPort)) {
                    try (LiveCaptureSupport.Child c = new LiveCaptureSupport.Child("py_peer client", List.of("/usr/bin/python3",
                            LiveCaptureSupport.peerScript("py_peer.py").toString(), "client",
                            "ws://127.0.0.1:" + proxyPort + "/proxied", PLAN), Map.of("PYTHONUNBUFFERED", "1"))) {
                        assertThat(c.waitFor(30_000)).as(c.describe()).isZero();
                        client = jsonLines(String.join("\n", c.lines()));
                    }
                    server.await(l -> l.contains("\"closed\""), true, 10_000);
                    cap.stop();
                }
                proxy.close(); // SIGTERM: the shutdown hook completes and closes the recording
            }
        }

        WsdebugProcess.Result fromWsdb = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(fromWsdb.exit()).as(fromWsdb.err()).isZero();
        WsdebugProcess.Result fromPcap = WsdebugProcess.run("read", pcap.toString(), "--json");
        assertThat(fromPcap.exit()).as(fromPcap.err()).isZero();
        List<JsonNode> recorded = jsonLines(fromWsdb.out());
        List<JsonNode> captured = jsonLines(fromPcap.out());
        assertThat(captured.stream().filter(e -> e.path("event").asText().equals("error")).toList())
                .as("errors reading the capture").isEmpty();

        List<JsonNode> recordedHandshakes = recorded.stream().filter(e -> e.path("event").asText().equals("handshake")).toList();
        assertThat(recordedHandshakes).hasSize(1);
        String rec = recordedHandshakes.get(0).get("conn").asText();

        // the recording holds what the peers sent and received
        List<String> sent = client.stream().filter(n -> n.path("event").asText().equals("sent")).map(LiveCaptureSupport::peerKey).toList();
        List<String> received = client.stream().filter(n -> n.path("event").asText().equals("received")).map(LiveCaptureSupport::peerKey).toList();
        assertThat(messages(recorded, rec, "c2s").stream().map(LiveCaptureSupport::messageKey).toList()).isEqualTo(sent);
        assertThat(messages(recorded, rec, "s2c").stream().map(LiveCaptureSupport::messageKey).toList()).isEqualTo(received);

        // each side of the proxy in the capture: the connection whose server is the proxy, and the upstream one
        for (int port : new int[] {proxyPort, serverPort}) {
            String side = port == proxyPort ? "client side" : "upstream side";
            List<JsonNode> hs = captured.stream().filter(e -> e.path("event").asText().equals("handshake")
                    && e.path("server").asText().equals("127.0.0.1:" + port)).toList();
            assertThat(hs).as(side + ": one WebSocket to port " + port).hasSize(1);
            String cap = hs.get(0).get("conn").asText();
            JsonNode recResponse = recordedHandshakes.get(0);
            assertThat(hs.get(0).path("response").path("status").asInt()).isEqualTo(101);
            assertThat(hs.get(0).path("extensions")).as(side + ": extensions").isEqualTo(recResponse.path("extensions"));
            assertThat(hs.get(0).path("deflate")).as(side + ": deflate").isEqualTo(recResponse.path("deflate"));
            for (String d : List.of("c2s", "s2c")) {
                assertThat(comparableList(frames(captured, cap, d))).as(side + ": " + d + " frames")
                        .isEqualTo(comparableList(frames(recorded, rec, d)));
                assertThat(comparableList(messages(captured, cap, d))).as(side + ": " + d + " messages")
                        .isEqualTo(comparableList(messages(recorded, rec, d)));
            }
            assertThat(comparableList(of(captured, cap, "close"))).as(side + ": close")
                    .isEqualTo(comparableList(of(recorded, rec, "close")));
            assertThat(of(captured, cap, "close").get(0).path("code").asInt()).isEqualTo(4001);
            // only the capture knows the packets
            assertThat(frames(captured, cap, "c2s")).allSatisfy(f -> assertThat(f.path("packets").size()).isPositive());
        }
        assertThat(frames(recorded, rec, "c2s")).hasSizeGreaterThan(8);

        // no false alarms: this healthy session (fragments, 300 KB binary, pings, compression) gives the
        // analysis nothing above information, from the recording and from both sides of the packet capture
        for (java.nio.file.Path file : List.of(wsdb, pcap)) {
            WsdebugProcess.Result d = WsdebugProcess.run("diagnose", file.toString(), "--json");
            assertThat(d.exit()).as(d.out() + d.err()).isZero();
            List<com.fasterxml.jackson.databind.JsonNode> findings = jsonLines(d.out());
            assertThat(findings).as(file.getFileName().toString()).allSatisfy(f ->
                    assertThat(f.path("severity").asText()).as(f.toString()).isEqualTo("info"));
            // the close code says itself; on a loaded machine the capture may also show a short zero window
            // (an information, which it truly saw), never more
            assertThat(findings).anySatisfy(f -> assertThat(f.path("rule").asText()).isEqualTo("close-4001"));
            assertThat(findings).allSatisfy(f -> assertThat(f.path("rule").asText()).isIn("close-4001", "backpressure"));
        }
    }

    private static List<JsonNode> frames(List<JsonNode> events, String conn, String dir) {
        return of(events, conn, "frame").stream().filter(f -> f.path("dir").asText().equals(dir)).toList();
    }

    private static List<JsonNode> messages(List<JsonNode> events, String conn, String dir) {
        return of(events, conn, "message").stream().filter(f -> f.path("dir").asText().equals(dir)).toList();
    }

    private static List<JsonNode> comparableList(List<JsonNode> events) {
        List<JsonNode> out = new ArrayList<>();
        events.forEach(e -> out.add(comparable(e)));
        return out;
    }
}
