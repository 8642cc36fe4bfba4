package dev.wsdebug.cli;

import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load limits through the packaged jar and the launcher: option errors, {@code serve --metrics}
 * showing what is held and refused, and the launcher ending a process whose heap ran out with a
 * sentence instead of leaving a zombie.
 */
@Tag("packaged-jar")
class LimitsIT {
    private static final Pattern URL = Pattern.compile("(listening on ws://127\\.0\\.0\\.1:(\\d+))|(metrics on (http://\\S+))");

    @Test
    void badLimitValuesAreUsageErrors() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("serve", "--max-connections", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("wsdebug serve: --max-connections must be at least 1.");
        r = WsdebugProcess.run("proxy", "--handshake-timeout", "-1", "--to", "ws://127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("wsdebug proxy: --handshake-timeout and --idle-timeout are seconds, 0 or more.");
        r = WsdebugProcess.run("connect", "ws://127.0.0.1:1", "--max-message", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("wsdebug connect: --max-message must be positive.");
        r = WsdebugProcess.run("serve", "--help");
        assertThat(r.out()).contains("--max-connections=N", "--handshake-timeout=S", "--idle-timeout=S", "--metrics=PORT");
    }

    @Test
    void serveMetricsShowConnectionsRefusalsAndHeldBytes() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                WsdebugProcess.jar().toString(), "serve", "--port", "0", "--metrics", "0", "--max-connections", "1");
        Process serve = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            CompletableFuture<String[]> found = new CompletableFuture<>();
            List<String> lines = new ArrayList<>();
            Thread t = new Thread(() -> {
                String port = null;
                String metrics = null;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        Matcher m = URL.matcher(line);
                        if (m.find()) {
                            port = m.group(2) != null ? m.group(2) : port;
                            metrics = m.group(4) != null ? m.group(4) : metrics;
                        }
                        if (port != null && metrics != null) {
                            found.complete(new String[] {port, metrics});
                        }
                    }
                } catch (java.io.IOException e) {
                    // gone
                } finally {
                    found.complete(null);
                }
            }, "serve-output");
            t.setDaemon(true);
            t.start();
            String[] where = found.get(20, TimeUnit.SECONDS);
            assertThat(where).as("serve output: %s", lines).isNotNull();
            int port = Integer.parseInt(where[0]);
            // one client holds the only slot (upgraded, idle); a second is refused with 503
            try (Socket held = new Socket(InetAddress.getLoopbackAddress(), port)) {
                held.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(new String(held.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");
                WsdebugProcess.Result refused = WsdebugProcess.run("connect", "ws://127.0.0.1:" + port + "/", "-x", "hi");
                assertThat(refused.exit()).isEqualTo(1);
                assertThat(refused.err()).contains("503");
                HttpClient http = HttpClient.newHttpClient();
                String text = http.send(HttpRequest.newBuilder(URI.create(where[1])).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(text).contains("wsdebug_connections_open 1.0", "wsdebug_connections_refused_total 1.0",
                        "wsdebug_held_message_bytes 0.0", "wsdebug_pending_write_bytes 0.0", "wsdebug_paused_reads 0.0")
                        .containsPattern("wsdebug_memory_budget_bytes [1-9]");
            }
            synchronized (lines) {
                assertThat(lines).anySatisfy(l -> assertThat(l).contains("Refused a new connection with 503 Service Unavailable"));
            }
        } finally {
            serve.destroy();
            if (!serve.waitFor(10, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }

    @Test
    void theLauncherEndsAProcessWhoseHeapRanOutWithASentence() throws Exception {
        Path launcher = Peer.repoRoot().resolve("wsdebug");
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "serve", "--port", "0");
        pb.environment().putAll(Map.of("WSDEBUG_JAVA_OPTS", "-Xmx3m"));
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the process ended instead of living on").isTrue();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(err.get(5, TimeUnit.SECONDS)).contains("Terminating due to java.lang.OutOfMemoryError")
                .contains("wsdebug: out of memory: the Java heap (-Xmx3m) is full, so wsdebug serve stopped; give it more"
                        + " with WSDEBUG_JAVA_OPTS=-Xmx2g (or larger).");
    }
}
