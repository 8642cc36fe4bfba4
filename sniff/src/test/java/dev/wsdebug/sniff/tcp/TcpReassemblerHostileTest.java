package dev.wsdebug.sniff.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.sniff.packet.Endpoint;
import dev.wsdebug.sniff.packet.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A capture is untrusted: garbage segments must not throw, break the contract, or grow memory. */
class TcpReassemblerHostileTest {

    @Test
    void survivesRandomSegments() {
        for (long seed = 0; seed < 100; seed++) {
            Random r = new Random(seed);
            Checker rec = new Checker();
            TcpLimits limits = new TcpLimits(3000, 4, 16);
            TcpReassembler tcp = new TcpReassembler(rec, limits);
            Endpoint[] ends = new Endpoint[4];
            for (int i = 0; i < ends.length; i++) {
                ends[i] = Segments.endpoint(10, 0, 0, 1 + i % 2, 1000 + i);
            }
            long[] bases = {r.nextInt() & 0xFFFFFFFFL, 0xFFFFFFF0L, 0, r.nextInt() & 0xFFFFFFFFL};
            for (int p = 1; p <= 2000; p++) {
                Endpoint src = ends[r.nextInt(ends.length)];
                Endpoint dst = ends[r.nextInt(ends.length)];
                long seq = bases[r.nextInt(bases.length)] + r.nextInt(4000) - 500;
                long ack = bases[r.nextInt(bases.length)] + r.nextInt(4000) - 500;
                int flags = r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(4) == 0 ? 0x10 | (r.nextInt(8)) : 0x10;
                byte[] payload = r.nextInt(20) == 0 ? null : new byte[r.nextInt(r.nextBoolean() ? 8 : 600)];
                if (payload != null) {
                    r.nextBytes(payload);
                }
                int length = switch (r.nextInt(6)) {
                    case 0 -> -r.nextInt(10);
                    case 1 -> r.nextInt(70_000);
                    case 2 -> payload == null ? 0 : payload.length / 2;
                    default -> payload == null ? 0 : payload.length;
                };
                tcp.segment(new TcpSegment(p, p, src, dst, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, flags, payload,
                        length));
                if (tcp.heldBytes() > 2 * limits.heldBytesPerSide() * tcp.openConnections()
                        || tcp.openConnections() > limits.connections()) {
                    throw new AssertionError("seed " + seed + " packet " + p + ": over the limits");
                }
            }
            tcp.segment(null);
            tcp.finish(1_000_000);
            assertThat(tcp.openConnections()).isZero();
            for (Checker.Stream st : rec.streams) {
                assertThat(st.closes).as("seed %d id %d", seed, st.flow.id()).isEqualTo(1);
            }
            assertThat(rec.streams).extracting(st -> st.flow.id())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, rec.streams.size()).boxed().toList());
        }
    }

    /** Checks the handler contract on every call and keeps nothing else: hostile gaps can be huge. */
    private static final class Checker implements TcpListener {
        final List<Stream> streams = new ArrayList<>();

        @Override
        public TcpStreamHandler opened(TcpFlow flow) {
            Stream s = new Stream(flow);
            streams.add(s);
            return s;
        }

        static final class Stream implements TcpStreamHandler {
            final TcpFlow flow;
            int closes;

            Stream(TcpFlow flow) {
                this.flow = flow;
            }

            private void open() {
                if (closes > 0) {
                    throw new AssertionError("event after close on " + flow.id());
                }
            }

            @Override
            public void data(Side from, long packet, long timeNanos, byte[] b, int off, int len) {
                open();
                if (len <= 0 || off < 0 || off + len > b.length) {
                    throw new AssertionError("bad data " + off + "+" + len + " of " + b.length);
                }
            }

            @Override
            public void gap(Side from, long timeNanos, long missing) {
                open();
                if (missing <= 0) {
                    throw new AssertionError("empty gap");
                }
            }

            @Override
            public void conflict(Side from, long timeNanos, long streamOffset, int length) {
                open();
                if (streamOffset < 0 || length <= 0) {
                    throw new AssertionError("bad conflict " + streamOffset + "+" + length);
                }
            }

            @Override
            public void closed(long timeNanos, boolean reset, boolean atEnd) {
                open();
                closes++;
            }
        }
    }
}
