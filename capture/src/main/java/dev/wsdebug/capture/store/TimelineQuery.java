package dev.wsdebug.capture.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A connection's timeline, counted by the database: messages and bytes per time slice each way
 * (one GROUP BY, so a million messages cost as many numbers as there are slices), every ping with
 * the round trip to its pong, the longest silences and the close. One pass over the connection's
 * frames (times only) finds pings and gaps.
 */
final class TimelineQuery {
    /** A silence shorter than this is not a gap. */
    private static final long GAP_MICROS = 1_000_000;
    private static final int MAX_GAPS = 50;
    private static final int MAX_PINGS = 2_000;

    private final Connection db;
    private final String conn;

    TimelineQuery(Connection db, String conn) {
        this.db = db;
        this.conn = conn;
    }

    private record Ping(long t, Direction dir, Double rttMs, long seq) {
    }

    private record Gap(long t, long micros, long seq) {
    }

    ObjectNode run(int buckets) throws SQLException {
        long start;
        long end;
        Long closeT;
        Integer closeCode;
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT first_t, last_t, ended_t, close_t, close_code FROM connections WHERE conn = ?")) {
            ps.setString(1, conn);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                start = rs.getLong(1);
                Long ended = CaptureReader.longOrNull(rs, 3);
                end = Math.max(rs.getLong(2), ended == null ? 0 : ended);
                closeT = CaptureReader.longOrNull(rs, 4);
                closeCode = CaptureReader.intOrNull(rs, 5);
            }
        }
        long width = Math.max(1, (end - start + buckets) / buckets); // ceil((end - start + 1) / buckets)
        long[][] counts = new long[4][buckets];
        try (PreparedStatement ps = db.prepareStatement("SELECT dir, (t - ?) / ?, count(*), total(wire_length)"
                + " FROM messages WHERE conn = ? GROUP BY 1, 2")) {
            ps.setLong(1, start);
            ps.setLong(2, width);
            ps.setString(3, conn);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int b = (int) Math.max(0, Math.min(buckets - 1, rs.getLong(2)));
                    int d = Direction.fromId(rs.getString(1)) == Direction.C2S ? 0 : 2;
                    counts[d][b] += rs.getLong(3);
                    counts[d + 1][b] += (long) rs.getDouble(4);
                }
            }
        }
        List<Ping> pings = new ArrayList<>();
        PriorityQueue<Gap> gaps = new PriorityQueue<>(Comparator.comparingLong(Gap::micros));
        Long closeSeq = null;
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT seq, t, dir, opcode, control_payload FROM frames WHERE conn = ? ORDER BY seq")) {
            ps.setString(1, conn);
            ArrayDeque<Object[]> open = new ArrayDeque<>(); // pings waiting for their pong: {dir, payload, index}
            long previous = start;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    long t = rs.getLong(2);
                    Direction dir = Direction.fromId(rs.getString(3));
                    int opcode = rs.getInt(4);
                    if (t - previous >= GAP_MICROS) {
                        gaps.add(new Gap(previous, t - previous, seq));
                        if (gaps.size() > MAX_GAPS) {
                            gaps.poll();
                        }
                    }
                    previous = Math.max(previous, t);
                    if (opcode == 9) {
                        pings.add(new Ping(t, dir, null, seq));
                        open.addLast(new Object[]{dir, rs.getBytes(5), pings.size() - 1});
                        if (open.size() > 64) {
                            open.removeFirst(); // never answered
                        }
                    } else if (opcode == 10) {
                        byte[] payload = rs.getBytes(5);
                        for (var it = open.iterator(); it.hasNext(); ) {
                            Object[] p = it.next();
                            if (p[0] != dir && Arrays.equals((byte[]) p[1], payload)) {
                                int i = (int) p[2];
                                Ping ping = pings.get(i);
                                pings.set(i, new Ping(ping.t, ping.dir, (t - ping.t) / 1000.0, ping.seq));
                                it.remove();
                                break;
                            }
                        }
                    } else if (opcode == 8 && closeSeq == null) {
                        closeSeq = seq;
                    }
                }
            }
        }
        ObjectNode out = CaptureBrowser.JSON.createObjectNode();
        out.put("start", CaptureBrowser.seconds(start));
        out.put("end", CaptureBrowser.seconds(end));
        out.put("bucketMs", width / 1000.0);
        String[] names = {"c2s", "s2c"};
        for (int d = 0; d < 2; d++) {
            ObjectNode dir = out.putObject(names[d]);
            ArrayNode m = dir.putArray("messages");
            ArrayNode b = dir.putArray("bytes");
            for (int i = 0; i < buckets; i++) {
                m.add(counts[d * 2][i]);
                b.add(counts[d * 2 + 1][i]);
            }
        }
        ArrayNode p = out.putArray("pings");
        int step = Math.max(1, (pings.size() + MAX_PINGS - 1) / MAX_PINGS);
        for (int i = 0; i < pings.size(); i += step) {
            Ping ping = pings.get(i);
            ObjectNode j = p.addObject();
            j.put("t", CaptureBrowser.seconds(ping.t));
            j.put("dir", ping.dir.id());
            j.put("rttMs", ping.rttMs);
            j.put("seq", ping.seq);
        }
        List<Gap> longest = new ArrayList<>(gaps);
        longest.sort(Comparator.comparingLong(Gap::t));
        ArrayNode g = out.putArray("gaps");
        for (Gap gap : longest) {
            ObjectNode j = g.addObject();
            j.put("t", CaptureBrowser.seconds(gap.t));
            j.put("durationMs", gap.micros / 1000.0);
            j.put("seq", gap.seq);
        }
        if (closeT != null || closeSeq != null) {
            ObjectNode c = out.putObject("close");
            c.put("t", CaptureBrowser.seconds(closeT != null ? closeT : end));
            c.put("code", closeCode);
            c.put("seq", closeSeq);
        } else {
            out.putNull("close");
        }
        return out;
    }
}
