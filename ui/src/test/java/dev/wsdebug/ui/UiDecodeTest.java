package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.decode.Decoded;
import dev.wsdebug.capture.store.CaptureBrowser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API's {@code decoded} field over a capture of the real socket.io server and client
 * ({@link SocketIoCapture}): every message row names its protocol and summary, the item has the
 * value, an ACK names the event it answers and the time between them, a binary event is joined
 * with its attachment however the rows are paged, and {@code --decode} (UiOptions.decode) forces a
 * protocol or turns decoding off.
 */
class UiDecodeTest {
    private static final ObjectMapper JSON = CaptureBrowser.JSON;

    @TempDir
    static Path dir;
    static Path wsdb;
    static UiServer ui;
    static OpenCapture capture;
    static String conn;
    static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void record() throws Exception {
        wsdb = SocketIoCapture.record(dir.resolve("socketio.wsdb"));
        ui = UiServer.start(new UiOptions());
        capture = ui.captures().open(wsdb);
        JsonNode rows = json(ui, "/api/captures/" + capture.id() + "/connections").get("connections");
        List<String> ws = new ArrayList<>();
        rows.forEach(r -> {
            if (r.path("kind").asText().equals("ws")) {
                ws.add(r.get("conn").asText());
            }
        });
        assertThat(ws).as("one WebSocket: the /admin namespace shares it").hasSize(1);
        conn = ws.get(0);
    }

    @AfterAll
    static void stop() {
        if (ui != null) {
            ui.close();
        }
    }

