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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.diagnose;
import static dev.wsdebug.cli.DiagnoseSupport.finding;
import static dev.wsdebug.cli.DiagnoseSupport.only;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug diagnose} (the packaged jar) over captures recorded by {@code wsdebug proxy --save}
 * in front of a misbehaving server or with a fault of its own, each failure made by real
 * components: the rule fires with its evidence, no other error-level finding appears, and the
 * exit status is 1; a healthy session of python websockets with compression and fragments gives
 * nothing above information and exit 0.
 */
@Tag("packaged-jar")
class DiagnoseIT {
    @TempDir
    Path dir;

    /** Records one session of {@code wsdebug connect ARGS} through the proxy to a server with these knobs. */
    private Path record(String name, Consumer<ServerOptions> knobs, List<String> proxyArgs, String... connectArgs)
            throws Exception {
        ServerOptions so = new ServerOptions();
        so.port = 0;
        knobs.accept(so);
        try (WsServer server = new WsServer(so, EventSink.all())) {
            return throughProxy(dir.resolve(name + ".wsdb"), server.start().getPort(), proxyArgs, proxyPort -> {
                List<String> connect = new ArrayList<>(List.of("connect", "ws://127.0.0.1:" + proxyPort + "/" + name));
                connect.addAll(List.of(connectArgs));
                WsdebugProcess.run(connect.toArray(new String[0]));
            });
        }
    }

    @Test
    @Timeout(60)
    void anIdleTimeoutOfTheProxyIsNamedWithItsLength() throws Exception {
        Path wsdb = record("idle", so -> { }, List.of("--fault", "idle-timeout=2"), "-x", "hello", "-w", "4");
        JsonNode f = only(diagnose(wsdb, 1), "idle-timeout");
        assertThat(f.path("summary").asText()).contains("2.0 s after the last frame");
        assertThat(f.path("evidence").get(0).path("seq").asLong()).isPositive();
        assertThat(f.path("fix").asText()).contains("every 1 s");
    }

    @Test
    @Timeout(60)
    void aStrippedUpgrade() throws Exception {
        Path wsdb = record("strip", so -> { }, List.of("--fault", "strip-upgrade"), "-x", "hello");
        JsonNode f = only(diagnose(wsdb, 1), "upgrade-stripped");
        assertThat(f.path("evidence").toString()).contains("no Upgrade header");
    }

    @Test
    @Timeout(60)
    void aRefusedUpgradeAndAWrongAccept() throws Exception {
        JsonNode refused = only(diagnose(record("refused", so -> so.reject = 403, List.of(), "-x", "a"), 1),
                "handshake-rejected");
        assertThat(refused.path("summary").asText()).contains("403");
        only(diagnose(record("accept", so -> so.badAccept = true, List.of(), "-x", "a"), 1), "bad-accept");
    }

    @Test
    @Timeout(60)
    void aServerErrorAndAZombie() throws Exception {
        JsonNode err = only(diagnose(record("error", so -> {
            so.closeAfter = 1;
            so.closeCode = 1011;
        }, List.of(), "-x", "a", "-x", "b", "-w", "1"), 1), "server-error");
        assertThat(err.path("summary").asText()).startsWith("The server closed with 1011");
        JsonNode zombie = only(diagnose(record("zombie", so -> so.noPong = true, List.of(), "--ping-interval", "0.3", "-w",
                "2"), 1), "zombie");
        assertThat(zombie.path("summary").asText()).contains("pings in a row from the client got no pong");
    }

