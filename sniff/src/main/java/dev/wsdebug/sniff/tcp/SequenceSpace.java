package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.TcpSegment;
import java.util.Arrays;

/**
 * One sender's sequence space in one connection: where its stream has got to, the segments held
 * ahead of a hole, its FIN, and how far the peer has acknowledged it. It turns that sender's
 * segments, in capture order, into its bytes in stream order, each once.
 *
 * <p>Two coordinates: TCP sequence numbers (32 bits, wrapping; SYN and FIN take one each) and
 * stream offsets (a long from 0, counting delivered bytes and gap bytes, never wrapping). Every
 * sequence number is turned into an offset as a signed 32-bit distance from {@link #nextSeq}, so
 * wrap-around needs no special case anywhere else; everything past that works on offsets.
 *
 * <p>Rules (see {@link TcpReassembler} for the whole picture):
 * <ul>
 * <li>The first copy of a byte wins: bytes before {@link #offset} are old, bytes over a held
 *     segment are dropped; where they differ from the kept copy a conflict is reported.</li>
 * <li>A hole becomes a gap only when the stream cannot go on otherwise: the peer acknowledged
 *     past it (the receiver has the bytes, the capture missed them), the held bytes would go over
 *     the limit, or the connection ends (RST, end of capture). Gaps run only up to bytes or a FIN
 *     that were captured, never to an acknowledgment alone: a lost FIN also takes a sequence
 *     number, so the size of such a trailing hole could be one too many.</li>
 * </ul>
 */
final class SequenceSpace {
    private static final byte[] EMPTY = new byte[0];

    private final Side side;
    private final TcpStreamHandler handler;
    private final long heldLimit;
    private final int recentSize;

    /** A segment from this sender placed the start of its stream. */
    private boolean started;
    /** The sequence number of stream offset {@link #offset}: the next byte (or the FIN) to deliver. */
    private int nextSeq;
    /** Bytes delivered plus gap bytes reported so far. */
    private long offset;

    private boolean finKnown;
    private long finOffset;
    /** The FIN was reached: nothing more comes from this sender. */
    private boolean finDone;

    /** The highest offset the peer acknowledged (exclusive; the FIN counts as one). */
    private long ackedOffset = -1;

    /** tshark's base_seq, only to tell a SYN of a new connection from a retransmitted one. */
    private boolean baseSet;
    private int baseSeq;

    private HeldSegments held;
    private RecentBytes recent;

    SequenceSpace(Side side, TcpStreamHandler handler, TcpLimits limits) {
        this.side = side;
        this.handler = handler;
        this.heldLimit = limits.heldBytesPerSide();
        this.recentSize = limits.recentBytesPerSide();
    }

    boolean finished() {
        return finDone;
    }

    long heldCharge() {
        return held == null ? 0 : held.charge();
    }

    /**
     * Like tshark: the base is the SYN's sequence number, else one before the first segment's,
     * else one before the peer's first acknowledgment.
     */
    void noteBase(int seq, boolean syn) {
        if (!baseSet) {
            baseSet = true;
            baseSeq = syn ? seq : seq - 1;
        }
    }

    void noteBaseFromAck(int ack) {
        if (!baseSet) {
            baseSet = true;
            baseSeq = ack - 1;
        }
    }

    /**
     * A SYN (without ACK) from this sender whose sequence number is not the base is a new
     * connection on the same endpoints (tshark's "TCP port numbers reused"); the same one is a
     * retransmitted SYN.
     */
    boolean isNewSyn(int seq) {
        return baseSet && seq != baseSeq;
    }

