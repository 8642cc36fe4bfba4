package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The New connection panel's API against python {@code websockets}: a connection made by the UI's
 * own client, messages of every kind sent from the page and their echoes recorded in the UI's
 * client capture, and the live feed telling an open page about them without a reload.
 */
class UiSessionTest {
    private static final ObjectMapper JSON = dev.wsdebug.capture.store.CaptureBrowser.JSON;
    static Peer python;
    static UiServer ui;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() {
        python = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
        ui = UiServer.start(new UiOptions());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        base = "http://127.0.0.1:" + ui.port();
    }

    @AfterAll
    static void stop() {
        if (ui != null) {
            ui.close();
        }
        if (python != null) {
            python.close();
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Wsdebug-Token", ui.token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("X-Wsdebug-Token", ui.token()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aConnectionFromThePageTalksAndTheLiveFeedSaysSo() throws Exception {
        // the page's live feed, read line by line as it arrives
        BlockingQueue<String> updates = new LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> feed = http.send(HttpRequest.newBuilder(URI.create(base + "/api/live?token="
                + ui.token())).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(feed.statusCode()).isEqualTo(200);
        assertThat(feed.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        updates.add(line.substring(6));
                    }
                }
            } catch (Exception ignored) {
                // the feed ends with the server
            }
        });
        reader.setDaemon(true);
        reader.start();

        HttpResponse<String> created = post("/api/sessions", "{\"url\":\"ws://127.0.0.1:" + python.port()
                + "/page\",\"headers\":[[\"X-Test\",\"1\"]],\"subprotocols\":[],\"compress\":true}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode s = JSON.readTree(created.body());
        String cap = s.get("capture").asText();
        String conn = s.get("conn").asText();

        // the handshake is seen (as an update), then the connection is open
        JsonNode first = JSON.readTree(updates.poll(10, TimeUnit.SECONDS));
        assertThat(first.at("/captures/0/id").asText()).isEqualTo(cap);
        JsonNode row = waitFor(() -> {
            JsonNode r = get("/api/captures/" + cap + "/connections/" + conn);
            return r.path("sendable").asBoolean() ? r : null;
        });
        assertThat(row.get("status").asInt()).isEqualTo(101);
        assertThat(row.at("/handshake/request/headers").toString()).contains("X-Test");

        String path = "/api/sessions/" + cap + "/" + conn + "/send";
        assertThat(post(path, "{\"type\":\"text\",\"data\":\"hi from the page\"}").statusCode()).isEqualTo(202);
        assertThat(post(path, "{\"type\":\"json\",\"data\":\"{\\\"a\\\":[1,2]}\"}").statusCode()).isEqualTo(202);
        assertThat(post(path, "{\"type\":\"binary\",\"data\":\"00 ff 10\",\"encoding\":\"hex\"}").statusCode()).isEqualTo(202);
        assertThat(post(path, "{\"type\":\"ping\",\"data\":\"are you there\"}").statusCode()).isEqualTo(202);
        HttpResponse<String> badJson = post(path, "{\"type\":\"json\",\"data\":\"{a:1\"}");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badJson.body()).get("error").asText()).startsWith("The JSON does not parse");
        assertThat(post(path, "{\"type\":\"binary\",\"data\":\"zz\",\"encoding\":\"hex\"}").statusCode()).isEqualTo(400);
        assertThat(post(path, "{\"type\":\"close\",\"code\":1005}").statusCode()).isEqualTo(400);

        // the echoes come back and the feed reports rows of the connection
        List<String> rows = waitFor(() -> {
            List<String> r = new ArrayList<>();
            for (JsonNode i : get("/api/captures/" + cap + "/connections/" + conn + "/items").get("items")) {
                r.add(i.get("dir").asText() + " " + i.get("type").asText() + " " + i.get("preview").asText());
            }
            return r.size() >= 8 ? r : null;
        });
        assertThat(rows).containsSubsequence("c2s text hi from the page", "s2c text hi from the page");
        assertThat(rows).contains("c2s text {\"a\":[1,2]}", "s2c text {\"a\":[1,2]}", "c2s binary 00ff 10",
                "s2c binary 00ff 10", "c2s ping are you there", "s2c pong are you there");
        boolean told = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!told && System.nanoTime() < deadline) {
            String u = updates.poll(1, TimeUnit.SECONDS);
            told = u != null && JSON.readTree(u).at("/captures/0/items/" + conn).asLong() >= 8;
        }
        assertThat(told).as("an update counting the connection's rows").isTrue();

        assertThat(post(path, "{\"type\":\"close\",\"code\":4000,\"reason\":\"bye\"}").statusCode()).isEqualTo(202);
        JsonNode closed = waitFor(() -> {
            JsonNode r = get("/api/captures/" + cap + "/connections/" + conn);
            return r.path("close").isObject() ? r : null;
        });
        assertThat(closed.at("/close/code").asInt()).isEqualTo(4000);
        assertThat(closed.at("/close/initiator").asText()).isEqualTo("client");
        assertThat(post(path, "{\"type\":\"text\",\"data\":\"late\"}").statusCode()).isEqualTo(409);
    }

    @Test
    void aBadUrlIsOneSentence() throws Exception {
        HttpResponse<String> r = post("/api/sessions", "{\"url\":\"http://127.0.0.1/\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("ws:// or wss://");
        assertThat(post("/api/sessions", "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aRefusedConnectShowsOnItsRow() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        HttpResponse<String> r = post("/api/sessions", "{\"url\":\"ws://127.0.0.1:" + closed + "/\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode s = JSON.readTree(r.body());
        JsonNode row = waitFor(() -> {
            JsonNode c = get("/api/captures/" + s.get("capture").asText() + "/connections/" + s.get("conn").asText());
            return c.path("errors").size() > 0 ? c : null;
        });
        assertThat(row.at("/errors/0/message").asText()).containsIgnoringCase("refused");
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    static <T> T waitFor(Probe<T> p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            T v = null;
            try {
                v = p.get();
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within 15 s");
            }
            Thread.sleep(100);
        }
    }
}
