package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user story, with the packaged jar: a proxy recording with --save, a client through
 * it, then {@code read} and {@code export --pcapng} read by tshark agree; and a recording proxy
 * killed with SIGKILL leaves a capture that opens with every frame committed before the kill.
 */
@org.junit.jupiter.api.Tag("packaged-jar")
class ProxyRecordingIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordReadAndExportAgreeWithTshark(@TempDir Path dir) throws Exception {
        Path cap = dir.resolve("cap.wsdb");
        try (Peer echo = Peer.start(Peer.Kind.NODE_WS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port(), "--save", cap.toString())) {
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + proxy.port + "/chat", "--json",
                    "-x", "first", "-x", "second", "--binary-hex", "00ff10", "-w", "1", "--close", "4000:bye");
            assertThat(r.exit()).as(explain(r)).isZero();
            proxy.close(); // SIGTERM: the capture is closed by the shutdown hook
        }
        WsdebugProcess.Result read = WsdebugProcess.run("read", cap.toString(), "--json");
        assertThat(read.exit()).as(read.err()).isZero();
        List<JsonNode> events = jsonLines(read.out());
        List<JsonNode> frames = events.stream().filter(e -> e.get("event").asText().equals("frame")).toList();
        List<String> texts = events.stream().filter(e -> e.get("event").asText().equals("message") && e.has("text"))
                .map(e -> e.get("dir").asText() + ":" + e.get("text").asText()).toList();
        assertThat(texts).containsExactly("c2s:first", "c2s:second", "s2c:first", "s2c:second");
        assertThat(events.get(events.size() - 1).get("code").asInt()).isEqualTo(4000);

        Path pcap = dir.resolve("cap.pcapng");
        WsdebugProcess.Result export = WsdebugProcess.run("export", cap.toString(), "--pcapng", pcap.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        List<String> tshark = tshark(pcap);
        // tshark, the oracle, finds the same frames with the same opcodes in the same order
        assertThat(tshark).hasSize(frames.size());
        assertThat(tshark).containsExactlyElementsOf(frames.stream().map(f -> f.get("opcode").asText()).toList());

        Path har = dir.resolve("cap.har");
        assertThat(WsdebugProcess.run("export", cap.toString(), "--har", har.toString()).exit()).isZero();
        JsonNode entry = JSON.readTree(har.toFile()).get("log").get("entries").get(0);
        List<String> harMessages = new ArrayList<>();
        entry.get("_webSocketMessages").forEach(m -> harMessages.add(m.get("type").asText() + ":" + m.get("data").asText()));
        assertThat(harMessages).contains("send:first", "send:second", "receive:first", "receive:second");
    }

    @Test
    void aRecordingKilledWithSigkillStillOpensWithWhatWasCommitted(@TempDir Path dir) throws Exception {
        Path cap = dir.resolve("killed.wsdb");
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port(), "--save", cap.toString())) {
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + proxy.port + "/k", "--json",
                    "-x", "before the kill", "-w", "0.5");
            assertThat(r.exit()).as(explain(r)).isZero();
            // the writer commits at least every 50 ms; give it a moment, then kill without warning
            Thread.sleep(500);
            proxy.kill();
            assertThat(proxy.process.isAlive()).isFalse();
        }
        WsdebugProcess.Result read = WsdebugProcess.run("read", cap.toString(), "--json");
        assertThat(read.exit()).as(read.err()).isZero();
        assertThat(read.out()).contains("\"text\":\"before the kill\"");
        assertThat(jsonLines(read.out()).stream().filter(e -> e.get("event").asText().equals("frame")).count())
                .isGreaterThanOrEqualTo(4);
    }

    /** Opcodes of the WebSocket frames tshark decodes, in order (a packet may hold several). */
    private static List<String> tshark(Path pcap) throws Exception {
        Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", "websocket", "-T", "fields",
                "-e", "websocket.opcode").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> opcodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            for (String op : line.split(",")) {
                if (!op.isBlank()) {
                    opcodes.add(op.trim());
                }
            }
        }
        return opcodes;
    }
}
