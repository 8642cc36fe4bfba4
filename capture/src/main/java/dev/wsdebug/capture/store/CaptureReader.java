package dev.wsdebug.capture.store;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.Message;
import org.sqlite.SQLiteErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a capture file written by {@link CaptureStore}: its connections, and a replay of them.
 *
 * <p>A replay decodes each connection again: its raw chunks, in the order they were fed, go
 * through a fresh {@link Conversation} with the same connection id into the given sink, so it
 * shows exactly what the live view showed (and whatever a newer decoder finds besides). Only a
 * connection whose raw bytes are incomplete (the raw cap, or a store that could not keep up with
 * the traffic) or missing is shown from its stored rows instead, after an {@link ErrorEvent} of
 * kind {@code input} that says so.
 *
 * <p>Reading never changes the file nor leaves anything beside it. A capture whose writer closed it
 * is one self-contained database; one that is still being written, or whose writer was killed,
 * is in WAL mode with its committed transactions partly in {@code FILE-wal}: it is read with them
 * (what was committed so far), and {@link #warning} says so. A copy of such a file without its
 * {@code -wal} file lacks whatever was committed after the writer's last checkpoint, and
 * {@link #warning} says that instead. Not thread-safe.
 */
public final class CaptureReader implements AutoCloseable {
    /** Error kinds that the pipeline itself reports; a replay produces these again. */
    private static final Set<String> PIPELINE_KINDS = Set.of("handshake", "input");

    private final Path file;
    private final Connection db;
    private final Map<String, String> meta;
    private final int schemaVersion;
    private final Left left;
    /** A private copy of a capture read through it (its directory), deleted on close; or null. */
    private final Path scratch;
    /** Statements run once per connection, prepared once. */
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    /** One connection of the capture. Times are microseconds since the epoch. */
    public record ConnectionInfo(String conn, long firstMicros, long lastMicros, Long endedMicros, String url,
                                 String client, String server, Integer closeCode, String closeName,
                                 String closeReason, String closeInitiator, Boolean closeClean, long rawBytes,
                                 long rawDropped, long frames, long messages) {
        /** Whether the source ended the connection before the capture stopped. */
        public boolean ended() {
            return endedMicros != null;
        }
    }

    /** A text message whose payload matched a full-text query. */
    public record TextHit(String conn, long seq, Direction dir, long timeMicros) {
    }

    /** How the writer left the file, as the file shows it. */
    private enum Left {
        /** Closed: one self-contained database. */
        CLOSED,
        /** In WAL mode with its -wal file: still being written, or the writer stopped without closing it. */
        OPEN,
        /** In WAL mode without its -wal file: a copy taken while it was written, or after its writer died. */
        WAL_MISSING
    }

    private CaptureReader(Path file, Connection db, Map<String, String> meta, int schemaVersion, Left left, Path scratch) {
        this.file = file;
        this.db = db;
        this.meta = meta;
        this.schemaVersion = schemaVersion;
        this.left = left;
        this.scratch = scratch;
    }

    /**
     * Opens a capture for reading.
     *
     * @throws IllegalArgumentException with one sentence: no such file, not an SQLite database, not a
     *                                  wsdebug capture, or written by a newer wsdebug
     */
    public static CaptureReader open(Path file) {
        byte[] head = new byte[100];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": no such file.");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage() + ".");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("Cannot read " + file + ": it is a directory.");
        }
        if (n < 20 || !new String(head, 0, 16, StandardCharsets.ISO_8859_1).equals(Schema.SQLITE_MAGIC)) {
            throw new IllegalArgumentException(file + " is not a wsdebug capture: it is not an SQLite database.");
        }
        // bytes 18 and 19 of the header: 1 for a rollback journal, 2 for WAL mode; a writer that
        // closes the capture switches it back from WAL mode, and SQLite removes the -wal file
        boolean walMode = head[18] == 2 || head[19] == 2;
        Path wal = Path.of(file + "-wal");
        Left left = Files.exists(wal) ? Left.OPEN : walMode ? Left.WAL_MISSING : Left.CLOSED;
        try {
            try {
                if (left == Left.WAL_MISSING) {
                    // read-only alone would create an empty -wal and a -shm beside the file
                    return open(file, Db.openImmutable(file), left, null);
                }
                if (left == Left.CLOSED || Files.exists(Path.of(file + "-shm"))) {
                    return open(file, Db.open(file, true), left, null);
                }
            } catch (SQLException e) {
                if (left == Left.WAL_MISSING || !(Db.is(e, SQLiteErrorCode.SQLITE_READONLY)
                        || Db.is(e, SQLiteErrorCode.SQLITE_CANTOPEN))) {
                    throw e;
                }
                // the -wal file needs a -shm file that cannot be written here (a read-only
                // directory, another user's capture): read a private copy
            }
            // a -wal file without its -shm file: reading it in place would create one
            return openCopy(file, wal, left);
        } catch (SQLException e) {
            if (Db.is(e, SQLiteErrorCode.SQLITE_NOTADB) || Db.is(e, SQLiteErrorCode.SQLITE_CORRUPT)) {
                throw new IllegalArgumentException(file + " is not a wsdebug capture: it is not an SQLite database"
                        + " or it is damaged.");
            }
            throw new IllegalArgumentException("Cannot read the capture " + file + ": " + Db.sentence(e));
        }
    }

    /**
     * Reads a copy of the file and its -wal file (taken together in a private directory), where
     * SQLite may create what it needs.
     */
    private static CaptureReader openCopy(Path file, Path wal, Left left) throws SQLException {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("wsdebug-read-");
            Path copy = scratch.resolve("capture.wsdb");
            Files.copy(file, copy);
            Files.copy(wal, Path.of(copy + "-wal"));
            Connection c = Db.open(copy, false);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA query_only = 1");
            } catch (SQLException e) {
                Db.closeQuietly(c);
                throw e;
            }
            return open(file, c, left, scratch);
        } catch (IOException e) {
            deleteScratch(scratch);
            throw new IllegalArgumentException("Cannot read the capture " + file + ": copying it with its -wal file"
                    + " failed: " + e.getMessage() + ".");
        } catch (SQLException | RuntimeException e) {
            deleteScratch(scratch);
            throw e;
        }
    }

    private static void deleteScratch(Path scratch) {
        if (scratch == null) {
            return;
        }
        try (var files = Files.list(scratch)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(scratch);
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it up eventually
        }
    }

    private static CaptureReader open(Path file, Connection c, Left left, Path scratch) throws SQLException {
        try {
            boolean hasMeta;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) {
                hasMeta = rs.next() && rs.getInt(1) == 1;
            }
            Map<String, String> meta = new LinkedHashMap<>();
            if (hasMeta) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key, value FROM meta")) {
                    while (rs.next()) {
                        meta.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            int version;
            try {
                version = Integer.parseInt(meta.getOrDefault("schema_version", ""));
            } catch (NumberFormatException e) {
                version = -1;
            }
            if (version < 1 && left == Left.WAL_MISSING && looksLikeCapture(file)) {
                throw new IllegalArgumentException(file + " was not closed cleanly and its -wal file is missing, which"
                        + " holds all of it: copy the -wal file along with it.");
            }
            if (version < 1) {
                throw new IllegalArgumentException(file + " is an SQLite database but not a wsdebug capture.");
            }
            if (version > Schema.VERSION) {
                throw new IllegalArgumentException(file + " was written by a newer wsdebug (capture schema " + version
                        + "; this one reads up to " + Schema.VERSION + "): update wsdebug to read it.");
            }
            return new CaptureReader(file, c, Map.copyOf(meta), version, left, scratch);
        } catch (SQLException | RuntimeException e) {
            Db.closeQuietly(c);
            throw e;
        }
    }

    /**
     * Whether the file starts like a capture: an SQLite header with wsdebug's application id. Cheap,
     * and true for a capture whose writer was killed.
     */
    static boolean looksLikeCapture(Path file) {
        byte[] head = new byte[72];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return new String(head, 0, 16, StandardCharsets.ISO_8859_1).equals(Schema.SQLITE_MAGIC)
                && ByteBuffer.wrap(head, 68, 4).getInt() == Schema.APPLICATION_ID;
    }

    public Path file() {
        return file;
    }

    /**
     * One sentence when the capture was not closed by its writer, so that some of what it recorded
     * may be missing from what this reader shows: it is still being written (or its writer was
     * killed) and shows what was committed so far, or it is a copy without its {@code -wal} file.
     * Null for a capture closed cleanly.
     */
    public String warning() {
        return switch (left) {
            case CLOSED -> null;
            case OPEN -> file + " is still being written (or its writer stopped without closing it): showing what was"
                    + " committed so far.";
            case WAL_MISSING -> file + " was not closed cleanly and its -wal file is missing: whatever its writer"
                    + " committed after its last checkpoint is not in this copy, so some traffic may be missing.";
        };
    }

    /**
     * {@link #warning} as an error event without a connection, of kind {@code capture}, at the
     * time the capture was created; null for a capture closed cleanly.
     */
    public ErrorEvent warningEvent() {
        String w = warning();
        if (w == null) {
            return null;
        }
        long t;
        try {
            t = Long.parseLong(meta.getOrDefault("created_t", "0"));
        } catch (NumberFormatException e) {
            t = 0;
        }
        return new ErrorEvent(null, t, CaptureStore.KIND, w);
    }

    /** The schema version the file was written with. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** The meta table: schema_version, tool_version, created_t, payload_cap, raw_cap, fts. */
    public Map<String, String> meta() {
        return meta;
    }

    private int payloadCap() {
        try {
            return Integer.parseInt(meta.getOrDefault("payload_cap", ""));
        } catch (NumberFormatException e) {
            return CaptureStore.DEFAULT_PAYLOAD_CAP;
        }
    }

    /** Every connection, in the order they started. */
    public List<ConnectionInfo> connections() {
        return query(null);
    }

    private List<ConnectionInfo> query(String only) {
        String sql = "SELECT conn, first_t, last_t, ended_t, url, client, server, close_code, close_name, close_reason,"
                + " close_initiator, close_clean, raw_bytes, raw_dropped,"
                + " (SELECT count(*) FROM frames f WHERE f.conn = c.conn),"
                + " (SELECT count(*) FROM messages m WHERE m.conn = c.conn)"
                + " FROM connections c" + (only == null ? "" : " WHERE conn = ?") + " ORDER BY first_t, conn";
        List<ConnectionInfo> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            if (only != null) {
                ps.setString(1, only);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ConnectionInfo(rs.getString(1), rs.getLong(2), rs.getLong(3), longOrNull(rs, 4),
                            rs.getString(5), rs.getString(6), rs.getString(7), intOrNull(rs, 8), rs.getString(9),
                            rs.getString(10), rs.getString(11), boolOrNull(rs, 12), rs.getLong(13), rs.getLong(14),
                            rs.getLong(15), rs.getLong(16)));
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return out;
    }

    /** Replays every connection, one after the other in the order they started, into {@code sink}. */
    public void replay(EventSink sink) {
        ArrayDeque<Event> loose = new ArrayDeque<>(looseEvents());
        for (ConnectionInfo c : connections()) {
            while (!loose.isEmpty() && loose.peek().timeMicros() < c.firstMicros()) {
                sink.accept(loose.poll());
            }
            replay(c, sink);
        }
        loose.forEach(sink::accept);
    }

    /**
     * Replays one connection into {@code sink}.
     *
     * @throws IllegalArgumentException when the capture has no such connection
     */
    public void replay(String conn, EventSink sink) {
        List<ConnectionInfo> c = query(conn);
        if (c.isEmpty()) {
            throw new IllegalArgumentException(file + " has no connection " + conn + ".");
        }
        replay(c.get(0), sink);
    }

    private void replay(ConnectionInfo c, EventSink sink) {
        try {
            if (c.rawDropped() > 0) {
                Long gapOrd = rawState(c.conn()).gapOrd();
                if (gapOrd != null) {
                    decodeThenRecorded(c, gapOrd, sink);
                } else {
                    asRecorded(c, sink, "The capture kept only the first " + c.rawBytes() + " raw bytes of connection "
                            + c.conn() + " (its raw cap), so its events are shown as recorded, not decoded again.", -1, -1);
                }
            } else if (c.rawBytes() == 0) {
                long recorded = c.frames() + c.messages() + count("handshakes", c.conn());
                asRecorded(c, sink, recorded == 0 ? null : "The capture holds no raw bytes of connection " + c.conn()
                        + ", so its events are shown as recorded, not decoded again.", -1, -1);
            } else {
                decodeAgain(c, sink);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private long count(String table, String conn) throws SQLException {
        {
            PreparedStatement ps = statement("SELECT count(*) FROM " + table + " WHERE conn = ?");
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The raw chunks through a fresh conversation: the one pipeline, as live. */
    private void decodeAgain(ConnectionInfo c, EventSink sink) throws SQLException {
        Replay replay = decodeChunks(c, sink, Long.MAX_VALUE);
        if (c.ended()) {
            replay.conversation.end(c.endedMicros()); // the replay sink adds what the source reported itself, then ended
        } else {
            replay.leftovers();
            sink.accept(new ErrorEvent(c.conn(), c.lastMicros(), "input", "The capture stops before connection "
                    + c.conn() + " ended (its writer was stopped, or is still writing)."));
        }
    }

    /**
     * A connection that went past the raw cap: its kept raw bytes decoded again, then the rows the
     * store recorded after the gap (those stored after row {@code gapOrd}; frames and messages after
     * the last frame the kept bytes hold).
     */
    private void decodeThenRecorded(ConnectionInfo c, long gapOrd, EventSink sink) throws SQLException {
        Replay replay = decodeChunks(c, sink, gapOrd);
        replay.leftovers();
        Long gap = rawState(c.conn()).gapT();
        String mark = gapMark(c.conn(), gapOrd + 1);
        boolean overload = CaptureStore.OVERLOAD_MARK.equals(mark);
        boolean notCaptured = CaptureStore.NOT_CAPTURED_MARK.equals(mark);
        sink.accept(new ErrorEvent(c.conn(), gap != null ? gap : c.lastMicros(), "input", overload
                ? "The capture store could not keep up with connection " + c.conn() + " (the disk was slower than the"
                + " traffic), so its last " + c.rawDropped() + " raw bytes were not recorded: what follows is shown as"
                + " recorded, not decoded again."
                : notCaptured
                ? "The packet capture connection " + c.conn() + " was read from lacks some of its bytes, so what"
                + " follows is shown as it was decoded then, not decoded again."
                : "The capture kept only the first " + c.rawBytes() + " raw bytes of connection " + c.conn()
                + " (its raw cap), so what follows is shown as recorded, not decoded again."));
        asRecorded(c, sink, null, mark != null ? gapOrd + 1 : gapOrd, replay.lastSeq); // the mark is said by the notice
    }

    /** The store's mark at row {@code ord} saying why the connection's raw bytes stop there, or null. */
    private String gapMark(String conn, long ord) throws SQLException {
        PreparedStatement ps = statement("SELECT message FROM errors WHERE ord = ? AND conn = ? AND kind = ?");
        ps.setLong(1, ord);
        ps.setString(2, conn);
        ps.setString(3, CaptureStore.KIND);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Feeds the connection's chunks to a fresh conversation; stored events up to {@code upToOrd} join the replay. */
    private Replay decodeChunks(ConnectionInfo c, EventSink sink, long upToOrd) throws SQLException {
        List<Stored> extras = new ArrayList<>();
        List<Stored> pipelineErrors = new ArrayList<>();
        {
            PreparedStatement ps = statement("SELECT ord, t, kind, message FROM errors WHERE conn = ? AND ord <= ? ORDER BY ord");
            ps.setString(1, c.conn());
            ps.setLong(2, upToOrd);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ErrorEvent e = new ErrorEvent(c.conn(), rs.getLong(2), rs.getString(3), rs.getString(4));
                    (PIPELINE_KINDS.contains(e.kind()) ? pipelineErrors : extras).add(new Stored(rs.getLong(1), e));
                }
            }
        }
        if (schemaVersion >= 3) { // plain HTTP exchanges the source reported on this connection
            storedUpTo(HTTP_COLUMNS, c.conn(), upToOrd, CaptureReader::http, extras);
        }
        if (schemaVersion >= 4) { // flow facts: only the source sees them, the bytes do not hold them
            storedUpTo(FLOW_COLUMNS, c.conn(), upToOrd, CaptureReader::flow, extras);
        }
        extras.sort(Comparator.comparingLong(Stored::ord)); // the store's order, as the errors
        Stored close = storedClose(c.conn());
        Replay replay = new Replay(sink, extras, pipelineErrors, close != null && close.ord() <= upToOrd ? close : null);
        String url = c.url();
        Conversation conv = new Conversation(c.conn(), replay, payloadCap())
                .scheme(url != null && url.startsWith("wss://") ? "wss" : "ws")
                .endpoints(c.client(), c.server());
        replay.conversation = conv;
        String assumed = rawState(c.conn()).assumed();
        if (assumed != null) {
            conv.assumeWebSocket(Codec.assumed(assumed));
        } else if (schemaVersion >= 5) {
            HandshakeEvent h2 = h2Handshake(c.conn());
            if (h2 != null) {
                conv.h2Handshake(h2); // its header blocks are not among the stored bytes
            }
        }
        {
            PreparedStatement ps = statement("SELECT dir, t, bytes, " + (schemaVersion >= 2 ? "times" : "NULL")
                    + " FROM chunks WHERE conn = ? ORDER BY id");
            ps.setString(1, c.conn());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] b = rs.getBytes(3);
                    if (b == null) {
                        continue;
                    }
                    ReadTimes.split(b, Direction.fromId(rs.getString(1)), rs.getLong(2), rs.getBytes(4),
                            (dir, off, len, t) -> conv.feed(dir, t, b, off, len));
                }
            }
        }
        return replay;
    }

    /** The connection's handshake when it was an HTTP/2 extended CONNECT, else null. */
    private HandshakeEvent h2Handshake(String conn) throws SQLException {
        PreparedStatement ps = statement(handshakeColumns() + " WHERE conn = ? AND transport = ? ORDER BY ord LIMIT 1");
        ps.setString(1, conn);
        ps.setString(2, HandshakeEvent.H2);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? handshake(rs) : null;
        }
    }

    /** Adds the rows of one table ({@code columns}: ord first) of a connection stored up to row {@code upToOrd}. */
    private void storedUpTo(String columns, String conn, long upToOrd, RowMapper mapper, List<Stored> into)
            throws SQLException {
        PreparedStatement ps = statement(columns + " WHERE conn = ? AND ord <= ? ORDER BY ord");
        ps.setString(1, conn);
        ps.setLong(2, upToOrd);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(new Stored(rs.getLong(1), mapper.map(rs)));
            }
        }
    }

    /**
     * The stored rows of one connection, in the order the store received them: handshakes, errors,
     * plain HTTP exchanges, flow facts and the close stored after row {@code afterOrd}, frames and
     * messages after frame {@code afterSeq}.
     */
    private void asRecorded(ConnectionInfo c, EventSink sink, String notice, long afterOrd, long afterSeq)
            throws SQLException {
        if (notice != null) {
            Long gap = c.rawDropped() > 0 ? rawState(c.conn()).gapT() : null;
            sink.accept(new ErrorEvent(c.conn(), gap != null ? gap : c.firstMicros(), "input", notice));
        }
        List<Cursor> cursors = new ArrayList<>();
        try {
            cursors.add(new Cursor(db, handshakeColumns() + " WHERE conn = ? AND ord > " + afterOrd + " ORDER BY ord", c.conn(),
                    CaptureReader::handshake));
            cursors.add(new Cursor(db, FRAME_COLUMNS + " WHERE conn = ? AND seq > " + afterSeq + " ORDER BY ord", c.conn(), CaptureReader::frame));
            cursors.add(new Cursor(db, MESSAGE_COLUMNS + " WHERE conn = ? AND seq > " + afterSeq + " ORDER BY ord", c.conn(),
                    CaptureReader::message));
            cursors.add(new Cursor(db, "SELECT ord, conn, t, kind, message FROM errors WHERE conn = ? AND ord > " + afterOrd
                    + " ORDER BY ord", c.conn(), rs -> new ErrorEvent(rs.getString(2), rs.getLong(3), rs.getString(4),
                    rs.getString(5))));
            if (schemaVersion >= 3) {
                cursors.add(new Cursor(db, HTTP_COLUMNS + " WHERE conn = ? AND ord > " + afterOrd + " ORDER BY ord",
                        c.conn(), CaptureReader::http));
            }
            if (schemaVersion >= 4) {
                cursors.add(new Cursor(db, FLOW_COLUMNS + " WHERE conn = ? AND ord > " + afterOrd + " ORDER BY ord",
                        c.conn(), CaptureReader::flow));
            }
            Stored close = storedClose(c.conn());
            if (close != null && close.ord() <= afterOrd) {
                close = null; // shown by the decoded part
            }
            while (true) {
                Cursor next = null;
                for (Cursor cur : cursors) {
                    if (cur.has && (next == null || cur.ord < next.ord)) {
                        next = cur;
                    }
                }
                if (close != null && (next == null || close.ord < next.ord)) {
                    sink.accept(close.event);
                    close = null;
                    continue;
                }
                if (next == null) {
                    break;
                }
                sink.accept(next.take());
            }
        } finally {
            for (Cursor cur : cursors) {
                cur.close();
            }
        }
        if (c.ended()) {
            sink.ended(c.conn(), c.endedMicros());
        }
    }

    /**
     * What the connections table says about a connection's raw bytes: when the raw cap was reached,
     * the last row stored before that (schema 2), and whether the handshake was skipped (schema 2).
     */
    private record RawState(Long gapT, Long gapOrd, String assumed) {
    }

    private RawState rawState(String conn) throws SQLException {
        PreparedStatement ps = statement(schemaVersion >= 2
                ? "SELECT raw_gap_t, raw_gap_ord, assumed FROM connections WHERE conn = ?"
                : "SELECT raw_gap_t, NULL, NULL FROM connections WHERE conn = ?");
        ps.setString(1, conn);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new RawState(longOrNull(rs, 1), longOrNull(rs, 2), rs.getString(3))
                    : new RawState(null, null, null);
        }
    }

    private Stored storedClose(String conn) throws SQLException {
        {
            PreparedStatement ps = statement("SELECT close_ord, close_t, close_code, close_reason, close_on_wire,"
                    + " close_initiator, close_clean FROM connections WHERE conn = ? AND close_ord IS NOT NULL");
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Stored(rs.getLong(1), new CloseEvent(conn, rs.getLong(2), rs.getInt(3), rs.getString(4),
                        rs.getInt(5) != 0, rs.getString(6), rs.getInt(7) != 0));
            }
        }
    }

    /** Errors, and HTTP exchanges (schema 3), not tied to a connection, in the store's order. */
    private List<Event> looseEvents() {
        List<Stored> out = new ArrayList<>();
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ord, t, kind, message FROM errors WHERE conn IS NULL ORDER BY ord")) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), new ErrorEvent(null, rs.getLong(2), rs.getString(3), rs.getString(4))));
                }
            }
            if (schemaVersion >= 3) {
                try (ResultSet rs = s.executeQuery(HTTP_COLUMNS + " WHERE conn IS NULL ORDER BY ord")) {
                    while (rs.next()) {
                        out.add(new Stored(rs.getLong(1), http(rs)));
                    }
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        out.sort(Comparator.comparingLong(Stored::ord));
        return out.stream().map(Stored::event).toList();
    }

    /**
     * Text messages whose stored payload matches an FTS5 query (for example {@code hello},
     * {@code "exact phrase"}, {@code pri*}), in capture order.
     *
     * @throws IllegalStateException when the capture has no text index
     * @throws IllegalArgumentException when the query is not valid FTS5 syntax
     */
    public List<TextHit> searchText(String query) {
        if (!"fts5".equals(meta.get("fts"))) {
            throw new IllegalStateException(file + " has no full-text index.");
        }
        List<TextHit> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT m.conn, m.seq, m.dir, m.t FROM message_text x"
                + " JOIN messages m ON m.ord = x.rowid WHERE message_text MATCH ? ORDER BY m.ord")) {
            ps.setString(1, query);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TextHit(rs.getString(1), rs.getLong(2), Direction.fromId(rs.getString(3)), rs.getLong(4)));
                }
            }
        } catch (SQLException e) {
            if (Db.is(e, SQLiteErrorCode.SQLITE_ERROR)) {
                throw new IllegalArgumentException("Bad text query '" + query + "': " + Db.sentence(e));
            }
            throw failed(e);
        }
        return out;
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = db.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    @Override
    public void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing the connection below releases it anyway
            }
        }
        statements.clear();
        Db.closeQuietly(db);
        deleteScratch(scratch);
    }

    private IllegalStateException failed(SQLException e) {
        return new IllegalStateException("Reading the capture " + file + " failed: " + Db.sentence(e), e);
    }

    // ---- rows back into events ---------------------------------------------------------------

    /** The columns {@link #handshake(ResultSet)} reads, ord first. */
    /** The columns {@link #handshake(ResultSet)} reads, ord first: the stream column exists from schema 5. */
    String handshakeColumns() {
        return handshakeColumns(schemaVersion);
    }

    static String handshakeColumns(int version) {
        return "SELECT ord, conn, t, transport, url, request, response, status, upgraded,"
                + " valid, accept_expected, accept_actual, accept_valid, subprotocol, extensions, deflate, problems, client,"
                + " server, " + (version >= 5 ? "stream" : "NULL") + " FROM handshakes";
    }
    /** The columns {@link #frame(ResultSet)} reads, ord first. */
    static final String FRAME_COLUMNS = "SELECT ord, conn, t, dir, seq, offset, fin, rsv1, rsv2, rsv3, opcode, masked,"
            + " mask_key, header_length, length_encoding, payload_length, control_payload, control_payload IS NULL,"
            + " violations FROM frames";
    /** The columns {@link #message(ResultSet)} reads, ord first. */
    static final String MESSAGE_COLUMNS = "SELECT ord, conn, t, dir, seq, opcode, frames, compressed, wire_length,"
            + " length, payload, truncated, sha256, utf8_invalid_at, first_offset, violations FROM messages";

    /** The database, for the queries of {@link CaptureBrowser} (one connection: callers serialise). */
    Connection db() {
        return db;
    }

    static HandshakeEvent handshake(ResultSet rs) throws SQLException {
        HandshakeResult result = null;
        Boolean valid = boolOrNull(rs, 10);
        if (valid != null) {
            result = new HandshakeResult(valid, rs.getInt(8), rs.getString(11), rs.getString(12), rs.getInt(13) != 0,
                    rs.getString(14), rs.getString(15), Codec.deflate(rs.getString(16)), Codec.strings(rs.getString(17)),
                    HandshakeEvent.H2.equals(rs.getString(4)));
        }
        Integer stream = intOrNull(rs, 20);
        return new HandshakeEvent(rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                Codec.head(rs.getString(6)), Codec.head(rs.getString(7)), result, rs.getString(18), rs.getString(19),
                null, stream == null ? -1 : stream);
    }

    /** The columns {@link #http(ResultSet)} reads, ord first. */
    static final String HTTP_COLUMNS = "SELECT ord, conn, t, method, url, status, reason, request, response,"
            + " request_body_length, response_body_length, duration_us FROM http";

    static HttpEvent http(ResultSet rs) throws SQLException {
        return new HttpEvent(rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                rs.getString(7) == null ? "" : rs.getString(7), Codec.head(rs.getString(8)), Codec.head(rs.getString(9)),
                rs.getLong(10), rs.getLong(11), rs.getLong(12));
    }

    /** The columns {@link #flow(ResultSet)} reads, ord first (schema 4). */
    static final String FLOW_COLUMNS = "SELECT ord, conn, t, dir, kind, bytes, duration_us FROM flow";

    static FlowEvent flow(ResultSet rs) throws SQLException {
        return new FlowEvent(rs.getString(2), rs.getLong(3), Direction.fromId(rs.getString(4)), rs.getString(5),
                rs.getLong(6), rs.getLong(7));
    }

    static FrameEvent frame(ResultSet rs) throws SQLException {
        String key = rs.getString(13);
        byte[] control = rs.getBytes(17);
        if (rs.getInt(18) != 0) {
            control = null;
        } else if (control == null) {
            control = new byte[0];
        }
        Frame f = Frame.restore(rs.getLong(6), rs.getInt(7) != 0, rs.getInt(8) != 0, rs.getInt(9) != 0,
                rs.getInt(10) != 0, rs.getInt(11), rs.getInt(12) != 0, key == null ? 0 : Integer.parseUnsignedInt(key, 16),
                rs.getInt(14), rs.getInt(15), rs.getLong(16), control, Codec.violations(rs.getString(19)));
        return new FrameEvent(rs.getString(2), rs.getLong(3), Direction.fromId(rs.getString(4)), rs.getLong(5), f);
    }

    static MessageEvent message(ResultSet rs) throws SQLException {
        byte[] payload = rs.getBytes(11);
        Long invalidAt = longOrNull(rs, 14);
        Message m = new Message(rs.getInt(6), rs.getInt(7), rs.getInt(8) != 0, rs.getLong(9), rs.getLong(10),
                payload == null ? new byte[0] : payload, rs.getInt(12) != 0, rs.getString(13),
                invalidAt == null ? -1 : invalidAt, rs.getLong(15), Codec.violations(rs.getString(16)));
        return new MessageEvent(rs.getString(2), rs.getLong(3), Direction.fromId(rs.getString(4)), rs.getLong(5), m);
    }

    static Long longOrNull(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    static Integer intOrNull(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    static Boolean boolOrNull(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v != 0;
    }

    /** An event read back with its place in the store's order. */
    private record Stored(long ord, Event event) {
    }

    private interface RowMapper {
        Event map(ResultSet rs) throws SQLException;
    }

    /** One table's rows of a connection, read in ord order. */
    private static final class Cursor {
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final RowMapper mapper;
        boolean has;
        long ord;

        Cursor(Connection db, String sql, String conn, RowMapper mapper) throws SQLException {
            this.ps = db.prepareStatement(sql);
            ps.setString(1, conn);
            this.rs = ps.executeQuery();
            this.mapper = mapper;
            advance();
        }

        private void advance() throws SQLException {
            has = rs.next();
            if (has) {
                ord = rs.getLong(1);
            }
        }

        Event take() throws SQLException {
            Event e = mapper.map(rs);
            advance();
            return e;
        }

        void close() {
            try {
                rs.close();
                ps.close();
            } catch (SQLException ignored) {
                // read-only statements: nothing to lose
            }
        }
    }

    /**
     * Passes the replayed events on, and adds what the pipeline cannot produce again because the
     * source reported it itself (errors of other kinds, plain HTTP exchanges, flow facts, a close
     * event the source set): those join in time order (after decoded events of the same
     * microsecond: the store keeps no finer position among the raw bytes), and whatever is left
     * when the connection ends follows in the store's order.
     */
    private static final class Replay implements EventSink {
        private final EventSink next;
        private final ArrayDeque<Stored> extras;
        private final List<Stored> pipelineErrors;
        private final Stored close;
        private boolean sawClose;
        private boolean done;
        Conversation conversation;
        /** The seq of the last frame decoded. */
        long lastSeq;

        Replay(EventSink next, List<Stored> extras, List<Stored> pipelineErrors, Stored close) {
            this.next = next;
            this.extras = new ArrayDeque<>(extras);
            this.pipelineErrors = new ArrayList<>(pipelineErrors);
            this.close = close;
        }

        @Override
        public void accept(Event event) {
            while (!extras.isEmpty() && extras.peek().event().timeMicros() < event.timeMicros()) {
                next.accept(extras.poll().event());
            }
            if (event instanceof ErrorEvent e) {
                for (Iterator<Stored> it = pipelineErrors.iterator(); it.hasNext(); ) {
                    ErrorEvent stored = (ErrorEvent) it.next().event();
                    if (stored.kind().equals(e.kind()) && stored.message().equals(e.message())) {
                        it.remove();
                        break;
                    }
                }
            } else if (event instanceof CloseEvent) {
                sawClose = true;
            } else if (event instanceof FrameEvent f) {
                lastSeq = f.seq();
            }
            next.accept(event);
        }

        @Override
        public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
            next.chunk(conn, dir, timeMicros, b, off, len);
        }

        @Override
        public void ended(String conn, long timeMicros) {
            leftovers();
            next.ended(conn, timeMicros);
        }

        /** What the source reported that the pipeline did not produce again, in the store's order. */
        void leftovers() {
            if (done) {
                return;
            }
            done = true;
            List<Stored> left = new ArrayList<>(extras);
            left.addAll(pipelineErrors);
            if (close != null && !sawClose) {
                left.add(close);
            }
            left.sort(Comparator.comparingLong(Stored::ord));
            left.forEach(s -> next.accept(s.event()));
        }

        @Override
        public void flush() {
            // the caller's sink: flushed and closed by the caller
        }

        @Override
        public void close() {
        }
    }
}
