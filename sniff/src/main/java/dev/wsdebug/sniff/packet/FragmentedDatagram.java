package dev.wsdebug.sniff.packet;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The payload of one fragmented IP datagram as its fragments arrive: the bytes so far, which of
 * them are there, and its length once the last fragment (no "more fragments" flag) has come.
 * Where fragments overlap, the bytes that came first are kept: a later copy never rewrites what
 * was already seen, so a retransmitted or forged overlap cannot change data already shown. (RFC
 * 5722 has IPv6 hosts drop such datagrams; a debugger rather shows what it has.)
 */
final class FragmentedDatagram {
    /** The most payload one IP datagram can have (a 16-bit length). */
    static final int MAX_LENGTH = 65_535;

    final long firstTimeNanos;
    private byte[] bytes = new byte[0];
    private final BitSet present = new BitSet();
    private int length = -1;
    /** The protocol or IPv6 header the payload starts with, known from the fragment at offset 0. */
    private int firstHeader = -1;

    FragmentedDatagram(long firstTimeNanos) {
        this.firstTimeNanos = firstTimeNanos;
    }

    /**
     * Adds the {@code count} bytes at {@code b[from]} found at {@code offset} in the payload.
     * Returns whether the datagram is now complete. A fragment that would make it longer than
     * {@link #MAX_LENGTH} is ignored.
     */
    boolean add(int offset, boolean more, byte[] b, int from, int count, int header) {
        int end = offset + count;
        if (end > MAX_LENGTH) {
            return false;
        }
        if (!more && length < 0 && end >= present.length()) {
            length = end;
        }
        if (length >= 0) {
            end = Math.min(end, length);
        }
        if (offset == 0 && firstHeader < 0) {
            firstHeader = header;
        }
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(MAX_LENGTH, Math.max(end, bytes.length * 2)));
        }
        // Copy only the runs that no earlier fragment filled.
        int i = present.nextClearBit(offset);
        while (i < end) {
            int stop = Math.min(end, nextSet(i));
            System.arraycopy(b, from + (i - offset), bytes, i, stop - i);
            present.set(i, stop);
            i = present.nextClearBit(stop);
        }
        return length >= 0 && present.nextClearBit(0) >= length;
    }

    private int nextSet(int from) {
        int n = present.nextSetBit(from);
        return n < 0 ? Integer.MAX_VALUE : n;
    }

    /** The whole payload, once complete. */
    byte[] payload() {
        return bytes.length == length ? bytes : Arrays.copyOf(bytes, length);
    }

    int firstHeader() {
        return firstHeader;
    }
}