    /** One segment from this sender (not a RST: that ends the connection before it gets here). */
    void segment(TcpSegment s) {
        int flags = s.flags();
        boolean syn = (flags & TcpSegment.SYN) != 0;
        boolean fin = (flags & TcpSegment.FIN) != 0;
        int seq = (int) s.seq();
        byte[] payload = s.payload() == null ? EMPTY : s.payload();
        int length = Math.max(0, s.payloadLength());
        int captured = Math.min(length, payload.length);
        if (!started) {
            if (syn) {
                begin(seq + 1);
            } else if (length > 0 || fin) {
                begin(seq);
            } else {
                // A bare ACK: its sequence number is only where the sender is, and bytes sent
                // before the capture began may still be retransmitted; data places the start.
                return;
            }
        }
        if (finDone) {
            return;
        }
        long t = s.timeNanos();
        int dataSeq = syn ? seq + 1 : seq;
        long start = offset + (int) (dataSeq - nextSeq);
        if (length > 0) {
            if (length == 1 && !syn && !fin && start == offset - 1) {
                // A keep-alive: one byte again before the next, often a garbage one; comparing it
                // would report a conflict that is none.
                return;
            }
            data(s.packet(), t, start, length, captured, payload);
        }
        if (fin) {
            fin(start + length);
        }
        drain(t);
        settle(t);
    }

    /** The peer acknowledged up to sequence number {@code ack}. */
    void ack(long t, int ack) {
        if (!started || finDone) {
            return;
        }
        int d = (int) (ack - nextSeq);
        if (d <= 0) {
            return;
        }
        ackedOffset = Math.max(ackedOffset, offset + d);
        settle(t);
    }

    /**
     * The connection ends: deliver what is held, the holes between as gaps (their sizes are known,
     * the captured bytes after them bound them), then let go of the buffers.
     */
    void flush(long t) {
        if (started) {
            while (held != null && !held.isEmpty()) {
                long before = offset;
                gapTo(t, held.first().start());
                drain(t);
                if (offset == before && held != null && !held.isEmpty()) {
                    held.pollFirst(); // as in place(): never spin, whatever the state
                }
            }
            if (finKnown && !finDone) {
                gapTo(t, finOffset);
                drain(t);
            }
        }
        held = null;
        recent = null;
    }

    private void begin(int seq) {
        started = true;
        nextSeq = seq;
        offset = 0;
    }

    private void data(long packet, long t, long start, int length, int captured, byte[] b) {
        long end = start + length;
        if (finKnown && end > finOffset) {
            // Nothing follows a FIN: bytes past it are not part of the stream.
            end = finOffset;
            if (end <= start) {
                return;
            }
            captured = (int) Math.min(captured, end - start);
        }
        long bytesEnd = start + captured;
        reportConflicts(t, start, bytesEnd, b);
        long pos = Math.max(start, offset);
        while (true) {
            // Delivering a piece can pull held segments after it: those bytes are done too.
            pos = Math.max(pos, offset);
            if (pos >= end) {
                return;
            }
            long nextHeld = Long.MAX_VALUE;
            if (held != null && !held.isEmpty()) {
                HeldSegment h = held.covering(pos);
                if (h != null) {
                    pos = h.end();
                    continue;
                }
                nextHeld = held.nextStartAfter(pos);
            }
            long pieceEnd = Math.min(end, nextHeld);
            if (pos < bytesEnd) {
                long e = Math.min(pieceEnd, bytesEnd);
                place(packet, t, pos, e, b, (int) (pos - start));
                pos = e;
            } else {
                place(packet, t, pos, pieceEnd, null, 0);
                pos = pieceEnd;
            }
        }
    }

