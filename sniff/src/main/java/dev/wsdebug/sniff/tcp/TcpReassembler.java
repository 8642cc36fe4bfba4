package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.TcpSegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts TCP connections back together from captured segments, in capture order: each side's bytes
 * reach its {@link TcpStreamHandler} once each, in sequence order.
 *
 * <p><b>Connections and ids.</b> Segments are grouped by the unordered pair of endpoints. Ids
 * count from 1 in order of first appearance and follow tshark's {@code tcp.stream} (id =
 * tcp.stream + 1): any segment of an unknown pair opens a connection (even a lone ACK or RST), and
 * a SYN without ACK opens a new one on a pair in use when its sequence number is not the base of
 * that direction (tshark's "port numbers reused"; the same number is a retransmitted SYN). A pair
 * whose connection ended (FIN both ways or RST) is remembered without its state: its late packets
 * (the last ACK, a repeated FIN) are ignored rather than opening a connection, and a SYN without
 * ACK on it opens a new connection whatever its sequence number (tshark alone keeps a SYN with
 * the old initial sequence number in the old stream).
 *
 * <p><b>Start.</b> With a SYN, a side's stream starts after it and {@link TcpFlow#client} is its
 * sender (the receiver of a SYN-ACK when only that was captured). Without, the first segment from
 * a side carrying data (or a FIN) places its start, and the client is null.
 *
 * <p><b>Order and overlaps.</b> Out-of-order segments are held (copied) until the hole before them
 * fills; bytes already delivered or held win over later copies (retransmissions, overlaps), and
 * where a later copy differs {@link TcpStreamHandler#conflict} says so. In-order bytes go to the
 * handler straight from the segment's array. Held bytes are delivered with the number of the
 * packet that carried them and the time of the segment that let them through, so times do not go
 * back. SYN and FIN take one sequence number each; all sequence arithmetic wraps at 2^32.
 *
 * <p><b>Gaps</b> ({@link TcpStreamHandler#gap}, always the exact number of missing bytes): bytes
 * cut by the snap length, at once; a hole before held bytes or a held FIN when the peer
 * acknowledges past the start of the hole (the receiver got the bytes, the capture did not: like
 * Wireshark's "ACKed segment that wasn't captured"), when holding a new segment would go over
 * {@link TcpLimits#heldBytesPerSide} (the stream skips to the earliest held bytes), or when the
 * connection ends. A FIN alone does not declare the hole before it, as the capture may still bring
 * the bytes late; its acknowledgment does. Nothing is guessed after the last captured byte.
 *
 * <p><b>Close</b> ({@link TcpStreamHandler#closed}, once per connection): when both FINs are
 * reached (all bytes before them delivered), at once on a RST ({@code reset}), and with
 * {@code atEnd} from {@link #finish}, in order of id. {@code atEnd} is also used when the
 * connection's end was not seen: a new SYN took over its pair, or it was the one idle the longest
 * when a new connection went over {@link TcpLimits#connections}. Held bytes are delivered (with
 * the gaps between) before any close. A closed connection's state is dropped at once.
 *
 * <p>A capture is untrusted: nothing here throws on any segment, and memory is bounded by the
 * limits. Not thread-safe; call from one thread, in capture order.
 */
public final class TcpReassembler {
    /** For connections whose listener wants nothing of them (and for tests that look at state only). */
    static final TcpStreamHandler IGNORED = new TcpStreamHandler() {
        @Override
        public void data(Side from, long packet, long timeNanos, byte[] b, int off, int len) {
        }

        @Override
        public void gap(Side from, long timeNanos, long missing) {
        }

        @Override
        public void closed(long timeNanos, boolean reset, boolean atEnd) {
        }
    };

    private final TcpListener listener;
    private final TcpLimits limits;
    /** Open connections, least recently active first (access order), for the connection limit. */
    private final LinkedHashMap<EndpointPair, Connection> open = new LinkedHashMap<>(1024, 0.75f, true);
    /** Pairs whose connection ended, oldest first, as many as the connection limit. */
    private final LinkedHashMap<EndpointPair, Boolean> ended;
    /** The one key each segment is looked up with. */
    private final EndpointPair probe = new EndpointPair();
    private long nextId = 1;

    public TcpReassembler(TcpListener listener) {
        this(listener, TcpLimits.DEFAULT);
    }

    public TcpReassembler(TcpListener listener, TcpLimits limits) {
        this.listener = listener;
        this.limits = limits;
        int max = limits.connections();
        this.ended = new LinkedHashMap<>(1024) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<EndpointPair, Boolean> eldest) {
                return size() > max;
            }
        };
    }

    /** The next segment of the capture. */
    public void segment(TcpSegment s) {
        if (s == null || s.src() == null || s.dst() == null) {
            return;
        }
        boolean synOnly = (s.flags() & (TcpSegment.SYN | TcpSegment.ACK)) == TcpSegment.SYN;
        probe.set(s.src(), s.dst());
        Connection c = open.get(probe);
        if (c != null) {
            Side from = c.sideOf(s.src());
            if (!(synOnly && c.isNewSyn(from, s))) {
                if (c.segment(s, from)) {
                    open.remove(c.key);
                    ended.put(c.key, Boolean.TRUE);
                }
                return;
            }
            open.remove(c.key);
            c.close(s.timeNanos(), false, true);
        } else if (!ended.isEmpty() && ended.containsKey(probe)) {
            if (!synOnly) {
                return;
            }
            ended.remove(probe);
        }
        c = open(s);
        if (c.segment(s, Side.A)) {
            open.remove(c.key);
            ended.put(c.key, Boolean.TRUE);
        }
    }

    /** The capture ended: closes every connection still open ({@code atEnd}), in order of id. */
    public void finish(long timeNanos) {
        List<Connection> left = new ArrayList<>(open.values());
        open.clear();
        ended.clear();
        left.sort(Comparator.comparingLong(c -> c.flow.id()));
        for (Connection c : left) {
            c.close(timeNanos, false, true);
        }
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** What the open connections hold out of order, as counted against the limit. */
    public long heldBytes() {
        long sum = 0;
        for (Connection c : open.values()) {
            sum += c.heldCharge();
        }
        return sum;
    }

    private Connection open(TcpSegment s) {
        if (open.size() >= limits.connections()) {
            Iterator<Connection> idlest = open.values().iterator();
            Connection old = idlest.next();
            idlest.remove();
            old.close(s.timeNanos(), false, true);
        }
        int flags = s.flags();
        Side client = null;
        if ((flags & TcpSegment.SYN) != 0) {
            client = (flags & TcpSegment.ACK) != 0 ? Side.B : Side.A;
        }
        TcpFlow flow = new TcpFlow(nextId++, s.src(), s.dst(), client, s.timeNanos());
        TcpStreamHandler handler = listener.opened(flow);
        EndpointPair key = probe.copy();
        Connection c = new Connection(flow, key, handler == null ? IGNORED : handler, limits);
        open.put(key, c);
        return c;
    }
}
