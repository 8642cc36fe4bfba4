package dev.wsdebug.sniff.packet;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The IP datagrams whose fragments have started to arrive, until they are complete. Memory is
 * bounded: at most {@code maxIncomplete} datagrams of at most 64 KiB each; the oldest one is
 * dropped to make room, and one whose first fragment is older than {@code timeoutNanos} of
 * capture time is dropped when a later fragment arrives (as a host's reassembly timer would).
 */
final class IpFragments {
    private final int maxIncomplete;
    private final long timeoutNanos;
    /** In arrival order of each datagram's first fragment, so the oldest come first. */
    private final LinkedHashMap<FragmentKey, FragmentedDatagram> incomplete = new LinkedHashMap<>();
    private long dropped;

    IpFragments(int maxIncomplete, long timeoutNanos) {
        if (maxIncomplete < 1 || timeoutNanos < 0) {
            throw new IllegalArgumentException("at least one datagram and a timeout of 0 or more");
        }
        this.maxIncomplete = maxIncomplete;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Adds a fragment of the datagram {@code key}: {@code count} payload bytes at {@code b[from]}
     * that belong at {@code offset}. Returns the datagram when this fragment completes it (it is
     * then forgotten), otherwise null.
     *
     * @param header the protocol (IPv4) or next header (IPv6) the fragment states
     */
    FragmentedDatagram add(FragmentKey key, long timeNanos, int offset, boolean more, byte[] b, int from, int count,
                           int header) {
        expire(timeNanos);
        FragmentedDatagram d = incomplete.get(key);
        if (d == null) {
            if (incomplete.size() >= maxIncomplete) {
                Iterator<FragmentedDatagram> oldest = incomplete.values().iterator();
                oldest.next();
                oldest.remove();
                dropped++;
            }
            d = new FragmentedDatagram(timeNanos);
            incomplete.put(key, d);
        }
        if (d.add(offset, more, b, from, count, header)) {
            incomplete.remove(key);
            return d;
        }
        return null;
    }

    private void expire(long now) {
        Iterator<Map.Entry<FragmentKey, FragmentedDatagram>> it = incomplete.entrySet().iterator();
        while (it.hasNext()) {
            FragmentedDatagram d = it.next().getValue();
            if (now - d.firstTimeNanos <= timeoutNanos) {
                break; // later entries started later (in a capture whose clock went forward)
            }
            it.remove();
            dropped++;
        }
    }

    /** Datagrams given up incomplete (timed out or pushed out by newer ones). */
    long dropped() {
        return dropped;
    }

    /** Datagrams waiting for fragments. */
    int pending() {
        return incomplete.size();
    }
}
