package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.wsdebug.cli.ConnectSupport.ASCII;
import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.oneSentence;
import static dev.wsdebug.cli.ConnectSupport.ourServer;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/** Each way a connection can fail to open: exit 1 and one sentence on stderr that says why. */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectFailureIT {
    @Test
    void refusedPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + port, "-x", "hi");
        assertThat(r.exit()).as(explain(r)).isEqualTo(1);
        assertThat(oneSentence(r)).isEqualTo("wsdebug connect: Connection refused by 127.0.0.1:" + port
                + ": nothing is listening on that port.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void plainHttpServerAnswering200ShowsTheStatusAndTheBody() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> upgradeSeen = new AtomicReference<>();
        http.createContext("/", ex -> {
            upgradeSeen.set(ex.getRequestHeaders().getFirst("Upgrade"));
            byte[] body = "<h1>plain old HTTP here</h1>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            long t0 = System.nanoTime();
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + port + "/socket", "-x", "hi");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).contains("200").contains("instead of 101");
            assertThat(r.err()).startsWith("response body: <h1>plain old HTTP here</h1>\n");
            assertThat(r.out()).contains("GET /socket -> 200 OK");
            assertThat(upgradeSeen.get()).isEqualTo("websocket");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("fails at once, without waiting for a timeout")
                    .isLessThan(8_000);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void wrongSecWebSocketAcceptIsNamedAndNothingElse() throws Exception {
        ServerOptions o = new ServerOptions();
        o.badAccept = true;
        try (ConnectSupport.OurServer server = ourServer(o)) {
            WsdebugProcess.Result r = wsdebug("connect", server.url(), "-x", "hi");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).startsWith("wsdebug connect: Sec-WebSocket-Accept is \"")
                    .contains("but the key requires");
            assertThat(r.out()).contains("accept WRONG");
            assertThat(ConnectSupport.count(r.out(), "== handshake")).as(explain(r)).isEqualTo(1);

            WsdebugProcess.Result json = wsdebug("connect", server.url(), "--json");
            assertThat(json.exit()).as(explain(json)).isEqualTo(1);
            List<JsonNode> all = jsonLines(json.out());
            assertThat(events(all, "handshake")).as(explain(json)).singleElement().satisfies(h -> {
                assertThat(h.get("accept").get("valid").asBoolean()).isFalse();
                assertThat(h.get("problems").get(0).asText()).startsWith("Sec-WebSocket-Accept is");
            });
            assertThat(events(all, "error")).as(explain(json)).singleElement().satisfies(e -> {
                assertThat(e.get("kind").asText()).isEqualTo("handshake");
                assertThat(e.get("message").asText()).startsWith("Sec-WebSocket-Accept is");
            });
            assertThat(events(all, "message")).isEmpty();
        }
    }

    @Test
    void unresolvableHost(@TempDir Path dir) throws Exception {
        // an empty hosts file as the JVM's only name service: the lookup fails without asking any DNS server
        Path hosts = Files.writeString(dir.resolve("hosts"), "");
        WsdebugProcess.Result r = WsdebugProcess.run(List.of("-Djdk.net.hosts.file=" + hosts), null, ASCII,
                "connect", "ws://nonexistent.invalid/feed");
        assertThat(r.exit()).as(explain(r)).isEqualTo(1);
        assertThat(oneSentence(r)).isEqualTo("wsdebug connect: Cannot resolve host nonexistent.invalid.");
    }

    @Test
    void serverThatNeverAnswersTheUpgrade() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread holder = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readAllBytes();
                } catch (Exception ignored) {
                    // the listener closed
                }
            });
            holder.setDaemon(true);
            holder.start();
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + silent.getLocalPort(),
                    "--connect-timeout", "0.5");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).isEqualTo("wsdebug connect: The server did not answer the upgrade request"
                    + " within 0.5 s.");
        }
    }

    @Test
    void serverThatHangsUpBeforeAnswering() throws Exception {
        try (ServerSocket rude = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try (Socket s = rude.accept()) {
                    // read the whole request, so that closing sends a FIN rather than a reset
                    var in = s.getInputStream();
                    int last4 = 0;
                    int b;
                    while (last4 != 0x0d0a0d0a && (b = in.read()) >= 0) {
                        last4 = (last4 << 8) | b;
                    }
                } catch (Exception ignored) {
                    // the listener closed
                }
            });
            closer.setDaemon(true);
            closer.start();
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:" + rude.getLocalPort());
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).isEqualTo("wsdebug connect: The server closed the connection before answering"
                    + " the upgrade request.");
        }
    }
}
