package dev.wsdebug.capture.store;

import dev.wsdebug.wire.Direction;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact wire bytes of frames, cut from a connection's raw chunks. Frame offsets count from the
 * first byte the frame parser saw, which is not the first byte of the direction's stream (the HTTP
 * head came before, perhaps several on a keep-alive connection), so the start of the frames is
 * found once per direction: the first place after a head's blank line (or the stream's start, for
 * a capture that began mid-stream) where the first stored frame's header bytes are.
 */
final class RawFrames {
    /** How far into a direction's stream the frames may start. */
    private static final int HEAD_WINDOW = 64 * 1024;

    private final Connection db;
    private final String conn;

    RawFrames(Connection db, String conn) {
        this.db = db;
        this.conn = conn;
    }

    /**
     * The bytes of frames [{@code fromOffset}, {@code toOffset}) of direction {@code dir} in frame-parser
     * offsets, or null when the raw bytes are not stored (or do not reach that far).
     */
    byte[] slice(Direction dir, long fromOffset, long toOffset) throws SQLException {
        byte[] first = firstFrameHeader(dir);
        if (first == null) {
            return null;
        }
        long firstOffset = firstFrameOffset;
        byte[] head = read(dir, 0, HEAD_WINDOW + first.length + firstOffset);
        long base = -1;
        for (long candidate : candidates(head)) {
            if (matches(head, candidate + firstOffset, first)) {
                base = candidate;
                break;
            }
        }
        if (base < 0) {
            return null;
        }
        byte[] out = read(dir, base + fromOffset, base + toOffset);
        return out.length == toOffset - fromOffset ? out : null;
    }

    private long firstFrameOffset;

    /** The first two header bytes (and the mask key) of the direction's first stored frame. */
    private byte[] firstFrameHeader(Direction dir) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT offset, fin, rsv1, rsv2, rsv3, opcode, masked, mask_key,"
                + " length_encoding, payload_length FROM frames WHERE conn = ? AND dir = ? ORDER BY seq LIMIT 1")) {
            ps.setString(1, conn);
            ps.setString(2, dir.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                firstFrameOffset = rs.getLong(1);
                int b0 = (rs.getInt(2) << 7) | (rs.getInt(3) << 6) | (rs.getInt(4) << 5) | (rs.getInt(5) << 4)
                        | (rs.getInt(6) & 0xF);
                boolean masked = rs.getInt(7) != 0;
                int enc = rs.getInt(9);
                long len = rs.getLong(10);
                int len7 = enc == 16 ? 126 : enc == 64 ? 127 : (int) len;
                int b1 = (masked ? 0x80 : 0) | len7;
                return new byte[]{(byte) b0, (byte) b1};
            }
        }
    }

    /** Where the frames may begin: after each head's blank line, then the start itself. */
    private static List<Long> candidates(byte[] head) {
        List<Long> out = new ArrayList<>();
        for (int i = 3; i < head.length; i++) {
            if (head[i] == '\n' && head[i - 1] == '\r' && head[i - 2] == '\n' && head[i - 3] == '\r') {
                out.add((long) i + 1);
            }
        }
        out.add(0L);
        return out;
    }

    private static boolean matches(byte[] head, long at, byte[] header) {
        if (at < 0 || at + header.length > head.length) {
            return false;
        }
        for (int i = 0; i < header.length; i++) {
            if (head[(int) at + i] != header[i]) {
                return false;
            }
        }
        return true;
    }

    /** Bytes [from, to) of one direction's stream (fewer where the stored bytes end). */
    private byte[] read(Direction dir, long from, long to) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(to - from, 1 << 20));
        long[] pos = {0};
        try (PreparedStatement ps = db.prepareStatement("SELECT dir, t, bytes, times FROM chunks WHERE conn = ? ORDER BY id")) {
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && pos[0] < to) {
                    byte[] b = rs.getBytes(3);
                    if (b == null) {
                        continue;
                    }
                    ReadTimes.split(b, Direction.fromId(rs.getString(1)), rs.getLong(2), rs.getBytes(4),
                            (d, off, len, t) -> {
                                if (d != dir) {
                                    return;
                                }
                                long start = pos[0];
                                long end = start + len;
                                pos[0] = end;
                                long a = Math.max(start, from);
                                long z = Math.min(end, to);
                                if (a < z) {
                                    out.write(b, off + (int) (a - start), (int) (z - a));
                                }
                            });
                }
            }
        }
        return out.toByteArray();
    }
}
