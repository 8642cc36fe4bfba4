package dev.wsdebug.capture.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The queries of the web UI over one capture store: the connections grid, pages of a connection's
 * messages and control frames, one item in full, its wire bytes, a connection's timeline counted
 * by the database, and full-text search. Answers are the JSON of {@code docs/UI-API.md}; events
 * are rendered by {@link JsonLinesSink}, so a field means what it means in the JSON Lines schema.
 *
 * <p>One database connection: calls are serialised.
 */
public final class CaptureBrowser implements AutoCloseable {
    /** Times stay exact decimals (as the JSON Lines write them), never doubles in exponent form. */
    public static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();
    /** For callers building answers beside these. */
    public static final com.fasterxml.jackson.databind.node.JsonNodeFactory JSON_FACTORY = JSON.getNodeFactory();
    /** Most grid rows returned. */
    public static final int MAX_ROWS = 20_000;
    /** Most rows a text filter looks at in one request. */
    public static final int SCAN_LIMIT = 200_000;
    private static final int PREVIEW_CHARS = 160;

    private final CaptureReader reader;
    private final Connection db;

    public CaptureBrowser(CaptureReader reader) {
        this.reader = reader;
        this.db = reader.db();
    }

    /**
     * Whether the capture is complete (a file, not a live source's store): then what is counted over
     * all of it (per-connection totals, timelines) is computed once and kept.
     */
    private boolean fixed;
    private Map<String, long[]> countsKept;
    private final Map<String, ObjectNode> timelinesKept = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> e) {
            return size() > 32;
        }
    };

    public CaptureBrowser fixed(boolean f) {
        fixed = f;
        return this;
    }

    public CaptureReader reader() {
        return reader;
    }

    /** Whether the capture has a full-text index of its text messages. */
    public boolean searchable() {
        return "fts5".equals(reader.meta().get("fts"));
    }

    // ---- connections grid -------------------------------------------------------------------

    /** How many connections the capture holds. */
    public synchronized int connectionCount() {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM connections")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The grid: one row per WebSocket connection and per plain HTTP exchange, in start order. */
    public synchronized ObjectNode connections() {
        try {
            Map<String, long[]> counts = directionCounts();
            List<ObjectNode> rows = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement(connectionRow() + " ORDER BY c.first_t, c.conn LIMIT ?")) {
                ps.setInt(1, MAX_ROWS + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode row = connectionRow(rs, counts);
                        if (row != null) {
                            rows.add(row);
                        }
                    }
                }
            }
            if (reader.schemaVersion() >= 3) {
                try (PreparedStatement ps = db.prepareStatement(CaptureReader.HTTP_COLUMNS + " ORDER BY t, ord LIMIT ?")) {
                    ps.setInt(1, MAX_ROWS + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(httpRow(rs));
                        }
                    }
                }
            }
            rows.sort((a, b) -> a.path("t").decimalValue().compareTo(b.path("t").decimalValue()));
            boolean truncated = rows.size() > MAX_ROWS;
            ObjectNode out = JSON.createObjectNode();
            ArrayNode arr = out.putArray("connections");
            int n = 0;
            for (ObjectNode r : rows) {
                if (n == MAX_ROWS) {
                    break;
                }
                r.put("n", ++n);
                arr.add(r);
            }
            out.put("total", rows.size());
            out.put("truncated", truncated);
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The grid row's columns; files older than schema 3 have no http table (and no exchanges to count). */
    private String connectionRow() {
        return "SELECT c.conn, c.first_t, c.last_t, c.ended_t, c.url, c.client,"
                + " c.server, c.close_code, c.close_name, c.close_reason, c.close_on_wire, c.close_initiator, c.close_clean,"
                + " c.assumed, h.status, h.upgraded, h.valid, h.subprotocol, h.extensions, h.transport, h.request, h.url,"
                + " (SELECT count(*) FROM frames f WHERE f.conn = c.conn),"
                + (reader.schemaVersion() >= 3 ? " (SELECT count(*) FROM http x WHERE x.conn = c.conn)," : " 0,")
                + " c.close_t FROM connections c"
                + " LEFT JOIN handshakes h ON h.ord = (SELECT min(ord) FROM handshakes WHERE conn = c.conn)";
    }

    /** Per connection: messages and payload bytes client-to-server, then server-to-client. */
    private Map<String, long[]> directionCounts() throws SQLException {
        if (fixed && countsKept != null) {
            return countsKept;
        }
        Map<String, long[]> out = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT conn, dir, count(*), total(wire_length) FROM messages GROUP BY conn, dir")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] c = out.computeIfAbsent(rs.getString(1), k -> new long[4]);
                    int i = Direction.fromId(rs.getString(2)) == Direction.C2S ? 0 : 2;
                    c[i] = rs.getLong(3);
                    c[i + 1] = (long) rs.getDouble(4);
                }
            }
        }
        if (fixed) {
            countsKept = out;
        }
        return out;
    }

    private ObjectNode connectionRow(ResultSet rs, Map<String, long[]> counts) throws SQLException {
        String conn = rs.getString(1);
        boolean hasHandshake = rs.getObject(16) != null;
        long frames = rs.getLong(23);
        long httpRows = rs.getLong(24);
        if (!hasHandshake && frames == 0 && httpRows > 0) {
            return null; // only plain HTTP on it: its exchanges are rows of their own
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("conn", conn);
        long first = rs.getLong(2);
        r.put("t", seconds(first));
        r.put("kind", "ws");
        String request = rs.getString(21);
        r.put("method", hasHandshake ? method(request) : null);
        String url = rs.getString(22) != null ? rs.getString(22) : rs.getString(5);
        r.put("url", url);
        r.set("status", hasHandshake && rs.getObject(15) != null ? JSON.getNodeFactory().numberNode(rs.getInt(15)) : null);
        r.put("protocol", url != null && url.startsWith("wss:") ? "WSS" : "WS");
        r.put("transport", rs.getString(20));
        r.put("subprotocol", rs.getString(18));
        r.put("compression", rs.getString(19));
        long[] c = counts.getOrDefault(conn, new long[4]);
        ObjectNode sent = r.putObject("sent");
        sent.put("messages", c[0]);
        sent.put("bytes", c[1]);
        ObjectNode received = r.putObject("received");
        received.put("messages", c[2]);
        received.put("bytes", c[3]);
        Long ended = CaptureReader.longOrNull(rs, 4);
        long last = ended != null ? ended : rs.getLong(3);
        r.put("durationMs", (last - first) / 1000.0);
        Integer code = CaptureReader.intOrNull(rs, 8);
        Long closeT = CaptureReader.longOrNull(rs, 25);
        if (code != null || closeT != null) {
            ObjectNode close = r.putObject("close");
            close.put("code", code);
            close.put("name", rs.getString(9));
            close.put("reason", rs.getString(10));
            close.put("onWire", rs.getInt(11) != 0);
            close.put("initiator", rs.getString(12));
            close.put("clean", rs.getInt(13) != 0);
        } else {
            r.putNull("close");
        }
        Boolean upgraded = CaptureReader.boolOrNull(rs, 16);
        String result;
        if (hasHandshake && !Boolean.TRUE.equals(upgraded)) { // an invalid but switched handshake still carried frames
            result = "failed";
        } else if (code != null || closeT != null) {
            result = rs.getInt(13) != 0 ? "clean" : "abnormal";
        } else {
            result = ended != null ? "abnormal" : "open";
        }
        r.put("result", result);
        r.put("client", rs.getString(6));
        r.put("server", rs.getString(7));
        r.put("source", rs.getString(14) != null ? "mid-stream" : "har".equals(rs.getString(20)) ? "har" : null);
        r.put("injectable", false);
        return r;
    }

    /** Row id of a plain HTTP exchange in the grid (its own namespace: several share a connection). */
    public static final String HTTP_PREFIX = "http-";

    private static ObjectNode httpRow(ResultSet rs) throws SQLException {
        ObjectNode r = JSON.createObjectNode();
        r.put("conn", HTTP_PREFIX + rs.getLong(1));
        r.put("t", seconds(rs.getLong(3)));
        r.put("kind", "http");
        r.put("method", rs.getString(4));
        String url = rs.getString(5);
        r.put("url", url);
        r.put("status", rs.getInt(6));
        r.put("protocol", url != null && url.startsWith("https:") ? "HTTPS" : "HTTP");
        r.putNull("transport");
        r.putNull("subprotocol");
        r.putNull("compression");
        ObjectNode sent = r.putObject("sent");
        sent.put("messages", 0);
        sent.put("bytes", rs.getLong(10));
        ObjectNode received = r.putObject("received");
        received.put("messages", 0);
        received.put("bytes", rs.getLong(11));
        r.put("durationMs", rs.getLong(12) / 1000.0);
        r.putNull("close");
        r.put("result", "http");
        r.putNull("client");
        r.putNull("server");
        r.putNull("source");
        r.put("injectable", false);
        r.put("httpConn", rs.getString(2));
        return r;
    }

    private static String method(String requestJson) {
        if (requestJson == null) {
            return null;
        }
        var head = Codec.head(requestJson);
        if (head == null || head.startLine() == null) {
            return null;
        }
        int sp = head.startLine().indexOf(' ');
        return sp > 0 ? head.startLine().substring(0, sp) : head.startLine();
    }

    /**
     * One grid row with the connection's handshake, close card and errors; null when there is no
     * such connection.
     */
    public synchronized ObjectNode connection(String conn) {
        try {
            if (conn.startsWith(HTTP_PREFIX)) {
                return httpExchange(conn);
            }
            ObjectNode row = null;
            try (PreparedStatement ps = db.prepareStatement(connectionRow() + " WHERE c.conn = ?")) {
                ps.setString(1, conn);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Map<String, long[]> counts = new HashMap<>();
                        counts.put(conn, countsOf(conn));
                        ObjectNode r = connectionRow(rs, counts);
                        row = r;
                        if (row == null) { // a connection of plain HTTP only: shown as such, with no frames
                            row = JSON.createObjectNode();
                            row.put("conn", conn);
                            row.put("kind", "http");
                        }
                    }
                }
            }
            if (row == null) {
                return null;
            }
            HandshakeEvent h = firstHandshake(conn);
            row.set("handshake", h == null ? null : HandshakeJson.of(render(h), h));
            row.set("deflate", h == null || h.result() == null || h.result().deflate() == null ? null
                    : directions(h.result().deflate()));
            ArrayNode errors = row.putArray("errors");
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT t, kind, message FROM errors WHERE conn = ? AND kind <> ? ORDER BY ord LIMIT 200")) {
                ps.setString(1, conn);
                ps.setString(2, CaptureStore.KIND);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode e = errors.addObject();
                        e.put("t", seconds(rs.getLong(1)));
                        e.put("kind", rs.getString(2));
                        e.put("message", rs.getString(3));
                    }
                }
            }
            row.put("closeCard", CloseCard.sentence(row));
            return row;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private long[] countsOf(String conn) throws SQLException {
        long[] c = new long[4];
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT dir, count(*), total(wire_length) FROM messages WHERE conn = ? GROUP BY dir")) {
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = Direction.fromId(rs.getString(1)) == Direction.C2S ? 0 : 2;
                    c[i] = rs.getLong(2);
                    c[i + 1] = (long) rs.getDouble(3);
                }
            }
        }
        return c;
    }

    private ObjectNode httpExchange(String id) throws SQLException {
        long ord;
        try {
            ord = Long.parseLong(id.substring(HTTP_PREFIX.length()));
        } catch (NumberFormatException e) {
            return null;
        }
        try (PreparedStatement ps = db.prepareStatement(CaptureReader.HTTP_COLUMNS + " WHERE ord = ?")) {
            ps.setLong(1, ord);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                ObjectNode row = httpRow(rs);
                row.set("http", render(CaptureReader.http(rs)));
                row.putNull("handshake");
                row.putNull("deflate");
                row.putArray("errors");
                row.put("closeCard", CloseCard.sentence(row));
                return row;
            }
        }
    }

    private HandshakeEvent firstHandshake(String conn) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(reader.handshakeColumns() + " WHERE conn = ? ORDER BY ord LIMIT 1")) {
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? CaptureReader.handshake(rs) : null;
            }
        }
    }

    /**
     * The connection's first handshake, or null (none recorded: a capture that started mid-stream).
     * What a payload decoder chooses its protocol by (subprotocol, URL).
     */
    public synchronized HandshakeEvent handshake(String conn) {
        try {
            return firstHandshake(conn);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Up to {@code limit} of the connection's messages after {@code afterSeq}, in wire order (both
     * directions): what stateful payload decoders read in turn. Small batches keep this browser free
     * for other requests between them.
     */
    public synchronized List<MessageEvent> messages(String conn, long afterSeq, int limit) {
        List<MessageEvent> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(CaptureReader.MESSAGE_COLUMNS
                + " WHERE conn = ? AND seq > ? ORDER BY seq LIMIT ?")) {
            ps.setString(1, conn);
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(CaptureReader.message(rs));
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return out;
    }

    private static ObjectNode directions(DeflateParams d) {
        ObjectNode out = JSON.createObjectNode();
        for (Direction dir : Direction.values()) {
            ObjectNode p = out.putObject(dir.id());
            p.put("noContextTakeover", d.noContextTakeover(dir));
            p.put("maxWindowBits", d.windowBits(dir));
        }
        return out;
    }

    // ---- messages pane ----------------------------------------------------------------------

    /** What the messages pane asks for. */
    public record ItemFilter(Direction dir, String show, boolean pings, Predicate<String> text) {
        public static ItemFilter all() {
            return new ItemFilter(null, "all", true, null);
        }
    }

    /** A page of messages and control frames after {@code afterSeq} (-1: from the start). */
    public synchronized ObjectNode items(String conn, long afterSeq, int limit, ItemFilter filter) {
        return items(conn, afterSeq, limit, filter, 0);
    }

    /** The place of the row after {@code afterSeq} in the filtered list (rows up to and with it). */
    public synchronized long position(String conn, long afterSeq, ItemFilter f) {
        if (afterSeq < 0) {
            return 0;
        }
        String dir = f.dir() != null ? " AND dir = ?" : "";
        String messages = "SELECT count(*) FROM messages WHERE conn = ? AND seq <= ?" + dir;
        String controls = "SELECT count(*) FROM frames WHERE conn = ? AND seq <= ? AND opcode >= 8" + dir
                + (f.pings() ? "" : " AND opcode NOT IN (9, 10)");
        long n = 0;
        try {
            for (String sql : f.show().equals("data") ? List.of(messages) : f.show().equals("control") ? List.of(controls)
                    : List.of(messages, controls)) {
                try (PreparedStatement ps = db.prepareStatement(sql)) {
                    ps.setString(1, conn);
                    ps.setLong(2, afterSeq);
                    if (f.dir() != null) {
                        ps.setString(3, f.dir().id());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        n += rs.next() ? rs.getLong(1) : 0;
                    }
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return n;
    }

    /**
     * The frame sequence number just before a time: a page asked for with it as {@code after}
     * starts at the first row at or after that time. -1 when nothing came before it.
     */
    public synchronized long seqBefore(String conn, long atMicros) {
        try (PreparedStatement ps = db.prepareStatement("SELECT max(seq) FROM frames WHERE conn = ? AND t < ?")) {
            ps.setString(1, conn);
            ps.setLong(2, atMicros);
            try (ResultSet rs = ps.executeQuery()) {
                long v = rs.next() ? rs.getLong(1) : -1;
                return rs.wasNull() ? -1 : v;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * A page of rows after {@code afterSeq}, leaving out the first {@code skip} of them (a jump to a
     * row by its place in the filtered list; not with a text filter, whose rows are found by scanning).
     */
    public synchronized ObjectNode items(String conn, long afterSeq, int limit, ItemFilter filter, long skip) {
        try {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode items = out.putArray("items");
            java.util.Set<Long> injected = injectedSeqs(conn);
            Map<Long, java.util.Set<String>> messageViolations = new HashMap<>();
            String sql = itemsSql(filter, filter.text != null);
            int scanned = 0;
            long lastSeq = afterSeq;
            boolean more = false;
            try (PreparedStatement ps = db.prepareStatement(sql + " ORDER BY 1 LIMIT ? OFFSET ?")) {
                int i = bind(ps, conn, afterSeq, filter);
                ps.setInt(i++, filter.text != null ? SCAN_LIMIT + 1 : limit + 1);
                ps.setLong(i, filter.text != null ? 0 : Math.max(0, skip));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (filter.text != null && scanned == SCAN_LIMIT || items.size() == limit) {
                            more = true;
                            break;
                        }
                        scanned++;
                        lastSeq = rs.getLong(1);
                        byte[] payload = rs.getBytes(12);
                        String type = rs.getString(5);
                        if (filter.text != null) {
                            boolean text = "text".equals(type) || rs.getInt(6) >= 8;
                            if (!text || payload == null
                                    || !filter.text.test(new String(payload, StandardCharsets.UTF_8))) {
                                continue;
                            }
                        }
                        ObjectNode row = itemRow(rs, payload);
                        row.put("injected", injected.contains(row.get("seq").asLong()));
                        items.add(row);
                        if ("message".equals(rs.getString(4))) {
                            java.util.Set<String> keys = new java.util.HashSet<>();
                            Codec.violations(rs.getString(15)).forEach(v -> keys.add(v.rule() + "@" + v.offset()));
                            messageViolations.put(row.get("seq").asLong(), keys);
                        }
                    }
                }
            }
            // from the first row returned: frames of rows a skip left out must not count on this page's messages
            long from = items.isEmpty() ? afterSeq : Math.max(afterSeq, items.get(0).get("seq").asLong() - 1);
            addFrameViolations(conn, from, lastSeq, items, messageViolations);
            out.put("next", more ? String.valueOf(lastSeq) : null);
            out.put("total", count(conn, filter));
            out.put("scanned", scanned);
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Counts the violations of a message's data frames on the message's row (a reserved bit, a
     * non-minimal length are found on frames; the list flags the message that carried them).
     */
    private void addFrameViolations(String conn, long afterSeq, long lastSeq, ArrayNode items,
                                    Map<Long, java.util.Set<String>> messageViolations) throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, dir, violations FROM frames WHERE conn = ?"
                + " AND seq > ? AND seq <= ? AND opcode < 8 AND violations IS NOT NULL ORDER BY seq")) {
            ps.setString(1, conn);
            ps.setLong(2, afterSeq);
            ps.setLong(3, lastSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    String dir = rs.getString(2);
                    for (JsonNode i : items) { // the message this frame belongs to: the next of its direction
                        if (i.get("kind").asText().equals("message") && i.get("dir").asText().equals(dir)
                                && i.get("seq").asLong() >= seq) {
                            // a violation the assembler found is on the frame and the message: counted once
                            java.util.Set<String> keys = messageViolations.get(i.get("seq").asLong());
                            int added = 0;
                            for (var v : Codec.violations(rs.getString(3))) {
                                if (keys == null || keys.add(v.rule() + "@" + v.offset())) {
                                    added++;
                                }
                            }
                            ((ObjectNode) i).put("violations", i.get("violations").asInt() + added);
                            break;
                        }
                    }
                }
            }
        }
    }

    /** Error kind of the note a live proxy records just before a frame injected from the UI. */
    public static final String INJECT_KIND = "inject";

    /**
     * The frames injected into a connection: for each inject note, the first frame of its direction
     * recorded at or after it (the note names the direction: "toward the server" or "the client").
     */
    private java.util.Set<Long> injectedSeqs(String conn) throws SQLException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        List<Object[]> notes = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT t, message FROM errors WHERE conn = ? AND kind = ?")) {
            ps.setString(1, conn);
            ps.setString(2, INJECT_KIND);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    notes.add(new Object[]{rs.getLong(1), rs.getString(2).contains("toward the server") ? "c2s" : "s2c"});
                }
            }
        }
        for (Object[] n : notes) {
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT seq FROM frames WHERE conn = ? AND dir = ? AND t >= ? ORDER BY seq LIMIT 1")) {
                ps.setString(1, conn);
                ps.setString(2, (String) n[1]);
                ps.setLong(3, (Long) n[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    private static String itemsSql(ItemFilter f, boolean fullPayload) {
        String payload = fullPayload ? "payload" : "substr(payload, 1, 480)";
        String messages = "SELECT seq, t, dir, 'message', type, opcode, wire_length, length, frames, compressed, truncated, "
                + payload + ", NULL, NULL, violations FROM messages WHERE conn = ? AND seq > ?"
                + (f.dir != null ? " AND dir = ?" : "");
        String controls = "SELECT seq, t, dir, 'frame', type, opcode, payload_length, payload_length, 1, 0, 0,"
                + " control_payload, close_code, close_reason, violations FROM frames WHERE conn = ? AND seq > ?"
                + " AND opcode >= 8" + (f.dir != null ? " AND dir = ?" : "") + (f.pings ? "" : " AND opcode NOT IN (9, 10)");
        return switch (f.show) {
            case "data" -> messages;
            case "control" -> controls;
            default -> messages + " UNION ALL " + controls;
        };
    }

    private static int bind(PreparedStatement ps, String conn, long afterSeq, ItemFilter f) throws SQLException {
        int i = 1;
        int parts = f.show.equals("all") ? 2 : 1;
        for (int p = 0; p < parts; p++) {
            ps.setString(i++, conn);
            ps.setLong(i++, afterSeq);
            if (f.dir != null) {
                ps.setString(i++, f.dir.id());
            }
        }
        return i;
    }

    private final Map<String, Long> countsByFilter = new HashMap<>();

    private long count(String conn, ItemFilter f) throws SQLException {
        String key = conn + "/" + f.dir + "/" + f.show + "/" + f.pings;
        Long kept = fixed ? countsByFilter.get(key) : null;
        if (kept != null) {
            return kept;
        }
        long n = countNow(conn, f);
        if (fixed) {
            countsByFilter.put(key, n);
        }
        return n;
    }

    private long countNow(String conn, ItemFilter f) throws SQLException {
        String sql = itemsSql(f, false).replaceAll("SELECT seq, t, dir, '(message|frame)', .*? FROM", "SELECT 1 FROM");
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM (" + sql + ")")) {
            bind(ps, conn, -1, f);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static ObjectNode itemRow(ResultSet rs, byte[] payload) throws SQLException {
        ObjectNode r = JSON.createObjectNode();
        r.put("seq", rs.getLong(1));
        r.put("t", seconds(rs.getLong(2)));
        r.put("dir", rs.getString(3));
        r.put("kind", rs.getString(4));
        String type = rs.getString(5);
        int opcode = rs.getInt(6);
        r.put("type", type);
        r.put("opcode", opcode);
        r.put("wireLength", rs.getLong(7));
        r.put("length", rs.getLong(8));
        r.put("frames", rs.getInt(9));
        r.put("compressed", rs.getInt(10) != 0);
        r.put("truncated", rs.getInt(11) != 0);
        Integer code = CaptureReader.intOrNull(rs, 13);
        r.put("closeCode", code);
        r.put("closeName", code == null ? null : CloseCodes.name(code));
        r.put("preview", preview(type, opcode, payload, code, rs.getString(14)));
        r.put("violations", Codec.violations(rs.getString(15)).size());
        r.put("injected", false);
        return r;
    }

    static String preview(String type, int opcode, byte[] payload, Integer closeCode, String closeReason) {
        if (closeCode != null) {
            String name = CloseCodes.name(closeCode);
            return closeCode + (name != null ? " " + name : "")
                    + (closeReason != null && !closeReason.isEmpty() ? ": " + oneLine(closeReason) : "");
        }
        if (payload == null || payload.length == 0) {
            return "";
        }
        if ("text".equals(type) || opcode == 9 || opcode == 10) {
            String s = new String(payload, 0, Math.min(payload.length, PREVIEW_CHARS * 3), StandardCharsets.UTF_8);
            if ("text".equals(type) || printable(s)) {
                return oneLine(s.length() > PREVIEW_CHARS ? s.substring(0, PREVIEW_CHARS) : s);
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(payload.length, 48); i++) {
            hex.append(String.format("%02x", payload[i])).append(i % 2 == 1 ? " " : "");
        }
        return hex.toString().trim() + (payload.length > 48 ? " …" : "");
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd || c == '\t' || c == '\n' || c == '\r');
    }

    private static String oneLine(String s) {
        return s.replace("\r\n", "⏎").replace('\n', '⏎').replace('\r', '⏎');
    }

    /** One message or control frame in full, or null when the connection has none with that seq. */
    public synchronized ObjectNode item(String conn, long seq) {
        try {
            MessageEvent m = one(CaptureReader.MESSAGE_COLUMNS + " WHERE conn = ? AND seq = ?", conn, seq,
                    CaptureReader::message);
            List<FrameEvent> frames = new ArrayList<>();
            ObjectNode out;
            if (m != null) {
                out = (ObjectNode) render(m);
                out.put("kind", "message");
                out.put("opcode", m.message().opcode());
                out.put("base64", Base64.getEncoder().encodeToString(m.message().payload()));
                out.put("missing", m.message().missing());
                // backwards from the message's last frame to its first (by stream offset): the (conn, seq)
                // index then reads a few rows, wherever the message is in a long connection
                try (PreparedStatement ps = db.prepareStatement(CaptureReader.FRAME_COLUMNS
                        + " WHERE conn = ? AND seq <= ? ORDER BY seq DESC")) {
                    ps.setString(1, conn);
                    ps.setLong(2, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (!m.dir().id().equals(rs.getString(4))) {
                                continue;
                            }
                            if (rs.getLong(6) < m.message().firstOffset()) {
                                break;
                            }
                            if (rs.getInt(11) < 8) {
                                frames.add(0, CaptureReader.frame(rs));
                            }
                        }
                    }
                }
                HandshakeEvent h = firstHandshake(conn);
                DeflateParams d = h == null || h.result() == null ? null : h.result().deflate();
                out.set("deflate", d == null ? null : directions(d).get(m.dir().id()));
                out.putNull("close");
            } else {
                FrameEvent f = one(CaptureReader.FRAME_COLUMNS + " WHERE conn = ? AND seq = ?", conn, seq,
                        CaptureReader::frame);
                if (f == null) {
                    return null;
                }
                frames.add(f);
                out = JSON.createObjectNode();
                out.put("event", "frame");
                out.put("conn", conn);
                out.put("t", seconds(f.timeMicros()));
                out.put("dir", f.dir().id());
                out.put("seq", seq);
                out.put("kind", "frame");
                out.put("type", f.frame().type());
                out.put("opcode", f.frame().opcode());
                out.put("frames", 1);
                out.put("compressed", false);
                out.put("wireLength", f.frame().payloadLength());
                out.put("length", f.frame().payloadLength());
                out.put("truncated", false);
                byte[] p = f.frame().controlPayload();
                out.put("base64", p == null ? "" : Base64.getEncoder().encodeToString(p));
                out.put("text", p == null ? null : new String(p, StandardCharsets.UTF_8));
                out.putNull("deflate");
                int code = f.frame().closeCode();
                if (f.frame().opcode() == 8) {
                    ObjectNode close = out.putObject("close");
                    int shown = code >= 0 ? code : CloseCodes.NO_STATUS_RECEIVED;
                    close.put("code", shown);
                    close.put("name", CloseCodes.name(shown));
                    close.put("reason", code >= 0 ? f.frame().closeReason() : "");
                    close.put("meaning", CloseCodes.meaning(shown));
                    close.put("neverOnWire", CloseCodes.isLocalOnly(shown));
                    close.put("onWire", code >= 0);
                } else {
                    out.putNull("close");
                }
                out.set("violations", render(f).path("violations").isMissingNode()
                        ? JSON.createArrayNode() : render(f).get("violations"));
            }
            if (!out.has("violations")) {
                out.putArray("violations");
            }
            ArrayNode list = out.putArray("frameList");
            long first = -1;
            long end = -1;
            Direction dir = null;
            for (FrameEvent f : frames) {
                ObjectNode j = (ObjectNode) render(f);
                j.put("offset", f.frame().offset());
                if (!j.has("maskKey")) {
                    j.putNull("maskKey");
                }
                list.add(j);
                if (first < 0) {
                    first = f.frame().offset();
                }
                end = f.frame().offset() + f.frame().headerLength() + f.frame().payloadLength();
                dir = f.dir();
            }
            if (m != null) { // the message's list holds its frames' violations too (each once)
                ArrayNode vs = (ArrayNode) out.get("violations");
                java.util.Set<String> keys = new java.util.HashSet<>();
                vs.forEach(v -> keys.add(v.path("rule").asText() + "@" + v.path("offset").asText()));
                for (JsonNode f : list) {
                    for (JsonNode v : f.path("violations")) {
                        if (keys.add(v.path("rule").asText() + "@" + v.path("offset").asText())) {
                            vs.add(v.deepCopy());
                        }
                    }
                }
            }
            out.put("raw", dir != null && rawStored(conn) && end - first <= RAW_LIMIT);
            out.put("injected", injectedSeqs(conn).contains(seq));
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Most wire bytes the raw view hands over for one item. */
    public static final long RAW_LIMIT = 16L * 1024 * 1024;

    private boolean rawStored(String conn) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT raw_bytes FROM connections WHERE conn = ?")) {
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    /**
     * The exact wire bytes of an item's frames (headers included, masked as sent), or null when the
     * capture did not keep them.
     */
    public synchronized byte[] raw(String conn, long seq) {
        ObjectNode item = item(conn, seq);
        if (item == null || !item.path("raw").asBoolean()) {
            return null;
        }
        JsonNode frames = item.get("frameList");
        JsonNode firstFrame = frames.get(0);
        JsonNode lastFrame = frames.get(frames.size() - 1);
        long from = firstFrame.get("offset").asLong();
        long to = lastFrame.get("offset").asLong() + lastFrame.get("headerLength").asLong()
                + lastFrame.get("payloadLength").asLong();
        try {
            return new RawFrames(db, conn).slice(Direction.fromId(item.get("dir").asText()), from, to);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    // ---- timeline ---------------------------------------------------------------------------

    /** A connection's activity counted into {@code buckets} time slices, with pings, gaps and the close. */
    public synchronized ObjectNode timeline(String conn, int buckets) {
        try {
            String key = conn + "/" + buckets;
            ObjectNode kept = fixed ? timelinesKept.get(key) : null;
            if (kept != null) {
                return kept.deepCopy();
            }
            ObjectNode t = new TimelineQuery(db, conn).run(buckets);
            if (fixed && t != null) {
                timelinesKept.put(key, t.deepCopy());
            }
            return t;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    // ---- search -----------------------------------------------------------------------------

    /**
     * Text messages of every connection matching a full-text query.
     *
     * @throws IllegalStateException    when the capture has no text index
     * @throws IllegalArgumentException when the query is not valid FTS5 syntax
     */
    public synchronized ObjectNode search(String query, int limit) {
        if (!searchable()) {
            throw new IllegalStateException("This capture has no full-text index (it was written without one).");
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode hits = out.putArray("hits");
        boolean more = false;
        try (PreparedStatement ps = db.prepareStatement("SELECT m.conn, m.seq, m.dir, m.t, substr(m.payload, 1, 480)"
                + " FROM message_text x JOIN messages m ON m.ord = x.rowid WHERE message_text MATCH ? ORDER BY m.ord LIMIT ?")) {
            ps.setString(1, query);
            ps.setInt(2, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (hits.size() == limit) {
                        more = true;
                        break;
                    }
                    ObjectNode h = hits.addObject();
                    h.put("conn", rs.getString(1));
                    h.put("seq", rs.getLong(2));
                    h.put("dir", rs.getString(3));
                    h.put("t", seconds(rs.getLong(4)));
                    h.put("preview", preview("text", 1, rs.getBytes(5), null, null));
                }
            }
        } catch (SQLException e) {
            if (Db.is(e, org.sqlite.SQLiteErrorCode.SQLITE_ERROR)) {
                throw new IllegalArgumentException("Bad search '" + query + "': " + Db.sentence(e));
            }
            throw failed(e);
        }
        out.put("more", more);
        return out;
    }

    // ---- helpers ----------------------------------------------------------------------------

    private interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> T one(String sql, String conn, long seq, Mapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql + " LIMIT 1")) {
            ps.setString(1, conn);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? mapper.map(rs) : null;
            }
        }
    }

    /** An event as its JSON Lines object. */
    public static JsonNode render(Event e) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(buf, false);
        sink.accept(e);
        sink.flush();
        try {
            return JSON.readTree(buf.toByteArray());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Epoch seconds with six decimals, written plainly as in the JSON Lines ({@code 1733300000.123456}). */
    static java.math.BigDecimal seconds(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6);
    }

    private IllegalStateException failed(SQLException e) {
        return new IllegalStateException("Reading the capture " + reader.file() + " failed: " + Db.sentence(e), e);
    }

    @Override
    public synchronized void close() {
        reader.close();
    }
}
