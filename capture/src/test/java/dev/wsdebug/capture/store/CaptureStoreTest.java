package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.TranscriptStyle;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureStoreTest {
    private static final long T0 = 1_700_000_000_000_000L;

    @TempDir
    Path dir;

    /** Live: the conversation feeds a JSON view and the store; replay: the store feeds a JSON view. */
    @Test
    void aReplayShowsExactlyWhatTheLiveViewShowed() throws Exception {
        Path file = dir.resolve("session.wsdb");
        Sessions.Json live = new Sessions.Json();
        ByteArrayOutputStream liveText = new ByteArrayOutputStream();
        TranscriptPrinter liveView = transcript(liveText);
        try (CaptureStore store = CaptureStore.create(file)) {
            EventSink sinks = EventSink.all(live, liveView, store);
            // a whole session in odd-sized chunks, over TLS between two known endpoints
            Conversation a = new Conversation("1", sinks).scheme("wss").endpoints("127.0.0.1:50000", "127.0.0.1:8443");
            long t = Sessions.feed(a, Sessions.full("a"), 7, T0);
            // a connection cut inside a frame, with an error its source reported itself
            Conversation b = new Conversation("2", sinks);
            byte[][] s = Sessions.full("b");
            b.feed(Direction.C2S, t, s[0], 0, 250);
            b.feed(Direction.S2C, t + 1, s[1], 0, s[1].length - 3);
            sinks.accept(new ErrorEvent("2", t + 2, "io", "Connection reset by peer."));
            b.end(t + 3);
            // a refused upgrade
            Conversation c = new Conversation("3", sinks);
            c.feed(Direction.C2S, t + 10, Arrays.copyOf(s[0], 230));
            c.feed(Direction.S2C, t + 11, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            c.end(t + 12);
        }
        assertThat(Files.exists(Path.of(file + "-wal"))).as("a closed capture is one file").isFalse();

        Sessions.Json replayed = new Sessions.Json();
        ByteArrayOutputStream replayText = new ByteArrayOutputStream();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.replay(EventSink.all(replayed, transcript(replayText)));
            assertThat(reader.schemaVersion()).isEqualTo(5);
            assertThat(reader.meta()).containsEntry("schema_version", "5").containsEntry("fts", "fts5")
                    .containsKey("tool_version");
            List<CaptureReader.ConnectionInfo> conns = reader.connections();
            assertThat(conns).extracting(CaptureReader.ConnectionInfo::conn).containsExactly("1", "2", "3");
            CaptureReader.ConnectionInfo first = conns.get(0);
            assertThat(first.url()).isEqualTo("wss://server.example.com/chat?room=a");
            assertThat(first.client()).isEqualTo("127.0.0.1:50000");
            assertThat(first.closeCode()).isEqualTo(1000);
            assertThat(first.closeName()).isEqualTo("Normal Closure");
            assertThat(first.closeClean()).isTrue();
            assertThat(first.frames()).isEqualTo(Sessions.FULL_FRAMES);
            assertThat(first.messages()).isEqualTo(8);
            assertThat(first.rawBytes()).isEqualTo(Sessions.full("a")[0].length + Sessions.full("a")[1].length);
            assertThat(conns.get(1).closeCode()).isEqualTo(1006);
            assertThat(conns).allSatisfy(ci -> assertThat(ci.ended()).isTrue());
        }
        String liveJson = live.text();
        assertThat(liveJson).contains("\"violations\"").contains("\"kind\":\"io\"").contains("\"status\":403")
                .contains("\"compressed\":true");
        assertThat(replayed.text()).isEqualTo(liveJson);
        assertThat(replayText.toString(StandardCharsets.UTF_8)).isEqualTo(liveText.toString(StandardCharsets.UTF_8));
    }

    private static TranscriptPrinter transcript(ByteArrayOutputStream out) {
        return new TranscriptPrinter(new PrintStream(out, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withConn(true).withFrames(true).withHeaders(true));
    }

    @Test
    void eventRowsHoldEveryField() throws Exception {
        Path file = dir.resolve("rows.wsdb");
        try (CaptureStore store = CaptureStore.create(file)) {
            Sessions.feed(new Conversation("9", store), Sessions.full("rows"), 1000, T0);
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT status, subprotocol, deflate, request FROM handshakes WHERE conn = '9'");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(101);
            assertThat(rs.getString(2)).isEqualTo("chat");
            assertThat(rs.getString(3)).contains("\"serverNoContextTakeover\":true");
            assertThat(rs.getString(4)).contains("GET /chat?room=rows HTTP/1.1").contains("[\"Host\",\"server.example.com\"]");
            rs = s.executeQuery("SELECT type, close_code, close_reason, hex(control_payload) FROM frames WHERE opcode = 8 ORDER BY seq");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("close");
            assertThat(rs.getInt(2)).isEqualTo(1000);
            assertThat(rs.getString(3)).isEqualTo("bye rows");
            assertThat(rs.getString(4)).startsWith("03E8");
            rs = s.executeQuery("SELECT violations FROM frames WHERE rsv2 = 1");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("\"rule\":").contains("RFC 6455");
            rs = s.executeQuery("SELECT frames, compressed, utf8, CAST(payload AS TEXT) FROM messages WHERE frames = 3");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(2)).isZero();
            assertThat(rs.getString(3)).isEqualTo("valid");
            assertThat(rs.getString(4)).isEqualTo("{\"part\": 1, \"part\": 2, \"tag\": \"rows\"}");
            rs = s.executeQuery("SELECT count(*), sum(length(bytes)) FROM chunks WHERE conn = '9'");
            assertThat(rs.getInt(2)).isEqualTo(Sessions.full("rows")[0].length + Sessions.full("rows")[1].length);
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            assertThat(reader.searchText("compressed")).singleElement()
                    .satisfies(h -> assertThat(h.dir()).isEqualTo(Direction.C2S));
            assertThat(reader.searchText("\"after the odd\"")).singleElement()
                    .satisfies(h -> assertThat(h.dir()).isEqualTo(Direction.S2C));
            assertThat(reader.searchText("nowhere")).isEmpty();
        }
    }

    @Test
    void payloadsAboveTheCapKeepTheirLengthAndHash() throws Exception {
        Path file = dir.resolve("cap.wsdb");
        byte[] big = new byte[70_000];
        new Random(3).nextBytes(big);
        byte[] bigger = new byte[5_000];
        new Random(4).nextBytes(bigger);
        FrameWriter w = new FrameWriter(new Random(1));
        try (CaptureStore store = new CaptureStore(file, 1000, CaptureStore.DEFAULT_RAW_CAP)) {
            Conversation c = new Conversation("1", store);
            c.assumeWebSocket(null);
            c.feed(Direction.S2C, T0, w.encode(FrameSpec.of(Opcode.BINARY, big)));
            c.feed(Direction.S2C, T0 + 1, w.encode(FrameSpec.of(Opcode.TEXT, "small".getBytes(StandardCharsets.UTF_8))));
            // the live pipeline keeps less (500), but the rows are derived from the raw bytes with the store's cap
            Conversation d = new Conversation("2", store, 500);
            d.assumeWebSocket(null);
            d.feed(Direction.S2C, T0 + 2, w.encode(FrameSpec.of(Opcode.BINARY, bigger)));
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT conn, length, length(payload), payload, truncated, sha256 FROM messages ORDER BY ord")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(2)).isEqualTo(70_000);
            assertThat(rs.getInt(3)).isEqualTo(1000);
            assertThat(rs.getBytes(4)).isEqualTo(Arrays.copyOf(big, 1000));
            assertThat(rs.getInt(5)).isEqualTo(1);
            assertThat(rs.getString(6)).isEqualTo(EventRows.sha256(big));
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(3)).isEqualTo(5);
            assertThat(rs.getInt(5)).isZero();
            assertThat(rs.getString(6)).isNull();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("2");
            assertThat(rs.getInt(3)).isEqualTo(1000);
            assertThat(rs.getInt(5)).isEqualTo(1);
            assertThat(rs.getString(6)).isEqualTo(EventRows.sha256(bigger));
        }
    }

    @Test
    void pastTheRawCapAConnectionIsShownFromItsRowsAndSaysSo() throws Exception {
        Path file = dir.resolve("raw.wsdb");
        Sessions.Json live = new Sessions.Json();
        try (CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, 400)) {
            Conversation c = new Conversation("1", EventSink.all(live, store));
            Sessions.feed(c, Sessions.full("gap"), 64, T0);
        }
        Sessions.Json replayed = new Sessions.Json();
        try (CaptureReader reader = CaptureReader.open(file)) {
            CaptureReader.ConnectionInfo info = reader.connections().get(0);
            assertThat(info.rawBytes()).isLessThanOrEqualTo(400).isGreaterThan(300);
            assertThat(info.rawBytes() + info.rawDropped())
                    .isEqualTo(Sessions.full("gap")[0].length + Sessions.full("gap")[1].length);
            reader.replay(replayed);
        }
        List<String> lines = replayed.text().lines().toList();
        assertThat(lines.get(0)).contains("\"kind\":\"input\"").contains("raw cap").contains("shown as recorded");
        // every event rebuilt from its row exactly as the live view printed it
        assertThat(String.join("\n", lines.subList(1, lines.size())) + "\n").isEqualTo(live.text());
    }

    /** Consecutive reads of one direction share a row, and a replay still feeds them one by one with their own times. */
    @Test
    void mergedReadsKeepTheirBoundariesAndTimes() throws Exception {
        Path file = dir.resolve("merged.wsdb");
        byte[][] s = Sessions.full("merged");
        int requestEnd = new String(s[0], StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        Sessions.Json live = new Sessions.Json();
        int reads = 0;
        try (CaptureStore store = CaptureStore.create(file)) {
            Conversation c = new Conversation("1", EventSink.all(live, store));
            long t = T0;
            c.feed(Direction.C2S, t, s[0], 0, requestEnd);
            reads++;
            for (int d = 1; d >= 0; d--) { // all of the server's bytes, then the rest of the client's, 3 bytes a read
                for (int pos = d == 0 ? requestEnd : 0; pos < s[d].length; pos += 3) {
                    t += (pos % 2 == 0) ? 1_000 : 7; // uneven gaps, so that a wrong split shows in the times
                    c.feed(d == 0 ? Direction.C2S : Direction.S2C, t, s[d], pos, Math.min(3, s[d].length - pos));
                    reads++;
                }
            }
            c.end(t + 1);
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(times) FROM chunks")) {
            assertThat(rs.getInt(1)).as("rows for %d reads", reads).isLessThan(reads / 10);
            assertThat(rs.getInt(2)).isPositive();
        }
        Sessions.Json replayed = new Sessions.Json();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.replay(replayed);
        }
        assertThat(live.text()).contains("\"t\":");
        assertThat(replayed.text()).isEqualTo(live.text());
    }

    /** Wherever the raw cap falls, the replay decodes up to it, says so, then shows the recorded rest. */
    @Test
    void aGapAnywhereReplaysTheDecodedPartThenTheRecordedRest() throws Exception {
        byte[][] s = Sessions.full("sweep");
        int total = s[0].length + s[1].length;
        for (int cap = 100; cap < total; cap += 97) {
            Path file = dir.resolve("sweep-" + cap + ".wsdb");
            Sessions.Json live = new Sessions.Json();
            try (CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, cap)) {
                Sessions.feed(new Conversation("1", EventSink.all(live, store)), s, 13, T0);
            }
            Sessions.Json replayed = new Sessions.Json();
            try (CaptureReader reader = CaptureReader.open(file)) {
                reader.replay(replayed);
            }
            List<String> lines = new ArrayList<>(replayed.text().lines().toList());
            int notice = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("\"kind\":\"input\"") && lines.get(i).contains("raw cap")) {
                    notice = i;
                }
            }
            assertThat(notice).as("cap %d: the notice", cap).isGreaterThanOrEqualTo(0);
            lines.remove(notice);
            assertThat(String.join("\n", lines) + "\n").as("cap %d", cap).isEqualTo(live.text());
        }
    }

    @Test
    void manyThreadsWriteManyConnections() throws Exception {
        Path file = dir.resolve("threads.wsdb");
        int threads = 6;
        int perThread = 20;
        Map<String, Sessions.Json> live = new ConcurrentHashMap<>();
        CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, CaptureStore.DEFAULT_RAW_CAP, 32, 1 << 20);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int id = th;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String conn = id + "-" + i;
                        Sessions.Json json = new Sessions.Json();
                        live.put(conn, json);
                        Sessions.feed(new Conversation(conn, EventSink.all(json, store)), Sessions.full(conn),
                                5 + (i * 7 + id) % 40, T0 + i * 1_000_000L);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
            store.close();
        }
        // bounded: 32 items, and each thread's bookkeeping item (a connection's end) past the bound
        assertThat(store.queueHighWater()).as("the queue stays bounded").isLessThanOrEqualTo(32 + threads);
        assertThat(store.notRecorded()).as("a writer that keeps up loses nothing").isNull();
        try (CaptureReader reader = CaptureReader.open(file)) {
            List<CaptureReader.ConnectionInfo> conns = reader.connections();
            assertThat(conns).hasSize(threads * perThread);
            assertThat(conns).allSatisfy(c -> assertThat(c.frames()).isEqualTo(Sessions.FULL_FRAMES));
            for (String conn : List.of("0-0", "3-7", "5-19")) {
                Sessions.Json replayed = new Sessions.Json();
                reader.replay(conn, replayed);
                assertThat(replayed.text()).as(conn).isEqualTo(live.get(conn).text());
            }
        }
    }

    @Test
    void syncMakesEverythingVisibleToAReaderWhileTheWriterRuns() throws Exception {
        Path file = dir.resolve("live.wsdb");
        try (CaptureStore store = CaptureStore.create(file)) {
            Conversation c = new Conversation("1", store);
            Sessions.feedOnly(c, Sessions.full("open"), 100, T0);
            store.sync();
            Sessions.Json replayed = new Sessions.Json();
            try (CaptureReader reader = CaptureReader.open(file)) {
                assertThat(reader.connections()).singleElement()
                        .satisfies(ci -> assertThat(ci.frames()).isEqualTo(Sessions.FULL_FRAMES));
                reader.replay(replayed);
            }
            assertThat(replayed.text().lines().reduce((a, b) -> b).orElseThrow())
                    .contains("\"kind\":\"input\"").contains("stops before connection 1 ended");
        }
    }

    @Test
    void aFailingWriterNeverBlocksTheTrafficAndSaysWhyOnClose() throws Exception {
        Path file = dir.resolve("broken.wsdb");
        CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, CaptureStore.DEFAULT_RAW_CAP, 4, 1 << 20);
        Sessions.feed(new Conversation("1", store), Sessions.full("one"), 100, T0);
        store.sync();
        store.breakDatabaseForTest();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) { // far more than the queue holds: nobody may wait for a dead writer
            Sessions.feed(new Conversation("x" + i, store), Sessions.full("x" + i), 100, T0);
        }
        assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
        assertThat(store.failure()).startsWith("Writing the capture " + file + " failed: ");
        assertThatThrownBy(store::flush).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("Writing the capture " + file + " failed");
        assertThatThrownBy(store::close).isInstanceOf(java.io.UncheckedIOException.class);
        try (CaptureReader reader = CaptureReader.open(file)) {
            assertThat(reader.connections()).extracting(CaptureReader.ConnectionInfo::conn).containsExactly("1");
        }
    }

    private static final dev.wsdebug.wire.HttpHead GET = new dev.wsdebug.wire.HttpHead("GET /page?x=1 HTTP/1.1",
            List.of(new dev.wsdebug.wire.HttpHead.Header("Host", "h.example"),
                    new dev.wsdebug.wire.HttpHead.Header("Accept", "*/*")), 52);
    private static final dev.wsdebug.wire.HttpHead OK = new dev.wsdebug.wire.HttpHead("HTTP/1.1 200 OK",
            List.of(new dev.wsdebug.wire.HttpHead.Header("Content-Length", "512")), 38);

    /**
     * Plain HTTP exchanges: on a connection of their own (the proxy's), beside a WebSocket's raw bytes
     * (a sniffed connection that fetched something before its upgrade), and without a connection; each
     * replayed where it was in the live view, with every field.
     */
    @Test
    void httpExchangesAreKeptAndReplayedInOrder() throws Exception {
        Path file = dir.resolve("http.wsdb");
        Sessions.Json live = new Sessions.Json();
        try (CaptureStore store = CaptureStore.create(file)) {
            EventSink sinks = EventSink.all(live, store);
            sinks.accept(new dev.wsdebug.capture.HttpEvent("1", T0, "http://h.example/page?x=1", GET, OK, 0, 512, 12_500));
            sinks.accept(new dev.wsdebug.capture.HttpEvent("1", T0 + 20_000, "http://h.example/page?x=1", GET, null, 7, 0,
                    3_000_000));
            Conversation ws = new Conversation("2", sinks);
            sinks.accept(new dev.wsdebug.capture.HttpEvent("2", T0 + 50_000, "http://h.example/page?x=1", GET, OK, 0, 512, 900));
            long t = Sessions.feed(ws, Sessions.full("h"), 64, T0 + 60_000);
            sinks.accept(new dev.wsdebug.capture.HttpEvent(null, t, "CONNECT", "h.example:443", 200,
                    "Connection Established", GET, OK, 10, 20, 30)); // not tied to a connection: last
        }
        Sessions.Json replayed = new Sessions.Json();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.replay(replayed);
            assertThat(reader.connections()).extracting(CaptureReader.ConnectionInfo::conn).containsExactly("1", "2");
            assertThat(reader.connections().get(0).lastMicros()).isEqualTo(T0 + 20_000 + 3_000_000);
        }
        assertThat(live.text()).contains("\"event\":\"http\"").contains("\"durationMs\":12.500")
                .contains("\"response\":null");
        assertThat(replayed.text()).isEqualTo(live.text());
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT conn, method, url, status, reason, request, response,"
                    + " request_body_length, response_body_length, duration_us FROM http ORDER BY ord");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("1");
            assertThat(rs.getString(2)).isEqualTo("GET");
            assertThat(rs.getString(3)).isEqualTo("http://h.example/page?x=1");
            assertThat(rs.getInt(4)).isEqualTo(200);
            assertThat(rs.getString(5)).isEqualTo("OK");
            assertThat(rs.getString(6)).isEqualTo("{\"startLine\":\"GET /page?x=1 HTTP/1.1\",\"headers\":[[\"Host\","
                    + "\"h.example\"],[\"Accept\",\"*/*\"]],\"length\":52}");
            assertThat(rs.getString(7)).contains("HTTP/1.1 200 OK");
            assertThat(rs.getLong(8)).isZero();
            assertThat(rs.getLong(9)).isEqualTo(512);
            assertThat(rs.getLong(10)).isEqualTo(12_500);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(4)).isEqualTo(-1);
            assertThat(rs.getString(7)).isNull();
        }
    }

    /**
     * Version 4, 3 and 2 captures (no handshakes.stream; 3 no flow table; 2 no http table either) are read as before,
     * whether a connection is decoded again (1) or shown from its rows (2, no raw bytes).
     */
    @Test
    void aVersion4To2CaptureIsReadAsBefore() throws Exception {
        Map<Integer, List<String>> tablesAdded = Map.of(4, List.of(), 3, List.of("flow"), 2, List.of("flow", "http"));
        for (int version : new int[] {4, 3, 2}) {
            Path file = dir.resolve("v" + version + ".wsdb");
            Sessions.Json live = new Sessions.Json();
            try (CaptureStore store = CaptureStore.create(file)) {
                long t = Sessions.feed(new Conversation("1", EventSink.all(live, store)), Sessions.full("old"), 100, T0);
                EventSink eventsOnly = e -> EventSink.all(live, store).accept(e);
                Sessions.feed(new Conversation("2", eventsOnly), Sessions.full("rows"), 100, t);
            }
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
                for (String table : tablesAdded.get(version)) {
                    s.executeUpdate("DROP TABLE " + table);
                }
                s.executeUpdate("ALTER TABLE handshakes DROP COLUMN stream"); // added in version 5
                s.executeUpdate("UPDATE meta SET value = '" + version + "' WHERE key = 'schema_version'");
            }
            Sessions.Json replayed = new Sessions.Json();
            try (CaptureReader reader = CaptureReader.open(file)) {
                assertThat(reader.schemaVersion()).isEqualTo(version);
                reader.replay(replayed);
                // the web UI's grid reads the same file
                assertThat(new CaptureBrowser(reader).connections().path("connections").size()).as("version %d", version)
                        .isEqualTo(2);
            }
            List<String> lines = new ArrayList<>(replayed.text().lines().toList());
            assertThat(lines.removeIf(l -> l.contains("no raw bytes of connection 2"))).isTrue();
            assertThat(String.join("\n", lines) + "\n").as("version %d", version).isEqualTo(live.text());
        }
    }

    @Test
    void aNewerSchemaIsRefusedWithOneSentence() throws Exception {
        Path file = dir.resolve("newer.wsdb");
        CaptureStore.create(file).close();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            s.executeUpdate("UPDATE meta SET value = '6' WHERE key = 'schema_version'");
        }
        assertThatThrownBy(() -> CaptureReader.open(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + " was written by a newer wsdebug (capture schema 6; this one reads up to 5):"
                        + " update wsdebug to read it.");
    }

    @Test
    void otherFilesAreRefusedWithOneSentence() throws Exception {
        Path garbage = dir.resolve("garbage.wsdb");
        Files.writeString(garbage, "this is not a database, just some text that is long enough");
        assertThatThrownBy(() -> CaptureReader.open(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(garbage + " is not a wsdebug capture: it is not an SQLite database.");

        Path empty = dir.resolve("empty.wsdb");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> CaptureReader.open(empty)).hasMessageContaining("not an SQLite database");

        Path other = dir.resolve("other.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE t (x)");
        }
        assertThatThrownBy(() -> CaptureReader.open(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(other + " is an SQLite database but not a wsdebug capture.");

        Path damaged = dir.resolve("damaged.wsdb");
        byte[] header = Arrays.copyOf(Schema.SQLITE_MAGIC.getBytes(StandardCharsets.ISO_8859_1), 4096);
        Arrays.fill(header, 16, header.length, (byte) 0x5a);
        Files.write(damaged, header);
        assertThatThrownBy(() -> CaptureReader.open(damaged)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a wsdebug capture");

        assertThatThrownBy(() -> CaptureReader.open(dir.resolve("missing.wsdb")))
                .hasMessage("Cannot read " + dir.resolve("missing.wsdb") + ": no such file.");
    }

    @Test
    void aCaptureIsReplacedButNoOtherFile() throws Exception {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "precious");
        assertThatThrownBy(() -> CaptureStore.create(notes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(notes + " exists and is not a wsdebug capture; not overwriting it.");
        assertThat(Files.readString(notes)).isEqualTo("precious");

        Path file = dir.resolve("again.wsdb");
        try (CaptureStore store = CaptureStore.create(file)) {
            Sessions.feed(new Conversation("old", store), Sessions.full("old"), 1000, T0);
        }
        try (CaptureStore store = CaptureStore.create(file)) {
            Sessions.feed(new Conversation("new", store), Sessions.full("new"), 1000, T0);
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            assertThat(reader.connections()).extracting(CaptureReader.ConnectionInfo::conn).containsExactly("new");
        }
        assertThatThrownBy(() -> CaptureStore.create(dir.resolve("no/such/dir/x.wsdb")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Cannot create the capture");
    }
}