    @Test
    @Timeout(60)
    void aHealthyPythonSessionHasNothingAboveInformation() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        Path wsdb = dir.resolve("healthy.wsdb");
        try (Peer server = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + server.port(), "--save", wsdb.toString())) {
            String plan = """
                    [{"op":"send","kind":"text","text":"hello"},{"op":"recv"},
                     {"op":"send","kind":"text","text":"three fragments","fragments":3},{"op":"recv"},
                     {"op":"send","kind":"binary","size":300000,"random":true},{"op":"recv"},
                     {"op":"ping","hex":"c0ffee"},
                     {"op":"close","code":1000,"reason":"done"}]""";
            try (LiveCaptureSupport.Child c = new LiveCaptureSupport.Child("py_peer client", List.of("/usr/bin/python3",
                    LiveCaptureSupport.peerScript("py_peer.py").toString(), "client",
                    "ws://127.0.0.1:" + proxy.port + "/healthy", plan), Map.of("PYTHONUNBUFFERED", "1"))) {
                assertThat(c.waitFor(30_000)).as(c.describe()).isZero();
            }
            proxy.close();
        }
        List<JsonNode> findings = diagnose(wsdb, 0);
        assertThat(findings).allSatisfy(f -> assertThat(f.path("severity").asText()).as(f.toString()).isEqualTo("info"));
        WsdebugProcess.Result text = WsdebugProcess.run("diagnose", wsdb.toString(), "--color=never");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("conn 1 ws://127.0.0.1:" ).contains("1 connection, 0 with errors");
    }

    @Test
    @Timeout(60)
    void connectAndTheProxyPrintFindingsWhenAConnectionGoesWrong() throws Exception {
        ServerOptions so = new ServerOptions();
        so.port = 0;
        so.reject = 403;
        try (WsServer server = new WsServer(so, EventSink.all())) {
            int port = server.start().getPort();
            WsdebugProcess.Result r = WsdebugProcess.run("connect", "ws://127.0.0.1:" + port + "/x", "--color=never");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("error handshake-rejected The server answered the upgrade with 403 Forbidden")
                    .contains("cause").contains("fix");
        }
        ServerOptions zombie = new ServerOptions();
        zombie.port = 0;
        zombie.noPong = true;
        try (WsServer server = new WsServer(zombie, EventSink.all())) {
            int port = server.start().getPort();
            try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + port)) {
                WsdebugProcess.run("connect", "ws://127.0.0.1:" + proxy.port + "/z", "--ping-interval", "0.3", "-w", "1.5");
                proxy.close();
                List<JsonNode> events = jsonLines(proxy.out());
                assertThat(events).filteredOn(e -> e.path("event").asText().equals("finding"))
                        .extracting(e -> e.path("rule").asText()).containsExactly("zombie");
            }
        }
    }

    @Test
    @Timeout(60)
    void aMessageOverTheServersLimit() throws Exception {
        JsonNode f = only(diagnose(record("big", so -> so.maxMessage = 100, List.of(), "-x", "z".repeat(300), "-w", "1"), 1),
                "message-too-big");
        assertThat(f.path("summary").asText()).contains("1009").contains("300 bytes");
    }

    /** A python websockets client that reconnects to a server answering 503, with these delays (seconds). */
    private Path reconnects(String name, String delays) throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        ServerOptions so = new ServerOptions();
        so.port = 0;
        so.reject = 503;
        try (WsServer server = new WsServer(so, EventSink.all())) {
            return throughProxy(dir.resolve(name + ".wsdb"), server.start().getPort(), List.of(), proxyPort -> {
                Process client = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                        "import asyncio, time, websockets",
                        "async def main():",
                        "    for d in [" + delays + "]:",
                        "        try:",
                        "            async with websockets.connect('ws://127.0.0.1:" + proxyPort + "/feed'):",
                        "                pass",
                        "        except Exception:",
                        "            pass",
                        "        await asyncio.sleep(d)",
                        "asyncio.run(main())")).redirectErrorStream(true).start();
                assertThat(client.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            });
        }
    }

    @Test
    @Timeout(90)
    void aClientRetryingAtAFixedDelayAndOneThatBacksOff() throws Exception {
        JsonNode f = finding(diagnose(reconnects("fixed", "0.4, 0.4, 0.4, 0.4, 0.4"), 1), "reconnect-no-backoff");
        assertThat(f.path("summary").asText()).contains("127.0.0.1").contains("4 times");
        assertThat(f.path("conn").isNull()).isTrue();
        // doubling delays with jitter: no such finding (the 503s are still errors of their own)
        List<JsonNode> backoff = diagnose(reconnects("backoff", "0.1, 0.35, 0.7, 1.6, 0.2"), 1);
        assertThat(backoff).noneMatch(x -> x.path("rule").asText().equals("reconnect-no-backoff"));
        assertThat(backoff).allMatch(x -> x.path("rule").asText().equals("handshake-rejected"));
    }

    /**
     * Records into NAME.wsdb what {@code clients} do through {@code wsdebug proxy --save} in front of a
     * python websockets server whose connection handler is {@code handler} (python lines defining
     * {@code async def handler(ws, path=None)}).
     */
    private Path recordPython(String name, List<String> handler, DiagnoseSupport.ThroughProxy clients) throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        List<String> script = new ArrayList<>(List.of("import asyncio, json, websockets"));
        script.addAll(handler);
        script.addAll(List.of(
                "async def main():",
                "    async with websockets.serve(handler, '127.0.0.1', 0) as s:",
                "        print('PORT', s.sockets[0].getsockname()[1], flush=True)",
                "        await asyncio.Future()",
                "asyncio.run(main())"));
        Process server = new ProcessBuilder("/usr/bin/python3", "-u", "-c", String.join("\n", script))
                .redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine();
            assertThat(line).startsWith("PORT ");
            int port = Integer.parseInt(line.substring(5).trim());
            return throughProxy(dir.resolve(name + ".wsdb"), port, List.of(), clients);
        } finally {
            server.destroyForcibly();
            server.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void aSkippedSequenceNumberInJsonMessages() throws Exception {
        // a python websockets server that publishes numbered messages and skips number 6
        Path wsdb = recordPython("seq", List.of(
                "async def handler(ws, path=None):",
                "    for i in range(1, 13):",
                "        if i != 6:",
                "            await ws.send(json.dumps({'seq': i, 'price': 100 + i}))",
                "    await ws.close(1000, 'done')"),
                proxyPort -> WsdebugProcess.run("connect", "ws://127.0.0.1:" + proxyPort + "/feed", "-w", "2"));
        JsonNode f = finding(diagnose(wsdb, 0), "sequence-gap");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("summary").asText()).contains("jumped from 5 to 7");
        assertThat(f.path("evidence").get(0).path("seq").asLong()).isPositive();
    }

    @Test
    @Timeout(60)
    void clientsThatAllComeBackAtOnceAfterTheServerClosedThem() throws Exception {
        // a python websockets server that closes its first six connections together with 1001 (a deploy)
        Path wsdb = recordPython("storm", List.of(
                "first = []",
                "all_in = asyncio.Event()",
                "async def handler(ws, path=None):",
                "    if len(first) < 6:",
                "        first.append(ws)",
                "        if len(first) == 6:",
                "            all_in.set()",
                "        await all_in.wait()",
                "        await ws.close(1001, 'deploy')",
                "    else:",
                "        await ws.wait_closed()"),
                proxyPort -> {
                    // six clients that reconnect at once when closed, stay a moment, then leave
                    Process clients = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                            "import asyncio, websockets",
                            "URL = 'ws://127.0.0.1:" + proxyPort + "/live'",
                            "async def client():",
                            "    async with websockets.connect(URL) as ws:",
                            "        await ws.wait_closed()",
                            "    async with websockets.connect(URL) as ws:",
                            "        await asyncio.sleep(0.3)",
                            "async def main():",
                            "    await asyncio.gather(*[client() for _ in range(6)])",
                            "asyncio.run(main())")).redirectErrorStream(true).start();
                    assertThat(clients.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    assertThat(clients.exitValue()).as(new String(clients.getInputStream().readAllBytes())).isZero();
                });
        List<JsonNode> findings = diagnose(wsdb, 0);
        JsonNode storm = finding(findings, "reconnect-storm");
        assertThat(storm.path("severity").asText()).isEqualTo("warning");
        assertThat(storm.path("summary").asText()).contains("6 clients reconnected");
        assertThat(findings).filteredOn(x -> x.path("rule").asText().equals("close-1001")).hasSize(6);
    }

    @Test
    @Timeout(90)
    void theOtherServeKnobsEachGiveTheirRule() throws Exception {
        JsonNode plain = only(diagnose(record("plain", so -> so.reject = 200, List.of(), "-x", "a"), 1), "handshake-rejected");
        assertThat(plain.path("summary").asText()).contains("200");
        assertThat(plain.path("evidence").get(0).path("what").asText()).startsWith("response 200");
        JsonNode moved = only(diagnose(record("moved", so -> so.reject = 302, List.of(), "-x", "a"), 1), "handshake-rejected");
        assertThat(moved.path("summary").asText()).contains("302");
        // a server that drops TCP: through the proxy the client gets 1014 Bad Gateway, which the capture shows
        JsonNode gateway = only(diagnose(record("dropped", so -> so.dropAfter = 1, List.of(), "-x", "a", "-x", "b",
                "-w", "1"), 1), "bad-gateway");
        assertThat(gateway.path("evidence").get(0).path("what").asText()).isEqualTo("close frame 1014");
        // and a client connected directly sees the drop itself: connect prints the finding
        ServerOptions dropping = new ServerOptions();
        dropping.port = 0;
        dropping.dropAfter = 1;
        try (WsServer server = new WsServer(dropping, EventSink.all())) {
            int port = server.start().getPort();
            WsdebugProcess.Result r = WsdebugProcess.run("connect", "ws://127.0.0.1:" + port + "/direct", "-x", "a", "-x",
                    "b", "-w", "1", "--json");
            JsonNode dropped = finding(jsonLines(r.out()).stream().filter(e -> e.path("event").asText().equals("finding"))
                    .toList(), "abnormal-close");
            assertThat(dropped.path("severity").asText()).isEqualTo("error");
            assertThat(dropped.path("evidence").get(0).path("seq").asLong()).isPositive();
        }
        for (int code : new int[] {1001, 1013}) {
            List<JsonNode> info = diagnose(record("close" + code, so -> {
                so.closeAfter = 1;
                so.closeCode = code;
            }, List.of(), "-x", "a", "-x", "b", "-w", "1"), 0);
            assertThat(info).extracting(f -> f.path("rule").asText() + "/" + f.path("severity").asText())
                    .as("close %d", code).containsExactly("close-" + code + "/info");
            assertThat(info.get(0).path("evidence").get(0).path("what").asText()).isEqualTo("close frame " + code);
        }
    }

    @Test
    @Timeout(90)
    void theProxysFaultsEachGiveTheirRule() throws Exception {
        JsonNode reset = only(diagnose(record("reset", so -> { }, List.of("--fault", "after=1 reset"), "-x", "a", "-x", "b",
                "-w", "1"), 1), "abnormal-close");
        assertThat(reset.path("evidence").toString()).contains("TCP closed");
        JsonNode noPong = only(diagnose(record("nopong", so -> { }, List.of("--fault", "no-pong"), "--ping-interval", "0.3",
                "-w", "2"), 1), "zombie");
        assertThat(noPong.path("evidence").get(0).path("what").asText()).isEqualTo("ping with no pong");
        // a blackhole from the first pong on: the client's own view (connect) names the zombie; the capture
        // holds what the proxy passed on, one ping and then silence until TCP closed
        ServerOptions plain = new ServerOptions();
        plain.port = 0;
        try (WsServer server = new WsServer(plain, EventSink.all());
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + server.start().getPort(), "--fault",
                     "type=pong blackhole")) {
            WsdebugProcess.Result r = WsdebugProcess.run("connect", "ws://127.0.0.1:" + proxy.port + "/bh",
                    "--ping-interval", "0.3", "-w", "2", "--json");
            JsonNode zombie = finding(jsonLines(r.out()).stream().filter(e -> e.path("event").asText().equals("finding"))
                    .toList(), "zombie");
            assertThat(zombie.path("summary").asText()).contains("from the client got no pong");
        }
        // delay only slows messages down: a healthy session, nothing above information
        List<JsonNode> delayed = diagnose(record("delay", so -> { }, List.of("--fault", "delay=300"), "-x", "a", "-x", "b"),
                0);
        assertThat(delayed).allSatisfy(f -> assertThat(f.path("severity").asText()).as(f.toString()).isEqualTo("info"));
    }
}
