package dev.wsdebug.sniff.tcp;

import static dev.wsdebug.sniff.tcp.Segments.ACK;
import static dev.wsdebug.sniff.tcp.Segments.CLIENT;
import static dev.wsdebug.sniff.tcp.Segments.FIN;
import static dev.wsdebug.sniff.tcp.Segments.SERVER;
import static dev.wsdebug.sniff.tcp.Segments.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.sniff.packet.TcpSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random two-way sessions cut into segments, reordered, duplicated and re-sent with overlaps,
 * as a capture at the receivers would show them (each ACK acknowledges what its sender had
 * received so far): the reassembler must give back exactly the two streams.
 */
class TcpReassemblerPropertyTest {
    private static final int SEEDS = 300;

    /** One transmission: who sent it and what; its ACK is filled in once the capture order is known. */
    private record Send(boolean fromA, long seq, byte[] data, int flags, boolean mayBeLost) {
    }

    @Test
    void deliversExactlyTheTwoStreamsWhateverTheOrder() {
        long held = 0;
        long wrapped = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            Session session = new Session(seed, 0.0, TcpLimits.DEFAULT);
            Recorder.Stream st = session.run();
            String where = "seed " + seed;
            assertThat(st.a.toByteArray()).as(where).isEqualTo(session.streamA);
            assertThat(st.b.toByteArray()).as(where).isEqualTo(session.streamB);
            assertThat(st.gaps(Side.A) + st.gaps(Side.B)).as(where).isZero();
            assertThat(st.conflicts).as(where).isEmpty();
            assertThat(session.rec.streams).as(where).hasSize(1);
            assertThat(session.rec.of(1)).as(where).last().isEqualTo("1 closed @" + session.closeTime);
            held += session.heldDeliveries();
            wrapped += session.wraps() ? 1 : 0;
        }
        // The sessions did exercise what they are meant to.
        assertThat(held).isGreaterThan(1000);
        assertThat(wrapped).isGreaterThan(SEEDS / 10);
    }

    @Test
    void placesEveryByteWhereItBelongsWhenTheCaptureLosesSegments() {
        long gaps = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            Session session = new Session(seed, 0.15, TcpLimits.DEFAULT);
            checkPlacement(session, seed);
            gaps += session.rec.stream(1).gaps(Side.A) + session.rec.stream(1).gaps(Side.B);
        }
        assertThat(gaps).isGreaterThan(100_000);
    }

    @Test
    void placesEveryByteWhereItBelongsWhenTheBufferOverflows() {
        long overflowed = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            // Room for a few segments only: reordering makes the buffer overflow and skip.
            Session session = new Session(seed, 0.0, new TcpLimits(2000, 10, 64));
            checkPlacement(session, seed);
            overflowed += session.rec.stream(1).gaps(Side.A) + session.rec.stream(1).gaps(Side.B) > 0 ? 1 : 0;
        }
        assertThat(overflowed).isGreaterThan(SEEDS / 4);
    }

    private static void checkPlacement(Session session, long seed) {
        Recorder.Stream st = session.run();
        String where = "seed " + seed;
        for (Side side : Side.values()) {
            byte[] want = side == Side.A ? session.streamA : session.streamB;
            byte[] got = st.out(side).toByteArray();
            BitSet gaps = st.gapBits(side);
            assertThat(got.length).as(where).isEqualTo(want.length);
            assertThat(gaps.cardinality()).as(where).isEqualTo((int) st.gaps(side));
            for (int i = 0; i < want.length; i++) {
                if (!gaps.get(i) && got[i] != want[i]) {
                    throw new AssertionError(where + ": side " + side + " offset " + i + " differs");
                }
            }
        }
        assertThat(st.conflicts).as(where).isEmpty();
        assertThat(st.closes).as(where).isEqualTo(1);
        assertThat(session.rec.of(1)).as(where).last().isEqualTo("1 closed @" + session.closeTime);
    }

    private static final class Session {
        final Random r;
        final double loss;
        final TcpLimits limits;
        final long isnA;
        final long isnB;
        final byte[] streamA;
        final byte[] streamB;
        final Recorder rec = new Recorder(false);
        long closeTime = -1;

        Session(long seed, double loss, TcpLimits limits) {
            this.r = new Random(seed);
            this.loss = loss;
            this.limits = limits;
            isnA = isn();
            isnB = isn();
            streamA = bytes(r.nextInt(4) == 0 ? 0 : r.nextInt(12_000));
            streamB = bytes(r.nextInt(4) == 0 ? 0 : r.nextInt(12_000));
        }

        /** A third of the sessions start just below 2^32, so their sequence numbers wrap. */
        private long isn() {
            return r.nextInt(3) == 0 ? 0xFFFFFFFFL - r.nextInt(12_000) : r.nextInt() & 0xFFFFFFFFL;
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        /** Bytes delivered after a later segment than the one that carried them: they were held. */
        long heldDeliveries() {
            return rec.events.stream().filter(e -> e.contains(" data #")).filter(e -> {
                String[] f = e.split(" ");
                return Long.parseLong(f[3].substring(1)) * 10 != Long.parseLong(f[4].substring(1));
            }).count();
        }

        boolean wraps() {
            return isnA + 2 + streamA.length > 0x1_0000_0000L || isnB + 2 + streamB.length > 0x1_0000_0000L;
        }

        Recorder.Stream run() {
            List<Send> a = sends(true, isnA, streamA);
            List<Send> b = sends(false, isnB, streamB);
            List<Send> order = new ArrayList<>();
            int i = 0;
            int j = 0;
            while (i < a.size() || j < b.size()) {
                boolean takeA = j >= b.size() || (i < a.size() && r.nextBoolean());
                order.add(takeA ? a.get(i++) : b.get(j++));
            }
            // Duplicates, a few places later.
            for (int k = order.size() - 1; k >= 0; k--) {
                if (r.nextInt(10) == 0) {
                    order.add(Math.min(order.size(), k + 1 + r.nextInt(6)), order.get(k));
                }
            }
            // Reordering within a window.
            int window = 1 + r.nextInt(8);
            for (int k = 0; k < order.size(); k++) {
                int other = Math.min(order.size() - 1, k + r.nextInt(window));
                Send t = order.get(k);
                order.set(k, order.get(other));
                order.set(other, t);
            }

            TcpReassembler tcp = new TcpReassembler(rec, limits);
            long packet = 1;
            tcp.segment(Segments.seg(packet++, CLIENT, SERVER, isnA, 0, SYN, new byte[0], 0));
            tcp.segment(Segments.seg(packet++, SERVER, CLIENT, isnB, isnA + 1, SYN | ACK, new byte[0], 0));
            Receiver atB = new Receiver(streamA.length);
            Receiver atA = new Receiver(streamB.length);
            for (Send s : order) {
                Receiver mine = s.fromA ? atA : atB;
                long ack = (s.fromA ? isnB : isnA) + 1 + mine.acknowledged();
                (s.fromA ? atB : atA).receive(s.seq - (s.fromA ? isnA : isnB) - 1, s.data.length,
                        (s.flags & FIN) != 0);
                if (s.mayBeLost && r.nextDouble() < loss) {
                    continue; // the receiver got it, the capture did not
                }
                feed(tcp, packet++, s, ack);
            }
            // The last ACKs of the close.
            feed(tcp, packet++, new Send(true, isnA + 2 + streamA.length, new byte[0], ACK, false),
                    isnB + 1 + atA.acknowledged());
            feed(tcp, packet++, new Send(false, isnB + 2 + streamB.length, new byte[0], ACK, false),
                    isnA + 1 + atB.acknowledged());
            tcp.finish(packet * 10);
            return rec.stream(1);
        }

        private void feed(TcpReassembler tcp, long packet, Send s, long ack) {
            TcpSegment seg = Segments.seg(packet, s.fromA ? CLIENT : SERVER, s.fromA ? SERVER : CLIENT, s.seq,
                    ack, s.flags | ACK, s.data, s.data.length);
            int closesBefore = rec.stream(1).closes;
            tcp.segment(seg);
            if (closesBefore == 0 && rec.stream(1).closes == 1) {
                closeTime = seg.timeNanos();
            }
        }

        /** One side's segments in sending order, random sizes, some re-sent with other boundaries, then its FIN. */
        private List<Send> sends(boolean fromA, long isn, byte[] stream) {
            List<Send> out = new ArrayList<>();
            int max = 1 + r.nextInt(1460);
            int off = 0;
            while (off < stream.length) {
                int n = Math.min(stream.length - off, 1 + r.nextInt(max));
                out.add(data(fromA, isn, stream, off, n));
                if (r.nextInt(8) == 0) {
                    // A retransmission cut differently: overlaps the bytes around, same contents.
                    int from = Math.max(0, off - r.nextInt(2 * max));
                    int to = Math.min(stream.length, off + n + r.nextInt(2 * max));
                    out.add(data(fromA, isn, stream, from, to - from));
                }
                off += n;
            }
            boolean piggyback = !out.isEmpty() && loss == 0 && r.nextBoolean();
            if (piggyback) {
                Send last = out.remove(out.size() - 1);
                out.add(new Send(fromA, last.seq, last.data, last.flags | FIN, false));
            } else {
                out.add(new Send(fromA, isn + 1 + stream.length, new byte[0], FIN, false));
            }
            return out;
        }

        private Send data(boolean fromA, long isn, byte[] stream, int off, int n) {
            return new Send(fromA, isn + 1 + off, Arrays.copyOfRange(stream, off, off + n), 0, true);
        }
    }

    /** What a receiver has of its peer's stream: its cumulative acknowledgment, in offsets. */
    private static final class Receiver {
        private final BitSet got = new BitSet();
        private final int length;
        private boolean fin;

        Receiver(int length) {
            this.length = length;
        }

        void receive(long off, int n, boolean withFin) {
            got.set((int) off, (int) off + n);
            fin |= withFin;
        }

        /** Offset acknowledged, the FIN counting one once every byte before it is in. */
        long acknowledged() {
            int next = got.nextClearBit(0);
            return next >= length && fin ? length + 1 : Math.min(next, length);
        }
    }
}
