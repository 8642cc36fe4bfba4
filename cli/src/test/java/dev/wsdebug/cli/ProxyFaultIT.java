package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
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

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug proxy --fault` and `--faults` end to end: the packaged jar, its usage errors and a live run. */
@org.junit.jupiter.api.Tag("packaged-jar")
class ProxyFaultIT {
    private static final Pattern LISTENING = Pattern.compile("proxy listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void malformedRuleExitsWithUsageAndNamesTheToken() throws Exception {
        WsdebugProcess.Result r = wsdebug("proxy", "--listen", "127.0.0.1:0", "--to", "ws://127.0.0.1:9", "--fault", "bogus");

        assertThat(r.exit()).as(explain(r)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).as(explain(r))
                .startsWith("wsdebug proxy: --fault: Token 'bogus' in fault rule 'bogus' is not a matcher or an action")
                .endsWith(".")
                .doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void malformedValueNamesItsToken() throws Exception {
        WsdebugProcess.Result r = wsdebug("proxy", "--listen", "127.0.0.1:0", "--to", "ws://127.0.0.1:9",
                "--fault", "drop", "--fault", "dir=s2c close=1006");

        assertThat(r.exit()).as(explain(r)).isEqualTo(2);
        assertThat(r.err()).contains("Token 'close=1006' in fault rule 'dir=s2c close=1006'").contains("must not carry");
    }

    @Test
    void ruleFileErrorsNameTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chaos.faults");
        Files.writeString(file, "# flaky\n\np=0.1 drop\ndelay=soon\n");
        WsdebugProcess.Result r = wsdebug("proxy", "--listen", "127.0.0.1:0", "--to", "ws://127.0.0.1:9",
                "--faults", file.toString());

        assertThat(r.exit()).as(explain(r)).isEqualTo(2);
        assertThat(r.err()).contains("--faults: " + file + " line 4: Token 'delay=soon'");
    }

    /** The packaged proxy with rules from the command line and a file, a python server, and wsdebug connect. */
    @Test
    void liveRunDropsThenClosesAndMarksBothInJsonLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.faults");
        Files.writeString(file, "# after two server messages, end it\ndir=s2c after=2 close=4002:bye\n");
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--report-close")) {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    WsdebugProcess.jar().toString(), "proxy", "--listen", "127.0.0.1:0",
                    "--to", "ws://127.0.0.1:" + echo.port(), "--json",
                    "--fault", "dir=s2c match=two drop", "--faults", file.toString());
            Process proxy = new ProcessBuilder(cmd).start();
            try {
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(proxy.getInputStream()));
                List<String> errLines = new ArrayList<>();
                int port = awaitPort(proxy, errLines);
                List<String> logged;
                synchronized (errLines) {
                    logged = new ArrayList<>(errLines);
                }
                assertThat(logged).contains("  fault: dir=s2c match=two drop", "  fault: dir=s2c after=2 close=4002:bye");

                WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + port + "/chat", "--json",
                        "-x", "one", "-x", "two", "-x", "three", "-x", "four", "-w", "3");
                List<JsonNode> client = jsonLines(r.out());
                assertThat(texts(messages(client, "s2c"))).as(explain(r)).containsExactly("one");
                assertThat(events(client, "close")).as(explain(r)).singleElement()
                        .satisfies(c -> assertThat(c.get("code").asInt()).isEqualTo(4002));
                ConnectSupport.awaitPeerOutput(echo, "CLOSE 4002 bye");

                proxy.destroy(); // SIGTERM: the shutdown hook flushes the output
                assertThat(proxy.waitFor(10, TimeUnit.SECONDS)).isTrue();
                List<JsonNode> seen = jsonLines(out.get(5, TimeUnit.SECONDS));
                List<String> faults = events(seen, "error").stream().filter(e -> e.get("kind").asText().equals("fault"))
                        .map(e -> e.get("message").asText()).toList();
                assertThat(faults).anyMatch(m -> m.startsWith("drop: s2c text message of 3 bytes \"two\""))
                        .anyMatch(m -> m.startsWith("injected: close 4002 \"bye\" sent to the client"));
            } finally {
                if (proxy.isAlive()) {
                    proxy.destroyForcibly();
                    proxy.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * idle-timeout=1: wsdebug connect sends one message and then waits in silence; a second after
     * the echo the proxy drops both connections without a close frame, and its JSON Lines say so.
     */
    @Test
    void idleTimeoutDropsASilentConnection() throws Exception {
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--report-close");
             RunningProxy proxy = RunningProxy.start(echo, "--fault", "idle-timeout=1")) {
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + proxy.port + "/quiet", "--json",
                    "-x", "hello", "-w", "6");
            List<JsonNode> client = jsonLines(r.out());
            assertThat(texts(messages(client, "s2c"))).as(explain(r)).containsExactly("hello");
            assertThat(events(client, "close")).as(explain(r)).singleElement()
                    .satisfies(c -> assertThat(c.get("code").asInt()).isEqualTo(1006));
            ConnectSupport.awaitPeerOutput(echo, "CLOSE 1006 ");

            List<JsonNode> seen = proxy.stop();
            List<JsonNode> faults = faultNotes(seen);
            assertThat(faults).as("%s", seen).singleElement().satisfies(f -> assertThat(f.get("message").asText())
                    .isEqualTo("idle-timeout: no frame either way for 1.0 s; both connections dropped without a close"
                            + " frame (rule 'idle-timeout=1')."));
            double echoed = messages(seen, "s2c").get(0).get("t").asDouble();
            double dropped = faults.get(0).get("t").asDouble();
            assertThat(dropped - echoed).as("drop %.3f s after the echo", dropped - echoed).isBetween(0.95, 2.5);
            System.out.printf("idle-timeout=1: the proxy dropped the connection %.3f s after the echo%n", dropped - echoed);
            assertThat(events(seen, "frame")).isNotEmpty().noneMatch(f -> f.get("opcode").asInt() == 8);
            assertThat(events(seen, "close")).singleElement()
                    .satisfies(c -> assertThat(c.get("code").asInt()).isEqualTo(1006));
        }
    }

    /** strip-upgrade: the server never sees Upgrade, answers 426, and the client gets that answer. */
    @Test
    void stripUpgradeRelaysTheRefusal() throws Exception {
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             RunningProxy proxy = RunningProxy.start(echo, "--fault", "strip-upgrade")) {
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + proxy.port + "/chat", "--json");
            assertThat(r.exit()).as(explain(r)).isNotZero();
            assertThat(r.out() + r.err()).as(explain(r)).contains("426");

            List<JsonNode> seen = proxy.stop();
            List<JsonNode> faults = faultNotes(seen);
            assertThat(faults).as("%s", seen).singleElement().satisfies(f -> assertThat(f.get("message").asText())
                    .startsWith("strip-upgrade: the upgrade request was sent upstream without its Upgrade and"
                            + " Connection headers"));
            JsonNode handshake = events(seen, "handshake").get(0);
            assertThat(handshake.get("response").get("status").asInt()).isEqualTo(426);
            assertThat(handshake.get("upgraded").asBoolean()).isFalse();
            assertThat(handshake.get("request").get("headers").toString()).doesNotContainIgnoringCase("\"upgrade\"")
                    .contains("Sec-WebSocket-Key");
            assertThat(seen.indexOf(faults.get(0))).isLessThan(seen.indexOf(handshake));
        }
    }

    private static List<JsonNode> faultNotes(List<JsonNode> seen) {
        return events(seen, "error").stream().filter(e -> e.get("kind").asText().equals("fault")).toList();
    }

    /** The packaged proxy with --json in reverse mode toward a peer, and its JSON Lines once stopped. */
    private record RunningProxy(Process process, CompletableFuture<String> out, int port) implements AutoCloseable {
        static RunningProxy start(Peer upstream, String... faultArgs) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", WsdebugProcess.jar().toString(), "proxy", "--listen", "127.0.0.1:0",
                    "--to", "ws://127.0.0.1:" + upstream.port(), "--json"));
            cmd.addAll(List.of(faultArgs));
            Process p = new ProcessBuilder(cmd).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            try {
                return new RunningProxy(p, out, awaitPort(p, new ArrayList<>()));
            } catch (Exception | AssertionError e) {
                p.destroyForcibly();
                throw e;
            }
        }

        /** SIGTERM (the shutdown hook flushes the output), then the events it wrote. */
        List<JsonNode> stop() throws Exception {
            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            return jsonLines(out.get(5, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads stderr until the listening line (bounded); keeps reading it in the background. */
    private static int awaitPort(Process p, List<String> lines) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                // the process went away
            } finally {
                port.complete(-1);
            }
        }, "proxy-stderr");
        t.setDaemon(true);
        t.start();
        int found = port.get(20, TimeUnit.SECONDS);
        assertThat(found).as("the proxy's stderr: %s", lines).isPositive();
        // the rule lines follow the listening line in the same flush
        Thread.sleep(100);
        return found;
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
