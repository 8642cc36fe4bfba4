package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.LiveCaptureSupport.comparable;
import static dev.wsdebug.cli.LiveCaptureSupport.of;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium, writing its TLS secrets with --ssl-key-log-file, opens a wss:// WebSocket
 * from a blank page to {@code wsdebug serve --tls} (the packaged jar, self-signed; the browser runs
 * with --ignore-certificate-errors) and exchanges a few messages while dumpcap records lo. Then
 * {@code wsdebug read capture.pcapng --keylog KEYS --json} decrypts exactly what the page sent and
 * received (length and SHA-256 of each message, the close), frame for frame what serve itself
 * showed live (every field but ids, times, seq and packets), and the same frames as tshark with the
 * same key log (packets, FIN, opcode, mask, length). The capture with Chromium's secrets injected
 * by {@code editcap --inject-secrets} reads the same without --keylog. Takes 8-15 s.
 */
@Tag("packaged-jar")
@Tag("live-capture")
class ChromiumWssCaptureIT {
    private static final Pattern LISTENING = Pattern.compile("listening on wss://127\\.0\\.0\\.1:(\\d+)");

    @Test
    @Timeout(150)
    void chromiumWssDecryptedFromItsKeyLog(@TempDir Path dir) throws Exception {
        Peer.requireNode(List.of("playwright-core"), true);
        Path pcap = dir.resolve("chromium.pcapng");
        Path keys = dir.resolve("chromium.keys");
        JsonNode page;
        List<JsonNode> live;
        int port;
        List<String> serve = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                WsdebugProcess.jar().toString(), "serve", "--tls", "--port", "0", "--json");
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("wsdebug serve", serve, Map.of())) {
            Matcher m = LISTENING.matcher(server.await(l -> LISTENING.matcher(l).find(), false, 30_000));
            assertThat(m.find()).isTrue();
            port = Integer.parseInt(m.group(1));
            try (LiveCaptureSupport.Dumpcap cap = new LiveCaptureSupport.Dumpcap(pcap, "tcp port " + port)) {
                try (LiveCaptureSupport.Child browser = new LiveCaptureSupport.Child("chromium_wss.js",
                        List.of("node", LiveCaptureSupport.peerScript("chromium_wss.js").toString(),
                                "wss://127.0.0.1:" + port + "/from-chromium", keys.toString()),
                        Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString(),
                                "WSDEBUG_CHROMIUM", Peer.CHROMIUM))) {
                    assertThat(browser.waitFor(90_000)).as(browser.describe()).isZero();
                    List<String> out = browser.lines().stream().filter(l -> l.startsWith("{")).toList();
                    assertThat(out).as(browser.describe()).hasSize(1);
                    page = new ObjectMapper().readTree(out.get(0));
                }
                // serve's own view ends with the close event of the connection
                server.await(l -> l.contains("\"event\":\"close\""), true, 10_000);
                cap.stop();
            }
            server.terminate();
            live = jsonLines(String.join("\n", server.lines()));
        }
        assertThat(page.get("close").get(0).asInt()).isEqualTo(4000);
        assertThat(page.get("received")).as("the echoes").isEqualTo(page.get("sent"));
        assertThat(Files.size(keys)).as("Chromium's key log").isPositive();

        WsdebugProcess.Result read = WsdebugProcess.run("read", pcap.toString(), "--keylog", keys.toString(), "--json");
        assertThat(read.exit()).as(read.err()).isZero();
        List<JsonNode> events = jsonLines(read.out());
        assertThat(events.stream().filter(e -> e.path("event").asText().equals("error")).toList()).as("errors").isEmpty();
        List<JsonNode> handshakes = events.stream().filter(e -> e.path("event").asText().equals("handshake")).toList();
        assertThat(handshakes).as("one WebSocket: " + read.err()).hasSize(1);
        JsonNode h = handshakes.get(0);
        String conn = h.get("conn").asText();
        assertThat(h.path("tls").path("version").asText()).isEqualTo("TLS 1.3");
        assertThat(h.path("extensions").asText()).isEqualTo(page.get("extensions").asText());

        List<String> sent = keysOf(page.get("sent"));
        List<String> received = keysOf(page.get("received"));
        assertThat(messages(events, conn, "c2s").stream().map(LiveCaptureSupport::messageKey).toList()).isEqualTo(sent);
        assertThat(messages(events, conn, "s2c").stream().map(LiveCaptureSupport::messageKey).toList()).isEqualTo(received);
        JsonNode close = of(events, conn, "close").get(0);
        assertThat(close.path("code").asInt()).isEqualTo(4000);
        assertThat(close.path("reason").asText()).isEqualTo("chromium bye");
        assertThat(close.path("initiator").asText()).isEqualTo("client");
        assertThat(close.path("clean").asBoolean()).isTrue();

        // what serve showed live is what the capture decrypts
        String liveConn = live.stream().filter(e -> e.path("event").asText().equals("handshake")).findFirst()
                .orElseThrow().get("conn").asText();
        for (String d : List.of("c2s", "s2c")) {
            assertThat(comparableList(filter(of(events, conn, "frame"), d))).as(d + " frames: capture vs serve")
                    .isEqualTo(comparableList(filter(of(live, liveConn, "frame"), d)));
            assertThat(comparableList(messages(events, conn, d))).as(d + " messages: capture vs serve")
                    .isEqualTo(comparableList(messages(live, liveConn, d)));
        }

        // tshark with the same key log finds the same frames in the same packets
        List<JsonNode> frames = of(events, conn, "frame");
        List<LiveCaptureSupport.TsharkFrame> tshark = LiveCaptureSupport.tsharkFrames(pcap,
                List.of("-o", "tls.keylog_file:" + keys.toAbsolutePath()));
        assertThat(tshark).as("tshark's frames").hasSameSizeAs(frames);
        for (int i = 0; i < frames.size(); i++) {
            JsonNode f = frames.get(i);
            LiveCaptureSupport.TsharkFrame t = tshark.get(i);
            JsonNode packets = f.get("packets");
            assertThat(packets.get(packets.size() - 1).asLong()).as("frame " + i + ": last packet").isEqualTo(t.packet());
            assertThat(f.get("fin").asBoolean()).as("frame " + i + ": fin").isEqualTo(t.fin());
            assertThat(f.get("opcode").asInt()).as("frame " + i + ": opcode").isEqualTo(t.opcode());
            assertThat(f.get("masked").asBoolean()).as("frame " + i + ": mask").isEqualTo(t.masked());
            assertThat(f.get("payloadLength").asLong()).as("frame " + i + ": length").isEqualTo(t.length());
        }

        // the key log injected into the capture file: no --keylog needed
        Path injected = dir.resolve("chromium-dsb.pcapng");
        try (LiveCaptureSupport.Child editcap = new LiveCaptureSupport.Child("editcap", List.of(
                LiveCaptureSupport.tool("editcap"), "--inject-secrets", "tls," + keys, pcap.toString(), injected.toString()),
                Map.of())) {
            assertThat(editcap.waitFor(30_000)).as(editcap.describe()).isZero();
        }
        WsdebugProcess.Result dsb = WsdebugProcess.run("read", injected.toString(), "--json");
        assertThat(dsb.exit()).as(dsb.err()).isZero();
        List<JsonNode> fromDsb = jsonLines(dsb.out());
        assertThat(comparableList(of(fromDsb, conn, "frame"))).as("frames read with the injected secrets")
                .isEqualTo(comparableList(of(events, conn, "frame")));
        assertThat(comparableList(of(fromDsb, conn, "message"))).isEqualTo(comparableList(of(events, conn, "message")));
    }

    private static List<String> keysOf(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(LiveCaptureSupport.peerKey(n)));
        return out;
    }

    private static List<JsonNode> filter(List<JsonNode> events, String dir) {
        return events.stream().filter(f -> f.path("dir").asText().equals(dir)).toList();
    }

    private static List<JsonNode> messages(List<JsonNode> events, String conn, String dir) {
        return filter(of(events, conn, "message"), dir);
    }

    private static List<JsonNode> comparableList(List<JsonNode> events) {
        List<JsonNode> out = new ArrayList<>();
        events.forEach(e -> out.add(comparable(e)));
        return out;
    }
}
