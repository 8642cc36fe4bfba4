package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keepalive spacing and readers that fall behind, reproduced with real components: python
 * {@code websockets} clients through {@code wsdebug proxy} with its {@code idle-timeout} fault (a
 * load balancer's idle timer, scaled down from 60 s to 3 s), and a python client that stops reading
 * while an echo server keeps answering. The diagnosis of each recording names the rule with its
 * evidence; the proxy already said so live.
 */
class DiagnoseKeepaliveIT {
    @TempDir
    Path dir;

    private static List<JsonNode> diagnose(Path wsdb) throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("diagnose", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err() + r.out()).isBetween(0, 1);
        return jsonLines(r.out());
    }

    private static List<JsonNode> of(List<JsonNode> findings, String conn) {
        return findings.stream().filter(f -> f.path("conn").asText().equals(conn)).toList();
    }

    /** Runs python lines (asyncio, websockets imported) to completion within {@code seconds}. */
    private static void python(int seconds, String... lines) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import asyncio, websockets\n" + String.join("\n", lines))
                .redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as("python client finished").isTrue();
            assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(90)
    void pingsJustUnderTheProxysIdleTimeoutAreTooSlowAndPingsWellUnderItAreFine() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        ServerOptions so = new ServerOptions();
        so.port = 0;
        Path wsdb = dir.resolve("keepalive.wsdb");
        try (WsServer server = new WsServer(so, EventSink.all())) {
            int port = server.start().getPort();
            try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + port, "--save", wsdb.toString(),
                    "--fault", "idle-timeout=3")) {
                // three clients at once: silent (dies at 3 s), pinging every 2.9 s, pinging every 1 s;
                // the last two stay 7 s and close. Paths tell them apart in the capture.
                python(40,
                        "async def client(path, ping, stay):",
                        "    try:",
                        "        async with websockets.connect('ws://127.0.0.1:" + proxy.port + "/' + path,"
                                + " ping_interval=ping, ping_timeout=None, compression=None) as ws:",
                        "            await ws.send('hello')",
                        "            await ws.recv()",
                        "            await asyncio.sleep(stay)",
                        "    except websockets.ConnectionClosed:",
                        "        pass",
                        "async def main():",
                        "    await asyncio.gather(client('silent', None, 5), client('tight', 2.9, 7),"
                                + " client('safe', 1.0, 7))",
                        "asyncio.run(main())");
                proxy.close();
            }
        }
        WsdebugProcess.Result list = WsdebugProcess.run("read", wsdb.toString(), "--json", "--filter", "type=handshake");
        java.util.Map<String, String> connOf = new java.util.HashMap<>();
        for (JsonNode h : jsonLines(list.out())) {
            String url = h.path("url").asText();
            connOf.put(url.substring(url.lastIndexOf('/') + 1), h.path("conn").asText());
        }
        assertThat(connOf).containsKeys("silent", "tight", "safe");
        List<JsonNode> findings = diagnose(wsdb);
        assertThat(of(findings, connOf.get("silent"))).extracting(f -> f.path("rule").asText()).contains("idle-timeout");
        JsonNode tight = of(findings, connOf.get("tight")).stream()
                .filter(f -> f.path("rule").asText().equals("keepalive-too-slow")).findFirst()
                .orElseThrow(() -> new AssertionError("no keepalive-too-slow for the 2.9 s pinger in " + findings));
        assertThat(tight.path("severity").asText()).isEqualTo("warning");
        assertThat(tight.path("summary").asText()).contains("every 2.9 s");
        assertThat(tight.path("evidence").get(0).path("what").asText()).isEqualTo("last ping");
        assertThat(tight.path("evidence").get(0).path("seq").asLong()).isPositive();
        assertThat(tight.path("fix").asText()).contains("every 1 s");
        // the 2.9 s pinger may even lose the race on a busy machine; then that is its idle-timeout
        assertThat(of(findings, connOf.get("tight"))).extracting(f -> f.path("rule").asText())
                .isSubsetOf("keepalive-too-slow", "idle-timeout");
        assertThat(of(findings, connOf.get("safe"))).as("pings every 1 s behind a 3 s timeout").isEmpty();
    }

    @Test
    @Timeout(90)
    void aClientThatStopsReadingIsBackpressureSeenByTheProxy() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        Path wsdb = dir.resolve("slow-reader.wsdb");
        String live;
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port(), "--save", wsdb.toString(),
                     "--stall-notice", "0.5")) {
            // 120 messages of 64 KiB echoed back while the client reads nothing for 3 s; then it reads them all
            python(60,
                    "async def main():",
                    "    async with websockets.connect('ws://127.0.0.1:" + proxy.port + "/slow', compression=None,"
                            + " max_queue=1, max_size=None) as ws:",
                    "        async def send():",
                    "            for i in range(120):",
                    "                await ws.send(bytes(65536))",
                    "        sender = asyncio.create_task(send())",
                    "        await asyncio.sleep(3)",
                    "        for i in range(120):",
                    "            await asyncio.wait_for(ws.recv(), 20)",
                    "        await sender",
                    "asyncio.run(main())");
            proxy.close();
            live = proxy.out();
        }
        // the proxy said it live: held and drained flow events, and the finding when the connection ended
        List<JsonNode> events = jsonLines(live);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("flow");
            assertThat(e.path("kind").asText()).isEqualTo("held");
            assertThat(e.path("dir").asText()).isEqualTo("s2c");
            assertThat(e.path("bytes").asLong()).isPositive();
        });
        assertThat(events).anySatisfy(e -> assertThat(e.path("kind").asText()).isEqualTo("drained"));
        assertThat(events).anySatisfy(e -> assertThat(e.path("rule").asText()).isEqualTo("backpressure"));
        // and the recording gives the same diagnosis
        List<JsonNode> findings = diagnose(wsdb);
        JsonNode f = findings.stream().filter(x -> x.path("rule").asText().equals("backpressure")).findFirst()
                .orElseThrow(() -> new AssertionError("no backpressure in " + findings));
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("summary").asText()).startsWith("The client stopped reading: the proxy had to hold what the"
                + " server sent for it");
        assertThat(f.path("evidence").get(0).path("seq").asLong()).isPositive();
        assertThat(findings).noneMatch(x -> x.path("severity").asText().equals("error"));
    }
}
