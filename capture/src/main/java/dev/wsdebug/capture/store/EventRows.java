package dev.wsdebug.capture.store;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Masking;
import dev.wsdebug.wire.Message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The event tables' inserts (writer thread only). Every row gets the next {@code ord}, the order
 * in which the writer stored it; rows derived from raw bytes by the {@link Indexer} and rows of
 * events recorded as they happened share the counter.
 */
final class EventRows implements AutoCloseable {
    private static final HexFormat HEX = HexFormat.of();

    private final int payloadCap;
    private final PreparedStatement handshake;
    private final PreparedStatement frame;
    private final PreparedStatement message;
    private final PreparedStatement error;
    private final PreparedStatement http;
    private final PreparedStatement flow;
    private final PreparedStatement text;
    private long ord;

    EventRows(Connection db, int payloadCap, boolean fts) throws SQLException {
        this.payloadCap = payloadCap;
        handshake = db.prepareStatement("INSERT INTO handshakes (ord, conn, t, transport, url, request, response, status,"
                + " upgraded, valid, accept_expected, accept_actual, accept_valid, subprotocol, extensions, deflate, problems,"
                + " client, server, stream) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        frame = db.prepareStatement("INSERT INTO frames (ord, conn, seq, t, dir, offset, fin, rsv1, rsv2, rsv3, opcode,"
                + " type, masked, mask_key, header_length, length_encoding, payload_length, close_code, close_reason,"
                + " control_payload, violations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        message = db.prepareStatement("INSERT INTO messages (ord, conn, seq, t, dir, type, opcode, frames, compressed,"
                + " wire_length, length, payload, truncated, sha256, utf8, utf8_invalid_at, first_offset, violations)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        error = db.prepareStatement("INSERT INTO errors (ord, conn, t, kind, message) VALUES (?, ?, ?, ?, ?)");
        http = db.prepareStatement("INSERT INTO http (ord, conn, t, method, url, status, reason, request, response,"
                + " request_body_length, response_body_length, duration_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        flow = db.prepareStatement("INSERT INTO flow (ord, conn, t, dir, kind, bytes, duration_us) VALUES (?, ?, ?, ?, ?, ?, ?)");
        text = fts ? db.prepareStatement("INSERT INTO message_text (rowid, text) VALUES (?, ?)") : null;
    }

    /** The ord of the last row stored (or reserved). */
    long lastOrd() {
        return ord;
    }

    /** Reserves an ord for an event kept in the connections table (a close). */
    long nextOrd() {
        return ++ord;
    }

    void handshake(HandshakeEvent h) throws SQLException {
        HandshakeResult r = h.result();
        HttpHead resp = h.response();
        Integer status = r != null ? Integer.valueOf(r.status()) : resp != null ? Integer.valueOf(resp.status()) : null;
        Object[] v = {++ord, h.conn(), h.timeMicros(), h.transport(), h.url(), Codec.head(h.request()), Codec.head(resp),
                status, bit(r != null && r.upgraded()), r == null ? null : bit(r.valid()),
                r == null ? null : r.expectedAccept(), r == null ? null : r.actualAccept(),
                r == null ? null : bit(r.acceptValid()), r == null ? null : r.subprotocol(),
                r == null ? null : r.extensions(), r == null ? null : Codec.deflate(r.deflate()),
                r == null ? null : Codec.strings(r.problems()), h.client(), h.server(),
                h.stream() >= 0 ? Integer.valueOf(h.stream()) : null};
        insert(handshake, v);
    }

    void frame(FrameEvent e) throws SQLException {
        Frame f = e.frame();
        int code = f.closeCode();
        PreparedStatement p = frame;
        p.setLong(1, ++ord);
        p.setString(2, e.conn());
        p.setLong(3, e.seq());
        p.setLong(4, e.timeMicros());
        p.setString(5, e.dir().id());
        p.setLong(6, f.offset());
        p.setInt(7, bit(f.fin()));
        p.setInt(8, bit(f.rsv1()));
        p.setInt(9, bit(f.rsv2()));
        p.setInt(10, bit(f.rsv3()));
        p.setInt(11, f.opcode());
        p.setString(12, f.type());
        p.setInt(13, bit(f.masked()));
        nullable(p, 14, f.masked() ? Masking.keyHex(f.maskKey()) : null);
        p.setInt(15, f.headerLength());
        p.setInt(16, f.lengthEncoding());
        p.setLong(17, f.payloadLength());
        if (code >= 0) {
            p.setInt(18, code);
        } else {
            p.setNull(18, Types.INTEGER);
        }
        nullable(p, 19, code >= 0 ? f.closeReason() : null);
        if (f.controlPayload() != null) {
            p.setBytes(20, f.controlPayload());
        } else {
            p.setNull(20, Types.BLOB);
        }
        nullable(p, 21, Codec.violations(f.violations()));
        p.executeUpdate();
    }

    void message(MessageEvent e) throws SQLException {
        Message m = e.message();
        byte[] payload = m.payload();
        boolean truncated = m.truncated();
        String sha = m.sha256();
        if (payload.length > payloadCap) {
            if (!truncated) {
                sha = sha256(payload);
            }
            payload = Arrays.copyOf(payload, payloadCap);
            truncated = true;
        }
        PreparedStatement p = message;
        long o = ++ord;
        p.setLong(1, o);
        p.setString(2, e.conn());
        p.setLong(3, e.seq());
        p.setLong(4, e.timeMicros());
        p.setString(5, e.dir().id());
        p.setString(6, m.type());
        p.setInt(7, m.opcode());
        p.setInt(8, m.frames());
        p.setInt(9, bit(m.compressed()));
        p.setLong(10, m.wireLength());
        p.setLong(11, m.length());
        p.setBytes(12, payload);
        p.setInt(13, bit(truncated));
        nullable(p, 14, truncated ? sha : null);
        if (m.isText()) {
            p.setString(15, m.utf8InvalidAt() < 0 ? "valid" : "invalid at byte " + m.utf8InvalidAt());
            p.setLong(16, m.utf8InvalidAt());
        } else {
            p.setNull(15, Types.VARCHAR);
            p.setNull(16, Types.INTEGER);
        }
        p.setLong(17, m.firstOffset());
        nullable(p, 18, Codec.violations(m.violations()));
        p.executeUpdate();
        if (text != null && m.isText()) {
            text.setLong(1, o);
            text.setString(2, new String(payload, StandardCharsets.UTF_8));
            text.executeUpdate();
        }
    }

    void error(ErrorEvent e) throws SQLException {
        error.setLong(1, ++ord);
        nullable(error, 2, e.conn());
        error.setLong(3, e.timeMicros());
        error.setString(4, e.kind());
        error.setString(5, e.message());
        error.executeUpdate();
    }

    void http(HttpEvent x) throws SQLException {
        http.setLong(1, ++ord);
        nullable(http, 2, x.conn());
        http.setLong(3, x.timeMicros());
        nullable(http, 4, x.method());
        nullable(http, 5, x.url());
        http.setInt(6, x.status());
        nullable(http, 7, x.reason());
        nullable(http, 8, Codec.head(x.request()));
        nullable(http, 9, Codec.head(x.response()));
        http.setLong(10, x.requestBodyLength());
        http.setLong(11, x.responseBodyLength());
        http.setLong(12, x.durationMicros());
        http.executeUpdate();
    }

    /** A flow fact always belongs to a connection: the caller drops one without ({@code conn} is NOT NULL). */
    void flow(FlowEvent f) throws SQLException {
        insert(flow, ++ord, f.conn(), f.timeMicros(), f.dir().id(), f.kind(), f.bytes(), f.micros());
    }

    /** One row: {@code values} in the statement's column order (null for SQL NULL). */
    private static void insert(PreparedStatement p, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            p.setObject(i + 1, values[i]);
        }
        p.executeUpdate();
    }

    private static void nullable(PreparedStatement p, int i, String s) throws SQLException {
        if (s == null) {
            p.setNull(i, Types.VARCHAR);
        } else {
            p.setString(i, s);
        }
    }

    static int bit(boolean b) {
        return b ? 1 : 0;
    }

    static String sha256(byte[] b) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement p : new PreparedStatement[] {handshake, frame, message, error, http, flow, text}) {
            if (p != null) {
                p.close();
            }
        }
    }
}
