package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug replay} end to end (the packaged jar): sessions of a python websockets client with
 * a stateful Node ws server (a counter, timestamps, the subprotocol and a request header echoed, a
 * close 4000 on "bye"; resources/replay/), recorded through {@code wsdebug proxy --save}, by dumpcap,
 * and by Chromium into a HAR, then replayed against that server (the same answers once the
 * timestamps are ignored) and against a changed one (the first divergence named); the recorded
 * timing kept at --speed 1 and dropped at --speed max; 20 connections replayed at once at their
 * recorded offsets.
 */
@Tag("packaged-jar")
class ReplayIT {
    @TempDir
    static Path dir;
    private static LiveCaptureSupport.Child server;
    private static LiveCaptureSupport.Child changed;
    private static int port;
    private static int changedPort;
    /** One connection recorded through the proxy, 300 ms between the client's messages. */
    private static Path one;

    private static String script(String name) throws Exception {
        return Path.of(ReplayIT.class.getResource("/replay/" + name).toURI()).toString();
    }

    private static Map<String, String> nodeEnv() {
        return Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
    }

    private static int start(LiveCaptureSupport.Child s) throws Exception {
        String line = s.await(l -> l.startsWith("{\"port\":"), true, 20_000);
        return jsonLines(line).get(0).path("port").asInt();
    }

