package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug diagnose URL} (the packaged jar) against the packaged {@code serve}, and through
 * {@code proxy --fault idle-timeout=2}: the checklist, the idle verdict with the measured time,
 * the exit status; a bad URL and a closed port are one sentence each.
 */
@Tag("packaged-jar")
class DiagnoseUrlIT {
    private static final Pattern LISTENING = Pattern.compile("listening on ws://127\\.0\\.0\\.1:(\\d+)");
    /** ASCII marks whatever the machine's locale: the test reads them. */
    private static final Map<String, String> ASCII = Map.of("LANG", "C", "LC_ALL", "C");

    private Process serve;

    /** Starts {@code wsdebug serve --port 0} and returns its port. */
    private int serve() throws Exception {
        serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                WsdebugProcess.jar().toString(), "serve", "--port", "0").redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
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
        }, "serve-output");
        t.setDaemon(true);
        t.start();
        int p = port.get(20, TimeUnit.SECONDS);
        assertThat(p).as("serve did not start").isPositive();
        return p;
    }

    @AfterEach
    void stopServe() throws InterruptedException {
        if (serve != null) {
            serve.destroy();
            if (!serve.waitFor(10, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(60)
    void aHealthyServePassesWithTheChecklist() throws Exception {
        int port = serve();
        WsdebugProcess.Result r = WsdebugProcess.run(null, ASCII, "diagnose", "ws://127.0.0.1:" + port + "/x");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("[ok] TCP connect 127.0.0.1:" + port)
                .contains("[ok] upgrade ws://127.0.0.1:" + port + "/x: 101 Switching Protocols")
                .contains("[ok] Sec-WebSocket-Accept matches the key")
                .contains("[ok] permessage-deflate").contains("accepted")
                .containsPattern("\\[ok] ping answered \\(5 sent\\): round trip min [0-9.]+ ms, median [0-9.]+ ms")
                .contains("[ok] close answered: with 1000 in")
                .doesNotContain("[xx]").doesNotContain("[!!]")
                .contains("no check failed");
        assertThat(r.err()).isEmpty();

        WsdebugProcess.Result json = WsdebugProcess.run("diagnose", "ws://127.0.0.1:" + port + "/x", "--json");
        assertThat(json.exit()).as(json.out() + json.err()).isZero();
        List<JsonNode> events = jsonLines(json.out());
        assertThat(events).allSatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("probe");
            assertThat(e.path("ok").asBoolean()).isTrue();
        });
        assertThat(events).extracting(e -> e.path("check").asText())
                .contains("dns", "tcp", "upgrade", "accept", "subprotocol", "deflate", "ping", "close");
        JsonNode ping = events.stream().filter(e -> e.path("check").asText().equals("ping")).findFirst().orElseThrow();
        assertThat(ping.path("ms").asDouble()).isPositive();
    }

    @Test
    @Timeout(60)
    void anIdleTimeoutOfTheProxyIsMeasuredAndPingsAreProvenToKeepTheConnection() throws Exception {
        int port = serve();
        try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + port, "--fault", "idle-timeout=2")) {
            WsdebugProcess.Result r = WsdebugProcess.run(null, ASCII, "diagnose",
                    "ws://127.0.0.1:" + proxy.port + "/x", "--idle", "4");
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            Matcher m = Pattern.compile("\\[xx] idle 4\\.0 s without pings: dropped after (\\d+\\.\\d) s idle without a"
                    + " close frame: an intermediary with a ([\\d.]+) s idle timeout; send pings at most every ([\\d.]+) s")
                    .matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            double measured = Double.parseDouble(m.group(1));
            assertThat(measured).isBetween(1.8, 3.0);
            assertThat(Double.parseDouble(m.group(2))).isCloseTo(measured, org.assertj.core.data.Offset.offset(0.051));
            assertThat(Double.parseDouble(m.group(3))).isLessThanOrEqualTo(measured / 2 + 0.05).isGreaterThan(0);
            assertThat(r.out()).contains("[ok] with pings every").contains("still open after")
                    .contains("error idle-timeout").contains("1 check failed");
        }
    }

    @Test
    @Timeout(60)
    void aBadUrlIsOneSentenceAndExitTwo() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("diagnose", "ws://exa mple/x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).startsWith("wsdebug diagnose: 'ws://exa mple/x' is not a valid URL").doesNotContain("\n");
    }

    @Test
    @Timeout(60)
    void aClosedPortFailsTheTcpCheckInOneSentence() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WsdebugProcess.Result r = WsdebugProcess.run(null, ASCII, "diagnose", "ws://127.0.0.1:" + port + "/x");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("[xx] TCP connect 127.0.0.1:" + port + ": refused: nothing listens on that port\n")
                .contains("error tcp-connect-failed").doesNotContain("upgrade");
        assertThat(r.err()).isEmpty();
    }
}
