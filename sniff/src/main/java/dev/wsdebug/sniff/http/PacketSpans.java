package dev.wsdebug.sniff.http;

import java.util.Arrays;

/**
 * Which packet carried which bytes of one direction of a conversation: spans of the bytes fed, in
 * order, each with its packet number. Frames complete in stream order, so the spans before a
 * frame's start are dropped once it has been numbered; what is kept is the frame in progress.
 */
final class PacketSpans {
    /** The packet "number" of bytes that were not captured: left out of a frame's packets. */
    static final long NO_PACKET = 0;

    private long[] starts = new long[8];
    private long[] packets = new long[8];
    private int head;
    private int tail;
    private long fed;

    /** {@code len} more bytes, from this packet ({@link #NO_PACKET} for bytes not captured). */
    void add(long packet, int len) {
        if (len <= 0) {
            return;
        }
        if (tail > head && packets[tail - 1] == packet) {
            fed += len; // the same packet fed in pieces: one span
            return;
        }
        if (tail == starts.length) {
            if (head > 0) {
                System.arraycopy(starts, head, starts, 0, tail - head);
                System.arraycopy(packets, head, packets, 0, tail - head);
                tail -= head;
                head = 0;
            }
            if (tail == starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
                packets = Arrays.copyOf(packets, packets.length * 2);
            }
        }
        starts[tail] = fed;
        packets[tail] = packet;
        tail++;
        fed += len;
    }

    private static boolean seen(long[] out, int n, long packet) {
        for (int i = 0; i < n; i++) {
            if (out[i] == packet) {
                return true;
            }
        }
        return false;
    }

    /** Bytes fed so far: the stream offset of the next one. */
    long fed() {
        return fed;
    }

    /**
     * The packets that carried the bytes {@code [from, from + length)}, in order, each once; then
     * forgets the spans that end before {@code from + length}.
     */
    long[] packets(long from, long length) {
        long to = from + Math.max(1, length);
        long[] out = new long[4];
        int n = 0;
        for (int i = head; i < tail; i++) {
            long start = starts[i];
            long end = i + 1 < tail ? starts[i + 1] : fed;
            if (end <= from) {
                continue;
            }
            if (start >= to) {
                break;
            }
            if (packets[i] == NO_PACKET || seen(out, n, packets[i])) {
                continue; // held bytes delivered between two pieces of one segment name it once
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = packets[i];
        }
        // keep the span that holds the next byte: the next frame may start inside it
        while (head + 1 < tail && starts[head + 1] <= to) {
            head++;
        }
        return Arrays.copyOf(out, n);
    }
}
