package dev.wsdebug.sniff.tcp;

/**
 * What {@link FlowWatch} remembers of one side of a connection, in O(1): how far it has sent and how
 * far the peer acknowledged that, the window it advertises, and its last data segment (for the
 * ACK-wait rule). Sequence numbers are compared modulo 2^32.
 */
final class SideFlow {
    /** Whether {@link #next} is known (any segment of this side seen). */
    boolean sent;
    /** The sequence number after the last byte (or SYN/FIN) this side sent. */
    int next;
    /** Whether {@link #acked} is known (an ACK of the peer seen). */
    boolean ackedKnown;
    /** How far the peer acknowledged this side's bytes. */
    int acked;
    /** The shift of the window scale option of this side's SYN, or -1 (no SYN captured, or no option). */
    int scale = -1;
    /** The raw window field this side last advertised; -1 before any. */
    int window = -1;
    /** Capture time its window closed (meaningful while {@link #window} is 0). */
    long closedAt;

    /** The largest payload of one segment this side sent. */
    int largest;
    /** Whether {@link #lastEnd} and {@link #lastTime} describe a data segment that may start an ACK wait. */
    boolean candidate;
    /** The sequence number after this side's last data segment. */
    int lastEnd;
    /** Capture time of this side's last data segment. */
    long lastTime;
    /** Capture time of the peer's first pure ACK covering {@link #lastEnd}, or -1. */
    long releasedAt = -1;

    /** Bytes sent and not yet acknowledged, or -1 when either end is unknown. */
    long inFlight() {
        if (!sent || !ackedKnown) {
            return -1;
        }
        return Math.max(0, next - acked);
    }

    void noteSent(int seq, int length) {
        int end = seq + length;
        if (!sent || after(end, next)) {
            next = end;
        }
        sent = true;
    }

    void noteAcked(int ack) {
        if (!ackedKnown || after(ack, acked)) {
            acked = ack;
        }
        ackedKnown = true;
    }

    /** {@code a} comes after {@code b} in sequence space. */
    static boolean after(int a, int b) {
        return a - b > 0;
    }
}
