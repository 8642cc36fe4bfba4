package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureReader;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UI's JSON API over a capture of a real session: wsdebug's client talking to python
 * {@code websockets} (permessage-deflate, subprotocol, ping, a server-initiated close with 4001),
 * plus an upgrade refused with 403; asked through the JDK's HttpClient. Every answer is compared
 * with what was sent and with what {@link CaptureReader} replays from the same store.
 */
class UiApiTest {
    /** Numbers as exact decimals, so that times can be checked as written. */
    private static final ObjectMapper JSON = dev.wsdebug.capture.store.CaptureBrowser.JSON;
    private static final String BIG = "x".repeat(70_000) + "END";
    private static final byte[] BINARY = {0, 1, 2, (byte) 0xff, 0x7f};

    @TempDir
    static Path dir;
    static Peer python;
    static UiServer ui;
    static OpenCapture capture;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void record() throws Exception {
        python = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--subprotocol", "chat");
        Path wsdb = dir.resolve("session.wsdb");
        CaptureStore store = CaptureStore.create(wsdb);
        ClientOptions o = new ClientOptions();
        o.url = URI.create("ws://127.0.0.1:" + python.port() + "/chat?room=1");
        o.subprotocols.add("chat");
        try (WsClient client = new WsClient(o, store, n -> { })) {
            ClientSession s = client.connect();
            s.sendText("hello world");
            s.sendText("{\"op\":\"subscribe\",\"topics\":[\"a\",\"b\"]}");
            s.sendBinary(BINARY);
            s.ping("p1".getBytes(StandardCharsets.US_ASCII));
            s.sendText(BIG);
            s.sendText("wsdebug:close 4001 done");
            s.closed().get(10, TimeUnit.SECONDS);
        }
        // an upgrade refused by a plain HTTP server
        try (ServerSocket refusing = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket c = refusing.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
                    String line;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // the request head
                    }
                    OutputStream out = c.getOutputStream();
                    out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nConnection: close\r\n\r\nno way\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (Exception ignored) {
                    // the test sees the outcome in the capture
                }
            });
            t.start();
            ClientOptions refused = new ClientOptions();
            refused.url = URI.create("ws://127.0.0.1:" + refusing.getLocalPort() + "/private");
            try (WsClient client = new WsClient(refused, store, n -> { }).connectionIdsFrom(2)) {
                client.connect();
            } catch (dev.wsdebug.net.client.ClientFailure expected) {
                // recorded
            }
            t.join(5_000);
        }
        store.close();
        ui = UiServer.start(new UiOptions());
        capture = ui.captures().open(wsdb);
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

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Wsdebug-Token", ui.token())
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        return JSON.readTree(r.body());
    }

    static String api(String rest) {
        return "/api/captures/" + capture.id() + rest;
    }

    @Test
    void theGridHasTheSessionAndTheRefusedUpgrade() throws Exception {
        JsonNode captures = json("/api/captures").get("captures");
        assertThat(captures).hasSize(1);
        assertThat(captures.get(0).get("kind").asText()).isEqualTo("wsdb");
        assertThat(captures.get(0).get("connections").asInt()).isEqualTo(2);

        JsonNode rows = json(api("/connections")).get("connections");
        assertThat(rows).hasSize(2);
        JsonNode ws = rows.get(0);
        assertThat(ws.get("conn").asText()).isEqualTo("1");
        assertThat(ws.get("n").asInt()).isEqualTo(1);
        assertThat(ws.get("url").asText()).isEqualTo("ws://127.0.0.1:" + python.port() + "/chat?room=1");
        assertThat(ws.get("method").asText()).isEqualTo("GET");
        assertThat(ws.get("status").asInt()).isEqualTo(101);
        assertThat(ws.get("protocol").asText()).isEqualTo("WS");
        assertThat(ws.get("subprotocol").asText()).isEqualTo("chat");
        assertThat(ws.get("compression").asText()).startsWith("permessage-deflate");
        // sent: 5 data messages (the close command included); received: 4 echoes (not the command)
        assertThat(ws.at("/sent/messages").asInt()).isEqualTo(5);
        assertThat(ws.at("/received/messages").asInt()).isEqualTo(4);
        assertThat(ws.get("result").asText()).isEqualTo("clean");
        assertThat(ws.at("/close/code").asInt()).isEqualTo(4001);
        assertThat(ws.at("/close/reason").asText()).isEqualTo("done");
        assertThat(ws.at("/close/initiator").asText()).isEqualTo("server");
        assertThat(ws.get("t").isBigDecimal() || ws.get("t").isNumber()).isTrue();
        assertThat(ws.get("t").asText()).matches("\\d{10}\\.\\d{6}");

        JsonNode refused = rows.get(1);
        assertThat(refused.get("conn").asText()).isEqualTo("2");
        assertThat(refused.get("status").asInt()).isEqualTo(403);
        assertThat(refused.get("result").asText()).isEqualTo("failed");
    }

    @Test
    void aConnectionComesWithItsHandshakeAndCloseCard() throws Exception {
        JsonNode c = json(api("/connections/1"));
        JsonNode h = c.get("handshake");
        assertThat(h.at("/request/method").asText()).isEqualTo("GET");
        assertThat(h.at("/request/target").asText()).isEqualTo("/chat?room=1");
        List<String> names = new ArrayList<>();
        h.at("/response/headers").forEach(kv -> names.add(kv.get(0).asText().toLowerCase()));
        assertThat(names).contains("upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol");
        assertThat(h.at("/accept/valid").asBoolean()).isTrue();
        assertThat(h.at("/accept/expected").asText()).isEqualTo(h.at("/accept/actual").asText());
        assertThat(h.get("failure").isNull()).isTrue();
        assertThat(h.get("extensionsExplained").get(0).get("extension").asText()).isEqualTo("permessage-deflate");
        assertThat(c.at("/deflate/c2s/maxWindowBits").asInt()).isBetween(8, 15);
        assertThat(c.get("closeCard").asText()).contains("server").contains("4001").contains("done");

        JsonNode failed = json(api("/connections/2"));
        assertThat(failed.at("/handshake/response/status").asInt()).isEqualTo(403);
        assertThat(failed.at("/handshake/failure").asText()).contains("403").contains("not upgraded");
        assertThat(failed.get("closeCard").asText()).startsWith("The WebSocket never opened");

        assertThat(get(api("/connections/9")).statusCode()).isEqualTo(404);
    }

    @Test
    void connectionsCarryTheirFindings() throws Exception {
        JsonNode refused = json(api("/connections/2")).get("findings");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).get("rule").asText()).isEqualTo("handshake-rejected");
        assertThat(refused.get(0).get("severity").asText()).isEqualTo("error");
        assertThat(refused.get(0).get("fix").asText()).isNotEmpty();
        JsonNode session = json(api("/connections/1")).get("findings");
        assertThat(session).extracting(f -> f.get("rule").asText()).containsExactly("close-4001");
        // the grid gets badges once the whole capture has been analysed (on a thread of its own)
        JsonNode grid = null;
        for (int i = 0; i < 100; i++) {
            grid = json(api("/connections"));
            if (!grid.path("findingsPending").asBoolean(false)) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(grid.at("/connections/1/finding/worst").asText()).isEqualTo("error");
        assertThat(grid.at("/connections/0/finding/worst").asText()).isEqualTo("info");
    }

    @Test
    void itemsAreMessagesAndControlFramesInWireOrder() throws Exception {
        JsonNode page = json(api("/connections/1/items"));
        List<String> rows = new ArrayList<>();
        for (JsonNode i : page.get("items")) {
            rows.add(i.get("dir").asText() + " " + i.get("kind").asText() + " " + i.get("type").asText());
        }
        // what CaptureReader replays from the same store, as rows of the same kind
        List<String> expected = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(capture.browser().reader().file())) {
            r.replay("1", new dev.wsdebug.capture.EventSink() {
                @Override
                public void accept(dev.wsdebug.capture.Event e) {
                    if (e instanceof dev.wsdebug.capture.MessageEvent m) {
                        expected.add(m.dir().id() + " message " + (m.message().isText() ? "text" : "binary"));
                    } else if (e instanceof dev.wsdebug.capture.FrameEvent f && f.frame().opcode() >= 8) {
                        expected.add(f.dir().id() + " frame " + f.frame().type());
                    }
                }
            });
        }
        assertThat(rows).isEqualTo(expected);
        assertThat(rows).contains("c2s frame ping", "s2c frame pong", "s2c frame close", "c2s frame close",
                "c2s message binary", "s2c message binary");
        assertThat(page.get("total").asInt()).isEqualTo(expected.size());
        assertThat(page.get("next").isNull()).isTrue();
        assertThat(page.get("items").get(0).get("preview").asText()).isEqualTo("hello world");

        // paging: two at a time covers the same rows
        List<String> paged = new ArrayList<>();
        String after = "";
        for (int guard = 0; guard < 50; guard++) {
            JsonNode p = json(api("/connections/1/items?limit=2&after=" + after));
            p.get("items").forEach(i -> paged.add(i.get("dir").asText() + " " + i.get("kind").asText() + " "
                    + i.get("type").asText()));
            if (p.get("next").isNull()) {
                break;
            }
            after = p.get("next").asText();
        }
        assertThat(paged).isEqualTo(expected);

        // jumps: skip N rows of a filtered list, or start at a time
        JsonNode s2c = json(api("/connections/1/items?dir=s2c"));
        JsonNode skipped = json(api("/connections/1/items?dir=s2c&skip=2&limit=1"));
        assertThat(skipped.get("offset").asLong()).isEqualTo(2);
        JsonNode third = skipped.get("items").get(0);
        assertThat(third.get("seq").asLong()).isEqualTo(s2c.get("items").get(2).get("seq").asLong());
        JsonNode fourth = page.get("items").get(3);
        JsonNode timed = json(api("/connections/1/items?limit=1&at=" + fourth.get("t").asText()));
        assertThat(timed.get("offset").asLong()).isEqualTo(3);
        JsonNode fromTime = timed.get("items").get(0);
        assertThat(fromTime.get("t").decimalValue()).isEqualByComparingTo(fourth.get("t").decimalValue());
        assertThat(fromTime.get("seq").asLong()).isLessThanOrEqualTo(fourth.get("seq").asLong());
        assertThat(get(api("/connections/1/items?skip=1&q=x")).statusCode()).isEqualTo(400);
        assertThat(get(api("/connections/1/items?at=yesterday")).statusCode()).isEqualTo(400);
    }

    @Test
    void filtersByDirectionTypeAndText() throws Exception {
        JsonNode s2c = json(api("/connections/1/items?dir=s2c")).get("items");
        s2c.forEach(i -> assertThat(i.get("dir").asText()).isEqualTo("s2c"));
        assertThat(s2c.size()).isEqualTo(4 + 2); // 4 echoes, the pong, the close

        JsonNode control = json(api("/connections/1/items?show=control")).get("items");
        control.forEach(i -> assertThat(i.get("opcode").asInt()).isGreaterThanOrEqualTo(8));
        assertThat(control.size()).isEqualTo(4);
        JsonNode noPings = json(api("/connections/1/items?show=control&pings=0")).get("items");
        assertThat(noPings.size()).isEqualTo(2);
        noPings.forEach(i -> assertThat(i.get("type").asText()).isEqualTo("close"));
        JsonNode data = json(api("/connections/1/items?show=data")).get("items");
        data.forEach(i -> assertThat(i.get("kind").asText()).isEqualTo("message"));

        JsonNode hello = json(api("/connections/1/items?q=HELLO")).get("items");
        assertThat(hello).hasSize(2); // sent and echoed
        JsonNode re = json(api("/connections/1/items?re=1&q=" + enc("\"topics\":\\[\"a\""))).get("items");
        assertThat(re).hasSize(2);
        JsonNode big = json(api("/connections/1/items?re=1&q=" + enc("x{1000}END$") + "&dir=c2s")).get("items");
        assertThat(big).hasSize(1);
        HttpResponse<String> bad = get(api("/connections/1/items?re=1&q=" + enc("(unclosed")));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).startsWith("The regular expression is not valid");
        assertThat(get(api("/connections/1/items?dir=up")).statusCode()).isEqualTo(400);
        assertThat(get(api("/connections/1/items?limit=0")).statusCode()).isEqualTo(400);
    }

    @Test
    void anItemInFullWithItsFramesAndWireBytes() throws Exception {
        JsonNode items = json(api("/connections/1/items?dir=c2s&show=data")).get("items");
        long bigSeq = -1;
        long binarySeq = -1;
        for (JsonNode i : items) {
            if (i.get("length").asLong() == BIG.length()) {
                bigSeq = i.get("seq").asLong();
            }
            if (i.get("type").asText().equals("binary")) {
                binarySeq = i.get("seq").asLong();
            }
        }
        JsonNode big = json(api("/connections/1/items/" + bigSeq));
        assertThat(big.get("text").asText()).isEqualTo(BIG);
        assertThat(big.get("utf8").asText()).isEqualTo("valid");
        assertThat(big.get("compressed").asBoolean()).isTrue(); // python accepted permessage-deflate
        assertThat(big.get("wireLength").asLong()).isLessThan(BIG.length());
        JsonNode frame = big.get("frameList").get(0);
        assertThat(frame.get("rsv1").asBoolean()).isTrue();
        assertThat(frame.get("masked").asBoolean()).isTrue();
        assertThat(big.at("/deflate/maxWindowBits").asInt()).isBetween(8, 15);

        // the wire bytes: the frames as sent, headers included, masked with the recorded key
        HttpResponse<byte[]> raw = http.send(HttpRequest.newBuilder(URI.create(base + api("/connections/1/items/" + bigSeq + "/raw")))
                .header("X-Wsdebug-Token", ui.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.statusCode()).isEqualTo(200);
        byte[] b = raw.body();
        long total = 0;
        for (JsonNode f : big.get("frameList")) {
            total += f.get("headerLength").asLong() + f.get("payloadLength").asLong();
        }
        assertThat(b.length).isEqualTo(total);
        assertThat(b[0] & 0x40).isEqualTo(0x40); // RSV1
        assertThat(b[1] & 0x80).isEqualTo(0x80); // MASK
        int h = frame.get("headerLength").asInt();
        assertThat(HexFormat.of().formatHex(b, h - 4, h)).isEqualTo(frame.get("maskKey").asText());

        JsonNode binary = json(api("/connections/1/items/" + binarySeq));
        assertThat(java.util.Base64.getDecoder().decode(binary.get("base64").asText())).isEqualTo(BINARY);
        assertThat(binary.path("text").isMissingNode() || binary.path("text").isNull()).isTrue();

        JsonNode closes = json(api("/connections/1/items?show=control&pings=0")).get("items");
        JsonNode close = json(api("/connections/1/items/" + closes.get(0).get("seq").asLong()));
        assertThat(close.at("/close/code").asInt()).isEqualTo(4001);
        assertThat(close.at("/close/reason").asText()).isEqualTo("done");
        assertThat(close.at("/close/neverOnWire").asBoolean()).isFalse();
        assertThat(close.at("/close/meaning").asText()).contains("private use");
        assertThat(get(api("/connections/1/items/99999")).statusCode()).isEqualTo(404);
    }

    @Test
    void theTimelineCountsWhatTheGridCounts() throws Exception {
        JsonNode t = json(api("/connections/1/timeline?buckets=50"));
        long c2s = 0;
        long s2c = 0;
        for (JsonNode n : t.at("/c2s/messages")) {
            c2s += n.asLong();
        }
        for (JsonNode n : t.at("/s2c/messages")) {
            s2c += n.asLong();
        }
        assertThat(t.at("/c2s/messages")).hasSize(50);
        assertThat(c2s).isEqualTo(5);
        assertThat(s2c).isEqualTo(4);
        assertThat(t.get("pings")).hasSize(1);
        assertThat(t.get("pings").get(0).get("rttMs").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.at("/close/code").asInt()).isEqualTo(4001);
        assertThat(get(api("/connections/1/timeline?buckets=5")).statusCode()).isEqualTo(400);
    }

    @Test
    void searchFindsTextAcrossTheCapture() throws Exception {
        JsonNode hits = json(api("/search?q=subscribe")).get("hits");
        assertThat(hits).hasSize(2);
        assertThat(hits.get(0).get("conn").asText()).isEqualTo("1");
        assertThat(hits.get(0).get("preview").asText()).contains("subscribe");
        assertThat(get(api("/search?q=")).statusCode()).isEqualTo(400);
    }

    @Test
    void exportsAHarThatReadAccepts() throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + api("/export?format=har")))
                .header("X-Wsdebug-Token", ui.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-disposition")).hasValueSatisfying(v -> assertThat(v)
                .contains("attachment").contains("session.har"));
        Path har = dir.resolve("export.har");
        Files.write(har, r.body());
        List<String> texts = new ArrayList<>();
        try (CaptureInputs in = CaptureInputs.open(List.of(har.toString()))) {
            in.replay(new dev.wsdebug.capture.EventSink() {
                @Override
                public void accept(dev.wsdebug.capture.Event e) {
                    if (e instanceof dev.wsdebug.capture.MessageEvent m && m.message().isText()) {
                        texts.add(new String(m.message().payload(), StandardCharsets.UTF_8));
                    }
                }
            }, new DecodeOptions(), n -> { }, (a, b) -> { });
        }
        assertThat(texts).contains("hello world", BIG);
        assertThat(get(api("/export?format=zip")).statusCode()).isEqualTo(400);
    }

    @Test
    void opensAnUploadedCaptureAndRefusesGarbage() throws Exception {
        byte[] wsdb = Files.readAllBytes(capture.browser().reader().file());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures"))
                .header("X-Wsdebug-Token", ui.token()).header("X-File-Name", "copy.wsdb")
                .POST(HttpRequest.BodyPublishers.ofByteArray(wsdb)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode entry = JSON.readTree(r.body());
        assertThat(entry.get("name").asText()).isEqualTo("copy.wsdb");
        assertThat(entry.get("connections").asInt()).isEqualTo(2);
        HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures"))
                .header("X-Wsdebug-Token", ui.token()).header("X-File-Name", "noise.bin")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9}))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(garbage.body()).get("error").asText()).contains("is not a capture wsdebug reads");
    }

    // ---- security ----------------------------------------------------------------------------

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(none.body()).get("error").asText()).contains("token is required");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures"))
                .header("X-Wsdebug-Token", ui.token() + "x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
    }

    @Test
    void theTokenInTheUrlSetsACookieThatLaterRequestsUse() throws Exception {
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures?token=" + ui.token()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        String cookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).contains("wsdebug_token=" + ui.token()).contains("HTTPOnly").contains("SameSite=Strict");
        HttpResponse<String> later = http.send(HttpRequest.newBuilder(URI.create(base + "/api/captures"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(later.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-security-policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("script-src 'self'").doesNotContain("unsafe-inline"));
        assertThat(first.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }

    @Test
    void aForeignHostHeaderIsRefused() throws Exception {
        // HttpClient will not send another Host: a raw request, as a DNS-rebinding page's would arrive
        String answer = rawRequest("GET /api/captures?token=" + ui.token() + " HTTP/1.1\r\nHost: attacker.example:"
                + ui.port() + "\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 421");
        assertThat(rawRequest("GET /api/captures?token=" + ui.token() + " HTTP/1.1\r\nHost: localhost:" + ui.port()
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        // an address (the UI opened by IP with --host) is not a name a rebinding page controls
        assertThat(rawRequest("GET /api/captures?token=" + ui.token() + " HTTP/1.1\r\nHost: 10.0.0.5:" + ui.port()
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(rawRequest("GET /api/captures?token=" + ui.token() + " HTTP/1.1\r\nHost: 10.0.0.5:1"
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 421");
    }

    @Test
    void aCrossOriginLiveFeedOrPostIsRefused() throws Exception {
        String feed = rawRequest("GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nOrigin: http://evil.example\r\n"
                + "X-Wsdebug-Token: " + ui.token() + "\r\nConnection: close\r\n\r\n");
        assertThat(feed).startsWith("HTTP/1.1 403");
        String post = rawRequest("POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nOrigin: http://evil.example\r\n"
                + "Cookie: wsdebug_token=" + ui.token() + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(post).startsWith("HTTP/1.1 403");
        // the page's own origin is the address the request went to
        String own = rawRequest("POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nOrigin: http://127.0.0.1:"
                + ui.port() + "\r\nCookie: wsdebug_token=" + ui.token() + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(own).startsWith("HTTP/1.1 400"); // past the guard: {} has no URL
        String otherLocal = rawRequest("POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nOrigin: http://localhost:"
                + ui.port() + "\r\nCookie: wsdebug_token=" + ui.token() + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(otherLocal).startsWith("HTTP/1.1 403");
    }

    private static String rawRequest(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", ui.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
