package dev.wsdebug.capture.decode;

import java.util.Arrays;

/**
 * The start of a frame or packet that a later message completes (STOMP, MQTT): the bytes so far,
 * growing by doubling so that a long packet arriving in many small messages costs linear time, and
 * how many bytes the whole needs when that is known.
 */
final class PendingBytes {
    private byte[] data;
    private int size;
    /** The length of the whole, when known; else 0. */
    final long need;

    PendingBytes(byte[] from, int offset, long need) {
        this.data = Arrays.copyOfRange(from, offset, from.length);
        this.size = data.length;
        this.need = need;
    }

    int size() {
        return size;
    }

    /** The first byte (a pending part is never empty). */
    byte at(int i) {
        return data[i];
    }

    void append(byte[] more) {
        if (size + more.length > data.length) {
            long cap = Math.max((long) size + more.length, Math.min(need > 0 ? need : Integer.MAX_VALUE - 8, 2L * data.length));
            data = Arrays.copyOf(data, (int) Math.min(cap, Integer.MAX_VALUE - 8));
        }
        System.arraycopy(more, 0, data, size, more.length);
        size += more.length;
    }

    /** These bytes followed by {@code more}, in a new array. */
    byte[] join(byte[] more) {
        byte[] out = Arrays.copyOf(data, size + more.length);
        System.arraycopy(more, 0, out, size, more.length);
        return out;
    }

    /** The first bytes, for naming what is pending. */
    byte[] head(int n) {
        return Arrays.copyOf(data, Math.min(n, size));
    }
}
