package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.wsdebug.cli.DiagnoseSupport.diagnose;
import static dev.wsdebug.cli.DiagnoseSupport.finding;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconnect rules of {@code wsdebug diagnose} (the packaged jar) on Node ws clients, recorded by
 * {@code wsdebug proxy --save} in front of the serve engine closing each connection after its first
 * echo: a fixed retry delay, jittered exponential backoff, and six clients all coming straight back
 * when the server closes them together. DiagnoseIT has the same with python websockets; Node's
 * timers and close events give other timings, which the rules must read the same way.
 */
@Tag("packaged-jar")
class DiagnoseReconnectIT {
    private static final long CLIENT_MILLIS = 30_000;

    /**
     * One client (fixed, backoff) or six at once (storm); each line it prints is one JSON object.
     * "fixed" and "backoff": connect, send one message, and when the server has closed the connection
     * wait and connect again, five connections in all. "storm": six clients send together once all
     * are open, so that the server closes them together; each comes back at once, stays 300 ms and
     * leaves with 1000.
     */
    private static final String CLIENTS = """
            const WebSocket = require('ws');
            const [url, mode] = process.argv.slice(1);
            const log = (o) => console.log(JSON.stringify(o));
            function retryDelay(attempt) {
              if (mode === 'fixed') return 300;
              return Math.min(3000, 100 * 2 ** attempt) * (0.5 + Math.random());
            }
            function retrying(attempt) {
              const ws = new WebSocket(url);
              ws.on('open', () => ws.send('attempt ' + attempt));
              ws.on('error', (e) => log({event: 'error', attempt, message: e.message}));
              ws.on('close', (code) => {
                log({event: 'closed', attempt, code});
                if (attempt < 4) setTimeout(() => retrying(attempt + 1), retryDelay(attempt));
              });
            }
            function storm(n) {
              const first = [];
              for (let i = 0; i < n; i++) {
                const ws = new WebSocket(url);
                first.push(ws);
                ws.on('open', () => {
                  if (first.every((s) => s.readyState === WebSocket.OPEN)) first.forEach((s) => s.send('here'));
                });
                ws.on('error', (e) => log({event: 'error', client: i, message: e.message}));
                ws.on('close', (code) => {
                  log({event: 'closed', client: i, code});
                  const again = new WebSocket(url);
                  again.on('open', () => setTimeout(() => again.close(1000, 'bye'), 300));
                  again.on('error', (e) => log({event: 'error', client: i, message: e.message}));
                  again.on('close', (code) => log({event: 'closed again', client: i, code}));
                });
              }
            }
            if (mode === 'storm') storm(6); else retrying(0);
            """;

    @TempDir
    Path dir;

    /** Records what the Node clients in {@code mode} do through the proxy, to a server closing after one echo. */
    private Path record(String mode, int closeCode) throws Exception {
        Peer.requireNode(List.of("ws"), false);
        ServerOptions so = new ServerOptions();
        so.port = 0;
        so.closeAfter = 1;
        so.closeCode = closeCode;
        try (WsServer server = new WsServer(so, EventSink.all())) {
            return throughProxy(dir.resolve(mode + ".wsdb"), server.start().getPort(), List.of(), proxyPort -> {
                String url = "ws://127.0.0.1:" + proxyPort + "/node-" + mode;
                String nodeModules = Peer.repoRoot().resolve("test-peers/node/node_modules").toString();
                try (LiveCaptureSupport.Child node = new LiveCaptureSupport.Child("node " + mode + " clients",
                        List.of("node", "-e", CLIENTS, url, mode), Map.of("NODE_PATH", nodeModules))) {
                    assertThat(node.waitFor(CLIENT_MILLIS)).as(node.describe()).isZero();
                    assertThat(node.lines()).as(node.describe()).noneMatch(l -> l.contains("\"error\""));
                }
            });
        }
    }

