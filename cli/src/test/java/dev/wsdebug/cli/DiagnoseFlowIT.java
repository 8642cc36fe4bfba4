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
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flow rules end to end from live captures: {@code wsdebug sniff} on lo records a python
 * websockets server with a raw-socket client that stops reading (its TCP window closes) or that
 * writes each frame in two parts with Nagle's algorithm on (each payload waits for a delayed ACK);
 * sniff prints the finding live and {@code diagnose} of its recording names the rule with evidence.
 */
@Tag("live-capture")
class DiagnoseFlowIT {
    @TempDir
    Path dir;

    private record Sniffed(List<JsonNode> live, List<JsonNode> findings) {
    }

    /** Runs flow_client.py ARGS against a py_peer.py server while sniff records; then diagnoses it. */
    private Sniffed sniffed(String name, String... clientArgs) throws Exception {
        SniffProcess.requireCaptureTool();
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        Path wsdb = dir.resolve(name + ".wsdb");
        String live;
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("py_peer server", List.of("/usr/bin/python3",
                LiveCaptureSupport.peerScript("py_peer.py").toString(), "server", "--deflate", "off"),
                Map.of("PYTHONUNBUFFERED", "1"))) {
            String port = server.await(l -> l.startsWith("PORT "), true, 10_000).substring(5).trim();
            try (SniffProcess sniff = SniffProcess.start("--json", "--save", wsdb.toString(), "tcp", "port", port)) {
                List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/python3",
                        LiveCaptureSupport.peerScript("flow_client.py").toString(), clientArgs[0], port));
                cmd.addAll(List.of(clientArgs).subList(1, clientArgs.length));
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("flow client", cmd,
                        Map.of("PYTHONUNBUFFERED", "1"))) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                }
                live = sniff.stopAfter("\"event\":\"close\"");
            }
        }
        WsdebugProcess.Result r = WsdebugProcess.run("diagnose", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err() + r.out()).isZero(); // warnings, no errors
        return new Sniffed(jsonLines(live), jsonLines(r.out()));
    }

    private static JsonNode only(List<JsonNode> findings, String rule) {
        assertThat(findings).as(findings.toString()).extracting(f -> f.path("rule").asText()).containsExactly(rule);
        return findings.get(0);
    }

    @Test
    @Timeout(120)
    void aClientThatStopsReadingIsBackpressure() throws Exception {
        Sniffed s = sniffed("slow", "slow", "4096", "1500", Integer.toString(4 << 20));
        assertThat(s.live()).anySatisfy(e -> assertThat(e.path("event").asText() + " " + e.path("kind").asText())
                .isEqualTo("flow zero-window"));
        assertThat(s.live()).as("sniff prints the finding").anySatisfy(e -> assertThat(e.path("rule").asText())
                .isEqualTo("backpressure"));
        JsonNode f = only(s.findings(), "backpressure");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("summary").asText()).startsWith("The client stopped reading: it advertised a zero TCP window");
        JsonNode evidence = f.path("evidence").get(0);
        assertThat(evidence.path("conn").asText()).isEqualTo(f.path("conn").asText());
        assertThat(evidence.path("what").asText()).contains("zero window advertised");
    }

    @Test
    @Timeout(120)
    void framesWrittenInTwoPartsWithNagleOnAreNagleDelay() throws Exception {
        Sniffed s = sniffed("nagle", "nagle", "10", "0");
        JsonNode f = only(s.findings(), "nagle-delay");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("summary").asText()).contains("from the client left about 40 ms late");
        assertThat(f.path("evidence").get(0).path("what").asText()).contains("104-byte segment");
        assertThat(f.path("fix").asText()).contains("TCP_NODELAY");
        // the same client with TCP_NODELAY: nothing to say
        assertThat(sniffed("nodelay", "nagle", "10", "1").findings()).isEmpty();
    }
}