    @BeforeAll
    static void servers() throws Exception {
        Peer.requireNode(List.of("ws"), false);
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        server = new LiveCaptureSupport.Child("replay server", List.of("node", script("replay_server.js")), nodeEnv());
        port = start(server);
        changed = new LiveCaptureSupport.Child("changed server", List.of("node", script("replay_server.js"), "--changed"),
                nodeEnv());
        changedPort = start(changed);
        one = record("one.wsdb", 1, 300, 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (changed != null) {
            changed.close();
        }
    }

    /** Runs the python client (CONNECTIONS, GAP_MS, STAGGER_MS) through the proxy into a capture. */
    private static Path record(String name, int connections, int gapMs, int staggerMs) throws Exception {
        Path wsdb = dir.resolve(name);
        throughProxy(wsdb, port, List.of(), proxyPort -> runClient("ws://127.0.0.1:" + proxyPort + "/counter?room=1",
                connections, gapMs, staggerMs));
        return wsdb;
    }

    private static void runClient(String url, int connections, int gapMs, int staggerMs) {
        Peer.Run run = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, "/replay/replay_client.py", 60_000, url,
                Integer.toString(connections), Integer.toString(gapMs), Integer.toString(staggerMs));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).as(run.describe()).contains("{\"done\": true}")
                .contains("\"close\": 4000");
    }

    private static WsdebugProcess.Result replay(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(List.of(args));
        return WsdebugProcess.run(all.toArray(String[]::new));
    }

    private static String why(WsdebugProcess.Result r) {
        return "exit " + r.exit() + "\n--- stdout:\n" + r.out() + "--- stderr:\n" + r.err();
    }

    @Test
    @Timeout(120)
    void theSameServerAnswersAsRecordedOnceTimestampsAreIgnored() throws Exception {
        WsdebugProcess.Result same = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts");
        assertThat(same.exit()).as(why(same)).isZero();
        assertThat(same.out()).as(why(same))
                .contains("replay of connection 1 (5 client messages) to ws://127.0.0.1:" + port + "/counter?room=1")
                .contains("5 server messages recorded, 5 replayed: 5 the same, 0 different, 0 missing, 0 extra")
                .contains("SAME: the server answered as recorded");

        // without --ignore the timestamps differ, from the welcome on
        WsdebugProcess.Result ts = replay(one.toString(), "--to", "ws://127.0.0.1:" + port);
        assertThat(ts.exit()).as(why(ts)).isEqualTo(1);
        assertThat(ts.out()).as(why(ts)).containsPattern("first difference: server message 1 differs: at \\$\\.ts: recorded"
                + " \\d+, replayed \\d+\\.").contains("DIFFERENT");
    }

    @Test
    @Timeout(120)
    void aChangedServerFailsNamingTheFirstDivergence() throws Exception {
        WsdebugProcess.Result r = replay(one.toString(), "--to", "ws://127.0.0.1:" + changedPort, "--ignore", "$..ts");
        assertThat(r.exit()).as(why(r)).isEqualTo(1);
        // welcome, hello (1), add (2), list: the third reply is where the changed counter shows
        assertThat(r.out()).as(why(r))
                .contains("first difference: server message 4 differs: at $.count: recorded 3, replayed 4.")
                .containsPattern("recorded: text '\\{\"count\":3,\"echo\":\\{\"op\":\"list\"")
                .containsPattern("replayed: text '\\{\"count\":4,\"echo\":\\{\"op\":\"list\"")
                .contains("5 server messages recorded, 5 replayed: 4 the same, 1 different, 0 missing, 0 extra")
                .contains("DIFFERENT");

        WsdebugProcess.Result json = replay(one.toString(), "--to", "ws://127.0.0.1:" + changedPort, "--ignore", "$..ts",
                "--json");
        assertThat(json.exit()).as(why(json)).isEqualTo(1);
        JsonNode verdict = last(jsonLines(json.out()), "replay");
        assertThat(verdict.path("equal").asBoolean()).isFalse();
        assertThat(verdict.path("different").asInt()).isEqualTo(1);
        assertThat(verdict.path("differences").get(0).asText())
                .isEqualTo("server message 4 differs: at $.count: recorded 3, replayed 4.");
    }

    @Test
    @Timeout(120)
    void recordedHeadersAndSubprotocolAreSentAgainUnlessToldOtherwise() throws Exception {
        // the server echoes X-Session and the subprotocol: both came from the recording
        WsdebugProcess.Result none = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts",
                "--no-headers");
        assertThat(none.exit()).as(why(none)).isEqualTo(1);
        assertThat(none.out()).as(why(none))
                .contains("first difference: server message 2 differs: at $.session: recorded \"s0\", replayed null.");
        WsdebugProcess.Result given = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts",
                "--no-headers", "-H", "X-Session: s0", "-v");
        assertThat(given.exit()).as(why(given)).isZero();
        assertThat(given.out()).as(why(given)).contains("> X-Session: s0").contains("> Sec-WebSocket-Protocol: counter.v1")
                .contains("subprotocol: counter.v1");
        WsdebugProcess.Result other = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts",
                "-H", "X-Session: s9");
        assertThat(other.out()).as(why(other))
                .contains("first difference: server message 2 differs: at $.session: recorded \"s0\", replayed \"s9\".");
    }

    @Test
    @Timeout(120)
    void speedOneKeepsTheRecordedSpacingAndMaxDropsIt() throws Exception {
        List<Double> recorded = clientMessageTimes(WsdebugProcess.run("read", one.toString(), "--json"));
        assertThat(recorded).hasSize(5);

        WsdebugProcess.Result atOne = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts", "--json");
        assertThat(atOne.exit()).as(why(atOne)).isZero();
        List<Double> replayed = clientMessageTimes(atOne);
        assertThat(replayed).hasSize(5);
        for (int i = 1; i < 5; i++) {
            double want = recorded.get(i) - recorded.get(i - 1);
            double got = replayed.get(i) - replayed.get(i - 1);
            // each message at its recorded offset from the handshake: never early, late only by scheduling
            assertThat(got).as("gap %d: recorded %.3f s, replayed %.3f s", i, want, got)
                    .isBetween(want - 0.05, want + 0.25);
        }

        WsdebugProcess.Result max = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts", "--json",
                "--speed", "max");
        assertThat(max.exit()).as(why(max)).isZero();
        List<Double> fast = clientMessageTimes(max);
        double recordedSpan = recorded.get(4) - recorded.get(0);
        double fastSpan = fast.get(4) - fast.get(0);
        assertThat(recordedSpan).isGreaterThan(1.0);
        assertThat(fastSpan).as("at --speed max the 5 messages go out together").isLessThan(recordedSpan / 3);

        // --wait-replies: each client message goes once the server has sent what preceded it in the
        // recording (the welcome before "hello", its reply before the add, …), whatever the timing
        WsdebugProcess.Result waiting = replay(one.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts",
                "--wait-replies", "--json");
        assertThat(waiting.exit()).as(why(waiting)).isZero();
        assertThat(serverMessagesBeforeEachClientMessage(waiting))
                .isEqualTo(serverMessagesBeforeEachClientMessage(WsdebugProcess.run("read", one.toString(), "--json")))
                .containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    @Timeout(180)
    void twentyConnectionsReplayAtOnceAtTheirRecordedOffsets() throws Exception {
        Path many = record("many.wsdb", 20, 100, 150);
        Map<String, Double> recordedStarts = handshakeTimes(WsdebugProcess.run("read", many.toString(), "--json"));
        assertThat(recordedStarts).hasSize(20);

        WsdebugProcess.Result r = replay(many.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts", "--json");
        assertThat(r.exit()).as(why(r)).isZero();
        List<JsonNode> events = jsonLines(r.out());
        List<JsonNode> verdicts = events.stream().filter(e -> e.path("event").asText().equals("replay")).toList();
        assertThat(verdicts).hasSize(20).allSatisfy(v -> assertThat(v.path("equal").asBoolean()).as(v.toString()).isTrue());
        Map<String, Double> replayedStarts = handshakeTimes(r);
        // replayed connection i is recorded connection verdict(i).recordedConn: each must have started
        // as long after its recorded start as every other (its recorded offset kept). Started all at
        // once, they would be spread by the recorded 2.85 s; one after the other, by far more.
        List<Double> lag = new ArrayList<>();
        for (JsonNode v : verdicts) {
            lag.add(replayedStarts.get(v.path("conn").asText()) - recordedStarts.get(v.path("recordedConn").asText()));
        }
        double spread = lag.stream().max(Double::compare).orElseThrow() - lag.stream().min(Double::compare).orElseThrow();
        double recordedSpread = recordedStarts.values().stream().max(Double::compare).orElseThrow()
                - recordedStarts.values().stream().min(Double::compare).orElseThrow();
        assertThat(recordedSpread).isGreaterThan(2.0);
        assertThat(spread).as("differences between replayed and recorded starts: %s", lag).isLessThan(1.0);
    }

    @Test
    @Timeout(120)
    void aPacketCaptureReplays() throws Exception {
        Path pcap = dir.resolve("direct.pcapng");
        try (LiveCaptureSupport.Dumpcap cap = new LiveCaptureSupport.Dumpcap(pcap, "tcp port " + port)) {
            runClient("ws://127.0.0.1:" + port + "/direct", 1, 100, 0);
            cap.stop();
        }
        WsdebugProcess.Result r = replay(pcap.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts");
        assertThat(r.exit()).as(why(r)).isZero();
        assertThat(r.out()).as(why(r)).contains("to ws://127.0.0.1:" + port + "/direct")
                .contains("5 server messages recorded, 5 replayed: 5 the same");
        WsdebugProcess.Result c = replay(pcap.toString(), "--to", "ws://127.0.0.1:" + changedPort, "--ignore", "$..ts");
        assertThat(c.out()).as(why(c)).contains("server message 4 differs: at $.count: recorded 3, replayed 4.");
    }

    @Test
    @Timeout(150)
    void aChromiumHarReplays() throws Exception {
        Path har = dir.resolve("chromium.har");
        Path tmp = Files.createDirectories(dir.resolve("chromium-tmp"));
        Peer.Run run = Peer.runNode("/peers/har_playwright.js", List.of("playwright-core"), true,
                Map.of("TMPDIR", tmp.toString(), "HOME", tmp.toString()), 90_000,
                "http://127.0.0.1:" + port + "/page", har.toString());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).as(run.describe()).contains("PAGE {\"code\":4000}");

        WsdebugProcess.Result r = replay(har.toString(), "--to", "ws://127.0.0.1:" + port, "--ignore", "$..ts", "-v");
        assertThat(r.exit()).as(why(r)).isZero();
        // Chromium's welcome, hello and add replies; its Origin and subprotocol offer went out again
        assertThat(r.out()).as(why(r)).contains("to ws://127.0.0.1:" + port + "/har?from=page")
                .contains("3 server messages recorded, 3 replayed: 3 the same")
                .contains("> Origin: http://127.0.0.1:" + port).contains("subprotocol: counter.v1");
    }

    @Test
    void unusableInputIsAUsageError() throws Exception {
        Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        String[][] cases = {
                {one.toString(), "--to", "http://127.0.0.1:1"},
                {one.toString(), "--to", "ws://127.0.0.1:1", "--speed", "fast"},
                {one.toString(), "--to", "ws://127.0.0.1:1", "--ignore", "$.a["},
                {one.toString(), "--to", "ws://127.0.0.1:1", "--conn", "7"},
                {dir.resolve("absent.wsdb").toString(), "--to", "ws://127.0.0.1:1"},
                {garbage.toString(), "--to", "ws://127.0.0.1:1"},
        };
        String[] says = {
                "--to: 'http://127.0.0.1:1' is an HTTP URL: use ws://127.0.0.1:1 or wss:// instead.",
                "--speed takes a positive number or max, not 'fast'.",
                "--ignore: the JSON path '$.a[' has a '[' without its ']'.",
                "has no connection 7 (it has 1).",
                "absent.wsdb",
                "garbage.bin",
        };
        for (int i = 0; i < cases.length; i++) {
            WsdebugProcess.Result r = replay(cases[i]);
            assertThat(r.exit()).as(why(r)).isEqualTo(2);
            assertThat(r.err()).as(why(r)).startsWith("wsdebug replay: ").contains(says[i]);
            assertThat(r.err().strip().lines().count()).as(why(r)).isEqualTo(1);
        }
        // a closed port: the connection fails, exit 1 with the reason
        WsdebugProcess.Result closed = replay(one.toString(), "--to", "ws://127.0.0.1:1");
        assertThat(closed.exit()).as(why(closed)).isEqualTo(1);
        assertThat(closed.out()).as(why(closed)).contains("could not connect: Connection refused by 127.0.0.1:1");
    }

    private static JsonNode last(List<JsonNode> events, String name) {
        JsonNode found = null;
        for (JsonNode e : events) {
            if (e.path("event").asText().equals(name)) {
                found = e;
            }
        }
        assertThat(found).as("a %s event", name).isNotNull();
        return found;
    }

    /** Times of the client's data messages of a one-connection session (JSON Lines of read or replay). */
    private static List<Double> clientMessageTimes(WsdebugProcess.Result r) throws Exception {
        assertThat(r.exit()).as(why(r)).isZero();
        List<Double> out = new ArrayList<>();
        for (JsonNode e : jsonLines(r.out())) {
            if (e.path("event").asText().equals("message") && e.path("dir").asText().equals("c2s")) {
                out.add(e.path("t").asDouble());
            }
        }
        return out;
    }

    /** For each client data message, how many server data messages came before it. */
    private static List<Integer> serverMessagesBeforeEachClientMessage(WsdebugProcess.Result r) throws Exception {
        assertThat(r.exit()).as(why(r)).isZero();
        List<Integer> out = new ArrayList<>();
        int server = 0;
        for (JsonNode e : jsonLines(r.out())) {
            if (e.path("event").asText().equals("message")) {
                if (e.path("dir").asText().equals("s2c")) {
                    server++;
                } else {
                    out.add(server);
                }
            }
        }
        return out;
    }

    /** Each connection's handshake time, by connection id. */
    private static Map<String, Double> handshakeTimes(WsdebugProcess.Result r) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        for (JsonNode e : jsonLines(r.out())) {
            if (e.path("event").asText().equals("handshake")) {
                out.put(e.path("conn").asText(), e.path("t").asDouble());
            }
        }
        return out;
    }
}
