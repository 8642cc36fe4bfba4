package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.TcpSegment;

/**
 * Flow facts of one connection read from every segment's header, before reassembly, in O(1) state
 * ({@link SideFlow} per side); told to the {@link TcpStreamHandler} as {@link TcpStreamHandler#flow}.
 *
 * <p><b>Zero window.</b> A segment from R without SYN, FIN or RST whose window is 0 (tshark's
 * {@code tcp.analysis.zero_window}) while R's last window was not 0 (or not seen yet):
 * {@link FlowKind#ZERO_WINDOW} for the bytes toward R, with how many of them are in flight. R's next
 * non-zero window: {@link FlowKind#WINDOW_OPEN} with how long it was closed. Only the transitions
 * are told, not each probe's ACK while it stays closed (tshark flags each of those, so its count is
 * at least ours). RST segments are ignored (their window means nothing).
 *
 * <p><b>ACK wait</b> (Nagle's algorithm meeting a delayed ACK): S sent P1 with nothing of its own in
 * flight before it; the peer then sent a pure ACK (no data: a response would explain S's next
 * segment without any Nagle) covering P1, 30 to 500 ms after P1 (a delayed ACK, not a round trip on
 * a fast path); S's next segment P2 follows P1 directly in sequence and leaves within 2 ms of that
 * ACK (it was waiting for it), and is small (shorter than the largest S sent, at most 1448 bytes:
 * Nagle holds only less than a full segment). A bulk transfer limited by its congestion window has
 * bytes in flight before each segment and sends full segments, so it does not match.
 */
final class FlowWatch {
    static final long MIN_DELAYED_ACK_NANOS = 30_000_000L;
    static final long MAX_DELAYED_ACK_NANOS = 500_000_000L;
    static final long RELEASE_NANOS = 2_000_000L;
    static final int MAX_SMALL_SEGMENT = 1448;

    private final TcpStreamHandler handler;
    private final SideFlow a = new SideFlow();
    private final SideFlow b = new SideFlow();

    FlowWatch(TcpStreamHandler handler) {
        this.handler = handler;
    }

    private SideFlow of(Side side) {
        return side == Side.A ? a : b;
    }

    /** One segment of the connection, from {@code from}, in capture order. */
    void segment(TcpSegment s, Side from) {
        int flags = s.flags();
        if ((flags & TcpSegment.RST) != 0) {
            return;
        }
        SideFlow tx = of(from);
        SideFlow rx = of(from.other());
        int seq = (int) s.seq();
        boolean syn = (flags & TcpSegment.SYN) != 0;
        int length = Math.max(0, s.payloadLength());
        if (syn) {
            tx.scale = s.windowScale();
        }
        boolean newData = length > 0 && (!tx.sent || SideFlow.after(seq + length, tx.next));
        long t = s.timeNanos();
        if (length > 0) {
            ackWait(from, tx, seq, length, newData, t);
        }
        tx.noteSent(seq, length + (syn ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0));
        if ((flags & TcpSegment.ACK) != 0) {
            rx.noteAcked((int) s.ack());
            if (length == 0 && (flags & (TcpSegment.SYN | TcpSegment.FIN)) == 0) {
                pureAck(rx, (int) s.ack(), t);
            }
        }
        if (length > 0 || (flags & TcpSegment.FIN) != 0) {
            rx.candidate = false; // the peer's data (or FIN) explains whatever rx sends next
        }
        window(s, from, tx, rx, t);
    }

    /**
     * The window in bytes {@code side} last advertised: the raw field shifted by its scale when both
     * SYNs carried the option (RFC 7323: never on the SYN itself), else the raw field; -1 before any.
     */
    long advertised(Side side) {
        SideFlow s = of(side);
        if (s.window < 0) {
            return -1;
        }
        boolean scaled = s.scale >= 0 && of(side.other()).scale >= 0;
        return scaled ? (long) s.window << s.scale : s.window;
    }

    private void window(TcpSegment s, Side from, SideFlow tx, SideFlow rx, long t) {
        int w = s.window();
        if (w < 0 || (s.flags() & TcpSegment.SYN) != 0) {
            if (w > 0) {
                tx.window = w; // a SYN's window is never scaled, but it is not zero either: nothing to open
            }
            return;
        }
        if (w == 0) {
            if ((s.flags() & TcpSegment.FIN) == 0 && tx.window != 0) {
                tx.window = 0;
                tx.closedAt = t;
                handler.flow(from.other(), t, FlowKind.ZERO_WINDOW, rx.inFlight(), 0);
            }
            return;
        }
        if (tx.window == 0) {
            handler.flow(from.other(), t, FlowKind.WINDOW_OPEN, rx.inFlight(), (t - tx.closedAt) / 1000);
        }
        tx.window = w;
    }

    /** A pure ACK of the peer of {@code sender}: the first one covering its last data segment may release the next. */
    private static void pureAck(SideFlow sender, int ack, long t) {
        if (sender.candidate && sender.releasedAt < 0 && !SideFlow.after(sender.lastEnd, ack)) {
            sender.releasedAt = t;
        }
    }

    /** A data segment of {@code from}: is it the P2 of an ACK wait, and may it be a P1? */
    private void ackWait(Side from, SideFlow tx, int seq, int length, boolean newData, long t) {
        if (!newData) {
            tx.candidate = false; // a retransmission: the wait, if any, was for something else
            return;
        }
        if (tx.candidate && tx.releasedAt >= 0 && seq == tx.lastEnd) {
            long ackDelay = tx.releasedAt - tx.lastTime;
            if (t - tx.releasedAt <= RELEASE_NANOS && ackDelay >= MIN_DELAYED_ACK_NANOS
                    && ackDelay <= MAX_DELAYED_ACK_NANOS && length < tx.largest && length <= MAX_SMALL_SEGMENT) {
                handler.flow(from, t, FlowKind.ACK_WAIT, length, ackDelay / 1000);
            }
        }
        // Nagle sends at once what finds nothing in flight: only such a segment can make the next one wait.
        tx.candidate = tx.sent && tx.ackedKnown && tx.acked == seq && seq == tx.next;
        tx.lastEnd = seq + length;
        tx.lastTime = t;
        tx.releasedAt = -1;
        tx.largest = Math.max(tx.largest, length);
    }
}
