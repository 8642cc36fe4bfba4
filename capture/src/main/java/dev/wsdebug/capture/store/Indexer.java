package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fills the {@code frames}, {@code messages} and text-index tables from the raw chunks (writer
 * thread only). Recording keeps only the raw bytes of a connection plus the events that are not
 * in them (handshake results, closes, errors its source reported); the frame and message rows are
 * the same pipeline's output over those bytes, derived here behind the traffic, so that storing a
 * busy connection costs a few large inserts instead of several rows per message.
 *
 * <p>Chunks are taken in id order: each connection's chunks go, piece by piece with their own
 * read times ({@link ReadTimes}), through one {@link Conversation} per connection that lives until
 * the connection has ended and its last chunk is indexed. The progress is the id of the last
 * chunk indexed, kept in the meta table in the same transaction as the rows it covers.
 */
final class Indexer {
    private final Connection db;
    private final EventRows rows;
    private final int payloadCap;
    private final PreparedStatement next;
    private final Map<String, Conversation> conversations = new HashMap<>();
    /** The id of each open connection's last chunk written so far. */
    private final Map<String, Long> lastChunk = new HashMap<>();
    private final Set<String> ended = new HashSet<>();
    /** Connections whose conversation skipped the handshake, with the deflate parameters (or null) it assumed. */
    private final Map<String, DeflateParams> assumed = new HashMap<>();
    private final EventSink derived = new Derived();
    private long indexed;
    private long written;
    private long backlogBytes;
    private SQLException failure;

    Indexer(Connection db, EventRows rows, int payloadCap) throws SQLException {
        this.db = db;
        this.rows = rows;
        this.payloadCap = payloadCap;
        this.next = db.prepareStatement("SELECT id, conn, dir, t, bytes, times FROM chunks WHERE id > ? ORDER BY id LIMIT ?");
    }

    /** A chunk row was written. */
    void written(long id, String conn, int bytes) {
        written = id;
        lastChunk.put(conn, id);
        backlogBytes += bytes;
    }

    /** The connection's raw bytes are frames from the first byte. */
    void assumed(String conn, DeflateParams deflate) {
        assumed.put(conn, deflate);
    }

    /** The connection has ended: nothing more will be written for it. */
    void ended(String conn) {
        ended.add(conn);
        release();
    }

    boolean behind() {
        return indexed < written;
    }

    /** Raw bytes written but not yet indexed. */
    long backlogBytes() {
        return backlogBytes;
    }

    /** The id of the last chunk whose frames and messages are in the tables. */
    long indexed() {
        return indexed;
    }

    /** Indexes up to {@code maxChunks} chunks; returns how many it took. */
    int step(int maxChunks) throws SQLException {
        List<Object[]> batch = new ArrayList<>();
        next.setLong(1, indexed);
        next.setInt(2, maxChunks);
        try (ResultSet rs = next.executeQuery()) {
            while (rs.next()) {
                batch.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBytes(5),
                        rs.getBytes(6)});
            }
        }
        for (Object[] c : batch) {
            String conn = (String) c[1];
            Conversation conv = conversations.computeIfAbsent(conn, this::conversation);
            byte[] bytes = (byte[]) c[4];
            ReadTimes.split(bytes, Direction.fromId((String) c[2]), (Long) c[3], (byte[]) c[5],
                    (dir, off, len, t) -> conv.feed(dir, t, bytes, off, len));
            if (failure != null) {
                SQLException e = failure;
                failure = null;
                throw e;
            }
            indexed = (Long) c[0];
            backlogBytes -= bytes.length;
        }
        release();
        return batch.size();
    }

    private Conversation conversation(String conn) {
        Conversation c = new Conversation(conn, derived, payloadCap);
        if (assumed.containsKey(conn)) {
            c.assumeWebSocket(assumed.get(conn));
        }
        return c;
    }

    /** Drops the decoders of ended connections whose chunks are all indexed. */
    private void release() {
        for (var it = ended.iterator(); it.hasNext(); ) {
            String conn = it.next();
            Long last = lastChunk.get(conn);
            if (last == null || last <= indexed) {
                it.remove();
                lastChunk.remove(conn);
                assumed.remove(conn);
                Conversation c = conversations.remove(conn);
                if (c != null) {
                    c.end(0); // frees its inflaters; what end() reports is not derived data
                }
            }
        }
    }

    void close() throws SQLException {
        next.close();
    }

    /** Frame and message events become rows; everything else was recorded as it happened. */
    private final class Derived implements EventSink {
        @Override
        public void accept(Event event) {
            if (failure != null) {
                return;
            }
            try {
                if (event instanceof FrameEvent f) {
                    rows.frame(f);
                } else if (event instanceof MessageEvent m) {
                    rows.message(m);
                }
            } catch (SQLException e) {
                failure = e;
            }
        }
    }
}
