package dev.wsdebug.capture.store;

import dev.wsdebug.wire.Direction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consecutive reads of one connection, both directions in the order they happened, merged into
 * one {@code chunks} row before it is written (writer thread only; {@link ReadTimes} keeps each
 * read's direction, time and boundary). One row per read made the raw bytes the most expensive
 * part of a capture: a busy connection reads a few KiB at a time, and every row costs an SQLite
 * insert. A run ends when it reaches {@link #RUN_BYTES}, when the connection has a gap or ends,
 * and at every commit, so a commit always holds every byte handed over before it.
 */
final class ChunkRuns {
    /** A run is written once it holds this many bytes. */
    static final int RUN_BYTES = 256 * 1024;
    /** Bytes held in all runs together above which every run is written (many connections). */
    static final long HELD_BYTES = 4L * 1024 * 1024;

    /** Where finished runs go. */
    interface Out {
        void row(String conn, Direction dir, long firstMicros, byte[] bytes, byte[] times) throws Exception;
    }

    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Out out;
    private long held;

    ChunkRuns(Out out) {
        this.out = out;
    }

    void append(String conn, Direction dir, long timeMicros, byte[] b) throws Exception {
        Run r = runs.get(conn);
        if (r != null && r.len + b.length > RUN_BYTES) {
            flush(conn);
            r = null;
        }
        if (r == null) {
            if (b.length >= RUN_BYTES) {
                out.row(conn, dir, timeMicros, b, null);
                return;
            }
            r = new Run(dir, timeMicros);
            runs.put(conn, r);
        } else {
            r.times.add(r.len, dir, timeMicros);
        }
        r.append(b);
        held += b.length;
        if (held > HELD_BYTES) {
            flushAll();
        }
    }

    boolean holding() {
        return !runs.isEmpty();
    }

    /** Writes the connection's open run, if any. */
    void flush(String conn) throws Exception {
        Run r = runs.remove(conn);
        if (r != null) {
            held -= r.len;
            out.row(conn, r.dir, r.first, r.bytes(), r.times.toBytes());
        }
    }

    void flushAll() throws Exception {
        for (String conn : runs.keySet().toArray(new String[0])) {
            flush(conn);
        }
    }

    /** The reads of a run, kept as handed over (each is already a private copy) and joined once when written. */
    private static final class Run {
        final Direction dir;
        final long first;
        final ReadTimes.Builder times = new ReadTimes.Builder();
        final List<byte[]> parts = new ArrayList<>();
        int len;

        Run(Direction dir, long first) {
            this.dir = dir;
            this.first = first;
            times.reset(first);
        }

        void append(byte[] b) {
            parts.add(b);
            len += b.length;
        }

        byte[] bytes() {
            if (parts.size() == 1) {
                return parts.get(0);
            }
            byte[] all = new byte[len];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }
}
