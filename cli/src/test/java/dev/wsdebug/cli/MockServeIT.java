package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve --mock}, with the packaged jar and real peers: a session between a python
 * {@code websockets} client and a stateful Node {@code ws} server (a greeting, counters, timestamps,
 * a close with 4000 on "bye") recorded through {@code proxy --save}, then the same client against
 * {@code serve --mock} of that recording gets the same answers, the same subprotocol, extensions and
 * close, and a request the recording never had is reported; the serve knobs still apply on top.
 */
@Tag("packaged-jar")
class MockServeIT {
    private static final String CLIENT = "/replay/mock_counter_client.py";
    private static final String DROP_CLIENT = "/replay/mock_drop_client.py";
    private static final String LOCKSTEP_CLIENT = "/replay/mock_lockstep_client.py";
    private static final long CLIENT_TIMEOUT_MS = 60_000;

    @Test
    void theMockAnswersThePythonClientAsTheNodeServerDid(@TempDir Path dir) throws Exception {
        Path cap = dir.resolve("counter.wsdb");
        Peer.Run original;
        try (Child node = Child.node("/replay/mock_counter_server.js");
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + node.port, "--save", cap.toString())) {
            original = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + proxy.port + "/count");
            assertThat(original.exitCode()).as(original.describe()).isZero();
            proxy.close(); // SIGTERM: the capture is closed by the shutdown hook
        }
        List<String> recorded = original.lines();
        // the real server's session: what the mock must play back
        assertThat(recorded).startsWith("SUBPROTOCOL counter.v1", "EXTENSIONS permessage-deflate")
                .endsWith("CLOSE 4000 bye");
        assertThat(recorded.stream().filter(l -> l.startsWith("RECV ")).toList()).hasSize(6)
                .allMatch(l -> l.contains("\"ts\":"));

        // the client stamps every request with the time, so the requests match only with ts ignored
        try (Child serve = Child.serve("--mock", cap.toString(), "--ignore", "$..ts")) {
            Peer.Run mocked = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + serve.port + "/count", "--extra", "--ping");
            assertThat(mocked.exitCode()).as(mocked.describe()).isZero();
            List<String> expected = new ArrayList<>(recorded);
            // the extra request gets no answer; the ping is answered as any server does
            expected.add(expected.size() - 2, "NOREPLY");
            expected.add(expected.size() - 2, "PONG yes");
            assertThat(mocked.lines()).as(serve.describe()).containsExactlyElementsOf(expected);
            serve.close();
            assertThat(serve.errLines()).anyMatch(l -> l.startsWith("mocking recorded connection 1 (/count): 4 client"
                    + " messages with 6 server steps after them, 1 unprompted server step"));
            List<JsonNode> notices = notices(serve);
            assertThat(notices).as(serve.describe()).hasSize(1);
            assertThat(notices.get(0).get("message").asText()).startsWith("Client message 4 (text '{\"op\": \"shout\"")
                    .endsWith("matches nothing left in recorded connection 1; no reply.");
        }

        // a knob on top: no pongs; and without --ignore the requests still get their answers, by
        // order, each with a line saying so
        try (Child serve = Child.serve("--mock", cap.toString(), "--no-pong", "--delay", "50")) {
            Peer.Run mocked = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + serve.port + "/count", "--ping");
            assertThat(mocked.exitCode()).as(mocked.describe()).isZero();
            List<String> expected = new ArrayList<>(recorded);
            expected.add(expected.size() - 2, "PONG no");
            assertThat(mocked.lines()).as(serve.describe()).containsExactlyElementsOf(expected);
            serve.close();
            List<String> notices = notices(serve).stream().map(n -> n.get("message").asText()).toList();
            assertThat(notices).hasSize(4).allMatch(n -> n.contains("is not in the recording; it got the reply to"
                    + " recorded client message"));
            // --delay: every answer came at least 50 ms after its request
            List<JsonNode> messages = jsonLines(serve.out()).stream()
                    .filter(e -> e.get("event").asText().equals("message")).toList();
            for (int i = 1; i < messages.size(); i++) {
                JsonNode prev = messages.get(i - 1);
                JsonNode m = messages.get(i);
                if (prev.get("dir").asText().equals("c2s") && m.get("dir").asText().equals("s2c")) {
                    assertThat(m.get("t").asDouble() - prev.get("t").asDouble()).isGreaterThanOrEqualTo(0.05);
                }
            }
        }
    }

    /**
     * A server that pings on its own and then drops TCP without a close frame, recorded by dumpcap
     * on lo while a python client talked to it: the mock of that capture pings the same way (the
     * python library answers) and drops the connection at the same point, so the client sees 1006
     * again.
     */
    @Test
    void theServersPingsAndItsDropArePlayedToo(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("drop.pcapng");
        Peer.Run original;
        try (Child server = Child.serve("--ping-interval", "0.3", "--drop-after", "2");
             LiveCaptureSupport.Dumpcap cap = new LiveCaptureSupport.Dumpcap(pcap, "tcp port " + server.port)) {
            original = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, DROP_CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + server.port + "/feed");
            cap.stop();
        }
        assertThat(original.exitCode()).as(original.describe()).isZero();
        assertThat(original.lines()).containsExactly("RECV a", "RECV b", "CLOSE 1006 ");

        try (Child serve = Child.serve("--mock", pcap.toString())) {
            Peer.Run mocked = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, DROP_CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + serve.port + "/feed");
            assertThat(mocked.exitCode()).as(mocked.describe()).isZero();
            assertThat(mocked.lines()).as(serve.describe()).containsExactlyElementsOf(original.lines());
            serve.close();
            List<JsonNode> events = jsonLines(serve.out());
            List<String> pings = events.stream().filter(e -> e.get("event").asText().equals("frame")
                    && e.get("type").asText().equals("ping")).map(e -> e.get("dir").asText()).toList();
            List<String> pongs = events.stream().filter(e -> e.get("event").asText().equals("frame")
                    && e.get("type").asText().equals("pong")).map(e -> e.get("dir").asText()).toList();
            // the client waits 0.8 s between its messages: the recorded server pinged at least twice then
            assertThat(pings).as(serve.describe()).hasSizeGreaterThanOrEqualTo(2).containsOnly("s2c");
            assertThat(pongs).as("the python library answers each").hasSameSizeAs(pings).containsOnly("c2s");
            assertThat(notices(serve)).extracting(n -> n.get("message").asText())
                    .containsExactly("The recorded connection 1 ended here without a close frame: closing the connection"
                            + " without one (the client sees 1006).");
            JsonNode close = events.stream().filter(e -> e.get("event").asText().equals("close")).findFirst().orElseThrow();
            assertThat(close.get("code").asInt()).isEqualTo(1006);
            assertThat(close.get("onWire").asBoolean()).isFalse();
        }
    }

    /**
     * {@code connect -x a -x b -x c --save} sends all three before the first echo comes back (the
     * recorded server answers 200 ms late); a python client that waits for each answer before its
     * next request still gets them one by one from the mock.
     */
    @Test
    void aPipelinedRecordingAnswersALockstepClient(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("echo.jsonl");
        try (Child slow = Child.serve("--delay", "200")) {
            WsdebugProcess.Result r = WsdebugProcess.run("connect", "ws://127.0.0.1:" + slow.port + "/echo",
                    "-x", "first", "-x", "{\"op\":\"second\"}", "-x", "third", "-w", "1", "--save", saved.toString());
            assertThat(r.exit()).as(r.err()).isZero();
        }
        List<JsonNode> recorded = jsonLines(Files.readString(saved)).stream()
                .filter(e -> e.get("event").asText().equals("message")).toList();
        assertThat(recorded).extracting(e -> e.get("dir").asText()).as("pipelined: every request before the first answer")
                .containsExactly("c2s", "c2s", "c2s", "s2c", "s2c", "s2c");
        try (Child serve = Child.serve("--mock", saved.toString())) {
            Peer.Run mocked = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, LOCKSTEP_CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + serve.port + "/echo", "first", "{\"op\":\"second\"}", "third");
            assertThat(mocked.exitCode()).as(mocked.describe()).isZero();
            assertThat(mocked.lines()).as(serve.describe())
                    .containsExactly("RECV first", "RECV {\"op\":\"second\"}", "RECV third");
            serve.close();
            assertThat(notices(serve)).as(serve.describe()).isEmpty();
        }
    }

    @Test
    void unusableMocksAreOneSentenceAndExit2(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.wsdb"), "not a capture at all");
        Path empty = Files.writeString(dir.resolve("empty.har"),
                "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"t\",\"version\":\"1\"},\"entries\":[]}}");
        Path cap = dir.resolve("one.wsdb");
        try (Child node = Child.node("/replay/mock_counter_server.js");
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + node.port, "--save", cap.toString())) {
            Peer.Run run = Peer.run(Peer.Kind.PYTHON_WEBSOCKETS, CLIENT, CLIENT_TIMEOUT_MS,
                    "ws://127.0.0.1:" + proxy.port + "/count");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            proxy.close();
        }
        String[][] cases = {
                {"--mock", dir.resolve("missing.wsdb").toString()},
                {"--mock", garbage.toString()},
                {"--mock", empty.toString()},
                {"--mock", cap.toString(), "--conn", "7"},
                {"--mock", cap.toString(), "--ignore", "$.a["},
                {"--conn", "1"},
        };
        String[] sentences = {
                "wsdebug serve: --mock: cannot read " + dir.resolve("missing.wsdb") + ": no such file.",
                "wsdebug serve: --mock: " + garbage + " is not a capture wsdebug reads",
                "wsdebug serve: --mock " + empty + ": it holds no WebSocket connection.",
                "wsdebug serve: --mock " + cap + ": it has no connection 7; its connections are 1.",
                "wsdebug serve: --ignore: ",
                "wsdebug serve: --conn and --ignore need --mock.",
        };
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("serve", "--port", "0"));
            args.addAll(List.of(cases[i]));
            WsdebugProcess.Result r = WsdebugProcess.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith(sentences[i]).doesNotContain("\n").doesNotContain("Exception");
            assertThat(r.out()).doesNotContain("listening");
        }
        WsdebugProcess.Result help = WsdebugProcess.run("serve", "--help");
        assertThat(help.out()).contains("--mock=CAPTURE", "--conn=ID", "--ignore=PATH", "--mock plays the server side");
    }

    private static List<JsonNode> notices(Child serve) throws Exception {
        return jsonLines(serve.out()).stream()
                .filter(e -> e.get("event").asText().equals("error") && e.get("kind").asText().equals("mock")).toList();
    }

    /**
     * A child process that prints its port: the Node server script ("PORT n" on stdout) or the packaged
     * {@code serve --json} ("listening on ws://127.0.0.1:n" on stderr). Stopped by its own handle.
     */
    private static final class Child implements AutoCloseable {
        private final Process process;
        final int port;
        private final List<String> out = new ArrayList<>();
        private final List<String> err = new ArrayList<>();
        private final CompletableFuture<Void> outDone = new CompletableFuture<>();

        private Child(List<String> cmd, java.util.Map<String, String> env, Pattern portLine, boolean portOnErr)
                throws Exception {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            process = pb.start();
            process.getOutputStream().close();
            CompletableFuture<Integer> found = new CompletableFuture<>();
            pump(process.getInputStream(), out, portOnErr ? null : portLine, found, outDone);
            pump(process.getErrorStream(), err, portOnErr ? portLine : null, found, new CompletableFuture<>());
            int p;
            try {
                p = found.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                p = -1;
            }
            if (p < 0) {
                close();
                throw new AssertionError(cmd + " did not print its port:\n" + describe());
            }
            port = p;
        }

        static Child node(String resource) throws Exception {
            Peer.requireNode(List.of("ws"), false);
            Path script = Path.of(MockServeIT.class.getResource(resource).toURI());
            Path modules = Peer.repoRoot().resolve("test-peers").resolve("node").resolve("node_modules");
            return new Child(List.of("node", script.toString()), java.util.Map.of("NODE_PATH", modules.toString()),
                    Pattern.compile("^PORT (\\d+)$"), false);
        }

        static Child serve(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", WsdebugProcess.jar().toString(), "serve", "--port", "0", "--json"));
            cmd.addAll(List.of(args));
            return new Child(cmd, java.util.Map.of(), Pattern.compile("listening on ws://127\\.0\\.0\\.1:(\\d+)"), true);
        }

        private static void pump(InputStream in, List<String> into, Pattern portLine, CompletableFuture<Integer> found,
                                 CompletableFuture<Void> done) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (into) {
                            into.add(line);
                        }
                        Matcher m = portLine == null ? null : portLine.matcher(line);
                        if (m != null && m.find()) {
                            found.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the process went away
                } finally {
                    if (portLine != null) {
                        found.complete(-1);
                    }
                    done.complete(null);
                }
            }, "mock-it-" + (portLine == null ? "out" : "port"));
            t.setDaemon(true);
            t.start();
        }

        /** Standard output, once the process has been closed. */
        String out() throws Exception {
            outDone.get(10, TimeUnit.SECONDS);
            synchronized (out) {
                return String.join("\n", out) + "\n";
            }
        }

        List<String> errLines() {
            synchronized (err) {
                return new ArrayList<>(err);
            }
        }

        String describe() {
            synchronized (out) {
                synchronized (err) {
                    return "--- stdout ---\n" + String.join("\n", out) + "\n--- stderr ---\n" + String.join("\n", err);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            ProcessHandle h = process.toHandle();
            if (h.isAlive()) {
                h.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    h.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
