package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code wsdebug sniff} through the packaged jar: live capture on lo with dumpcap (and --ui: the web UI
 * shows the session from sniff's capture store while it runs) while a python
 * {@code websockets} client talks to {@code wsdebug serve}, and the sentences for the failures a
 * user meets (no such interface, a filter that is not BPF, no capture tool, no permission).
 */
@Tag("packaged-jar")
class SniffCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    @Test
    void aLiveSessionShowsAsItHappens(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SniffProcess.requireCaptureTool();
        ServerOptions so = new ServerOptions();
        so.port = 0;
        try (WsServer server = new WsServer(so, EventSink.all())) {
            int port = server.start().getPort();
            Path pcap = dir.resolve("live.pcapng");
            try (SniffProcess sniff = SniffProcess.start("--json", "--write", pcap.toString(), "--ui", "tcp", "port",
                    Integer.toString(port))) {
                Process client = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                        "import asyncio, websockets",
                        "async def main():",
                        "    async with websockets.connect('ws://127.0.0.1:" + port + "/live', compression=None) as ws:",
                        "        await ws.send('hello through sniff')",
                        "        print(await ws.recv())",
                        "        await ws.close(4000, 'done')",
                        "asyncio.run(main())")).redirectErrorStream(true).start();
                assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                        .isEqualTo("hello through sniff");
                Thread.sleep(1_000); // the last packets reach dumpcap and the decoder
                // --ui: the web UI reads the session from sniff's capture store while sniff runs
                String uiUrl = sniff.errLines().stream().filter(l -> l.startsWith("UI on http://127.0.0.1:")).findFirst()
                        .map(l -> l.substring("UI on ".length()).split(" ")[0]).orElse(null);
                assertThat(uiUrl).as("the UI line in %s", sniff.errLines()).isNotNull();
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String base = uiUrl.substring(0, uiUrl.indexOf("/?token="));
                String token = uiUrl.substring(uiUrl.indexOf("token=") + 6);
                List<String> shown = new ArrayList<>();
                for (int i = 0; i < 100 && shown.size() < 2; i++) {
                    shown.clear();
                    java.net.http.HttpResponse<String> items = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(base + "/api/captures/1/connections/1/items?show=data"))
                            .header("X-Wsdebug-Token", token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (items.statusCode() == 200) {
                        JSON.readTree(items.body()).path("items").forEach(it -> shown.add(it.path("dir").asText() + " "
                                + it.path("preview").asText()));
                    }
                    if (shown.size() < 2) {
                        Thread.sleep(100);
                    }
                }
                assertThat(shown).containsExactly("c2s hello through sniff", "s2c hello through sniff");
                List<JsonNode> events = new ArrayList<>();
                for (String line : sniff.stop().split("\n")) { // SIGTERM: stops cleanly with what it has
                    if (!line.isBlank()) {
                        events.add(JSON.readTree(line));
                    }
                }
                assertThat(events).as("sniff stdout, stderr %s", sniff.errLines()).isNotEmpty();
                assertThat(events.get(0).path("event").asText()).isEqualTo("handshake");
                assertThat(events.get(0).path("url").asText()).isEqualTo("ws://127.0.0.1:" + port + "/live");
                assertThat(events).filteredOn(e -> e.path("event").asText().equals("message"))
                        .extracting(e -> e.path("dir").asText() + " " + e.path("text").asText())
                        .containsExactly("c2s hello through sniff", "s2c hello through sniff");
                assertThat(events).filteredOn(e -> e.path("event").asText().equals("frame"))
                        .allSatisfy(e -> assertThat(e.path("packets").size()).isPositive());
                JsonNode close = events.stream().filter(e -> e.path("event").asText().equals("close")).findFirst().orElseThrow();
                assertThat(close.path("code").asInt()).isEqualTo(4000);
                assertThat(close.path("clean").asBoolean()).isTrue();
                // --write kept the packets: read gives the same messages from the file
                WsdebugProcess.Result again = WsdebugProcess.run("read", pcap.toString(), "--json");
                assertThat(again.exit()).as(again.err()).isZero();
                assertThat(again.out()).contains("\"text\":\"hello through sniff\"");
            }
        }
    }

    @Test
    void failuresSayWhatToDo() throws Exception {
        SniffProcess.requireCaptureTool();
        WsdebugProcess.Result r = WsdebugProcess.run("sniff", "-i", "nosuch0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).endsWith("wsdebug sniff: there is no interface named nosuch0 (ip link lists them; lo is the loopback).");
        r = WsdebugProcess.run("sniff", "tcp", "port");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("wsdebug sniff: the capture filter 'tcp port' is not valid BPF (");
        r = WsdebugProcess.run(null, Map.of("PATH", "/nonexistent"), "sniff");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("wsdebug sniff: sniff needs dumpcap or tcpdump to capture packets and finds"
                + " neither on the PATH; install one (Debian/Ubuntu: apt-get install tcpdump, or apt-get install tshark for dumpcap).");
    }

    @Test
    void withoutPermissionItSaysHowToGetIt() throws Exception {
        SniffProcess.requireCaptureTool();
        Path setpriv = Path.of("/usr/bin/setpriv");
        boolean can = Files.isExecutable(setpriv) && "root".equals(System.getProperty("user.name"));
        String why = "needs root and setpriv to run the jar as an unprivileged user";
        if (!can && "true".equals(System.getenv("CI"))) {
            fail(why + " (CI runs as root, and setpriv comes with util-linux)");
        }
        assumeTrue(can, why);
        Process p = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                java().toString(), "-Djava.io.tmpdir=/tmp", "-jar", WsdebugProcess.jar().toString(), "sniff", "-i", "lo")
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isEqualTo(2);
        assertThat(err).contains("wsdebug sniff: sniff has no permission to capture on lo: run it as root, or let");
    }
}