    /**
     * New bytes {@code [from, to)} (null: cut by the snap length): straight to the handler when
     * the stream is there, else held (copied, as the segment's array is not ours to keep).
     */
    private void place(long packet, long t, long from, long to, byte[] b, int bOff) {
        int n = (int) (to - from);
        while (from != offset) {
            if (held == null) {
                held = new HeldSegments();
            }
            if (held.charge() + HeldSegments.cost(n, b != null) <= heldLimit) {
                held.add(new HeldSegment(from, to, b == null ? null : Arrays.copyOfRange(b, bOff, bOff + n), packet));
                return;
            }
            // Over the limit: give up on the first hole and go on from the earliest bytes
            // captured, these included; the loop ends as each turn moves the stream on.
            long earliest = held.isEmpty() ? from : Math.min(held.first().start(), from);
            long before = offset;
            gapTo(t, earliest);
            drain(t);
            if (offset == before) {
                // Cannot happen while this piece and every held segment lie past the offset; a
                // capture must never make this loop spin, so what does not is let go.
                if (held.isEmpty()) {
                    return;
                }
                held.pollFirst();
            }
        }
        deliver(packet, t, b, bOff, n);
        drain(t);
    }

    private void deliver(long packet, long t, byte[] b, int off, int n) {
        if (b == null) {
            gapTo(t, offset + n);
            return;
        }
        handler.data(side, packet, t, b, off, n);
        if (recentSize > 0) {
            if (recent == null) {
                recent = new RecentBytes(recentSize, offset);
            }
            recent.add(offset, b, off, n);
        }
        offset += n;
        nextSeq += n;
    }

    private void gapTo(long t, long target) {
        long missing = target - offset;
        if (missing <= 0) {
            return;
        }
        handler.gap(side, t, missing);
        offset = target;
        nextSeq += (int) missing;
        if (recent != null) {
            recent.skipTo(target);
        }
    }

    /** Delivers the held segments that now follow on, and the FIN once the stream reaches it. */
    private void drain(long t) {
        while (held != null && !held.isEmpty() && held.first().start() == offset) {
            HeldSegment h = held.pollFirst();
            deliver(h.packet(), t, h.bytes(), 0, h.length());
        }
        if (finKnown && !finDone && offset == finOffset) {
            finDone = true;
            nextSeq += 1;
            held = null;
            recent = null;
        }
    }

    /** Declares the holes the peer acknowledged past, up to the next captured bytes or FIN. */
    private void settle(long t) {
        while (ackedOffset > offset && !finDone) {
            long next;
            if (held != null && !held.isEmpty()) {
                next = held.first().start();
            } else if (finKnown) {
                next = finOffset;
            } else {
                return;
            }
            long before = offset;
            gapTo(t, Math.min(ackedOffset, next));
            drain(t);
            if (offset == before) {
                return; // as in place(): never spin, whatever the state
            }
        }
    }

    private void fin(long at) {
        // The first FIN wins; one inside bytes already delivered or before bytes held is bogus.
        if (finKnown || at < offset || (held != null && !held.isEmpty() && held.lastEnd() > at)) {
            return;
        }
        finKnown = true;
        finOffset = at;
    }

    private void reportConflicts(long t, long start, long bytesEnd, byte[] b) {
        if (start < offset && recent != null) {
            long from = Math.max(start, recent.start());
            long to = Math.min(bytesEnd, offset);
            if (from < to) {
                long[] diff = recent.mismatch(from, to, b, (int) (from - start));
                if (diff != null) {
                    handler.conflict(side, t, diff[0], (int) (diff[1] - diff[0] + 1));
                }
            }
        }
        if (held != null && !held.isEmpty() && bytesEnd > offset) {
            for (HeldSegment h : held.overlapping(Math.max(start, offset), bytesEnd)) {
                long from = Math.max(start, h.start());
                long to = Math.min(bytesEnd, h.end());
                if (h.bytes() == null || from >= to) {
                    continue;
                }
                int a = (int) (from - start);
                int k = (int) (from - h.start());
                int n = (int) (to - from);
                int first = Arrays.mismatch(b, a, a + n, h.bytes(), k, k + n);
                if (first >= 0) {
                    int last = n - 1;
                    while (b[a + last] == h.bytes()[k + last]) {
                        last--;
                    }
                    handler.conflict(side, t, from + first, last - first + 1);
                }
            }
        }
    }
}
