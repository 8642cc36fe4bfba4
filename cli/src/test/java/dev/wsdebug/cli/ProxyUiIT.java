package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug proxy --to … --ui} (the packaged jar) while a python websockets client talks
 * through it to a python websockets server: the printed URL opens the UI, an open live feed is told
 * about the connection as it happens, and the grid and the messages pane show what the client sent
 * and the server echoed, read from the proxy's temporary capture while the proxy runs.
 */
@Tag("packaged-jar")
class ProxyUiIT {
    private static final Pattern UI_LINE = Pattern.compile("UI on (http://127\\.0\\.0\\.1:(\\d+)/\\?token=([A-Za-z0-9_-]+))");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(90)
    void aLiveProxiedSessionShowsInTheUi() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        try (Peer server = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + server.port(), "--ui")) {
            Matcher m = uiLine(proxy);
            String base = "http://127.0.0.1:" + m.group(2);
            String token = m.group(3);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));

            BlockingQueue<String> updates = new LinkedBlockingQueue<>();
            HttpResponse<java.io.InputStream> feed = http.send(HttpRequest.newBuilder(URI.create(base + "/api/live"))
                    .header("X-Wsdebug-Token", token).build(), HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("data: ")) {
                            updates.add(line.substring(6));
                        }
                    }
                } catch (Exception ignored) {
                    // ends with the proxy
                }
            });
            reader.setDaemon(true);
            reader.start();

            String plan = """
                    [{"op":"send","kind":"text","text":"through the proxy with the UI open"},{"op":"recv"},
                     {"op":"send","kind":"binary","size":2000,"random":true},{"op":"recv"},
                     {"op":"ping","hex":"0badf00d"}]""";
            try (LiveCaptureSupport.Child c = new LiveCaptureSupport.Child("py_peer client", List.of("/usr/bin/python3",
                    LiveCaptureSupport.peerScript("py_peer.py").toString(), "client",
                    "ws://127.0.0.1:" + proxy.port + "/live", plan), Map.of("PYTHONUNBUFFERED", "1"))) {
                // the client stays connected until it closes at the end of the plan; the UI sees it meanwhile
                assertThat(c.waitFor(30_000)).as(c.describe()).isZero();
            }

            JsonNode update = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                String u = updates.poll(1, TimeUnit.SECONDS);
                if (u != null) {
                    JsonNode n = JSON.readTree(u);
                    if (n.at("/captures/0/items/1").asLong() >= 4) {
                        update = n;
                        break;
                    }
                }
            }
            assertThat(update).as("a live update counting connection 1's rows").isNotNull();
            assertThat(update.at("/captures/0/connections").asInt()).isEqualTo(1);
            String cap = update.at("/captures/0/id").asText();

            JsonNode grid = get(http, base + "/api/captures/" + cap + "/connections", token);
            JsonNode row = grid.get("connections").get(0);
            assertThat(row.get("url").asText()).endsWith("/live");
            assertThat(row.get("status").asInt()).isEqualTo(101);
            assertThat(row.at("/sent/messages").asInt()).isEqualTo(2);
            assertThat(row.at("/received/messages").asInt()).isEqualTo(2);
            List<String> items = new ArrayList<>();
            for (JsonNode i : get(http, base + "/api/captures/" + cap + "/connections/1/items", token).get("items")) {
                items.add(i.get("dir").asText() + " " + i.get("type").asText() + " " + i.get("preview").asText());
            }
            assertThat(items).contains("c2s text through the proxy with the UI open",
                    "s2c text through the proxy with the UI open", "c2s ping 0bad f00d", "s2c pong 0bad f00d");
        }
    }

    @Test
    @Timeout(90)
    void messagesInjectedFromThePageReachThePeersAndAreMarked() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("py_peer server", List.of("/usr/bin/python3",
                LiveCaptureSupport.peerScript("py_peer.py").toString(), "server"), Map.of("PYTHONUNBUFFERED", "1"))) {
            int serverPort = Integer.parseInt(server.await(l -> l.matches("PORT \\d+"), true, 20_000).substring(5));
            try (ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + serverPort, "--ui")) {
                Matcher m = uiLine(proxy);
                String base = "http://127.0.0.1:" + m.group(2);
                String token = m.group(3);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                // the client sends, gets its echo, then waits for two more messages: the one injected toward
                // it, and the echo of the one injected toward the server
                String plan = """
                        [{"op":"send","kind":"text","text":"ready"},{"op":"recv"},{"op":"recv"},{"op":"recv"},
                         {"op":"close","code":1000,"reason":"done"}]""";
                try (LiveCaptureSupport.Child c = new LiveCaptureSupport.Child("py_peer client", List.of("/usr/bin/python3",
                        LiveCaptureSupport.peerScript("py_peer.py").toString(), "client",
                        "ws://127.0.0.1:" + proxy.port + "/inject", plan), Map.of("PYTHONUNBUFFERED", "1"))) {
                    c.await(l -> l.contains("\"received\""), true, 10_000);
                    String cap = "1";
                    JsonNode row = null;
                    for (int i = 0; i < 50 && row == null; i++) {
                        JsonNode r = get(http, base + "/api/captures/" + cap + "/connections/1", token);
                        row = r.path("injectable").asBoolean() ? r : null;
                        if (row == null) {
                            Thread.sleep(100);
                        }
                    }
                    assertThat(row).as("connection 1 injectable").isNotNull();
                    assertThat(post(http, base + "/api/captures/" + cap + "/connections/1/inject", token,
                            "{\"to\":\"client\",\"type\":\"text\",\"data\":\"from the UI to the client\"}")
                            .statusCode()).isEqualTo(202);
                    assertThat(post(http, base + "/api/captures/" + cap + "/connections/1/inject", token,
                            "{\"to\":\"server\",\"type\":\"text\",\"data\":\"from the UI to the server\"}")
                            .statusCode()).isEqualTo(202);
                    HttpResponse<String> bad = post(http, base + "/api/captures/" + cap + "/connections/1/inject", token,
                            "{\"to\":\"nobody\",\"type\":\"text\",\"data\":\"x\"}");
                    assertThat(bad.statusCode()).isEqualTo(400);
                    assertThat(c.waitFor(30_000)).as(c.describe()).isZero();
                    String out = String.join("\n", c.lines());
                    assertThat(out).contains("\"text\": \"from the UI to the client\"")
                            .contains("\"text\": \"from the UI to the server\"");
                }
                server.await(l -> l.contains("from the UI to the server"), true, 10_000);

                List<String> items = new ArrayList<>();
                JsonNode page = null;
                for (int i = 0; i < 50; i++) {
                    page = get(http, base + "/api/captures/1/connections/1/items?show=data", token);
                    if (page.get("items").size() >= 6) {
                        break;
                    }
                    Thread.sleep(100);
                }
                for (JsonNode i : page.get("items")) {
                    items.add(i.get("dir").asText() + " " + i.get("preview").asText() + " injected="
                            + i.get("injected").asBoolean());
                }
                assertThat(items).contains("s2c from the UI to the client injected=true",
                        "c2s from the UI to the server injected=true", "s2c from the UI to the server injected=false",
                        "c2s ready injected=false", "s2c ready injected=false");
                JsonNode ended = get(http, base + "/api/captures/1/connections/1", token);
                assertThat(ended.get("injectable").asBoolean()).isFalse();
                HttpResponse<String> late = post(http, base + "/api/captures/1/connections/1/inject", token,
                        "{\"to\":\"client\",\"type\":\"text\",\"data\":\"too late\"}");
                assertThat(late.statusCode()).isEqualTo(409);
            }
        }
    }

    private static Matcher uiLine(ProxyProcess proxy) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (String l : proxy.errLines()) {
                Matcher x = UI_LINE.matcher(l);
                if (x.find()) {
                    return x;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no UI line in " + proxy.errLines());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Wsdebug-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Wsdebug-Token", token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
