package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.wsdebug.sniff.tcp.Segments.ACK;
import static dev.wsdebug.sniff.tcp.Segments.FIN;
import static dev.wsdebug.sniff.tcp.Segments.PSH;
import static dev.wsdebug.sniff.tcp.Segments.RST;
import static dev.wsdebug.sniff.tcp.Segments.SYN;
import static dev.wsdebug.sniff.tcp.Segments.timed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flow facts of {@link FlowWatch}, through the reassembler, from hand-written segments. The
 * client (side A) starts at sequence number 1001 and the server (B) at 5001; times are milliseconds.
 */
class FlowWatchTest {
    private static final int WINDOW = 65535;

    /** Runs the segments through a reassembler; returns connection 1's flow events. */
    private static List<String> flows(List<TcpSegment> segments) {
        Recorder r = new Recorder();
        TcpReassembler tcp = new TcpReassembler(r);
        segments.forEach(tcp::segment);
        tcp.finish(Long.MAX_VALUE);
        return r.of(1).stream().filter(e -> e.contains(" flow ")).toList();
    }

    /** The three-way handshake with these window scale options (-1: none), at 0 ms. */
    private static List<TcpSegment> handshake(int clientScale, int serverScale) {
        List<TcpSegment> s = new ArrayList<>();
        s.add(timed(1, 0, true, 1000, 0, SYN, WINDOW, clientScale, 0));
        s.add(timed(2, 0.1, false, 5000, 1001, SYN | ACK, WINDOW, serverScale, 0));
        s.add(timed(3, 0.2, true, 1001, 5001, ACK, WINDOW, -1, 0));
        return s;
    }

    @Test
    void aZeroWindowIsToldOnceThenItsOpening() {
        List<TcpSegment> s = handshake(-1, -1);
        s.add(timed(4, 1, false, 5001, 1001, ACK | PSH, WINDOW, -1, 1000));
        s.add(timed(5, 1.1, false, 6001, 1001, ACK | PSH, WINDOW, -1, 1000));
        s.add(timed(6, 2, true, 1001, 6001, ACK, 0, -1, 0)); // closes with 1000 bytes in flight to it
        s.add(timed(7, 3, true, 1001, 7001, ACK, 0, -1, 0)); // still closed: not told again
        s.add(timed(8, 200, false, 7000, 1001, ACK, WINDOW, -1, 0)); // the server's probe
        s.add(timed(9, 200.1, true, 1001, 7001, ACK, 0, -1, 0));
        s.add(timed(10, 503, true, 1001, 7001, ACK, 4096, -1, 0));
        s.add(timed(11, 504, true, 1001, 7001, ACK, 8192, -1, 0)); // opening further: nothing new
        assertThat(flows(s)).containsExactly(
                "1 B flow ZERO_WINDOW bytes=1000 us=0 @2000000",
                "1 B flow WINDOW_OPEN bytes=0 us=501000 @503000000");
    }

    /**
     * {@code s}, then the receiver ({@code client} or the server, sending from {@code seq}) closes its
     * window at 2 ms acknowledging {@code ackAtClose}, and opens it at 12 ms acknowledging {@code ackAtOpen}.
     */
    private static List<String> closedFor10Ms(List<TcpSegment> s, boolean client, long seq, long ackAtClose,
                                              long ackAtOpen) {
        s.add(timed(s.size() + 1, 2, client, seq, ackAtClose, ACK, 0, -1, 0));
        s.add(timed(s.size() + 1, 12, client, seq, ackAtOpen, ACK, 100, -1, 0));
        return flows(s);
    }

    @Test
    void aServerWindowClosingConcernsTheClientsBytes() {
        List<TcpSegment> s = handshake(-1, -1);
        s.add(timed(4, 1, true, 1001, 5001, ACK | PSH, WINDOW, -1, 300));
        assertThat(closedFor10Ms(s, false, 5001, 1101, 1301)).containsExactly(
                "1 A flow ZERO_WINDOW bytes=200 us=0 @2000000",
                "1 A flow WINDOW_OPEN bytes=0 us=10000 @12000000");
    }

    @Test
    void resetAndFinWithAZeroWindowAreNotZeroWindows() {
        List<TcpSegment> fin = handshake(-1, -1);
        fin.add(timed(4, 1, true, 1001, 5001, ACK | FIN, 0, -1, 0));
        fin.add(timed(5, 2, false, 5001, 1002, ACK | FIN, 0, -1, 0));
        assertThat(flows(fin)).isEmpty();

        List<TcpSegment> rst = handshake(-1, -1);
        rst.add(timed(4, 1, false, 5001, 1001, ACK | PSH, WINDOW, -1, 100));
        rst.add(timed(5, 2, true, 1001, 5101, RST | ACK, 0, -1, 0));
        assertThat(flows(rst)).isEmpty();
    }

    @Test
    void withoutTheSynAnUnknownWindowMayBeTheOneThatCloses() {
        List<TcpSegment> s = new ArrayList<>();
        s.add(timed(1, 0, false, 5001, 1001, ACK | PSH, WINDOW, -1, 500));
        assertThat(closedFor10Ms(s, true, 1001, 5401, 5501)).containsExactly(
                "1 A flow ZERO_WINDOW bytes=100 us=0 @2000000",
                "1 A flow WINDOW_OPEN bytes=0 us=10000 @12000000");
    }

