package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.Endpoint;
import dev.wsdebug.sniff.packet.TcpSegment;

/** One open TCP connection: its flow, who receives its bytes, and its two sequence spaces. */
final class Connection {
    final TcpFlow flow;
    final EndpointPair key;
    private final TcpStreamHandler handler;
    private final SequenceSpace a;
    private final SequenceSpace b;
    private final FlowWatch watch;

    Connection(TcpFlow flow, EndpointPair key, TcpStreamHandler handler, TcpLimits limits) {
        this.flow = flow;
        this.key = key;
        this.handler = handler;
        this.a = new SequenceSpace(Side.A, handler, limits);
        this.b = new SequenceSpace(Side.B, handler, limits);
        this.watch = new FlowWatch(handler);
    }

    Side sideOf(Endpoint src) {
        return src.equals(flow.a()) ? Side.A : Side.B;
    }

    SequenceSpace space(Side side) {
        return side == Side.A ? a : b;
    }

    /** Whether a SYN without ACK from {@code from} opens a new connection on these endpoints. */
    boolean isNewSyn(Side from, TcpSegment s) {
        return space(from).isNewSyn((int) s.seq());
    }

    /** One segment of this connection; true when the connection ended with it (and is closed). */
    boolean segment(TcpSegment s, Side from) {
        // before the bytes: a segment that ends the connection must not report after its close
        watch.segment(s, from);
        SequenceSpace tx = space(from);
        SequenceSpace rx = space(from.other());
        int flags = s.flags();
        boolean ack = (flags & TcpSegment.ACK) != 0;
        tx.noteBase((int) s.seq(), (flags & TcpSegment.SYN) != 0);
        if (ack) {
            rx.noteBaseFromAck((int) s.ack());
        }
        if ((flags & TcpSegment.RST) != 0) {
            // Neither side sends after a RST; its payload (a diagnostic text, if any) is not stream data.
            close(s.timeNanos(), true, false);
            return true;
        }
        tx.segment(s);
        if (ack) {
            rx.ack(s.timeNanos(), (int) s.ack());
        }
        if (a.finished() && b.finished()) {
            close(s.timeNanos(), false, false);
            return true;
        }
        return false;
    }

    void close(long t, boolean reset, boolean atEnd) {
        a.flush(t);
        b.flush(t);
        handler.closed(t, reset, atEnd);
    }

    long heldCharge() {
        return a.heldCharge() + b.heldCharge();
    }
}
