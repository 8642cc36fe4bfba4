package dev.wsdebug.sniff.tcp;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side's out-of-order segments, by stream offset. They never overlap one another (the first
 * copy of a byte wins, so later copies are trimmed before they are held) and all lie after the
 * side's delivered bytes.
 *
 * <p>A tree rather than a list: a hostile capture can send thousands of tiny segments in reverse
 * order, and each insertion must stay cheap. Only the out-of-order path touches it.
 */
final class HeldSegments {
    /** Memory a held segment costs beyond its bytes (tree entry, boxed key, record, array header). */
    static final int OVERHEAD = 128;

    private final TreeMap<Long, HeldSegment> byStart = new TreeMap<>();
    private long charge;

    static long cost(int length, boolean hasBytes) {
        return (hasBytes ? length : 0) + OVERHEAD;
    }

    boolean isEmpty() {
        return byStart.isEmpty();
    }

    /** What the held segments count against {@link TcpLimits#heldBytesPerSide}. */
    long charge() {
        return charge;
    }

    HeldSegment first() {
        return byStart.firstEntry().getValue();
    }

    long lastEnd() {
        return byStart.lastEntry().getValue().end();
    }

    HeldSegment pollFirst() {
        HeldSegment h = byStart.pollFirstEntry().getValue();
        charge -= cost(h.length(), h.bytes() != null);
        return h;
    }

    void add(HeldSegment h) {
        byStart.put(h.start(), h);
        charge += cost(h.length(), h.bytes() != null);
    }

    /** The held segment holding offset {@code pos}, or null. */
    HeldSegment covering(long pos) {
        Map.Entry<Long, HeldSegment> e = byStart.floorEntry(pos);
        return e != null && e.getValue().end() > pos ? e.getValue() : null;
    }

    /** Where the first held segment after {@code pos} starts, or {@link Long#MAX_VALUE}. */
    long nextStartAfter(long pos) {
        Long k = byStart.higherKey(pos);
        return k == null ? Long.MAX_VALUE : k;
    }

    /** The held segments that may overlap {@code [from, to)} (the first one may end before from). */
    Collection<HeldSegment> overlapping(long from, long to) {
        if (from >= to) {
            return List.of();
        }
        Long k = byStart.floorKey(from);
        return byStart.subMap(k != null ? k : from, true, to, false).values();
    }
}