    /**
     * The findings of {@code wsdebug diagnose} over that recording: exit 0, and no error-level finding
     * (a reconnect pattern is a warning; nothing in these sessions is broken).
     */
    private List<JsonNode> diagnosed(String mode, int closeCode) throws Exception {
        List<JsonNode> findings = diagnose(record(mode, closeCode), 0);
        assertThat(findings).allSatisfy(f -> assertThat(f.path("event").asText()).isEqualTo("finding"));
        assertThat(findings).as("error-level findings").filteredOn(f -> f.path("severity").asText().equals("error"))
                .isEmpty();
        return findings;
    }

    /** The finding of this rule, a warning about several connections (none named in {@code conn}). */
    private static JsonNode acrossConnections(List<JsonNode> findings, String rule) {
        JsonNode f = finding(findings, rule);
        assertThat(f.path("severity").asText()).as(f.toString()).isEqualTo("warning");
        assertThat(f.path("conn").isNull()).as(f.toString()).isTrue();
        return f;
    }

    @Test
    @Timeout(90)
    void aNodeClientRetryingEvery300MsIsToldToBackOff() throws Exception {
        List<JsonNode> findings = diagnosed("fixed", 1000);
        JsonNode f = acrossConnections(findings, "reconnect-no-backoff");
        assertThat(f.path("summary").asText()).contains("127.0.0.1").contains("4 times").contains("/node-fixed");
        // the evidence names each reconnection: the 2nd to 5th connections, each opened about 300 ms
        // after the one before it ended
        JsonNode evidence = f.path("evidence");
        assertThat(evidence).as(f.toString()).hasSize(4);
        Set<String> conns = new HashSet<>();
        for (JsonNode e : evidence) {
            String conn = e.path("conn").asText();
            assertThat(conn).isNotEmpty();
            conns.add(conn);
            assertThat(e.path("what").asText()).as(f.toString()).matches("connection " + java.util.regex.Pattern.quote(conn)
                    + " opened \\d+ ms after the previous ended");
            long ms = Long.parseLong(e.path("what").asText().replaceAll(".* opened (\\d+) ms .*", "$1"));
            assertThat(ms).as(f.toString()).isBetween(250L, 600L);
        }
        assertThat(conns).as("four different connections").hasSize(4);
        assertThat(findings).noneMatch(x -> x.path("rule").asText().equals("reconnect-storm"));
    }

    @Test
    @Timeout(90)
    void aNodeClientWithJitteredExponentialBackoffIsNotFlagged() throws Exception {
        List<JsonNode> findings = diagnosed("backoff", 1000);
        assertThat(findings).as(findings.toString()).noneMatch(x -> x.path("rule").asText().startsWith("reconnect-"));
    }

    @Test
    @Timeout(90)
    void sixNodeClientsComingBackAtOnceAfterTheServerClosedThemAreAStorm() throws Exception {
        List<JsonNode> findings = diagnosed("storm", 1001);
        JsonNode storm = acrossConnections(findings, "reconnect-storm");
        assertThat(storm.path("summary").asText()).as(storm.toString())
                .contains("6 clients reconnected").contains("ending 6 connections at once");
        // the evidence names distinct reconnections, none of them a connection the server closed (the six
        // share 127.0.0.1, so the rule must not pair every closed connection with the same reconnection)
        Set<String> closedByServer = new HashSet<>();
        findings.stream().filter(x -> x.path("rule").asText().equals("close-1001"))
                .forEach(x -> closedByServer.add(x.path("conn").asText()));
        assertThat(closedByServer).as(findings.toString()).hasSize(6);
        JsonNode evidence = storm.path("evidence");
        assertThat(evidence).as(storm.toString()).isNotEmpty();
        Set<String> reconnections = new HashSet<>();
        for (JsonNode e : evidence) {
            assertThat(e.path("what").asText()).isEqualTo("reconnected");
            assertThat(e.path("conn").asText()).as(storm.toString()).isNotEmpty().isNotIn(closedByServer);
            reconnections.add(e.path("conn").asText());
        }
        assertThat(reconnections).as(storm.toString()).hasSize(evidence.size());
        assertThat(findings).as("six clients, not one retrying").noneMatch(x -> x.path("rule").asText()
                .equals("reconnect-no-backoff"));
    }
}