    static JsonNode json(UiServer server, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("X-Wsdebug-Token", server.token()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String items(OpenCapture c) {
        return "/api/captures/" + c.id() + "/connections/" + conn + "/items";
    }

    static List<JsonNode> messageRows(UiServer server, OpenCapture c) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        json(server, items(c) + "?limit=1000&show=data").get("items").forEach(out::add);
        return out;
    }

    static JsonNode row(List<JsonNode> rows, Predicate<JsonNode> p) {
        return rows.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no such row in " + rows));
    }

    static Predicate<JsonNode> summaryStarts(String s) {
        return r -> r.path("decoded").path("summary").asText().startsWith(s);
    }

    static JsonNode item(long seq) throws Exception {
        return json(ui, items(capture) + "/" + seq);
    }

    /** The item's value: an ACK with this id in the main namespace. */
    static JsonNode ack(List<JsonNode> rows, long id) throws Exception {
        for (JsonNode r : rows) {
            if (r.path("decoded").path("summary").asText().startsWith("ACK id=" + id + " ns=/ ")) {
                return item(r.get("seq").asLong());
            }
        }
        throw new AssertionError("no ACK " + id + " in " + rows);
    }

    static long micros(JsonNode t) {
        return t.decimalValue().movePointRight(6).longValueExact();
    }

    @Test
    void everyMessageRowCarriesItsSocketIoReadingAndTheItemItsValue() throws Exception {
        List<JsonNode> rows = messageRows(ui, capture);
        assertThat(rows).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("decoded").path("protocol").asText()).as(r.toString()).isEqualTo("socket.io");
            assertThat(r.path("decoded").has("problem")).as(r.toString()).isFalse();
            assertThat(r.path("decoded").has("value")).as("a page leaves the value to the item").isFalse();
        });

        // the plain event: its summary beside the preview of the bytes as they were
        JsonNode chat = row(rows, summaryStarts("EVENT \"chat\""));
        assertThat(chat.path("decoded").path("summary").asText()).isEqualTo("EVENT \"chat\" ns=/ (2 args)");
        assertThat(chat.path("preview").asText()).isEqualTo("42[\"chat\",\"hello\",{\"n\":1}]");
        JsonNode chatItem = item(chat.get("seq").asLong());
        assertThat(chatItem.path("decoded").path("value").path("args"))
                .isEqualTo(JSON.readTree("[\"hello\",{\"n\":1}]"));
        assertThat(chatItem.path("text").asText()).isEqualTo(chat.path("preview").asText());

        // "add" with 2 and 3: the ACK carries 5 and names the event, its seq and the time between them
        JsonNode add = row(rows, summaryStarts("EVENT \"add\""));
        JsonNode addItem = item(add.get("seq").asLong());
        assertThat(addItem.path("decoded").path("value").path("args")).isEqualTo(JSON.readTree("[2,3]"));
        long addId = addItem.path("decoded").path("value").path("id").asLong(-1);
        JsonNode addAck = ack(rows, addId);
        assertThat(addAck.path("decoded").path("value").path("args").get(0).asInt()).isEqualTo(2 + 3);
        JsonNode reply = addAck.path("decoded").path("reply");
        assertThat(reply.path("seq").asLong()).isEqualTo(add.get("seq").asLong());
        assertThat(reply.path("name").asText()).isEqualTo("add");
        long between = micros(addAck.get("t")) - micros(add.get("t"));
        assertThat(between).isPositive();
        assertThat(reply.path("latencyMs").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(between, 3));
        // the page's row says the same (without the value)
        JsonNode ackRow = row(rows, r -> r.get("seq").asLong() == addAck.get("seq").asLong());
        assertThat(ackRow.path("decoded").path("reply")).isEqualTo(reply);

        // the upload: its header waits, the attachment row holds the event joined with the 7 bytes
        JsonNode joined = row(rows, summaryStarts("attachment 1/1 of BINARY_EVENT \"upload\""));
        JsonNode joinedItem = item(joined.get("seq").asLong());
        JsonNode uploadArgs = joinedItem.path("decoded").path("value").path("args");
        assertThat(uploadArgs.get(0).asText()).isEqualTo("file.bin");
        assertThat(uploadArgs.get(1).path("base64").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(SocketIoCapture.UPLOAD));
        assertThat(joinedItem.path("type").asText()).isEqualTo("binary");
        long uploadId = joinedItem.path("decoded").path("value").path("id").asLong(-1);
        JsonNode uploadAck = ack(rows, uploadId);
        assertThat(uploadAck.path("decoded").path("value").path("args").get(0).asInt()).isEqualTo(SocketIoCapture.UPLOAD.length);
        assertThat(uploadAck.path("decoded").path("reply").path("name").asText()).isEqualTo("upload");

        // the server's binary event, and the /admin namespace's ack
        JsonNode thumb = item(row(rows, summaryStarts("attachment 1/1 of BINARY_EVENT \"thumb\"")).get("seq").asLong());
        assertThat(thumb.path("decoded").path("value").path("args").get(1).path("base64").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xca, (byte) 0xfe}));
        JsonNode statsAck = item(row(rows, r -> r.path("decoded").path("summary").asText().startsWith("ACK")
                && r.path("decoded").path("summary").asText().contains("ns=/admin")).get("seq").asLong());
        assertThat(statsAck.path("decoded").path("value").path("args").get(0)).isEqualTo(JSON.readTree("{\"users\":1}"));
        assertThat(statsAck.path("decoded").path("reply").path("name").asText()).isEqualTo("stats");
    }

    @Test
    void pagesOfOneRowReadAsOnePageOfAll() throws Exception {
        Map<Long, JsonNode> whole = new java.util.HashMap<>();
        json(ui, items(capture) + "?limit=1000").get("items").forEach(r -> whole.put(r.get("seq").asLong(), r));
        int n = 0;
        String after = null;
        do {
            JsonNode page = json(ui, items(capture) + "?limit=1" + (after == null ? "" : "&after=" + after));
            for (JsonNode r : page.get("items")) {
                assertThat(r.path("decoded")).as("row %s", r).isEqualTo(whole.get(r.get("seq").asLong()).path("decoded"));
                n++;
            }
            after = page.path("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        assertThat(n).isEqualTo(whole.size());
    }

    @Test
    void readingsDroppedByTheBoundAreDecodedAgainInOrder() throws Exception {
        List<Long> seqs = new ArrayList<>();
        messageRows(ui, capture).forEach(r -> seqs.add(r.get("seq").asLong()));
        // a bound below any reading: nothing stays, so each question decodes the connection from its start
        DecodedItems starved = new DecodedItems(capture.browser(), null, 1);
        DecodedItems kept = new DecodedItems(capture.browser(), null);
        java.util.Collections.reverse(seqs); // last first: the worst case, every reading needs all before it
        for (long seq : seqs) {
            Decoded a = starved.of(conn, seq);
            Decoded b = kept.of(conn, seq);
            assertThat(a).as("seq %d", seq).isNotNull();
            assertThat(DecodedJson.of(a, true)).as("seq %d", seq).isEqualTo(DecodedJson.of(b, true));
        }
    }

    @Test
    void aLiveCaptureDecodesOnFromWhereItsDecoderStopped() throws Exception {
        List<dev.wsdebug.capture.Event> events = new ArrayList<>();
        try (dev.wsdebug.capture.store.CaptureReader r = dev.wsdebug.capture.store.CaptureReader.open(wsdb)) {
            r.replay(conn, events::add);
        }
        // the session up to the upload's header (its attachment not yet sent), then the rest
        int split = 0;
        while (!(events.get(split) instanceof dev.wsdebug.capture.MessageEvent m && m.message().isText()
                && m.message().text().contains("\"upload\""))) {
            split++;
        }
        Path file = dir.resolve("live.wsdb");
        try (dev.wsdebug.capture.store.CaptureStore store = dev.wsdebug.capture.store.CaptureStore.create(file)) {
            events.subList(0, split + 1).forEach(store::accept);
            OpenCapture live = ui.captures().live(file, "live", "live", store::sync);
            try {
                List<JsonNode> before = messageRows(ui, live);
                assertThat(before.get(before.size() - 1).path("decoded").path("summary").asText())
                        .startsWith("BINARY_EVENT \"upload\"").endsWith("waits for 1 attachment");
                events.subList(split + 1, events.size()).forEach(store::accept);
                store.sync();
                Map<Long, JsonNode> whole = new java.util.HashMap<>();
                messageRows(ui, capture).forEach(r -> whole.put(r.get("seq").asLong(), r.path("decoded")));
                List<JsonNode> after = messageRows(ui, live);
                assertThat(after).hasSize(whole.size()).allSatisfy(r -> assertThat(r.path("decoded"))
                        .as("row %s", r).isEqualTo(whole.get(r.get("seq").asLong())));
                assertThat(after).anySatisfy(r -> assertThat(r.path("decoded").path("summary").asText())
                        .startsWith("attachment 1/1 of BINARY_EVENT \"upload\""));
            } finally {
                ui.captures().remove(live);
            }
        }
    }

    @Test
    void theDecodeOptionForcesAProtocolOrTurnsDecodingOff() throws Exception {
        try (UiServer none = UiServer.start(new UiOptions().decode("none"))) {
            OpenCapture c = none.captures().open(wsdb);
            assertThat(messageRows(none, c)).isNotEmpty().allSatisfy(r -> assertThat(r.has("decoded")).isFalse());
        }
        try (UiServer forced = UiServer.start(new UiOptions().decode("json"))) {
            OpenCapture c = forced.captures().open(wsdb);
            List<JsonNode> rows = messageRows(forced, c);
            // a Socket.IO event is not JSON (its packet type comes first): the sentence, and the preview as it was
            JsonNode chat = row(rows, r -> r.path("preview").asText().startsWith("42[\"chat\""));
            assertThat(chat.path("decoded").path("protocol").asText()).isEqualTo("json");
            assertThat(chat.path("decoded").path("problem").asText()).isNotBlank();
            assertThat(chat.path("decoded").has("summary")).isFalse();
            JsonNode full = json(forced, items(c) + "/" + chat.get("seq").asLong());
            assertThat(full.path("decoded").path("problem")).isEqualTo(chat.path("decoded").path("problem"));
            assertThat(full.path("text").asText()).isEqualTo(chat.path("preview").asText());
        }
        assertThatThrownBy(() -> UiServer.start(new UiOptions().decode("klingon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--decode takes");
    }

    /** The WebSocket rows of a grid, by their URL's path, once every row's app is worked out. */
    static Map<String, JsonNode> wsRows(UiServer server, OpenCapture c) throws Exception {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        JsonNode grid = json(server, "/api/captures/" + c.id() + "/connections");
        for (int i = 0; i < 200 && grid.path("appsPending").asBoolean(); i++) { // a slow machine: the rest on the capture's thread
            Thread.sleep(100);
            grid = json(server, "/api/captures/" + c.id() + "/connections");
        }
        grid.get("connections").forEach(r -> {
            if (r.path("kind").asText().equals("ws")) {
                out.put(URI.create(r.get("url").asText()).getPath(), r);
            }
        });
        return out;
    }

    @Test
    void theGridSaysTheSocketIoConnectionSpeaksSocketIoUnlessDecodeSaysOtherwise() throws Exception {
        JsonNode row = wsRows(ui, capture).values().iterator().next();
        assertThat(row.path("app").asText()).as(row.toString()).isEqualTo("socket.io");
        JsonNode one = json(ui, "/api/captures/" + capture.id() + "/connections/" + conn);
        assertThat(one.path("app").asText()).isEqualTo("socket.io");
        try (UiServer none = UiServer.start(new UiOptions().decode("none"))) {
            OpenCapture c = none.captures().open(wsdb);
            assertThat(wsRows(none, c).values()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.has("app") && r.get("app").isNull()).as(r.toString()).isTrue());
        }
        try (UiServer forced = UiServer.start(new UiOptions().decode("json"))) {
            OpenCapture c = forced.captures().open(wsdb);
            assertThat(wsRows(forced, c).values()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.path("app").asText()).isEqualTo("json"));
        }
    }

    @Test
    void echoConnectionsAreNamedByTheirFirstMessageOrTheirSubprotocolOrNotAtAll() throws Exception {
        Path file = EchoProxy.threeConnections(dir.resolve("echo.wsdb"));
        OpenCapture c = ui.captures().open(file);
        try {
            Map<String, JsonNode> rows = wsRows(ui, c);
            assertThat(rows.keySet()).containsExactly("/a", "/b", "/c");
            assertThat(rows.get("/a").path("app").asText()).as("JSON text both ways").isEqualTo("json");
            assertThat(rows.get("/b").get("app").isNull()).as("no message: %s", rows.get("/b")).isTrue();
            assertThat(rows.get("/c").path("subprotocol").asText()).isEqualTo(EchoProxy.SUBPROTOCOL);
            assertThat(rows.get("/c").path("app").asText()).as("claimed by the subprotocol").isEqualTo("graphql-ws");
            // asked again (the answers kept), the same
            assertThat(wsRows(ui, c)).isEqualTo(rows);
        } finally {
            ui.captures().remove(c);
        }
    }

    @Test
    void rowsLeftOverByARequestAreReadOnTheCapturesThreadAndAskedForAgain() throws Exception {
        Path file = EchoProxy.threeConnections(dir.resolve("echo-pending.wsdb"));
        OpenCapture c = ui.captures().open(file);
        try {
            // no time of its own for reading messages: only the handshake's claim is answered at once
            AppColumn apps = new AppColumn(c.browser(), new DecodedItems(c.browser(), null), null, null, 0);
            com.fasterxml.jackson.databind.node.ObjectNode grid = c.browser().connections();
            apps.grid(grid);
            assertThat(grid.path("appsPending").asBoolean()).as(grid.toString()).isTrue();
            Map<String, String> first = new java.util.HashMap<>();
            grid.get("connections").forEach(r -> first.put(URI.create(r.get("url").asText()).getPath(), r.get("app").textValue()));
            assertThat(first).containsEntry("/c", "graphql-ws").containsEntry("/a", null);
            long end = System.nanoTime() + 10_000_000_000L;
            do {
                Thread.sleep(20);
                grid = c.browser().connections();
                apps.grid(grid);
            } while (grid.path("appsPending").asBoolean() && System.nanoTime() < end);
            assertThat(grid.has("appsPending")).as(grid.toString()).isFalse();
            Map<String, String> then = new java.util.HashMap<>();
            grid.get("connections").forEach(r -> then.put(URI.create(r.get("url").asText()).getPath(), r.get("app").textValue()));
            assertThat(then).containsEntry("/a", "json").containsEntry("/b", null).containsEntry("/c", "graphql-ws");
            apps.close();
        } finally {
            ui.captures().remove(c);
        }
    }

    @Test
    void aLiveConnectionGetsItsAppWhenItsFirstMessageArrives() throws Exception {
        Path file = dir.resolve("live-echo.wsdb");
        try (dev.wsdebug.capture.store.CaptureStore store = dev.wsdebug.capture.store.CaptureStore.create(file);
             EchoProxy p = new EchoProxy(dev.wsdebug.capture.EventSink.all(store))) {
            OpenCapture live = ui.captures().live(file, "live", "live", store::sync);
            try {
                EchoProxy.Client quiet = p.connect("/later");
                JsonNode before = awaitRow(live, "/later", r -> r.path("result").asText().equals("open"));
                assertThat(before.get("app").isNull()).as(before.toString()).isTrue();
                assertThat(quiet.say("{\"later\":true}")).isEqualTo("{\"later\":true}");
                JsonNode after = awaitRow(live, "/later", r -> r.path("received").path("messages").asLong() == 1);
                assertThat(after.path("app").asText()).as(after.toString()).isEqualTo("json");
                quiet.close();
            } finally {
                ui.captures().remove(live);
            }
        }
    }

    /** The live capture's row of this path once it satisfies {@code ready} (the proxy records on its own threads). */
    static JsonNode awaitRow(OpenCapture live, String path, Predicate<JsonNode> ready) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode row = null;
        while (System.nanoTime() < end) {
            live.sync();
            row = wsRows(ui, live).get(path);
            if (row != null && ready.test(row)) {
                return row;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the row of " + path + " did not come: " + row);
    }
}