    @Test
    void windowsAreScaledOnlyWhenBothSynsCarriedTheOption() {
        FlowWatch both = new FlowWatch(TcpReassembler.IGNORED);
        for (TcpSegment s : handshake(7, 2)) {
            both.segment(s, s.src().equals(Segments.CLIENT) ? Side.A : Side.B);
        }
        assertThat(both.advertised(Side.A)).isEqualTo(WINDOW << 7);
        assertThat(both.advertised(Side.B)).isEqualTo(WINDOW << 2);
        both.segment(timed(4, 1, false, 5001, 1001, ACK, 3, -1, 0), Side.B);
        assertThat(both.advertised(Side.B)).isEqualTo(12);

        FlowWatch one = new FlowWatch(TcpReassembler.IGNORED);
        for (TcpSegment s : handshake(7, -1)) {
            one.segment(s, s.src().equals(Segments.CLIENT) ? Side.A : Side.B);
        }
        assertThat(one.advertised(Side.A)).isEqualTo(WINDOW);
        assertThat(one.advertised(Side.B)).isEqualTo(WINDOW);

        // zero is zero at any scale
        List<TcpSegment> s = handshake(14, 14);
        s.add(timed(4, 1, false, 5001, 1001, ACK | PSH, 2, -1, 1000));
        s.add(timed(5, 2, true, 1001, 6001, ACK, 0, -1, 0));
        assertThat(flows(s)).containsExactly("1 B flow ZERO_WINDOW bytes=0 us=0 @2000000");
    }

    /** The handshake, an exchange (request 200 bytes, response 129) so that nothing is in flight, then P1 at 100 ms. */
    private static List<TcpSegment> quietThenSmallSegment() {
        List<TcpSegment> s = handshake(-1, -1);
        s.add(timed(4, 10, true, 1001, 5001, ACK | PSH, WINDOW, -1, 200));
        s.add(timed(5, 11, false, 5001, 1201, ACK | PSH, WINDOW, -1, 129));
        s.add(timed(6, 11.1, true, 1201, 5130, ACK, WINDOW, -1, 0));
        s.add(timed(7, 100, true, 1201, 5130, ACK | PSH, WINDOW, -1, 6)); // P1: a frame header
        return s;
    }

    @Test
    void aSmallSegmentReleasedByADelayedAckIsAnAckWait() {
        List<TcpSegment> s = quietThenSmallSegment();
        s.add(timed(8, 140.5, false, 5130, 1207, ACK, WINDOW, -1, 0)); // the delayed ACK
        s.add(timed(9, 140.6, true, 1207, 5130, ACK | PSH, WINDOW, -1, 100)); // P2: the payload
        assertThat(flows(s)).containsExactly("1 A flow ACK_WAIT bytes=100 us=40500 @140600000");
    }

    @Test
    void fullSegmentsAfterAnAckAreNoAckWait() {
        // a window-limited bulk transfer: full segments, each flight sent when the ACK comes
        List<TcpSegment> s = handshake(-1, -1);
        s.add(timed(4, 10, true, 1001, 5001, ACK | PSH, WINDOW, -1, 200));
        s.add(timed(5, 11, false, 5001, 1201, ACK | PSH, WINDOW, -1, 129));
        long seq = 1201;
        double t = 100;
        for (int i = 0; i < 4; i++, t += 40) {
            s.add(timed(6 + 2 * i, t, true, seq, 5130, ACK, WINDOW, -1, 1448));
            seq += 1448;
            s.add(timed(7 + 2 * i, t + 39.5, false, 5130, seq, ACK, WINDOW, -1, 0));
        }
        assertThat(flows(s)).isEmpty();
    }

    @Test
    void aSegmentAfterThePeersDataIsNoAckWait() {
        // request/response: the peer's answer, not a pure ACK, comes before the next segment
        List<TcpSegment> s = quietThenSmallSegment();
        s.add(timed(8, 140.5, false, 5130, 1207, ACK | PSH, WINDOW, -1, 50));
        s.add(timed(9, 140.6, true, 1207, 5180, ACK | PSH, WINDOW, -1, 100));
        assertThat(flows(s)).isEmpty();
    }

    @Test
    void theAckMustBeDelayedAndMustReleaseTheSegment() {
        List<TcpSegment> quick = quietThenSmallSegment();
        quick.add(timed(8, 101, false, 5130, 1207, ACK, WINDOW, -1, 0)); // 1 ms: no delayed ACK
        quick.add(timed(9, 101.1, true, 1207, 5130, ACK | PSH, WINDOW, -1, 100));
        assertThat(flows(quick)).isEmpty();

        List<TcpSegment> late = quietThenSmallSegment();
        late.add(timed(8, 140, false, 5130, 1207, ACK, WINDOW, -1, 0));
        late.add(timed(9, 150, true, 1207, 5130, ACK | PSH, WINDOW, -1, 100)); // 10 ms after: not waiting for it
        assertThat(flows(late)).isEmpty();

        List<TcpSegment> partial = quietThenSmallSegment();
        partial.add(timed(8, 140, false, 5130, 1205, ACK, WINDOW, -1, 0)); // does not cover P1
        partial.add(timed(9, 140.1, true, 1207, 5130, ACK | PSH, WINDOW, -1, 100));
        assertThat(flows(partial)).isEmpty();
    }
}
